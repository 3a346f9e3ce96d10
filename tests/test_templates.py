"""Site templates: a site's furniture is learned from its own pages and cut from them, real text stays."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from builder.config import TemplatesConfig
from builder.stages.metadata import MetadataExtractor
from builder.templates.apply import TemplateApplier, TemplateBook
from builder.templates.counts import ShapeCounter, merge
from builder.templates.learn import TemplateLearner, learned_table
from builder.templates.shapes import ShapeMasker
from builder.templates.site import site_of
from conftest import SENTENCES, article

REPORTERS = ["محمد عبد الله", "سارة أحمد", "خالد منصور", "منى السيد", "أحمد فؤاد", "هدى كمال"]
CITIES = ["القاهرة", "الجيزة", "أسوان", "الإسكندرية", "المنيا", "طنطا"]
HEADLINES = ["افتتاح خط جديد للحافلات في وسط المدينة", "ارتفاع أسعار الخضروات مع موجة الحر",
             "فوز فريق المدينة على ضيفه بهدفين", "فتح باب القبول في الجامعة للعام الجديد",
             "حملة لترشيد استهلاك الكهرباء في الصيف", "تراجع معدل التضخم إلى أدنى مستوى"]


@pytest.fixture(scope="module")
def masker() -> ShapeMasker:
    return ShapeMasker()


def nile_page(i: int, rng: random.Random, host: str = "nilegate.example") -> dict:
    """A page of an outlet nobody wrote rules for: reporter line on top, back-link and time stamp at the bottom."""
    headline = HEADLINES[i % len(HEADLINES)]
    lines = [f"{REPORTERS[i % 6]} - {CITIES[(i * 5) % 6]}", article(rng),
             f"ظهرت المقالة {headline} أولاً على بوابة النيل.", f"ن ع / {10 + i}:{i % 6}0 ت م"]
    return {"id": f"{host}-{i}", "url": f"https://www.{host}/news/{i}", "text": "\n\n".join(lines),
            "title": headline, "removed": [], "source_file": "feed.jsonl"}


def learn(rows: list[dict], masker: ShapeMasker, cfg: TemplatesConfig | None = None) -> TemplateBook:
    cfg = cfg or TemplatesConfig()
    counts = ShapeCounter(masker, cfg.edge_lines, cfg.max_shapes_per_shard).add_all(rows)
    learned = TemplateLearner(cfg).learn(merge([counts.table()], cfg.max_shapes_merged))
    return TemplateBook.from_table(learned_table(learned))


def applier(book: TemplateBook, masker: ShapeMasker) -> TemplateApplier:
    return TemplateApplier(book, masker, TemplatesConfig().edge_lines, MetadataExtractor())


def test_a_line_shape_masks_what_changes_from_page_to_page(masker):
    one, two = masker.mask("محمد عبد الله - القاهرة"), masker.mask("سارة أحمد – أسوان")
    assert one.shape == two.shape == "{name} - {city}"
    assert dict(one.values) == {"name": "محمد عبد الله", "city": "القاهرة"}
    back_link = masker.candidates(masker.mask("ظهرت المقالة فوز فريق المدينة على ضيفه أولاً على بوابة النيل."))
    assert "ظهرت المقاله {text} بوابه النيل." in back_link
    assert masker.mask("ن ع / 10:30 ت م").shape == masker.mask("ن ع / 15:00 ت م").shape


def test_a_template_is_learned_from_a_handful_of_pages_and_cut_with_an_audit(masker, rng):
    pages = [nile_page(i, rng) for i in range(6)]
    book = learn(pages, masker)
    assert book.get("nilegate.example", "top") and book.get("nilegate.example", "bottom")
    page = nile_page(7, rng)
    body = page["text"].split("\n\n")[1]
    assert applier(book, masker).apply(page) == 3
    assert page["text"] == body
    assert [r["rule"] for r in page["removed"]] == ["template.nilegate.example"] * 3
    assert page["removed"][0]["text"] == "سارة أحمد - طنطا"


def test_a_site_with_too_few_pages_learns_nothing_and_an_unseen_site_gets_nothing(masker, rng):
    book = learn([nile_page(i, rng) for i in range(4)], masker)
    assert not book.shapes
    book = learn([nile_page(i, rng) for i in range(6)], masker)
    stranger = nile_page(1, rng, host="other.example")
    text = stranger["text"]
    assert applier(book, masker).apply(stranger) == 0 and stranger["text"] == text


def test_a_recurring_real_sentence_stays(masker, rng):
    """A sentence the site repeats in the body of every page, and one that closes half its pages."""
    recurring, closing = SENTENCES[0] + ".", SENTENCES[5] + " " + SENTENCES[6] + "."
    pages = []
    for i in range(10):
        page = nile_page(i, rng)
        lines = page["text"].split("\n\n")
        lines[1:2] = [lines[1].split("\n")[0], "\n".join(lines[1].split("\n")[1:]), recurring, article(rng, 6)]
        if i % 2:
            lines.append(closing)
        page["text"] = "\n\n".join(lines)
        pages.append(page)
    book = learn(pages, masker)
    cut = applier(book, masker)
    for page in pages:
        cut.apply(page)
        assert recurring in page["text"].split("\n\n")
    assert all(closing in p["text"] for p in pages[1::2])
    assert all(r["text"] not in (recurring, closing) for p in pages for r in p["removed"])


def test_a_syndicated_story_teaches_no_site_anything(masker, rng):
    """The same wire story, run (and re-run) by four sites: its lines are nobody's template."""
    wire = ["القاهرة (رويترز) - " + SENTENCES[10], article(random.Random(1)), SENTENCES[20] + "."]
    rows = []
    for s in range(4):
        for i in range(6):
            text = "\n\n".join(wire) if i < 3 else article(rng)
            rows.append({"url": f"https://site{s}.example/{i}", "text": text})
    book = learn(rows, masker)
    assert not book.shapes


def test_metadata_comes_from_template_lines_when_the_document_has_none(masker, rng):
    pages = []
    for i in range(8):
        page = nile_page(i, rng)
        page["text"] = f"نشر في {1 + i} مايو 2024\n\n" + page["text"]
        pages.append(page)
    book = learn(pages, masker)
    cut = applier(book, masker)
    page = nile_page(3, rng)
    page["text"] = "نشر في 9 مايو 2024\n\n" + page["text"]
    cut.apply(page)
    assert page["byline"] == "منى السيد" and page["dateline"] == "الإسكندرية"
    assert page["published"] == datetime(2024, 5, 9)
    own = nile_page(2, rng) | {"byline": "كاتب الموقع", "published": datetime(2023, 1, 1)}
    cut.apply(own)
    assert own["byline"] == "كاتب الموقع" and own["published"] == datetime(2023, 1, 1)


def test_counts_merged_from_shards_equal_the_counts_of_one_shard(masker, rng):
    pages = [nile_page(i, rng) for i in range(12)]
    cfg = TemplatesConfig()
    whole = ShapeCounter(masker, cfg.edge_lines, 10_000).add_all(pages).table()
    halves = [ShapeCounter(masker, cfg.edge_lines, 10_000).add_all(pages[h::2]).table() for h in (0, 1)]
    merged, single = merge(halves, 10_000), merge([whole], 10_000)
    assert {s: (c.pages, dict(c.shapes)) for s, c in merged.items()} == \
        {s: (c.pages, dict(c.shapes)) for s, c in single.items()}


def test_a_site_is_the_host_else_the_outlet_else_the_folder():
    assert site_of({"url": "https://www.youm7.com/story/1"}) == "youm7.com"
    assert site_of({"url": None, "outlet_hint": "النهار", "outlet": "annahar"}) == "النهار"
    assert site_of({"outlet": "annahar"}) == "annahar"
    assert site_of({"outlet": "unknown", "source_file": "scrape/nile/page-1.txt"}) == "scrape/nile"
