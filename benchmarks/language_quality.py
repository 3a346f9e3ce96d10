"""Language and quality stages on real data, side by side with published detectors and langdetect.

    python benchmarks/language_quality.py [--docs 20000] [--out /tmp/language-quality]

Prints JSON with:
- lingua_testdata: accuracy per language (ar, fa, ur, en, fr) on sentences, word pairs and single words, for
  our stage (each available backend) beside the published accuracy of langdetect and lingua on the same files;
- egypt_news_2013: how many of its English documents the language stage rejects (all should be), and how many
  documents of its Arabic outlets it rejects (listed in OUT/egypt_arabic_rejected.jsonl for reading);
- speed: docs/s of the language stage on full Arabic news articles, one core, beside langdetect run on the
  whole document (the baseline);
- quality: rejection rate per reason on each real corpus after the cleaning stages, with 50 rejected and 50
  kept documents per corpus written to OUT/quality_sample_<corpus>.jsonl.
The corpora are read from ../shared/eval at run time; nothing of them is copied into the project.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

from eval_data import EVAL
from omegaconf import OmegaConf

LINGUA = EVAL / "lingua_langid_testdata"
LANG_NAMES = {"ar": "Arabic", "fa": "Persian", "ur": "Urdu"}
GRANULARITY = {"sentences": "sentences", "word-pairs": "word pairs", "single-words": "single words"}


def published_accuracy(detector: str, lang: str, granularity: str) -> float | None:
    report = LINGUA / "accuracy-reports" / detector / f"{LANG_NAMES[lang]}.txt"
    if not report.exists():
        return None
    text = report.read_text()
    m = re.search(rf"Detection of \d+ {GRANULARITY[granularity]}.*?\nAccuracy: ([\d.]+)%", text)
    return float(m.group(1)) if m else None


def lingua_accuracy(backends: dict) -> dict:
    result = {}
    for gran in GRANULARITY:
        row = {}
        for lang in ("ar", "fa", "ur", "en", "fr"):
            lines = [t for t in (LINGUA / gran / f"{lang}.txt").read_text().splitlines() if t.strip()]
            cell = {name: round(100 * sum(f.detect(t)[0] == lang for t in lines) / len(lines), 1)
                    for name, f in backends.items()}
            if lang in LANG_NAMES:
                for detector in ("langdetect", "lingua-high-accuracy"):
                    cell[f"published {detector}"] = published_accuracy(detector, lang, gran)
            row[lang] = cell
        result[gran] = row
    return result


def egypt_records(outlets: list[str] | None = None, english: bool = False):
    for f in sorted((EVAL / "egypt_news_2013_newscred" / "by_outlet").glob("*.jsonl.gz")):
        is_english = f.name.startswith("english")
        if is_english != english:
            continue
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)


def egypt_language(lang, out: Path) -> dict:
    from builder.document import Doc

    english = [lang.process(Doc(id=r["uuid"], source_file=r["path"], text=r["body"]))
               for r in egypt_records(english=True)]
    rejected_en = sum(not isinstance(d, Doc) for d in english)
    arabic_total, blank, rejected = 0, 0, []
    for r in egypt_records(english=False):
        if not r["body"].strip():  # the reader rejects these as `empty` before any language is judged
            blank += 1
            continue
        arabic_total += 1
        result = lang.process(Doc(id=r["uuid"], source_file=r["path"], text=r["body"]))
        if not isinstance(result, Doc):
            rejected.append({"path": r["path"], "reason": result.reason, "detail": result.detail,
                             "body": r["body"][:500]})
    with (out / "egypt_arabic_rejected.jsonl").open("w", encoding="utf-8") as fh:
        for r in rejected:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return {
        "english_documents": len(english), "english_rejected": rejected_en,
        "arabic_outlet_blank_bodies_not_judged": blank,
        "arabic_outlet_documents": arabic_total, "arabic_outlet_rejected": len(rejected),
        "arabic_outlet_rejected_pct": round(100 * len(rejected) / arabic_total, 3),
        "arabic_rejected_by_reason": dict(Counter(r["reason"] for r in rejected)),
        "arabic_rejected_list": str(out / "egypt_arabic_rejected.jsonl"),
    }


def speed(lang, n: int) -> dict:
    from builder.stages.language import LangdetectBackend

    texts = [r["body"] for r in itertools.islice(egypt_records(), 0, None, 7) if len(r["body"]) > 500][:n]
    start = time.perf_counter()
    for t in texts:
        lang.detect(t)
    ours = time.perf_counter() - start
    baseline = LangdetectBackend(seed=0)
    k = min(len(texts), 1000)
    start = time.perf_counter()
    for t in texts[:k]:
        baseline.probabilities(t)
    whole = time.perf_counter() - start
    return {"documents": len(texts), "mean_chars": round(sum(map(len, texts)) / len(texts)),
            "language_stage_docs_per_s": round(len(texts) / ours), "baseline": "langdetect on whole documents",
            "baseline_docs_per_s": round(k / whole), "speedup": round((len(texts) / ours) / (k / whole), 1)}


def corpus_docs(name: str, limit: int):
    """(id, text, url, title) of a real corpus, in the field names our reader would be told to use."""
    if name == "egypt_news_2013":
        rows = ((r["uuid"], r["body"], None, r["title"]) for r in egypt_records())
    else:
        path = {"ant_multisource": EVAL / "ant_corpus_multisource" / "ant_multisource_v2.1.jsonl.gz",
                "ant_jawharafm": EVAL / "ant_corpus_jawharafm" / "ant_jawharafm_v1.1.jsonl.gz"}[name]
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return [(r["docno"], r["text"] or "", r["url"], r["title"])
                    for r in map(json.loads, itertools.islice(fh, limit))]
    return list(itertools.islice(rows, limit))


def quality_report(stages, docs: list, out: Path, name: str) -> dict:
    from builder.document import Doc
    from builder.stats import StageStats

    rejects: list[dict] = []
    stats = {s.name: StageStats(s.name) for s in stages}
    stream = (Doc(id=i, source_file=name, text=t, url=u, title=ti) for i, t, u, ti in docs)
    for stage in stages:
        stream = stage.run(stream, stats[stage.name], rejects)
    kept = list(stream)
    quality = stats["quality"]
    rng = random.Random(0)
    sample = [{"kept": False, "reason": r["reason"], "detail": r["detail"], "text": r["text"][:1500]}
              for r in rng.sample([r for r in rejects if r["stage"] == "quality"],
                                  min(50, quality.docs_in - quality.docs_out))]
    sample += [{"kept": True, "text": d.text[:1500]} for d in rng.sample(kept, min(50, len(kept)))]
    with (out / f"quality_sample_{name}.jsonl").open("w", encoding="utf-8") as fh:
        for s in sample:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    return {"documents": len(docs), "quality_in": quality.docs_in,
            "quality_rejected_pct": {k: round(100 * v / max(quality.docs_in, 1), 2)
                                     for k, v in quality.dropped.most_common()},
            "sample": str(out / f"quality_sample_{name}.jsonl")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000, help="documents per real corpus for the quality report")
    parser.add_argument("--out", type=Path, default=Path("/tmp/language-quality"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from hydra import compose, initialize_config_dir

    from builder.config import LanguageConfig, conf_dir, register
    from builder.pipeline import build_stages
    from builder.stages.language import LanguageFilter

    register()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        cfg = OmegaConf.to_object(compose("config"))
    cfg.stages = ["repair", "segment", "clean", "language", "quality"]
    stages = build_stages(cfg)

    backends = {"ours (langdetect backend)": LanguageFilter(LanguageConfig(backend="langdetect"))}
    try:
        backends["ours (fasttext backend)"] = LanguageFilter(LanguageConfig(backend="fasttext"))
        backends["ours (fasttext backend)"].backend  # noqa: B018 (fails here if the package is missing)
    except ImportError:
        backends.pop("ours (fasttext backend)")
    report: dict = {"benchmark": "language_quality"}
    report["lingua_testdata"] = lingua_accuracy(backends)
    lang = backends["ours (langdetect backend)"]
    report["egypt_news_2013_language"] = egypt_language(lang, args.out)
    report["speed"] = speed(lang, 10_000)

    report["quality"] = {name: quality_report(stages, corpus_docs(name, args.docs), args.out, name)
                         for name in ("egypt_news_2013", "ant_multisource", "ant_jawharafm")}
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
