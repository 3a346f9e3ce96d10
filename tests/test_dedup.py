"""Exact and near duplicates across outlets: one copy kept, by policy, with who ran the story."""

import dataclasses
import random

import numpy as np
import pyarrow.parquet as pq
import pytest

from builder.arabic import dedup_key
from builder.config import NearDupConfig, SplitConfig
from builder.dedup.buckets import BucketJob, run_buckets
from builder.dedup.candidates import band_keys, bucket_pairs, run_pairs, unique_pairs
from builder.dedup.clusters import ClusterJob, Pairs, cluster, run_clusters, stars
from builder.dedup.evidence import COPY, PageKeys, borderline, exact_jaccard, judge, word_ratio
from builder.dedup.keep import ranks
from builder.dedup.keys import recurring, title_key, title_shape
from builder.dedup.signatures import lsh_params, shingles
from builder.errors import BuildError
from builder.files import Layout
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


def rows(out):
    return [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def rejects(out):
    return [r for f in sorted((out / "rejected").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


@pytest.fixture
def syndicated(tmp_path):
    rng = random.Random(3)
    wire = story(rng)
    records = [
        {"url": "https://youm7.com/a", "published": "2024-05-02T10:00:00", "text": "القاهرة - (أ ش أ) - " + wire},
        {"url": "https://elwatannews.com/b", "published": "2024-05-01T09:00:00", "text": edited(wire, rng)},
        {"url": "https://masrawy.com/c", "published": "2024-05-03T08:00:00",
         "text": edited(wire, rng) + "\n© جميع الحقوق محفوظة لموقع مصراوي 2024"},
        # the same story again, spelled without hamzas and with Arabic-Indic digits: an exact copy
        {"url": "https://youm7.com/a2", "published": "2024-05-02T11:00:00",
         "text": wire.replace("أ", "ا").replace("إ", "ا")},
    ]
    records += [{"url": f"https://shorouknews.com/{i}", "published": "2024-05-04T08:00:00", "text": story(rng)}
                for i in range(6)]
    return write_jsonl(tmp_path / "in" / "feed.jsonl", records)


def test_syndicated_copies_collapse_to_the_earliest_with_provenance(syndicated, tmp_path):
    out = tmp_path / "out"
    stats = build(syndicated, out)
    kept = rows(out)
    [cluster] = [r for r in kept if r["dup_count"] > 1]
    assert cluster["url"] == "https://elwatannews.com/b"  # published first
    assert cluster["dup_count"] == 4
    assert cluster["dup_outlets"] == ["elwatan", "masrawy", "youm7"]
    dropped = {r["url"]: r for r in rejects(out)}
    assert dropped["https://youm7.com/a2"]["reason"] == "exact_duplicate"
    assert {dropped[u]["reason"] for u in ("https://youm7.com/a", "https://masrawy.com/c")} == {"near_duplicate"}
    assert all(r["kept_id"] == cluster["id"] for r in dropped.values())
    assert stats["dedup"]["minhash"]["scheme"] == "affine32" and stats["dedup"]["minhash"]["library"]
    assert len(kept) == 7


def test_keep_policy_is_configurable(syndicated, tmp_path):
    out = tmp_path / "out"
    build(syndicated, out, "near_dup.keep=[outlet_priority,earliest]", "near_dup.outlet_priority=[masrawy]")
    [cluster] = [r for r in rows(out) if r["dup_count"] > 1]
    assert cluster["outlet"] == "masrawy"


def test_different_stories_sharing_phrases_stay_apart(tmp_path):
    """Two articles that share a sentence but not the story are not near-duplicates."""
    first = "\n".join(SENTENCES[0:12]) + "."
    second = "\n".join([SENTENCES[0], *SENTENCES[12:24]]) + "."
    records = [{"url": "https://youm7.com/1", "text": first}, {"url": "https://youm7.com/2", "text": second}]
    out = tmp_path / "out"
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), out, "quality.min_line_punct_ratio=0")
    assert [r["dup_count"] for r in rows(out)] == [1, 1]


def test_copies_never_straddle_splits(tmp_path):
    rng = random.Random(11)
    records = []
    for s in range(40):
        text = story(rng)
        records += [{"url": f"https://youm7.com/{s}/{c}", "text": edited(text, rng, 1)} for c in range(3)]
    out = tmp_path / "out"
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), out)
    split_of_row = {r["id"]: f.name.split("-")[0] for f in (out / "data").glob("*.parquet")
                    for r in pq.read_table(f, columns=["id"]).to_pylist()}
    assert len(split_of_row) == 40 and set(split_of_row.values()) == {"train", "validation", "test"}
    for r in rejects(out):  # every copy points at a kept document, and no copy is in any split
        assert r["kept_id"] in split_of_row and r["id"] not in split_of_row
    cfg = SplitConfig()
    assert {split_of(c, cfg) for c in ["x"] * 5} == {split_of("x", cfg)}


def test_bands_and_rows_follow_the_threshold():
    bands, rows = lsh_params(0.7, 128)
    assert bands * rows <= 128
    assert lsh_params(0.9, 128)[1] > rows  # a stricter threshold asks for longer bands


def test_resume_after_a_kill_between_dedup_stages(syndicated, tmp_path):
    build(syndicated, tmp_path / "clean")
    out = tmp_path / "out"
    build(syndicated, out)
    work = out / ".build" / "work"
    docs_written = (work / "docs" / "00000.parquet").stat().st_mtime_ns
    for marker in ["clusters", "final-00000"]:  # as if killed after the bucket stage
        (work / "done" / marker).unlink()
    (work / "dedup" / "decisions-00000.parquet").unlink()
    build(syndicated, out)
    assert (work / "docs" / "00000.parquet").stat().st_mtime_ns == docs_written  # not redone
    for f in (tmp_path / "clean").glob("*/*.parquet"):
        assert f.read_bytes() == (out / f.relative_to(tmp_path / "clean")).read_bytes()


def test_mismatched_stage_files_are_an_error(syndicated, tmp_path):
    out = tmp_path / "out"
    build(syndicated, out)
    layout = Layout(out)
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


def test_the_number_of_bucket_partitions_does_not_change_the_decisions(tmp_path):
    """A bucket task holds one partition of the band keys and blocks, so no task holds the corpus; a larger
    corpus gets more partitions (near_dup.bucket_docs). Every document of a bucket or block lands in one
    partition, so copies, versions and URL copies are found the same whatever the count."""
    rng = random.Random(17)
    wire, article_text, page = story(rng), story(rng), story(rng)
    title = "مصرع 3 أشخاص في حادث تصادم على الطريق الصحراوي"
    records = [{"url": f"https://www.{site}/n/{i}", "title": f"عنوان {i}", "published": f"2024-05-0{i + 1}T08:00:00",
                "text": edited(wire, rng)} for i, site in enumerate(["youm7.com", "masrawy.com", "elwatannews.com"])]
    records += [{"url": f"https://www.youm7.com/story/{i}", "title": title, "published": f"2024-05-02T1{i}:00:00",
                 "text": edited(article_text, rng)} for i in range(2)]
    records += [{"url": f"https://www.shorouknews.com/p/9{tracking}", "title": f"صفحة {i}",
                 "published": f"2024-05-03T0{i}:00:00", "text": edited(page, rng)}
                for i, tracking in enumerate(["", "?utm_source=fb"])]
    records += [{"url": f"https://www.shorouknews.com/{i}", "text": story(rng)} for i in range(20)]
    feed = write_jsonl(tmp_path / "in" / "feed.jsonl", records)
    build(feed, tmp_path / "two")
    build(feed, tmp_path / "many", "near_dup.bucket_docs=3")
    assert len(list((tmp_path / "many" / ".build" / "work" / "dedup").glob("pairs-*"))) == -(-len(records) // 3)
    assert {r["reason"] for r in rejects(tmp_path / "two")} == {"near_duplicate", "edited_version"}
    for f in sorted((tmp_path / "two").glob("[dr]*/*.parquet")):
        assert f.read_bytes() == (tmp_path / "many" / f.relative_to(tmp_path / "two")).read_bytes(), f.name


# --- versions and copies (issue 12) ---------------------------------------------------------------------

def by_url(out):
    return {r["url"]: r for r in rows(out)}, {r["url"]: r for r in rejects(out)}


def test_an_update_that_grows_an_article_by_a_third_is_one_version_the_latest_kept(tmp_path):
    rng = random.Random(5)
    first = article(rng, 12)
    extra = [s for s in SENTENCES if s not in first][:4]
    # a paragraph added (a third more text) and two words of the lead revised, as a death toll is
    update = edited(first, random.Random(1)) + "\n" + "، ".join(extra) + "."
    old, new = (set(shingles(dedup_key(t), 5)) for t in (first, update))
    assert len(old & new) / len(old | new) < 0.7 < 0.85 < len(old & new) / len(old)  # not a copy, but contained
    title = "مصرع 3 أشخاص في حادث تصادم على الطريق الصحراوي"
    records = [
        {"url": "https://www.youm7.com/story/101", "title": title, "published": "2024-05-02T10:00:00", "text": first},
        {"url": "https://www.youm7.com/story/101?utm_source=fb", "title": title + " (محدث)",
         "published": "2024-05-02T16:30:00", "text": update},
    ]
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), tmp_path / "out")
    kept, dropped = by_url(tmp_path / "out")
    [latest] = kept.values()
    assert latest["text"].endswith(extra[-1] + ".") and latest["dup_versions"] == 2 and latest["dup_count"] == 2
    [older] = dropped.values()
    assert older["reason"] == "edited_version" and older["stage"] == "near_dup" and older["kept_id"] == latest["id"]


def test_a_recurring_title_with_different_bodies_is_never_a_version(tmp_path):
    rng = random.Random(8)
    bulletin = "ننشر لكم أسعار الذهب اليوم في الأسواق المصرية وفق آخر تحديث لشعبة الذهب بالغرفة التجارية"
    records = [{"url": f"https://www.masrawy.com/gold/{day}", "title": "أسعار الذهب اليوم",
                "published": f"2024-05-0{day}T09:00:00", "text": bulletin + "\n" + article(rng, 9)}
               for day in range(1, 6)]
    out = tmp_path / "out"
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), out)
    assert [r["dup_count"] for r in rows(out)] == [1] * 5 and not rejects(out)


def test_an_edit_spread_over_a_short_article_is_a_version_read_word_by_word(tmp_path):
    """One word in ten replaced all through the text (spellings, a verb): most 5-word shingles break (Jaccard
    below the bars), but the words still match in order, so the two pages of one title are one article."""
    rng = random.Random(34)
    first = article(rng, 9)
    update = edited(first, random.Random(2), n=len(first.split()) // 10)
    old, new = (set(shingles(dedup_key(t), 5)) for t in (first, update))
    assert len(old & new) / len(old | new) < 0.5 and len(old & new) / len(old) < 0.7
    assert word_ratio([first], [update])[0] > 0.85
    title = "ضبط ربع طن دقيق مدعم لدى صاحب مخبز"
    records = [{"url": f"https://www.youm7.com/story/{i}", "title": title, "published": f"2024-05-02T{h}:00:00",
                "text": text} for i, (h, text) in enumerate([("10", first), ("20", update)])]
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), tmp_path / "out")
    kept, dropped = by_url(tmp_path / "out")
    [(url, latest)] = kept.items()
    assert url == "https://www.youm7.com/story/1" and latest["dup_versions"] == 2
    assert dropped["https://www.youm7.com/story/0"]["reason"] == "edited_version"


WEATHER_STOCK = (
    "تنشر الهيئة العامة للأرصاد الجوية نشرتها اليومية عن حالة الطقس المتوقعة على أنحاء الجمهورية خلال الساعات "
    "المقبلة، وتشمل النشرة درجات الحرارة العظمى والصغرى في القاهرة والمدن الكبرى وحالة البحر وسرعة الرياح "
    "وفرص سقوط الأمطار على السواحل الشمالية ومناطق الوجه البحري وشمال ووسط وجنوب الصعيد وسيناء. "
    "وتهيب الهيئة بالمواطنين متابعة نشراتها الرسمية عبر موقعها الإلكتروني وصفحاتها على مواقع التواصل، "
    "وعدم الالتفات إلى الشائعات التي تتداولها بعض الصفحات غير الرسمية عن موجات الطقس السيئ.")


@pytest.mark.parametrize("title", ["حالة الطقس اليوم", "تحرير {n} ألف مخالفة مرورية خلال 24 ساعة"])
def test_a_daily_bulletin_whose_editions_share_stock_wording_is_never_a_version(tmp_path, title):
    """Six days of one title (or of one title but for its figures), each edition the same stock paragraphs and
    two new sentences: Jaccard about 0.55 and containment about 0.7, as high as a real edit's, but six days of
    bodies make the title recurring."""
    news = [SENTENCES[i] + "، " + SENTENCES[i + 1] + "." for i in range(0, 12, 2)]
    records = [{"url": f"https://www.youm7.com/weather/{day}", "title": title.format(n=14 + day),
                "published": f"2024-05-0{day + 1}T07:00:00", "text": WEATHER_STOCK + "\n" + news[day]}
               for day in range(6)]
    feed = write_jsonl(tmp_path / "in" / "feed.jsonl", records)
    build(feed, tmp_path / "out")
    assert [r["dup_count"] for r in rows(tmp_path / "out")] == [1] * 6 and not rejects(tmp_path / "out")
    build(feed, tmp_path / "guard-off", "near_dup.versions.recurring_days=99")
    assert len(rows(tmp_path / "guard-off")) < 6  # without the guard these editions pass for versions


def test_a_page_contained_in_two_editions_does_not_chain_them(tmp_path):
    """A stub holding only the stock paragraphs is contained in both editions of one day, which share little
    else: it may join one of them, but the two editions are not versions of each other and both stay."""
    rng = random.Random(21)
    title = "نشرة الأرصاد"
    records = [{"url": f"https://www.youm7.com/w/{i}", "title": title, "published": f"2024-05-02T{hour}:00:00",
                "text": text} for i, (hour, text) in enumerate([
                    ("08", WEATHER_STOCK + "\n" + article(rng, 9)), ("09", WEATHER_STOCK),
                    ("10", WEATHER_STOCK + "\n" + article(rng, 9))])]
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), tmp_path / "out")
    kept, dropped = by_url(tmp_path / "out")
    assert sorted(kept) == ["https://www.youm7.com/w/0", "https://www.youm7.com/w/2"]
    assert dropped["https://www.youm7.com/w/1"]["kept_id"] == kept["https://www.youm7.com/w/2"]["id"]  # the latest


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


def test_a_wire_story_on_five_sites_is_kept_once_with_the_five_outlets(tmp_path):
    rng = random.Random(13)
    wire = article(rng, 12)
    sites = ["youm7.com", "elwatannews.com", "masrawy.com", "shorouknews.com", "almasryalyoum.com"]
    records = [{"url": f"https://www.{site}/n/{i}", "title": f"عنوان {i} للخبر", "text": edited(wire, rng),
                "published": f"2024-05-0{i + 1}T08:00:00"} for i, site in enumerate(sites)]
    out = tmp_path / "out"
    build(write_jsonl(tmp_path / "in" / "feed.jsonl", records), out)
    [story] = rows(out)
    assert story["url"] == "https://www.youm7.com/n/0"  # the earliest
    assert story["dup_count"] == 5 and story["dup_versions"] == 1
    assert story["dup_outlets"] == ["almasryalyoum", "elwatan", "masrawy", "shorouk", "youm7"]
    assert {r["reason"] for r in rejects(out)} == {"near_duplicate"}


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
    assert exact_jaccard([same], [same + " والزراعة"], 5).tolist() == pytest.approx([11 / 12])  # one more shingle
