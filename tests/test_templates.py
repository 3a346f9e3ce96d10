"""Site templates: a site's furniture is learned from its own pages and cut from them, real text stays."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path
from re import _parser

import pyarrow.parquet as pq
import pytest

from builder.arabic import match_key
from builder.config import TemplatesConfig
from builder.site import site_of
from builder.stages.metadata import MetadataExtractor
from builder.templates.apply import TemplateApplier, TemplateBook
from builder.templates.counts import ShapeCounter, counts_table, merge, of_share, read_merged
from builder.templates.learn import learn_from, learned_table
from builder.templates.openings import lookahead, needs_digit, openings
from builder.templates.shapes import ShapeMasker
from conftest import SENTENCES, article, build, cli, write_jsonl

parse = _parser.parse

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
    counts = ShapeCounter(masker, cfg.edge_lines, cfg.max_shapes_per_shard, cfg.max_line_words).add_all(rows).table()
    learned = learn_from(merge([counts], cfg.max_shapes_merged), lambda _: counts, cfg)
    return TemplateBook.from_table(learned_table(learned))


def applier(book: TemplateBook, masker: ShapeMasker) -> TemplateApplier:
    cfg = TemplatesConfig()
    return TemplateApplier(book, masker, cfg.edge_lines, cfg.max_line_words, MetadataExtractor())


def test_a_line_shape_masks_what_changes_from_page_to_page(masker):
    one, two = masker.mask("محمد عبد الله - القاهرة"), masker.mask("سارة أحمد – أسوان")
    assert one.shape == two.shape == "{name} - {city}"
    assert dict(one.values) == {"name": "محمد عبد الله", "city": "القاهرة"}
    back_link = masker.candidates(masker.mask("ظهرت المقالة فوز فريق المدينة على ضيفه أولاً على بوابة النيل."))
    assert "ظهرت المقاله {text} بوابه النيل." in back_link
    own_headline = masker.mask("ظهرت المقالة فوز فريق المدينة أولاً على بوابة النيل.", title="فوز فريق المدينة")
    assert own_headline.shape == "ظهرت المقاله {title} اولا علي بوابه النيل."
    assert masker.mask("ن ع / 10:30 ت م").shape == masker.mask("ن ع / 15:00 ت م").shape


def test_the_slots_that_need_a_digit_are_read_from_their_patterns(masker):
    assert masker.digit_slots == {"{date}", "{time}", "{number}"}
    assert needs_digit(parse(r"(?:x|\d+)\d")) and needs_digit(parse(r"(?:\d|[0-9a]\d){1,2}"))
    assert not any(needs_digit(parse(p)) for p in (r"(?:x|\d+)", r"\d*", r"[^\d]"))
    assert masker.unmarked("أعلنت الحكومة ") and not masker.unmarked("سبق- ") and not masker.unmarked("١٠ ")


def test_a_slot_opening_is_read_from_its_pattern_and_only_ever_lets_more_through(masker):
    assert openings(list(parse(r"(?<!x)(?:ab|c\d)x?")), 2) == {("a", "b"), ("c", r"[\d]")}
    assert openings(list(parse(r"(?i:ab)|x")), 3) == {(), ("x",)}  # a case-blind group: read no further
    assert openings(list(parse(r"\w+@x")), 3) == {()}  # opens with any word character: tried whole
    gate = re.compile(lookahead([(p, parse(p)) for p in (r"(?P<v>\w+)@x", "كتب\\s+")]))
    assert gate.match("a@x") and gate.match("كتب ") and not gate.match("كتاب")
    pattern = masker.regex.pattern
    plain = re.compile(r"(?<!\w)" + pattern[pattern.index("(?:(?P<"):])  # the slots without the lookahead
    lines = ["كتب: محمد علي - القاهرة 12 مايو 2024 الساعة 10:45 ص (أ ف ب) www.example.com",
             "للتواصل news@example.com أو 0123456789 - وكالة الأنباء", "بقلم د. أحمد فؤاد | الجيزة"]
    for line in lines:
        key = match_key(line)
        assert [(m.span(), m.lastgroup) for m in masker.regex.finditer(key)] == \
            [(m.span(), m.lastgroup) for m in plain.finditer(key)]


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


def test_a_line_with_no_words_teaches_nothing(masker, rng):
    """A separator of tatweel or a lone bidi mark has an empty shape (found on egypt_news, where it crashed)."""
    pages = [nile_page(i, rng) for i in range(6)]
    for page in pages:
        page["text"] = "ـــــ\n\n\u200f\n\n" + page["text"]
    book = learn(pages, masker)
    assert book.get("nilegate.example", "top") and "" not in book.get("nilegate.example", "top")


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


def test_free_text_after_a_fixed_prefix_is_furniture_unless_the_prefix_reports_speech(masker, rng):
    """"المزيد: <another headline>" closes 4 pages in 10: a read-more link. "وأضاف: <a quote>" closes 4 others: the
    last paragraph of a story."""
    pages = []
    for i in range(10):
        page = nile_page(i, rng)
        closing = (f"المزيد: {HEADLINES[(i + 1) % 6]} في يوم {i}" if i % 5 < 2 else
                   f"وأضاف: إن {SENTENCES[i]}" if i % 5 < 4 else "")
        page["text"] = page["text"].split("\n\n")[1] + ("\n\n" + closing if closing else "")
        pages.append(page)
    cut = applier(learn(pages, masker), masker)
    for page in pages:
        cut.apply(page)
    assert not any("المزيد:" in p["text"] for p in pages)
    assert sum("وأضاف:" in p["text"] for p in pages) == 4


def test_a_linked_word_the_scraper_put_on_its_own_line_stays(masker, rng):
    """"... من السفر إلى\nالصومال\nبعد ...": a place alone on a line, near the top of every page, is a sentence's."""
    pages = [{"url": f"https://wire.example/{i}", "text": "\n".join([
        SENTENCES[(i + 3) % 24] + " في زيارة إلى", CITIES[i % 6], SENTENCES[i % 20] + ".",
        article(rng)])} for i in range(12)]
    book = learn(pages, masker)
    text = pages[0]["text"]
    assert applier(book, masker).apply(pages[0]) == 0 and pages[0]["text"] == text


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
    whole = ShapeCounter(masker, cfg.edge_lines, 10_000, cfg.max_line_words).add_all(pages).table()
    halves = [ShapeCounter(masker, cfg.edge_lines, 10_000, cfg.max_line_words).add_all(pages[h::2]).table()
              for h in (0, 1)]
    merged, single = merge(halves, 10_000), merge([whole], 10_000)
    assert {s: (c.pages, dict(c.shapes)) for s, c in merged.items()} == \
        {s: (c.pages, dict(c.shapes)) for s, c in single.items()}


def test_counts_merged_per_share_of_the_sites_equal_one_merge(masker, rng):
    """The merge runs as several tasks, each over its own sites' rows of every shard: a site's merged counts
    depend on its own rows only, so the shares read back together are the merge of everything."""
    cfg = TemplatesConfig()
    pages = [nile_page(i, rng, host) for host in ("nile.example", "delta.example", "sinai.example", "aswan.example")
             for i in range(6)]
    shards = [ShapeCounter(masker, cfg.edge_lines, 10_000, cfg.max_line_words).add_all(pages[h::3]).table()
              for h in range(3)]
    shares = [counts_table(merge([of_share(t, part, 3) for t in shards], 10_000), 10_000, merged=True)
              for part in range(3)]
    held = [set(share["site"].to_pylist()) for share in shares]
    assert sum(map(len, held)) == 4 and sum(1 for h in held if h) >= 2  # each site in one share, over several
    whole, split = merge(shards, 10_000), read_merged(shares)

    def facts(sites):
        return {site: (c.pages, dict(c.shapes), dict(c.words), dict(c.lines), dict(c.examples))
                for site, c in sites.items()}

    assert facts(split) == facts(whole) and len(whole) == 4


def test_a_site_is_the_host_else_the_input_outlet_else_the_markups_site_name_else_furniture_else_the_folder():
    assert site_of({"url": "https://www.youm7.com/story/1"}) == "youm7.com"
    assert site_of({"url": None, "outlet_hint": "النهار", "outlet": "annahar"}) == "النهار"
    assert site_of({"outlet_hint": "النهار", "outlet": "annahar", "outlet_evidence": "input"}) == "annahar"
    assert site_of({"site_name": "موقع عرب 48", "outlet_hint": "النهار"}) == "النهار"
    assert site_of({"site_name": "موقع عرب 48", "outlet": "arab48", "outlet_evidence": "markup"}) == "arab48"
    assert site_of({"site_name": "موقع عرب 48", "source_file": "scrape/a48/1.html"}) == "موقع عرب 48"
    assert site_of({"outlet": "annahar", "outlet_evidence": "page"}) == "annahar"
    # a credit or dateline naming an outlet (a wire agency) says who wrote the story, not whose site it is on
    assert site_of({"outlet": "mena", "outlet_evidence": "credit", "source_file": "scrape/nile/1.txt"}) == "scrape/nile"
    assert site_of({"outlet": "unknown", "source_file": "scrape/nile/page-1.txt"}) == "scrape/nile"
    assert site_of({"site": "scrape~2", "url": "https://www.youm7.com/story/1"}) == "scrape~2"  # decided once


# --- in the build ------------------------------------------------------------------------------------------

def template_corpus(root: Path, files: int = 3, per_file: int = 10) -> Path:
    rng = random.Random(3)
    for f in range(files):
        write_jsonl(root / f"feed-{f:02d}.jsonl", [
            {k: v for k, v in nile_page(f * per_file + i, rng).items() if k in ("url", "text", "title")}
            for i in range(per_file)])
    return root


def parquet_bytes(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.glob("*/*.parquet"))}


def kept_rows(out: Path) -> list[dict]:
    return [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def test_a_build_cuts_each_sites_template_before_the_copies_are_found(tmp_path):
    src = template_corpus(tmp_path / "in")
    body = nile_page(0, random.Random(3))["text"].split("\n\n")[1]
    copy = nile_page(4, random.Random(9))
    copy["text"] = "\n\n".join([f"{REPORTERS[5]} - {CITIES[2]}", body, "ظهرت المقالة خبر آخر أولاً على بوابة النيل."])
    write_jsonl(src / "late.jsonl", [{k: copy[k] for k in ("url", "text", "title")}])
    out = tmp_path / "out"
    stats = build(src, out)
    rows = kept_rows(out)
    assert stats["templates"]["sites"]["nilegate.example"]["shapes"] > 0
    assert not any("ظهرت المقالة" in r["text"] or " - " in r["text"].split("\n")[0] for r in rows)
    cut = [s for r in rows for s in r["removed"] if s["rule"] == "template.nilegate.example"]
    assert cut and all(s["detail"] for s in cut)
    assert stats["rejected_by"] == {"exact/exact_duplicate": 1}  # the copy differed from page 0 only in furniture
    card = (out / "README.md").read_text()
    assert "### Site templates" in card and "| nilegate.example |" in card

    plain = build(src, tmp_path / "plain", "templates.enabled=false")
    assert "exact/exact_duplicate" not in plain["rejected_by"]
    assert all("ظهرت المقالة" in r["text"] for r in kept_rows(tmp_path / "plain"))


def test_a_linked_place_under_a_short_line_is_joined_back_and_never_learned(tmp_path):
    """A link put the place on its own line, with its spaces, under a short opening line: the build joins the
    sentence again before the sites' lines are counted, so the place is nobody's template line."""
    rng = random.Random(5)
    rows = [{"url": f"https://wire.example/{i}", "title": HEADLINES[i % 6], "text": "\n".join([
        "ونقلت وكالة أنباء ", CITIES[i % 2], f" عن مصدر مسؤول {SENTENCES[i % 20]}.", article(rng)])}
        for i in range(12)]
    write_jsonl(tmp_path / "in" / "feed.jsonl", rows)
    build(tmp_path / "in", tmp_path / "out")
    out = kept_rows(tmp_path / "out")
    assert out and not any(s["rule"].startswith("template.") for r in out for s in r["removed"])
    assert all(r["text"].startswith(f"ونقلت وكالة أنباء {CITIES[0]} عن مصدر مسؤول") or
               r["text"].startswith(f"ونقلت وكالة أنباء {CITIES[1]} عن مصدر مسؤول") for r in out)


@pytest.mark.slow
def test_a_build_killed_in_the_template_phase_resumes_to_the_same_files(tmp_path):
    src = template_corpus(tmp_path / "in", files=24, per_file=8)
    build(src, tmp_path / "clean")
    out = tmp_path / "killed"
    proc = subprocess.Popen(cli(f"input.path={src}", f"output.path={out}"), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    markers = out / ".build" / "work" / "done"
    deadline = time.monotonic() + 180
    while not list(markers.glob("template-counts-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    counted = len(list(markers.glob("template-counts-*")))
    assert counted >= 1 and not (markers / "templates").exists(), "the build must die inside the template phase"
    build(src, out)
    assert parquet_bytes(out) == parquet_bytes(tmp_path / "clean")


@pytest.mark.slow
def test_ray_writes_the_same_files_as_the_local_executor(tmp_path):
    src = template_corpus(tmp_path / "in", files=3, per_file=8)
    local = build(src, tmp_path / "local", "executor.workers=2")
    build(src, tmp_path / "ray", "executor=ray", "executor.num_cpus=2")
    assert local["templates"]["sites"]["nilegate.example"]["lines"] > 0
    assert parquet_bytes(tmp_path / "ray") == parquet_bytes(tmp_path / "local")
