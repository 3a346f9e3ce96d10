"""Decontamination: items of an evaluation set the test writes are planted in news pages, whole and in part, in
other spellings (hamza and alef forms, ta marbuta, alef maqsura, diacritics, tatweel, punctuation); the build finds
every one and touches no other page, drops or tags as asked, reads every set format, and resumes to the same bytes
after a crash inside the phase."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from builder.config import DecontaminateConfig
from builder.decontaminate import check, index, phase
from builder.decontaminate.index import partition_count
from builder.decontaminate.ngrams import key_words, ngram_hashes, ngram_table
from builder.decontaminate.sets import EvalSet, items, resolve
from builder.errors import BuildError
from conftest import article, build, write_jsonl

# Evaluation items the project wrote (fictional exam questions and summaries), none of their words in a row in the
# test articles (conftest.SENTENCES).
ITEMS = [
    "ما اسم النهر الذي يمر بمدينة بغداد ويلتقي بنهر الفرات في جنوب العراق ليشكلا شط العرب قبل أن يصب في الخليج",
    "أي من الكواكب التالية يُعرف بالكوكب الأحمر بسبب لون تربته الغنية بأكسيد الحديد والتي يمكن رؤيتها "
    "من الأرض بالعين المجردة",
    "لخص الكاتب في مقالته أسباب تراجع زراعة النخيل في الواحات إلى شح المياه الجوفية وهجرة الشباب نحو المدن "
    "الكبرى بحثا عن عمل",
    "إذا كان ثمن ثلاثة أقلام يساوي تسعة دنانير فكم يكون ثمن سبعة أقلام من النوع نفسه علما بأن السعر لم يتغير",
    "ذكرت الدراسة أن القراءة اليومية لمدة نصف ساعة على الأقل تحسن قدرة الأطفال على التركيز وتزيد حصيلتهم "
    "اللغوية في المرحلة الابتدائية",
    "من هو الشاعر العربي الذي لُقب بأمير الشعراء وبويع بهذا اللقب في حفل أقيم في القاهرة سنة ألف وتسعمائة وسبع وعشرين",
]


def respell(text: str, rng: random.Random) -> str:
    """The same words as another writer spells them: alef and hamza forms, ta marbuta, alef maqsura, diacritics,
    tatweel, and punctuation and line breaks between the words."""
    text = text.translate(str.maketrans({"أ": "ا", "إ": "ا", "ة": "ه", "ى": "ي"}))
    words = []
    for word in text.split():
        if len(word) > 3 and rng.random() < 0.3:
            word = word[:2] + "ـ" + word[2:]  # tatweel
        if rng.random() < 0.3:
            word = word[0] + "\u064e" + word[1:]  # a fatha
        words.append(word + rng.choice(["", "", "", "،", ":", "\n"]))
    return " ".join(words)


def eval_set(path: Path) -> Path:
    return write_jsonl(path, [{"question": q, "choices": ["نعم", "لا"], "answer": 0,
                               "split": "test" if i % 2 else "dev"} for i, q in enumerate(ITEMS)])


def planted_corpus(root: Path, n: int = 24) -> tuple[Path, dict[str, str]]:
    """n articles; every third holds an item (whole, or 15 words of it), respelled. Returns the planted URLs."""
    rng = random.Random(11)
    records, planted = [], {}
    for i in range(n):
        text = article(rng)
        url = f"https://sabq.org/story/{i}"
        if i % 3 == 0:
            item = ITEMS[i // 3 % len(ITEMS)]
            words = item.split()
            part = item if i % 2 else " ".join(words[2:17])
            paragraphs = text.split("\n")
            paragraphs.insert(1, respell(part, rng))
            text = "\n".join(paragraphs)
            planted[url] = "test" if (i // 3 % len(ITEMS)) % 2 else "dev"
        records.append({"url": url, "title": f"خبر {i}", "published": f"2024-02-{1 + i % 27:02d}T09:00:00",
                        "text": text})
    return write_jsonl(root / "news.jsonl", records), planted


def rejected_rows(out: Path) -> list[dict]:
    return [r for f in sorted(out.glob("rejected/*.parquet")) for r in pq.read_table(f).to_pylist()]


def published(out: Path) -> dict[str, bytes]:
    files = [*sorted(out.glob("data/*")), *sorted(out.glob("rejected/*")), out / "README.md"]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in files}


# --- the key and the hashes -------------------------------------------------------------------------------

def test_spelling_variants_give_the_same_ngrams():
    rng = random.Random(1)
    for item in ITEMS:
        assert key_words(respell(item, rng)) == key_words(item)
        assert (ngram_hashes(key_words(respell(item, rng)), 13) == ngram_hashes(key_words(item), 13)).all()
    words = key_words(ITEMS[0])
    assert len(ngram_hashes(words, 13)) == len(words) - 12 and len(ngram_hashes(words[:12], 13)) == 0
    assert ngram_hashes(words[:13], 13)[0] != ngram_hashes(words[1:13] + words[:1], 13)[0]  # order counts
    texts = [key_words(t) for t in (ITEMS[0], "قصير", ITEMS[1])]  # windows never run from one text into the next
    hashes, owner, window = ngram_table(texts, 13)
    assert (hashes == np.concatenate([ngram_hashes(t, 13) for t in texts])).all()
    assert owner.tolist() == [0] * (len(texts[0]) - 12) + [2] * (len(texts[2]) - 12)
    assert window.tolist() == list(range(len(texts[0]) - 12)) + list(range(len(texts[2]) - 12))


# --- whole builds --------------------------------------------------------------------------------------------

def test_every_planted_item_is_dropped_and_no_other_page(tmp_path):
    news, planted = planted_corpus(tmp_path)
    sets = eval_set(tmp_path / "arabic_quiz.jsonl")
    build(news, tmp_path / "out", f"decontaminate.sets=[{sets}]")
    dropped = {r["url"]: r for r in rejected_rows(tmp_path / "out") if r["stage"] == "decontaminate"}
    assert set(dropped) == set(planted)  # every planted page, and no other
    for url, row in dropped.items():
        assert row["reason"] == "contaminated"
        assert row["detail"].startswith(f"set arabic_quiz, split {planted[url]}, ")
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["rejected_by"]["decontaminate/contaminated"] == len(planted)
    [summary] = stats["decontamination"]["sets"]
    assert summary["name"] == "arabic_quiz" and summary["source"] == "arabic_quiz.jsonl"
    assert summary["items"] == len(ITEMS) and summary["documents"] == len(planted)
    card = (tmp_path / "out" / "README.md").read_text()
    assert "### Decontamination" in card and "| arabic_quiz | arabic_quiz.jsonl | dev |" in card
    assert str(tmp_path) not in card


def test_tag_keeps_the_pages_and_names_the_set_split_and_ngram(tmp_path):
    news, planted = planted_corpus(tmp_path)
    sets = eval_set(tmp_path / "arabic_quiz.jsonl")
    build(news, tmp_path / "out", f"decontaminate.sets=[{sets}]", "decontaminate.action=tag")
    kept = datasets.load_dataset(str(tmp_path / "out"))
    rows = [r for split in kept for r in kept[split]]
    tagged = {r["url"]: r["contamination"] for r in rows if r["contamination"]}
    assert set(tagged) == set(planted)
    for url, [hit] in tagged.items():
        assert hit["set"] == "arabic_quiz" and hit["split"] == planted[url] and hit["ngrams"] >= 3
        assert len(hit["ngram"].split()) == 13 and hit["ngram"] in " ".join(key_words(ITEMS[0] + " " + " ".join(ITEMS)))
    assert not [r for r in rejected_rows(tmp_path / "out") if r["stage"] == "decontaminate"]


def test_no_sets_no_tasks_and_no_files(tmp_path):
    news, _ = planted_corpus(tmp_path, 6)
    build(news, tmp_path / "out")
    assert not (tmp_path / "out" / ".build" / "work" / "decontaminate").exists()
    assert json.loads((tmp_path / "out" / "stats.json").read_text())["decontamination"] is None
    assert not phase.set_tasks(DecontaminateConfig(), None) and not phase.check_tasks(DecontaminateConfig(), None, [0])


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_a_crash_inside_the_phase_then_a_rerun_gives_the_same_files(tmp_path, monkeypatch):
    """Killed mid-way through a set task (partition files half written) and through a check task (hits written,
    stats not): the reruns finish to the bytes of a build never interrupted."""
    news, _ = planted_corpus(tmp_path)
    sets = eval_set(tmp_path / "quiz.jsonl")
    args = (f"decontaminate.sets=[{sets}]",)
    build(news, tmp_path / "clean", *args)
    expected = published(tmp_path / "clean")

    monkeypatch.setattr(index, "BATCH", 2)  # several batches: the crash comes after the first is spilled
    real_spill, calls = index.spill, []

    def crashing_spill(*a):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        real_spill(*a)

    monkeypatch.setattr(index, "spill", crashing_spill)
    with pytest.raises(KeyboardInterrupt):
        build(news, tmp_path / "out", *args)
    monkeypatch.setattr(index, "spill", real_spill)
    real_json = check.write_json

    def crashing_json(*a):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(check, "write_json", crashing_json)
    with pytest.raises(KeyboardInterrupt):
        build(news, tmp_path / "out", *args)
    assert (tmp_path / "out" / ".build" / "work" / "decontaminate" / "hits-00000.parquet").exists()
    monkeypatch.setattr(check, "write_json", real_json)
    build(news, tmp_path / "out", *args)
    assert published(tmp_path / "out") == expected

    # a finished task redone (its marker deleted) writes the same file
    work = tmp_path / "out" / ".build" / "work"
    before = (work / "decontaminate" / "index-00000.npy").read_bytes()
    (work / "done" / "decont-index-00000").unlink()
    (work / "decontaminate" / "index-00000.npy").unlink()
    build(news, tmp_path / "out", *args)
    assert (work / "decontaminate" / "index-00000.npy").read_bytes() == before
    assert published(tmp_path / "out") == expected


@pytest.mark.slow  # a process of its own (a CLI build, workers, Ray or a wheel)
def test_ray_writes_the_same_files_as_the_local_executor(tmp_path):
    news, _ = planted_corpus(tmp_path, 12)
    sets = eval_set(tmp_path / "quiz.jsonl")
    build(news, tmp_path / "local", f"decontaminate.sets=[{sets}]")
    build(news, tmp_path / "ray", f"decontaminate.sets=[{sets}]", "executor=ray", "executor.num_cpus=2")
    local, ray = published(tmp_path / "local"), published(tmp_path / "ray")
    assert {k: v for k, v in local.items() if k != "README.md"} == {k: v for k, v in ray.items() if k != "README.md"}


# --- the sets ---------------------------------------------------------------------------------------------

def test_every_format_and_the_fields_setting(tmp_path):
    folder = tmp_path / "quiz"
    write_jsonl(folder / "test.jsonl", [{"q": ITEMS[0], "id": "x1"}])
    pq.write_table(pa.table({"q": [ITEMS[1]], "n": [3]}), folder / "dev.parquet")
    with (folder / "train.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["q", "label"], [ITEMS[2], "sport"]])
    (folder / "extra.txt").write_text(f"{ITEMS[3]}\n\n{ITEMS[4]}\n", encoding="utf-8")
    (folder / "notes.md").write_text("not a set file", encoding="utf-8")
    (tmp_path / "lines.json").write_text(json.dumps([{"text": ITEMS[5], "split": "test"}]), encoding="utf-8")
    cfg = DecontaminateConfig(sets=[str(folder), str(tmp_path / "lines.json")])
    quiz, lines = resolve(cfg)
    assert (quiz.name, quiz.source, lines.name) == ("quiz", "quiz", "lines")
    assert list(items(quiz, ())) == [("dev", ITEMS[1]), ("extra", ITEMS[3]), ("extra", ITEMS[4]),
                                     ("test", f"{ITEMS[0]}\nx1"), ("train", f"{ITEMS[2]}\nsport")]
    assert list(items(quiz, ("q",)))[-1] == ("train", ITEMS[2])
    assert list(items(lines, ())) == [("test", ITEMS[5])]


def test_a_wrong_entry_fails_before_any_work(tmp_path):
    with pytest.raises(BuildError, match="no file or folder"):
        build(None, tmp_path / "out", f"decontaminate.sets=[{tmp_path / 'missing.jsonl'}]")
    with pytest.raises(BuildError, match="action"):
        build(None, tmp_path / "out", "decontaminate.action=flag")
    assert not (tmp_path / "out" / "data").exists()


def test_hub_sets_by_name_and_known_sets_skipped_when_unavailable(tmp_path, monkeypatch):
    """No network in tests: datasets.load_dataset answers from memory, or fails as it does offline."""
    def load_dataset(repo, config=None):
        if repo != "csebuetnlp/xlsum":
            raise ConnectionError("offline")
        assert config == "arabic"
        return datasets.DatasetDict({"test": datasets.Dataset.from_list([{"title": "t", "summary": ITEMS[0],
                                                                          "text": ITEMS[2], "url": "u"}])})

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    [xlsum] = resolve(DecontaminateConfig(sets=["xlsum_arabic"]))
    assert list(items(xlsum, ())) == [("test", f"t\n{ITEMS[0]}\n{ITEMS[2]}")]  # the set's fields only: no url
    news, _ = planted_corpus(tmp_path)
    build(news, tmp_path / "out", "decontaminate.sets=[known]")
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())["decontamination"]
    available = [s for s in stats["sets"] if not s["unavailable"]]
    assert [s["name"] for s in available] == ["xlsum_arabic"] and len(stats["sets"]) > 1
    assert available[0]["documents"] == sum(1 for i in range(0, 24, 3) if i // 3 % len(ITEMS) in (0, 2))
    with pytest.raises(BuildError, match="cannot load"):
        build(news, tmp_path / "named", "decontaminate.sets=[arabic_mmlu]")


def test_larger_sets_get_more_index_partitions(tmp_path):
    small = EvalSet("a", "a", files=(str(eval_set(tmp_path / "a.jsonl")),))
    cfg = DecontaminateConfig(index_tasks=2, index_bytes=1000)
    assert partition_count(cfg, [small]) == max(2, -(-small.size // 1000))
    assert partition_count(DecontaminateConfig(index_tasks=3), [small]) == 3
