"""Exact copies, versions and copies across outlets: one page kept per group, by its relation's policy.

The relations are shown on the dedup functions themselves (`dedup` below runs the signature keys, the exact
groups, the LSH and block candidates, the judge and the clustering of builder/dedup/ over a few pages in
memory). One whole build of a small feed shows the path through the files: every dropped page in `rejected`
with the id of the page kept, and the stage files that path leaves behind.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import numpy as np
import pyarrow.parquet as pq
import pytest

from builder.arabic import dedup_key
from builder.config import Config, NearDupConfig, SplitConfig
from builder.dedup import evidence
from builder.dedup.buckets import BucketJob, Entries, candidates, run_buckets
from builder.dedup.candidates import band_keys, bucket_pairs, run_pairs, unique_pairs
from builder.dedup.clusters import ClusterJob, Pairs, cluster, outlets_of, run_clusters, stars
from builder.dedup.evidence import COPY, NO_TIME, RELATIONS, VERSION, PageKeys, borderline, judge, word_ratio
from builder.dedup.exact import first_rows
from builder.dedup.keep import ranks
from builder.dedup.keys import UrlKey, recurring, title_key, title_shape
from builder.dedup.pages import entries, page_keys
from builder.dedup.signatures import lsh_params, shingles, signatures
from builder.errors import BuildError
from builder.files import Layout
from builder.phases.signatures import url_key as signature_url_key
from builder.site import UNKNOWN_OUTLET
from builder.split import split_of
from conftest import SENTENCES, article, build, typed_config, write_jsonl


def story(rng: random.Random) -> str:
    return article(rng, 12)


def edited(text: str, rng: random.Random, n: int = 2) -> str:
    """A re-published copy: a few words changed, as an outlet's editor would."""
    words = text.split(" ")
    for i in rng.sample(range(len(words)), n):
        words[i] = rng.choice(["الجديد", "الكبير", "الحالي", "المقبل"])
    return " ".join(words)


# --- the relations, on the dedup functions --------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """A page as dedup sees it: its text after the document stages, and the outlet the label stage gave it."""

    text: str
    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO, as in the input
    outlet: str | None = None


@dataclass(frozen=True)
class Decisions:
    pairs: dict[tuple[int, int], str]  # the candidate pairs (page numbers) judged in a relation: copy or version
    read_words: set[tuple[int, int]]  # pairs judged by reading their words in order
    keeper: list[int]  # per page, the page its cluster keeps
    reason: list[str | None]  # per page: None when kept, else the relation that dropped it
    dup_count: list[int]
    dup_versions: list[int]
    dup_outlets: list[list[str]]

    @property
    def kept(self) -> list[int]:
        return [i for i, k in enumerate(self.keeper) if k == i]


@cache
def config(*overrides: str) -> Config:
    """The build's typed config, composed once per set of overrides (composing takes a second; never mutated)."""
    return typed_config(*overrides)


@cache
def url_key(*overrides: str) -> UrlKey:
    """The signature phase's URL key, with the configured tracking parameters."""
    return signature_url_key(config(*overrides).lists)


def seconds(published: str | None) -> int:
    return NO_TIME if published is None else int(datetime.fromisoformat(published).replace(tzinfo=UTC).timestamp())


def dedup(pages: list[Page], *overrides: str) -> Decisions:
    """What the dedup phases decide for these pages, with the build's config (and these overrides): the keys
    of the signature phase, the exact groups and recurring blocks of the exact task, the band and block
    candidates and the judge of a bucket task (one partition), then the cluster task's groups and keepers."""
    cfg = config(*overrides).near_dup
    n = len(pages)
    match_keys = [dedup_key(p.text) for p in pages]
    sig, n_shingles = signatures(match_keys, cfg)
    published = np.array([seconds(p.published) for p in pages], dtype=np.int64)
    keys = page_keys([hashlib.blake2b(t.encode(), digest_size=16).digest() for t in match_keys],
                     [p.outlet for p in pages], [p.url for p in pages], [p.title for p in pages], published,
                     n_shingles, url_key(*overrides))
    rep = first_rows(keys["match"])
    first = np.flatnonzero(rep == np.arange(n))
    flags = np.zeros(n, dtype=bool)
    flags[first] = recurring(keys["shape"][first], published[first], cfg.versions.recurring_days, NO_TIME) | \
        recurring(keys["url"][first], published[first], cfg.versions.recurring_days, NO_TIME)

    bands, rows = lsh_params(cfg.candidate_threshold, cfg.num_perm)
    found = entries(sig[first], keys[first], bands, rows, cfg.versions.enabled)
    page_of = first[found["row"].astype(np.int64)]
    block_time = np.where(found["kind"] >= bands, published[page_of], 0)
    pairs, _ = candidates(Entries(found["kind"], found["key"], page_of, block_time), bands, cfg.bucket_window)

    def texts(which: np.ndarray) -> tuple[list[str], list[str]]:
        return [pages[a].text for a in pairs[which, 0]], [pages[b].text for b in pairs[which, 1]]

    jaccard = evidence.estimated_jaccard(sig, pairs)
    close = np.flatnonzero(borderline(jaccard, cfg))
    jaccard[close] = evidence.exact_jaccard(*texts(close), cfg.ngram)
    facts = PageKeys(site=keys["site"], title=keys["title"], url=keys["url"], published=published,
                     n_shingles=np.array(n_shingles, dtype=np.int64), recurring=flags,
                     titles=lambda some: [pages[i].title for i in some.tolist()])
    verdict = judge(pairs, sig, facts, cfg, jaccard)
    read = np.flatnonzero(verdict.read_words)
    verdict.relation[read[word_ratio(*texts(read)) >= cfg.versions.min_word_ratio]] = VERSION

    outlets = [p.outlet for p in pages]
    known = published != NO_TIME
    rank_facts = {"ids": np.arange(n), "published": np.where(known, published, 0), "known": known,
                  "outlets": outlets, "n_chars": np.array([len(p.text) for p in pages]),
                  "priority": cfg.outlet_priority}
    by_relation = {r: pairs[verdict.relation == r] for r in (COPY, VERSION)}
    result = cluster(np.unique(rep, return_inverse=True)[1].astype(np.int64),
                     Pairs(by_relation[COPY], by_relation[VERSION], {}),
                     ranks(cfg.keep, **rank_facts, setting="near_dup.keep"),
                     ranks(cfg.versions.keep, **rank_facts, setting="near_dup.versions.keep"))
    docs = np.arange(n)
    reason = [None if k == i else "exact_duplicate" if e != i else "edited_version" if v != i else "near_duplicate"
              for i, k, e, v in zip(docs, result.keeper, result.exact_rep, result.version_keeper, strict=True)]
    shared = outlets_of(result.keeper, outlets)
    return Decisions(
        pairs={(int(a), int(b)): RELATIONS[r] for (a, b), r in zip(pairs, verdict.relation, strict=True) if r},
        read_words={(int(a), int(b)) for a, b in pairs[read]},
        keeper=result.keeper.tolist(), reason=reason, dup_count=result.cluster_size.tolist(),
        dup_versions=result.versions[result.keeper].tolist(),
        dup_outlets=[shared.get(int(k)) or sorted({outlets[k]} - {None, UNKNOWN_OUTLET}) for k in result.keeper])


def test_copies_on_several_sites_collapse_to_the_earliest_and_an_exact_copy_joins_them():
    """The syndicated story of the build below, as its pages reach dedup (the dateline and the copyright line
    cut by the document stages): edited copies on three sites, and the wire text again without hamzas."""
    rng = random.Random(3)
    wire = story(rng)
    pages = [Page(wire, "https://youm7.com/a", published="2024-05-02T10:00:00", outlet="youm7"),
             Page(edited(wire, rng), "https://elwatannews.com/b", published="2024-05-01T09:00:00", outlet="elwatan"),
             Page(edited(wire, rng), "https://masrawy.com/c", published="2024-05-03T08:00:00", outlet="masrawy"),
             Page(wire.replace("أ", "ا").replace("إ", "ا"), "https://youm7.com/a2", published="2024-05-02T11:00:00",
                  outlet="youm7"),
             *(Page(story(rng), f"https://shorouknews.com/{i}", published="2024-05-04T08:00:00", outlet="shorouk")
               for i in range(6))]
    found = dedup(pages)
    assert set(found.pairs.values()) == {"copy"}  # the exact copy is never compared: one row per exact group
    assert found.kept == [1, *range(4, 10)]  # elwatan's, published first
    assert found.keeper[:4] == [1] * 4 and found.dup_count[:4] == [4] * 4 and found.dup_count[4:] == [1] * 6
    assert found.reason[:4] == ["near_duplicate", None, "near_duplicate", "exact_duplicate"]
    assert found.dup_outlets[1] == ["elwatan", "masrawy", "youm7"] and found.dup_versions[1] == 1


def test_the_keep_policy_is_configurable():
    rng = random.Random(3)
    wire = story(rng)
    pages = [Page(edited(wire, rng), f"https://{site}/n", published=f"2024-05-0{day}T08:00:00", outlet=outlet)
             for site, outlet, day in [("youm7.com", "youm7", 2), ("elwatannews.com", "elwatan", 1),
                                       ("masrawy.com", "masrawy", 3)]]
    assert dedup(pages).kept == [1]  # the earliest
    by_outlet = dedup(pages, "near_dup.keep=[outlet_priority,earliest]", "near_dup.outlet_priority=[masrawy]")
    assert by_outlet.kept == [2] and by_outlet.reason == ["near_duplicate", "near_duplicate", None]
    assert dedup(pages, "near_dup.keep=[longest]").kept == [max(range(3), key=lambda i: (len(pages[i].text), -i))]


def test_different_stories_sharing_phrases_stay_apart():
    """Two articles that share a sentence but not the story are not near-duplicates."""
    first = "\n".join(SENTENCES[0:12]) + "."
    second = "\n".join([SENTENCES[0], *SENTENCES[12:24]]) + "."
    found = dedup([Page(first, "https://youm7.com/1", outlet="youm7"), Page(second, "https://youm7.com/2",
                                                                             outlet="youm7")])
    assert found.pairs == {} and found.kept == [0, 1] and found.dup_count == [1, 1]


def test_copies_of_forty_stories_are_forty_clusters_that_never_straddle_splits():
    rng = random.Random(11)
    pages = []
    for s in range(40):
        text = story(rng)
        pages += [Page(edited(text, rng, 1), f"https://youm7.com/{s}/{c}", outlet="youm7") for c in range(3)]
    found = dedup(pages)
    assert len(found.kept) == 40 and all(k // 3 == i // 3 for i, k in enumerate(found.keeper))  # one per story
    assert set(found.reason) == {None, "near_duplicate"} and found.dup_count == [3] * 120
    cfg = SplitConfig()
    assert {split_of(str(k), cfg) for k in found.kept} == {"train", "validation", "test"}
    assert {split_of(c, cfg) for c in ["x"] * 5} == {split_of("x", cfg)}  # the split is a function of the cluster


def test_bands_and_rows_follow_the_threshold():
    bands, rows = lsh_params(0.7, 128)
    assert bands * rows <= 128
    assert lsh_params(0.9, 128)[1] > rows  # a stricter threshold asks for longer bands


# --- versions and copies (issue 12) ---------------------------------------------------------------------

TITLE = "مصرع 3 أشخاص في حادث تصادم على الطريق الصحراوي"


def test_an_update_that_grows_an_article_by_a_third_is_one_version_the_latest_kept():
    rng = random.Random(5)
    first = article(rng, 12)
    extra = [s for s in SENTENCES if s not in first][:4]
    # a paragraph added (a third more text) and two words of the lead revised, as a death toll is
    update = edited(first, random.Random(1)) + "\n" + "، ".join(extra) + "."
    old, new = (set(shingles(dedup_key(t), 5)) for t in (first, update))
    assert len(old & new) / len(old | new) < 0.7 < 0.85 < len(old & new) / len(old)  # not a copy, but contained
    pages = [Page(first, "https://www.youm7.com/story/101", TITLE, "2024-05-02T10:00:00", "youm7"),
             Page(update, "https://www.youm7.com/story/101?utm_source=fb", TITLE + " (محدث)", "2024-05-02T16:30:00",
                  "youm7")]
    found = dedup(pages)
    assert found.pairs == {(0, 1): "version"}
    assert found.kept == [1] and found.dup_versions[1] == 2 and found.dup_count == [2, 2]
    assert found.reason[0] == "edited_version" and found.keeper[0] == 1
    # on another site the same pair is no copy (below the copy bar) and no version (the evidence is one site's)
    assert dedup([pages[0], dataclasses.replace(pages[1], outlet="masrawy")]).pairs == {}
    # nor more than near_dup.versions.max_days apart
    assert dedup([pages[0], dataclasses.replace(pages[1], published="2024-05-09T10:00:00")]).pairs == {}


def test_a_recurring_title_with_different_bodies_is_never_a_version():
    rng = random.Random(8)
    bulletin = "ننشر لكم أسعار الذهب اليوم في الأسواق المصرية وفق آخر تحديث لشعبة الذهب بالغرفة التجارية"
    found = dedup([Page(bulletin + "\n" + article(rng, 9), f"https://www.masrawy.com/gold/{day}", "أسعار الذهب اليوم",
                        f"2024-05-0{day}T09:00:00", "masrawy") for day in range(1, 6)])
    assert found.pairs == {} and found.kept == list(range(5)) and found.dup_count == [1] * 5


def test_an_edit_spread_over_a_short_article_is_a_version_read_word_by_word():
    """One word in ten replaced all through the text (spellings, a verb): most 5-word shingles break (Jaccard
    below the bars), but the words still match in order, so the two pages of one title are one article."""
    rng = random.Random(34)
    first = article(rng, 9)
    update = edited(first, random.Random(2), n=len(first.split()) // 10)
    old, new = (set(shingles(dedup_key(t), 5)) for t in (first, update))
    assert len(old & new) / len(old | new) < 0.5 and len(old & new) / len(old) < 0.7
    assert word_ratio([first], [update])[0] > 0.85
    title = "ضبط ربع طن دقيق مدعم لدى صاحب مخبز"
    pages = [Page(text, f"https://www.youm7.com/story/{i}", title, f"2024-05-02T{h}:00:00", "youm7")
             for i, (h, text) in enumerate([("10", first), ("20", update)])]
    found = dedup(pages)
    assert found.read_words == {(0, 1)} and found.pairs == {(0, 1): "version"}
    assert found.kept == [1] and found.dup_versions[1] == 2 and found.reason[0] == "edited_version"
    assert dedup(pages, "near_dup.versions.min_word_ratio=0.95").pairs == {}  # the bar decides


WEATHER_STOCK = (
    "تنشر الهيئة العامة للأرصاد الجوية نشرتها اليومية عن حالة الطقس المتوقعة على أنحاء الجمهورية خلال الساعات "
    "المقبلة، وتشمل النشرة درجات الحرارة العظمى والصغرى في القاهرة والمدن الكبرى وحالة البحر وسرعة الرياح "
    "وفرص سقوط الأمطار على السواحل الشمالية ومناطق الوجه البحري وشمال ووسط وجنوب الصعيد وسيناء. "
    "وتهيب الهيئة بالمواطنين متابعة نشراتها الرسمية عبر موقعها الإلكتروني وصفحاتها على مواقع التواصل، "
    "وعدم الالتفات إلى الشائعات التي تتداولها بعض الصفحات غير الرسمية عن موجات الطقس السيئ.")


@pytest.mark.parametrize("title", ["حالة الطقس اليوم", "تحرير {n} ألف مخالفة مرورية خلال 24 ساعة"])
def test_a_daily_bulletin_whose_editions_share_stock_wording_is_never_a_version(title):
    """Six days of one title (or of one title but for its figures), each edition the same stock paragraphs and
    two new sentences: Jaccard about 0.55 and containment about 0.7, as high as a real edit's, but six days of
    bodies make the title recurring."""
    news = [SENTENCES[i] + "، " + SENTENCES[i + 1] + "." for i in range(0, 12, 2)]
    pages = [Page(WEATHER_STOCK + "\n" + news[day], f"https://www.youm7.com/weather/{day}", title.format(n=14 + day),
                  f"2024-05-0{day + 1}T07:00:00", "youm7") for day in range(6)]
    found = dedup(pages)
    assert found.pairs == {} and found.kept == list(range(6))
    guard_off = dedup(pages, "near_dup.versions.recurring_days=99")
    assert "version" in guard_off.pairs.values() and len(guard_off.kept) < 6  # without the guard they pass


def test_a_page_contained_in_two_editions_does_not_chain_them():
    """A stub holding only the stock paragraphs is contained in both editions of one day, which share little
    else: it may join one of them, but the two editions are not versions of each other and both stay."""
    rng = random.Random(21)
    texts = [WEATHER_STOCK + "\n" + article(rng, 9), WEATHER_STOCK, WEATHER_STOCK + "\n" + article(rng, 9)]
    found = dedup([Page(text, f"https://www.youm7.com/w/{i}", "نشرة الأرصاد", f"2024-05-02T{8 + i:02d}:00:00", "youm7")
                   for i, text in enumerate(texts)])
    assert found.pairs == {(0, 1): "version", (1, 2): "version"}  # a chain, were the groups components
    assert found.kept == [0, 2] and found.keeper[1] == 2  # the latest


def test_stars_link_every_member_to_its_head():
    """Edges 0-1 and 1-2, node 2 ranked first: 2 heads {2, 1}; 0 is not linked to 2, so it heads its own."""
    assert stars(3, np.array([[0, 1], [1, 2]]), rank=np.array([1, 2, 0])).tolist() == [0, 1, 1]
    assert stars(3, np.zeros((0, 2), dtype=np.int64), np.arange(3)).tolist() == [0, 1, 2]


def test_a_block_is_recurring_when_its_bodies_span_enough_days():
    day = 86_400
    block = np.array([0, 0, 0, 1, 1, -1])
    published = np.array([0, day, 2 * day, 0, 10, 3 * day])
    assert recurring(block, published, min_days=3, no_time=-1).tolist() == [True] * 3 + [False] * 3
    assert title_shape(title_key("تحرير 18 ألف مخالفة خلال ٢٤ ساعة")) == \
        title_shape(title_key("تحرير 16 ألف مخالفة خلال 24 ساعة"))


def test_a_wire_story_on_five_sites_is_kept_once_with_the_five_outlets():
    rng = random.Random(13)
    wire = article(rng, 12)
    sites = [("youm7.com", "youm7"), ("elwatannews.com", "elwatan"), ("masrawy.com", "masrawy"),
             ("shorouknews.com", "shorouk"), ("almasryalyoum.com", "almasryalyoum")]
    found = dedup([Page(edited(wire, rng), f"https://www.{site}/n/{i}", f"عنوان {i} للخبر",
                        f"2024-05-0{i + 1}T08:00:00", outlet) for i, (site, outlet) in enumerate(sites)])
    assert found.kept == [0]  # the earliest
    assert found.dup_count[0] == 5 and found.dup_versions[0] == 1
    assert found.dup_outlets[0] == ["almasryalyoum", "elwatan", "masrawy", "shorouk", "youm7"]
    assert found.reason[1:] == ["near_duplicate"] * 4 and set(found.pairs.values()) == {"copy"}


def test_one_pages_url_with_tracking_parameters_is_a_version_whatever_its_title():
    rng = random.Random(17)
    page = story(rng)
    found = dedup([Page(edited(page, rng), f"https://www.shorouknews.com/p/9{tracking}", f"صفحة {i}",
                        f"2024-05-03T0{i}:00:00") for i, tracking in enumerate(["", "?utm_source=fb"])])
    assert found.pairs == {(0, 1): "version"} and found.kept == [1]  # an unknown outlet: the site is the host
    other = dedup([Page(edited(page, rng), f"https://www.shorouknews.com/p/{9 + i}", f"صفحة {i}",
                        f"2024-05-03T0{i}:00:00") for i in range(2)])
    assert other.pairs == {(0, 1): "copy"} and other.kept == [0]  # another page: a copy, the earliest kept


def test_a_bucket_whose_first_member_is_unrelated_still_pairs_the_others():
    """Documents 1 and 2 are copies that collide only in band 0, behind document 0, which shares band 0 alone."""
    bands, rows_per_band = 25, 5
    gen = np.random.default_rng(0)
    copy = gen.integers(0, 2**32, 128, dtype=np.uint32)
    other = copy.copy()
    other[rows_per_band::rows_per_band][: bands - 1] += 1  # one row differs in every band but band 0
    unrelated = gen.integers(0, 2**32, 128, dtype=np.uint32)
    unrelated[:rows_per_band] = copy[:rows_per_band]
    sig = np.stack([unrelated, copy, other])
    found = [bucket_pairs(band_keys(sig, band, rows_per_band), np.arange(3), window=50) for band in range(bands)]
    pairs = unique_pairs([p for p, _ in found])
    assert [1, 2] in pairs.tolist() and sum(bounded for _, bounded in found) == 0
    keys = PageKeys(site=np.full(3, -1), title=np.full(3, -1), url=np.full(3, -1), published=np.zeros(3, np.int64),
                    n_shingles=np.full(3, 100), recurring=np.zeros(3, bool), titles=lambda rows: [None] * len(rows))
    verdict = judge(pairs, sig, keys, NearDupConfig())
    assert {tuple(p) for p, r in zip(pairs.tolist(), verdict.relation, strict=True) if r == COPY} == {(1, 2)}


def test_a_giant_bucket_costs_at_most_window_pairs_per_member():
    keys = np.zeros(300, dtype=np.uint64)  # one bucket of 300, as a template shared by many pages makes
    pairs, bounded = run_pairs(np.arange(300), keys, window=20)
    assert bounded == 1 and len(pairs) <= 300 * 20
    small, none_bounded = run_pairs(np.arange(6), np.zeros(6), window=20)
    assert len(small) == 15 and none_bounded == 0  # a small bucket: every pair


def test_keep_policy_per_relation():
    """Pages 0 and 1 are versions on one site (1 is the later edit), 2 runs the story first on another site,
    3 is an exact copy of 2: versions keep the latest, copies the earliest."""
    exact_group = np.array([0, 1, 2, 2])
    published = np.array([100, 200, 50, 60])
    facts = {"ids": np.array(["a", "b", "c", "d"]), "published": published, "known": np.ones(4, bool),
             "outlets": ["youm7", "youm7", "masrawy", "masrawy"], "n_chars": np.array([900, 1200, 900, 900]),
             "priority": []}
    cfg = NearDupConfig()
    copy_rank, version_rank = ranks(cfg.keep, **facts, setting="k"), ranks(cfg.versions.keep, **facts, setting="k")
    pairs = Pairs(copies=np.array([[1, 2]]), versions=np.array([[0, 1]]), counts={})
    result = cluster(exact_group, pairs, copy_rank, version_rank)
    assert result.version_keeper.tolist() == [1, 1, 2, 2]  # the latest of the two versions
    assert result.keeper.tolist() == [2, 2, 2, 2]  # of the story's pages, the earliest
    assert result.exact_rep.tolist() == [0, 1, 2, 2] and result.cluster_size.tolist() == [4] * 4
    assert result.versions.tolist() == [2, 2, 1, 1]
    longest_first = ranks(["longest"], **facts, setting="k")
    assert cluster(exact_group, pairs, longest_first, version_rank).keeper.tolist() == [1, 1, 1, 1]
    with pytest.raises(BuildError, match=r"near_dup\.versions\.keep"):
        ranks(["newest"], **facts, setting="near_dup.versions.keep")


def test_a_pair_estimated_just_below_a_bar_is_checked_on_its_exact_shingles():
    estimates = np.array([0.64, 0.67, 0.70, 0.47, 0.30])  # bars: copies 0.7, versions 0.5; margin 0.05
    assert borderline(estimates, NearDupConfig()).tolist() == [False, True, False, True, False]
    same = "وقال المتحدث باسم الوزارة إن الاجتماع بحث سبل التعاون بين البلدين في مجالات الطاقة والنقل"
    one_more = evidence.exact_jaccard([same], [same + " والزراعة"], 5)
    assert one_more.tolist() == pytest.approx([11 / 12])  # one more shingle


# --- one whole build: the path through the files --------------------------------------------------------------

def feed_records() -> list[dict]:
    """A syndicated story (a copy with a dateline, one with a copyright line, an exact copy spelled without
    hamzas), an article and its edit, one page reached by two URLs, and unrelated stories."""
    rng = random.Random(3)
    wire = story(rng)
    records = [
        {"url": "https://youm7.com/a", "published": "2024-05-02T10:00:00", "text": "القاهرة - (أ ش أ) - " + wire},
        {"url": "https://elwatannews.com/b", "published": "2024-05-01T09:00:00", "text": edited(wire, rng)},
        {"url": "https://masrawy.com/c", "published": "2024-05-03T08:00:00",
         "text": edited(wire, rng) + "\n© جميع الحقوق محفوظة لموقع مصراوي 2024"},
        {"url": "https://youm7.com/a2", "published": "2024-05-02T11:00:00",
         "text": wire.replace("أ", "ا").replace("إ", "ا")},
    ]
    records += [{"url": f"https://shorouknews.com/{i}", "published": "2024-05-04T08:00:00", "text": story(rng)}
                for i in range(6)]
    rng = random.Random(17)
    article_text, page = story(rng), story(rng)
    records += [{"url": f"https://www.youm7.com/story/{i}", "title": TITLE, "published": f"2024-05-02T1{i}:00:00",
                 "text": edited(article_text, rng)} for i in range(2)]
    records += [{"url": f"https://www.shorouknews.com/p/9{tracking}", "title": f"صفحة {i}",
                 "published": f"2024-05-03T0{i}:00:00", "text": edited(page, rng)}
                for i, tracking in enumerate(["", "?utm_source=fb"])]
    return records


def rows(out):
    return [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def rejects(out):
    return [r for f in sorted((out / "rejected").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def output_bytes(out) -> dict[str, bytes]:
    return {f.relative_to(out).as_posix(): f.read_bytes() for f in sorted(out.glob("[dr]*/*.parquet"))}


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    return write_jsonl(tmp_path_factory.mktemp("dedup-feed") / "feed.jsonl", feed_records())


@pytest.fixture(scope="module")
def built(feed, tmp_path_factory):
    """The feed built once (read only: a test that changes files works on a copy)."""
    out = tmp_path_factory.mktemp("dedup-build") / "out"
    return out, build(feed, out)


def test_a_build_drops_each_copy_into_rejected_with_the_id_of_the_page_kept(built):
    out, stats = built
    kept, dropped = {r["url"]: r for r in rows(out)}, {r["url"]: r for r in rejects(out)}
    story_kept = kept["https://elwatannews.com/b"]  # published first
    assert story_kept["dup_count"] == 4 and story_kept["dup_outlets"] == ["elwatan", "masrawy", "youm7"]
    assert dropped["https://youm7.com/a2"]["reason"] == "exact_duplicate"
    assert dropped["https://youm7.com/a2"]["stage"] == "exact"
    for url in ("https://youm7.com/a", "https://masrawy.com/c"):
        assert (dropped[url]["stage"], dropped[url]["reason"]) == ("near_dup", "near_duplicate")
        assert dropped[url]["kept_id"] == story_kept["id"]
    assert dropped["https://youm7.com/a2"]["kept_id"] == story_kept["id"]
    latest = kept["https://www.youm7.com/story/1"]
    assert latest["dup_versions"] == 2 and latest["dup_count"] == 2
    older = dropped["https://www.youm7.com/story/0"]
    assert (older["stage"], older["reason"], older["kept_id"]) == ("near_dup", "edited_version", latest["id"])
    page = dropped["https://www.shorouknews.com/p/9"]  # the same page reached without a tracking parameter
    assert (page["reason"], page["kept_id"]) == ("edited_version", kept["https://www.shorouknews.com/p/9?utm_source=fb"]["id"])
    assert len(kept) == 9 and len(dropped) == 5 and stats["totals"]["rejected"] == 5
    assert stats["dedup"]["minhash"]["scheme"] == "affine32" and stats["dedup"]["minhash"]["library"]
    assert stats["rejected_by"] == {"exact/exact_duplicate": 1, "near_dup/edited_version": 2,
                                    "near_dup/near_duplicate": 2}


def test_copies_never_straddle_splits_in_the_files(built):
    out, _ = built
    split_of_row = {r["id"]: f.name.split("-")[0] for f in (out / "data").glob("*.parquet")
                    for r in pq.read_table(f, columns=["id"]).to_pylist()}
    first: dict[str, str] = {}  # per cluster, its first member in input order (the decisions are in that order)
    for f in sorted((out / ".build" / "work" / "dedup").glob("decisions-*.parquet")):
        for d in pq.read_table(f, columns=["id", "dup_cluster"]).to_pylist():
            first.setdefault(d["dup_cluster"], d["id"])
    assert any(first[r["id"]] != r["id"] for r in rows(out))  # a cluster whose kept page came later
    for r in rows(out):  # a kept page's split is its cluster's: drawn for its first member
        assert split_of_row[r["id"]] == split_of(first[r["id"]], SplitConfig())
    for r in rejects(out):  # every copy points at a kept document, and no copy is in any split
        assert r["kept_id"] in split_of_row and r["id"] not in split_of_row


def test_the_number_of_bucket_partitions_does_not_change_the_decisions(feed, built, tmp_path):
    """A bucket task holds one partition of the band keys and blocks, so no task holds the corpus; a larger
    corpus gets more partitions (near_dup.bucket_docs). Every document of a bucket or block lands in one
    partition, so copies, versions and URL copies are found the same whatever the count."""
    out, _ = built
    build(feed, tmp_path / "many", "near_dup.bucket_docs=3")
    assert len(list((tmp_path / "many" / ".build" / "work" / "dedup").glob("pairs-*"))) == -(-len(feed_records()) // 3)
    assert {r["reason"] for r in rejects(out)} == {"exact_duplicate", "near_duplicate", "edited_version"}
    assert output_bytes(tmp_path / "many") == output_bytes(out)


def test_resume_after_a_kill_between_dedup_stages(feed, built, tmp_path):
    clean, _ = built
    out = tmp_path / "out"
    shutil.copytree(clean, out)  # the output path is not in the fingerprint: the copy resumes
    work = out / ".build" / "work"
    docs_written = (work / "docs" / "00000.parquet").stat().st_mtime_ns
    for marker in ["clusters", "final-00000"]:  # as if killed after the bucket stage
        (work / "done" / marker).unlink()
    (work / "dedup" / "decisions-00000.parquet").unlink()
    for f in [*(out / "data").iterdir(), *(out / "rejected").iterdir()]:
        f.unlink()
    build(feed, out)
    assert (work / "docs" / "00000.parquet").stat().st_mtime_ns == docs_written  # not redone
    assert (work / "dedup" / "decisions-00000.parquet").exists()
    assert output_bytes(out) == output_bytes(clean) and output_bytes(out)


def test_the_cluster_task_applies_the_configured_keep_policy(built, tmp_path):
    """The cluster task alone, rerun on a copy of the build's stage files with another policy."""
    work = tmp_path / "out"
    shutil.copytree(built[0] / ".build", work / ".build")
    layout = Layout(work)
    cfg = typed_config("near_dup.keep=[outlet_priority,earliest]", "near_dup.outlet_priority=[masrawy]").near_dup
    run_clusters(ClusterJob(cfg, 2, 1, layout))
    decisions = pq.read_table(layout.decisions(0)).to_pylist()
    urls = dict(zip(*(pq.read_table(layout.signed(0), columns=[c])[c].to_pylist() for c in ("id", "url")),
                    strict=True))
    [kept] = [d for d in decisions if d["keep"] and d["dup_count"] == 4]
    assert urls[kept["id"]] == "https://masrawy.com/c"


def test_mismatched_stage_files_are_an_error(built):
    layout = Layout(built[0])
    cfg = typed_config()
    other = dataclasses.replace(cfg.near_dup, num_perm=64)
    with pytest.raises(BuildError, match="other MinHash settings"):
        run_buckets(BucketJob(other, 0, 2, 1, layout))
    with pytest.raises(BuildError, match="made for 2 bucket tasks, not 3"):
        run_buckets(BucketJob(cfg.near_dup, 0, 3, 1, layout))  # entries partitioned for another task count
    with pytest.raises(BuildError, match="missing"):
        run_clusters(ClusterJob(cfg.near_dup, 3, 1, layout))  # a third bucket task that never ran
    with pytest.raises(BuildError, match="signed shards"):
        run_clusters(ClusterJob(cfg.near_dup, 2, 2, layout))  # a shard count that does not match


@pytest.mark.parametrize("scheme", ["affine32", "affine64", "legacy"])
def test_a_shard_of_minhashes_at_once_is_datasketchs_one_by_one(scheme, monkeypatch):
    """The shard-at-once MinHash (chunks that cut between documents, an empty set) gives datasketch's rows."""
    from datasketch import MinHash

    import builder.dedup.signatures as sig

    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 2**32, size=int(n), dtype=np.uint64).astype(np.uint32))
            for n in rng.integers(1, 400, size=60)]
    sets.insert(3, np.zeros(0, dtype=np.uint32))
    cfg = dataclasses.replace(NearDupConfig(), scheme=scheme)
    want = np.stack([m.hashvalues for m in MinHash.bulk(sets, num_perm=cfg.num_perm, seed=cfg.seed, scheme=scheme,
                                                        hashfunc=int)])
    monkeypatch.setattr(sig, "CHUNK_SHINGLES", 1000)
    assert np.array_equal(sig.minhash_rows(sets, cfg), want)
