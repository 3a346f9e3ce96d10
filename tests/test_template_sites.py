"""A page's site decided once from the page and the corpus, and what a site's template cuts beyond its edge lines:
related-headline blocks, a learned line below one, furniture glued to a body line (issue 22)."""

from __future__ import annotations

import random

import pytest

from builder.config import TemplatesConfig
from builder.stages.metadata import MetadataExtractor
from builder.templates.apply import TemplateApplier, TemplateBook, headline_key
from builder.templates.counts import PREFIX, SUFFIX, Edges, ShapeCounter, glued_shape, merge, prefixes, suffixes
from builder.templates.learn import learn_from, learned_table
from builder.templates.shapes import ShapeMasker
from builder.templates.sites import decide, evidence_table
from conftest import SENTENCES, article

SUBJECTS = ["افتتاح خط جديد للحافلات", "ارتفاع أسعار الخضروات", "فوز فريق المدينة على ضيفه", "فتح باب القبول بالجامعة",
            "حملة لترشيد استهلاك الكهرباء", "تراجع معدل التضخم", "افتتاح معرض الكتاب الدولي", "موجة حر تضرب البلاد"]
PLACES = ["في القاهرة", "في الجيزة", "في أسوان", "في الإسكندرية", "في المنيا", "في طنطا"]
REPORTERS = ["محمد عبد الله", "سارة أحمد", "خالد منصور", "منى السيد"]
DISCLAIMER = "تنويه: التعليقات المنشورة تعبر عن آراء أصحابها ولا تعبر بالضرورة عن رأي نافذة الشمال أو القائمين عليها"
PAGES = 12


@pytest.fixture(scope="module")
def masker() -> ShapeMasker:
    return ShapeMasker()  # its own: the process-wide one may hold word lists another test configured


def title(outlet: int, i: int) -> str:
    return f"{SUBJECTS[(i + outlet) % 8]} {PLACES[(i * 5 + outlet) % 6]} للمرة {i + 1}"


def north(i: int, rng: random.Random) -> list[str]:
    """Masthead; body; a 'في نفس القسم' list of three other pages' titles, a long disclaimer below it, footer."""
    related = [title(0, (i + k) % PAGES) for k in (1, 2, 3)]
    return ["نافذة الشمال | أخبار الشمال والعالم", article(rng), "في نفس القسم", *related, DISCLAIMER,
            f"جميع الحقوق محفوظة لنافذة الشمال {2020 + i % 4}"]


def valley(i: int, rng: random.Random) -> list[str]:
    """Reporter line; body whose last paragraph carries the back-link 'رابط الخبر بموقع صوت الوادي: <title>'."""
    body = article(rng).split("\n")
    body[-1] += f" رابط الخبر بموقع صوت الوادي: {title(1, i)}"
    return [f"{REPORTERS[i % 4]} - {PLACES[i % 6].split()[1]}", *body, "شارك الخبر على فيسبوك وتويتر",
            f"صوت الوادي © {2020 + i % 4}"]


def observer(i: int, rng: random.Random) -> list[str]:
    """A desk byline glued before the first sentence; follow line and footer."""
    body = article(rng).split("\n")
    body[0] = "المرصد- وكالات: " + body[0]
    return [*body, "تابعوا المرصد على تيليجرام لمتابعة الأخبار العاجلة", f"© {2020 + i % 4} المرصد الإخباري"]


def flat_folder() -> list[dict]:
    """Three outlets' text pages in one folder, in a mixed order, with no URL and no outlet."""
    rng = random.Random(5)
    rows = [{"id": f"{o}-{i}", "title": title(o, i), "text": "\n".join(render(i, rng)),
             "source_file": f"dump/{o}-{i}.txt"}
            for o, render in enumerate((north, valley, observer)) for i in range(PAGES)]
    return sorted(rows, key=lambda r: (r["id"][2:], r["id"]))


def decide_sites(rows: list[dict], masker: ShapeMasker, cfg: TemplatesConfig) -> None:
    table = evidence_table(rows, masker, cfg, 3)
    decided = decide(*(table[c].to_pylist() for c in ("site", "how", "folder", "edges")), cfg.site_owner_share)
    for row, site, how in zip(rows, decided.site, decided.how, strict=True):
        row["site"], row["how"] = site, how


def templates(rows: list[dict], masker: ShapeMasker, cfg: TemplatesConfig) -> TemplateApplier:
    counts = ShapeCounter(masker, cfg.edge_lines, cfg.max_shapes_per_shard, cfg.max_line_words, 3,
                          Edges.of(cfg)).add_all(rows).table()
    book = TemplateBook.from_table(learned_table(learn_from(merge([counts], cfg.max_shapes_merged),
                                                            lambda _: counts, cfg)))
    titles = frozenset(headline_key(r["title"]) for r in rows)
    return TemplateApplier(book, masker, cfg.edge_lines, cfg.max_line_words, MetadataExtractor(), 3, Edges.of(cfg),
                           titles, cfg.block_max_words, cfg.heading_max_words)


def test_a_flat_folder_of_three_outlets_becomes_three_sites_each_with_its_own_template(masker):
    cfg = TemplatesConfig()
    rows = flat_folder()
    decide_sites(rows, masker, cfg)
    by_outlet = {o: {r["site"] for r in rows if r["id"][0] == o} for o in "012"}
    assert all(len(sites) == 1 for sites in by_outlet.values()), by_outlet
    assert len(set.union(*by_outlet.values())) == 3 and {r["how"] for r in rows} == {"lines"}
    cut = templates(rows, masker, cfg)
    for o in "012":
        assert cut.book.get(by_outlet[o].pop(), "bottom")  # each site learned its own bottom edge
    for row in rows:
        cut.apply(row)
        lines = row["text"].split("\n")  # the three paragraphs of article() and nothing else
        assert len(lines) == 3 and all(line.endswith(".") and line[:8] in " ".join(SENTENCES) for line in lines), lines
        assert all(r["rule"] == f"template.{row['site']}" for r in row["removed"])
    for row in (r for r in rows if r["id"][0] == "0"):
        # the related block (other pages' titles under a learned heading), the disclaimer below it, the footer
        removed = [r["text"] for r in row["removed"]]
        assert "في نفس القسم" in removed and DISCLAIMER in removed and title(0, (int(row["id"][2:]) + 1) % PAGES) \
            in removed


def test_a_back_link_glued_to_the_last_paragraph_is_cut_and_the_paragraph_stays(masker):
    cfg = TemplatesConfig()
    rows = flat_folder()
    decide_sites(rows, masker, cfg)
    cut = templates(rows, masker, cfg)
    for row in (r for r in rows if r["id"][0] == "1"):
        last = row["text"].split("\n")[-3]
        paragraph, link = last.split(" رابط الخبر", 1)
        cut.apply(row)
        assert "رابط الخبر" not in row["text"] and paragraph in row["text"].split("\n")
        assert "رابط الخبر" + link in [r["text"] for r in row["removed"]]
    for row in (r for r in rows if r["id"][0] == "2"):
        cut.apply(row)
        first = row["text"].split("\n")[0]
        assert not first.startswith("المرصد") and first.split("، ")[0] in SENTENCES
        assert "المرصد- وكالات:" in [r["text"] for r in row["removed"]]


def test_a_page_naming_its_outlet_in_its_furniture_names_the_site_and_one_page_never_splits_it(masker):
    cfg = TemplatesConfig()
    rows = [r for r in flat_folder() if r["id"][0] == "1"]
    for row in rows[:4]:  # the label stage found the outlet in these pages' copyright line
        row.update(outlet="sawtalwadi", outlet_evidence="page")
    rows[5]["outlet_hint"] = "رابط الخبر"  # a site name guessed from one page's <title>
    rows[6].update(outlet="mena", outlet_evidence="credit")  # a wire credit: who wrote it, not whose site
    decide_sites(rows, masker, cfg)
    assert {r["site"] for r in rows} == {"sawtalwadi"}
    assert [r["how"] for r in rows[:4]] == ["furniture"] * 4 and {r["how"] for r in rows[4:]} == {"lines"}


def test_pages_sharing_nothing_keep_their_folder_and_two_named_sites_never_merge(masker):
    cfg = TemplatesConfig()
    decided = decide(["a.example", "b.example", None, None], ["url", "url", "folder", "folder"],
                     ["x", "x", "scrape/eg", "scrape/eg"], [[1, 2], [1, 2], [7], [9]], cfg.site_owner_share)
    assert decided.site == ["a.example", "b.example", "scrape/eg", "scrape/eg"]
    assert decided.how == ["url", "url", "folder", "folder"]
    named = decide(["n1", "n1", "n2", "n2", None], ["input"] * 4 + ["folder"], ["f"] * 5,
                   [[1, 2], [3], [1, 2], [4], [1, 2]], cfg.site_owner_share)
    assert named.site[:4] == ["n1", "n1", "n2", "n2"]  # a pair of lines both print does not join them


def test_a_glued_prefix_is_cut_at_a_delimiter_or_as_a_time_stamp_never_as_opening_words(masker):
    assert glued_shape(masker, PREFIX, "10:45 ص ", None).shape == "{time}"
    assert glued_shape(masker, PREFIX, "سبق- وكالات: ", None).shape == "{source} - وكالات :"
    assert glued_shape(masker, PREFIX, "القاهرة ", None) is None  # a lead may open with its city
    assert glued_shape(masker, PREFIX, "أعلنت الحكومة ", None) is None
    assert glued_shape(masker, SUFFIX, "وأكد أن الخطة ستنفذ هذا العام.", None) is None  # the last sentence
    assert "05:" not in prefixes("05:35 م أعلنت الحكومة اليوم عن خطة جديدة لتطوير", 8, 5)  # inside a clock
    # a back-link after a paragraph with no full stop, its headline holding one: found by the page's own headline
    headline = "للمرة الثانية.. حافظ سلامة يعتذر عن الإدلاء بشهادته"
    found = suffixes(f"وأخطرت النيابة التي تولت التحقيق لمعرفة سبب الوفاة رابط الخبر بصحيفة سبق: {headline}", 25, 5,
                     headline)
    assert f"رابط الخبر بصحيفة سبق: {headline}" in found
