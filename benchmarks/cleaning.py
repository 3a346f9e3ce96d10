"""Cleaning accuracy and speed: gold pages the project wrote, and real corpora read from ../shared/eval.

    python benchmarks/cleaning.py [--out /tmp/cleaning-review] [--sample 200] [--speed-docs 10000]

Prints one JSON object:

- gold: the pages in benchmarks/gold/ (and the seed page in tests/data/) through extract -> repair -> segment ->
  clean -> metadata -> label, as the build configures them. Body character F1 per document and mean (beside
  the baseline of no cleaning at all), boilerplate line precision and recall, and per-field accuracy.
- markers: for each known marker family, how many documents of each real corpus carry it before and after
  cleaning (a document split into several counts once).
- review: a seeded sample of documents per corpus, written to OUT/sample-<corpus>.txt (removed spans beside the
  text) and .jsonl. Someone reads it and writes OUT/judgements-<corpus>.jsonl, one line per document that had
  something removed: {"key", "signature", "lost_sentence": true|false, "note"}. The rate of documents that lost
  a real sentence counts the documents nothing was removed from as not losing one; a document whose removals
  changed since it was judged (its signature differs) is reported as unjudged, never guessed.
- speed: docs/s of each cleaning stage and of the chain, one core, on N real documents, beside ftfy.fix_text
  alone on the same documents as the baseline.

The corpora's licences forbid copying them into the project, so they are read in place and every output goes
under --out, outside the repository.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import json
import random
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import ftfy
from eval_data import EVAL
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from builder.arabic import dedup_key, match_key
from builder.config import conf_dir, register
from builder.document import Doc, stable_id
from builder.pipeline import build_stages
from builder.stages.base import Stage
from builder.stages.label import OutletRegistry
from builder.stats import StageStats

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "benchmarks" / "gold"
SEED = ROOT / "tests" / "data" / "iraq-news-page.txt"
CLEANING = ["extract", "repair", "segment", "clean", "metadata"]
FIELDS = ["title", "published", "updated", "dateline", "byline", "credit"]


# --- the stages, as the build composes them ---------------------------------------------------------------

def stages(names: list[str]) -> list[Stage]:
    register()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        cfg = compose("config", overrides=[f"stages=[{','.join(names)}]"])
    return build_stages(OmegaConf.to_object(cfg))


def run(chain: list[Stage], docs: list[Doc]) -> tuple[list[Doc], list[dict]]:
    rejects: list[dict] = []
    out: Iterator[Doc] = iter(docs)
    for stage in chain:
        out = stage.run(out, StageStats(stage.name), rejects)
    return list(out), rejects


def norm(text: str | None) -> str:
    return " ".join(match_key(text or "").split())


# --- gold pages -------------------------------------------------------------------------------------------

def gold_pages() -> list[dict]:
    """benchmarks/gold/gold.jsonl, plus the seed page with its gold."""
    pages = [json.loads(line) for line in (GOLD / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line]
    seed = json.loads(SEED.with_suffix(".gold.json").read_text(encoding="utf-8"))
    return [*pages, {"page": str(SEED), "region": "levant_iraq", "docs": seed["docs"]}]


def page_doc(page: str) -> Doc:
    path = Path(page) if Path(page).is_absolute() else GOLD / page
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return Doc(id=stable_id(path.name), source_file=path.name, html=raw)
    return Doc(id=stable_id(path.name), source_file=path.name, text=raw)


def char_f1(out: str, gold: str) -> float:
    out, gold = " ".join(out.split()), " ".join(gold.split())
    if not out or not gold:
        return float(out == gold)
    matched = sum(b.size for b in difflib.SequenceMatcher(None, out, gold, autojunk=False).get_matching_blocks())
    p, r = matched / len(out), matched / len(gold)
    return 2 * p * r / (p + r) if matched else 0.0


def pair(produced: list[Doc], gold_docs: list[dict]) -> list[tuple[dict, Doc | None]]:
    """Each gold article with the document that came out for it: same title, else the most similar body."""
    left, pairs = list(produced), []
    for g in gold_docs:
        match = next((d for d in left if norm(d.title) == norm(g["title"])), None) or max(
            left, key=lambda d: char_f1(d.text, "\n".join(g["body"])), default=None)
        if match is not None:
            left.remove(match)
        pairs.append((g, match))
    return pairs


def field_value(doc: Doc, name: str) -> object:
    value = getattr(doc, name)
    return norm(value) or None if isinstance(value, str) else value


def gold_value(g: dict, name: str, registry: OutletRegistry) -> object:
    """The gold field as the output states it. The gold credit is an agency id, or the outlet name the page prints,
    which maps to the registry's id the way the label stage maps it (the registry grows; the page does not)."""
    value = g.get(name)
    if name in ("published", "updated"):
        return datetime.fromisoformat(value) if value else None
    if name == "credit" and value:
        value = registry.lookup(value) or value
    return norm(value) or None if value else None


def leftover(line: str, paragraphs: list[str]) -> bool:
    """A boilerplate line is still in the text: a paragraph starts with it, or holds it (when it is long)."""
    key = dedup_key(line)
    return bool(key) and any(p.startswith(key) or (len(key.split()) >= 3 and key in p) for p in paragraphs)


def is_body(span: str, g_doc: dict, page_gold: list[dict]) -> bool:
    """A removed span that is real text: no gold boilerplate line or title holds it, and it overlaps a body."""
    key = dedup_key(span)
    if not key:
        return False
    labelled = [dedup_key(x) for g in page_gold for x in [g["title"], *g.get("boilerplate", [])]]
    if any(key in x or (x and x in key) for x in labelled):
        return False
    body = [dedup_key(p) for g in page_gold for p in g["body"]]
    longest = max((difflib.SequenceMatcher(None, key, p, autojunk=False).find_longest_match().size for p in body),
                  default=0)
    return longest >= min(20, len(key))


def evaluate_gold() -> dict:
    chain = stages([*CLEANING, "label"])
    registry = chain[-1].registry
    pages = gold_pages()
    f1s, baseline, misses = [], [], []
    per_field = {f: 0 for f in FIELDS}
    bp_total = bp_left = spans_total = spans_body = n_docs = 0
    per_set: dict[str, dict] = {}
    for page in pages:
        tally = per_set.setdefault(page.get("set", "seed"), {"documents": 0, "bp_lines": 0, "bp_left": 0, "spans": 0,
                                                             "spans_body": 0, **{f: 0 for f in FIELDS}})
        source = page_doc(page["page"])
        produced, _ = run(chain, [source])
        raw = run(chain[:1], [page_doc(page["page"])])[0]
        all_body = "\n".join(p for g in page["docs"] for p in g["body"])
        baseline.append(char_f1(raw[0].text if raw else "", all_body))
        for g, doc in pair(produced, page["docs"]):
            n_docs += 1
            tally["documents"] += 1
            text = doc.text if doc else ""
            f1 = char_f1(text, "\n".join(g["body"]))
            f1s.append({"page": Path(page["page"]).name, "title": g["title"][:60], "f1": round(f1, 4)})
            paragraphs = [dedup_key(p) for p in text.split("\n\n")]
            for line in g.get("boilerplate", []):
                bp_total += 1
                tally["bp_lines"] += 1
                if leftover(line, paragraphs):
                    bp_left += 1
                    tally["bp_left"] += 1
                    misses.append({"page": f1s[-1]["page"], "left": line[:80]})
            for removal in doc.removed if doc else []:
                spans_total += 1
                tally["spans"] += 1
                if is_body(removal.text, g, page["docs"]):
                    spans_body += 1
                    tally["spans_body"] += 1
                    misses.append({"page": f1s[-1]["page"], "cut_body": f"{removal.rule}: {removal.text[:80]}"})
            for name in FIELDS:
                got, want = (field_value(doc, name) if doc else None), gold_value(g, name, registry)
                if got == want:
                    per_field[name] += 1
                    tally[name] += 1
                else:
                    misses.append({"page": f1s[-1]["page"], "field": name, "want": str(want), "got": str(got)})
        extra = len(produced) - len(page["docs"])
        if extra > 0:
            misses.append({"page": Path(page["page"]).name, "extra_docs": extra})
    return {
        "pages": len(pages),
        "pages_html": sum(p["page"].endswith(".html") for p in pages),
        "documents": n_docs,
        "body_char_f1_mean": round(statistics.mean(d["f1"] for d in f1s), 4),
        "body_char_f1_min": min(d["f1"] for d in f1s),
        "baseline_no_cleaning_f1_mean": round(statistics.mean(baseline), 4),
        "boilerplate_recall": round(1 - bp_left / bp_total, 4),
        "boilerplate_precision": round(1 - spans_body / spans_total, 4),
        "boilerplate_lines": bp_total,
        "removed_spans": spans_total,
        "field_accuracy": {f: round(n / n_docs, 4) for f, n in per_field.items()},
        "by_region": grouped(pages, f1s, "region"),
        "by_set": {name: {**f1, **set_scores(per_set[name])} for name, f1 in grouped(pages, f1s, "set").items()},
        "body_char_f1": f1s,
        "misses": misses,
    }


def set_scores(t: dict) -> dict:
    """Boilerplate recall and precision and field accuracy of one set, so a held-out batch reads on its own."""
    return {
        "boilerplate_recall": round(1 - t["bp_left"] / t["bp_lines"], 4) if t["bp_lines"] else None,
        "boilerplate_lines_left": t["bp_left"],
        "boilerplate_precision": round(1 - t["spans_body"] / t["spans"], 4) if t["spans"] else None,
        "field_accuracy": {f: round(t[f] / t["documents"], 4) for f in FIELDS},
    }


def grouped(pages: list[dict], f1s: list[dict], key: str) -> dict:
    """Body F1 per region, or per set (pages the rules were tuned on; batches written after them, held out)."""
    group = {Path(p["page"]).name: p.get(key, "seed") for p in pages}
    out: dict[str, list[float]] = {}
    for d in f1s:
        out.setdefault(group[d["page"]], []).append(d["f1"])
    return {g: {"documents": len(v), "f1_mean": round(statistics.mean(v), 4)} for g, v in sorted(out.items())}


# --- real corpora -------------------------------------------------------------------------------------------

def records(corpus: str) -> Iterator[tuple[str, str, str, str]]:
    """(key, outlet, title, text) for every document of a corpus, read in place."""
    if corpus == "egypt_news_2013_newscred":
        for f in sorted((EVAL / corpus / "by_outlet").glob("*.jsonl.gz")):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    r = json.loads(line)
                    yield r["path"], r["outlet"], r["title"] or "", r["body"] or ""
    else:
        name = {"ant_corpus_multisource": "ant_multisource_v2.1", "ant_corpus_jawharafm": "ant_jawharafm_v1.1"}[corpus]
        with gzip.open(EVAL / corpus / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                yield r["path"], r["src"] or "", r["title"] or "", r["text"] or ""


CORPORA = ["egypt_news_2013_newscred", "ant_corpus_multisource", "ant_corpus_jawharafm"]


def sample_records(corpus: str, k: int, seed: int) -> list[tuple[str, str, str, str]]:
    """A seeded uniform sample, in corpus order, without holding the corpus in memory."""
    n = sum(1 for _ in records(corpus))
    picked = set(random.Random(seed).sample(range(n), min(k, n)))
    return [r for i, r in enumerate(records(corpus)) if i in picked]

# Each family as a reader would spot it in a document's text (raw before cleaning, cleaned after).
_LEAD_DASH_COLON = re.compile(r"^\s*[\u0621-\u064A]{2,}(?:\s+[\u0621-\u064A]{2,}){0,2}\s*[-–—_ـ]+\s*(?:\(?)"
                              r"[\u0621-\u064A.]+(?:\s+[\u0621-\u064A.]+){0,4}\)?\s*:")
_BACK_LINK = re.compile(r"(?:رابط|الرابط)\s+(?:ال)?(?:خبر|مقال|موضوع|مختصر|دائم)[^:\n]{0,40}:")
_DESK_BYLINE = re.compile(r"[\u0621-\u064A]{2,}\s*[-–—/]\s*(?:وكالات|متابعات)\s*[:\-–—]")
_CLOSING_AGENCY = re.compile(r"[.!؟]\s*[(\[]?\s*(?:أ\s?ش\s?أ|[أا]\s?ف\s?ب|رويترز|د\s?ب\s?أ|وكالات|واس|كونا|وام|قنا|بنا|"
                             r"سانا|بترا)\s*[)\]]?\.?[ \t]*$", re.M)
_LEAD_CLOCK = re.compile(r"\s*(?:\d{1,2}:\d{2}|(?:منذ|قبل)\s+\d*\s*(?:دقيقة|دقائق|ساعة|ساعات|يوم|أيام)\s*[-–—|])")
MARKERS = {
    "masrawy_city_reporter": lambda outlet, text: outlet == "masrawy" and any(
        _LEAD_DASH_COLON.match(line) for line in lead_lines(text)),
    "cnn_dateline": lambda outlet, text: re.search(r"\(\s*CNN\s*\)\s*[-–—]", text) is not None,
    "elwatan_related": lambda outlet, text: re.search(r"^\s*أخبار متعلقة", text, re.M) is not None,
    "dostor_full_story": lambda outlet, text: "لقراءة تفاصيل الخبر" in text,
    "end_mark": lambda outlet, text: re.search(r"//\s*انته[ىي]\s*//|^\s*\(?انته[ىي]\)?\.?\s*$", text, re.M) is not None,
    "read_also": lambda outlet, text: re.search(r"^\s*[اإأ]قر[أا]\s+[أا]يض", text, re.M) is not None,
    # furniture glued to a sentence, found anywhere in a line: a back-link, a desk byline, a closing agency mark
    # after a sentence end, a clock or relative time opening the text
    "glued_back_link": lambda outlet, text: _BACK_LINK.search(text) is not None,
    "glued_desk_byline": lambda outlet, text: _DESK_BYLINE.search(text) is not None,
    "glued_closing_agency": lambda outlet, text: _CLOSING_AGENCY.search(text) is not None,
    "glued_lead_clock": lambda outlet, text: _LEAD_CLOCK.match(text) is not None,
}


def lead_lines(text: str, n: int = 3) -> list[str]:
    """The first lines, up to and including the first paragraph (a dateline may be glued to it)."""
    lines = []
    for line in [line for line in text.split("\n") if line.strip()][:n]:
        lines.append(line)
        if len(line.split()) > 12:
            break
    return lines


def as_doc(key: str, outlet: str, title: str, text: str) -> Doc:
    return Doc(id=stable_id(key), source_file=key, text=text, title=title.strip() or None, outlet_hint=outlet)


def markers(chain: list[Stage]) -> dict:
    report = {}
    for corpus in CORPORA:
        before = {m: 0 for m in MARKERS}
        after = {m: 0 for m in MARKERS}
        n = 0
        for key, outlet, title, text in records(corpus):
            n += 1
            found = [m for m, has in MARKERS.items() if has(outlet, text)]
            if not found:
                continue
            out, _ = run(chain, [as_doc(key, outlet, title, text)])
            for m in found:
                before[m] += 1
                after[m] += any(MARKERS[m](outlet, d.text.replace("\n\n", "\n")) for d in out)
        report[corpus] = {"documents": n, **{
            m: {"before": before[m], "after": after[m],
                "removed": round(1 - after[m] / before[m], 4) if before[m] else None} for m in MARKERS}}
    return report


# --- prose kept ----------------------------------------------------------------------------------------------

_PROSE_END = (".", "!", "?", "؟", "…", "»", '"', "”")


def prose_loss(chain: list[Stage], docs: int, seed: int) -> dict:
    """Prose lines of the input (>= 15 words, ending a sentence) that are missing from the kept output, on a
    seeded sample per corpus: what the rules ate that a reader would call text. Each lost line is listed."""
    report = {}
    for corpus in CORPORA:
        lines = lost = 0
        examples = []
        for key, outlet, title, text in sample_records(corpus, docs, seed + 2):
            prose = [ln.strip() for ln in text.split("\n")
                     if len(ln.split()) >= 15 and ln.strip().endswith(_PROSE_END)]
            if not prose:
                continue
            out, _ = run(chain, [as_doc(key, outlet, title, text)])
            kept = dedup_key(unicodedata.normalize("NFKC", "\n".join(d.text for d in out)))
            for line in prose:
                lines += 1
                if dedup_key(unicodedata.normalize("NFKC", line)) not in kept:  # the repair stage applies NFKC
                    lost += 1
                    examples.append({"key": key, "line": line[:160]})
        report[corpus] = {"documents": docs, "prose_lines": lines, "lost": lost,
                          "lost_rate": round(lost / lines, 5) if lines else None, "lost_lines": examples[:50]}
    return report


# --- the review sample -------------------------------------------------------------------------------------

def signature(out: list[Doc], rejects: list[dict]) -> str:
    spans = [(r.rule, r.text) for d in out for r in d.removed] + [(x["stage"], x["reason"]) for x in rejects]
    return hashlib.blake2b(json.dumps(spans, ensure_ascii=False).encode(), digest_size=8).hexdigest()


def review(chain: list[Stage], out_dir: Path, size: int, seed: int) -> dict:
    report = {}
    for corpus in CORPORA:
        sample = []
        for key, outlet, title, text in sample_records(corpus, size, seed):
            out, rejects = run(chain, [as_doc(key, outlet, title, text)])
            sample.append({
                "key": key, "outlet": outlet, "title": title, "signature": signature(out, rejects),
                "removed_any": any(d.removed for d in out) or bool(rejects),
                "dropped": [f"{x['stage']}: {x['reason']}" for x in rejects],
                "docs": [{"title": d.title, "dateline": d.dateline, "byline": d.byline, "credit": d.credit,
                          "published": str(d.published) if d.published else None, "text": d.text,
                          "removed": [{"rule": r.rule, "text": r.text} for r in d.removed]} for d in out],
            })
        write_sample(out_dir, corpus, sample)
        report[corpus] = judged_rate(out_dir / f"judgements-{corpus}.jsonl", sample)
    return report


def write_sample(out_dir: Path, corpus: str, sample: list[dict]) -> None:
    with (out_dir / f"sample-{corpus}.jsonl").open("w", encoding="utf-8") as fh:
        for s in sample:
            fh.write(json.dumps(s, ensure_ascii=False) + "\n")
    lines = []
    for n, s in enumerate(sample, 1):
        lines.append(f"### {n}. {s['key']}  [{s['outlet']}]  signature={s['signature']}")
        lines += [f"DROPPED {d}" for d in s["dropped"]]
        for d in s["docs"]:
            lines.append(f"TITLE {d['title']}")
            lines += [f"  - {r['rule']}: {r['text']}" for r in d["removed"]]
            lines += [f"  | {p}" for p in d["text"].split("\n\n")]
        lines.append("")
    (out_dir / f"sample-{corpus}.txt").write_text("\n".join(lines), encoding="utf-8")


def judged_rate(path: Path, sample: list[dict]) -> dict:
    judgements = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                judgements[j["key"]] = j
    needs = [s for s in sample if s["removed_any"]]
    current = [judgements[s["key"]] for s in needs
               if s["key"] in judgements and judgements[s["key"]]["signature"] == s["signature"]]
    lost = [j for j in current if j["lost_sentence"]]
    return {
        "sampled": len(sample),
        "with_removals": len(needs),
        "judged": len(current),
        "unjudged": len(needs) - len(current),
        "lost_real_sentence": len(lost),
        "lost_rate": round(len(lost) / len(sample), 4) if len(current) == len(needs) else None,
        "lost": [{"key": j["key"], "note": j.get("note", "")} for j in lost],
        "judgements": str(path),
    }


# --- speed --------------------------------------------------------------------------------------------------

def speed(n: int, seed: int) -> dict:
    picked = sample_records("egypt_news_2013_newscred", n, seed + 1)
    chain = stages(CLEANING)
    docs = [as_doc(*r) for r in picked]
    stats = {s.name: StageStats(s.name) for s in chain}
    rejects: list[dict] = []
    out: Iterator[Doc] = iter(docs)
    start = time.perf_counter()
    for stage in chain:
        out = stage.run(out, stats[stage.name], rejects)
    kept = sum(1 for _ in out)
    total = time.perf_counter() - start
    start = time.perf_counter()
    for *_, text in picked:
        ftfy.fix_text(text)
    ftfy_seconds = time.perf_counter() - start
    return {
        "documents": len(docs), "corpus": "egypt_news_2013_newscred (seeded random sample)", "out": kept,
        "chain_docs_per_second": round(len(docs) / total, 1),
        "stage_docs_per_second": {s: round(st.docs_in / st.seconds, 1) if st.seconds else None
                                  for s, st in stats.items()},
        "baseline": "ftfy.fix_text alone on the same documents",
        "baseline_docs_per_second": round(len(docs) / ftfy_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/cleaning-review"))
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--speed-docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gold-only", action="store_true", help="skip the real corpora")
    parser.add_argument("--prose-docs", type=int, default=3000, help="sampled documents per corpus for prose loss")
    parser.add_argument("--prose-only", action="store_true", help="gold, then prose loss only (a quick check)")
    args = parser.parse_args()
    report: dict = {"benchmark": "cleaning", "gold": evaluate_gold()}
    if args.gold_only:
        pass
    elif not EVAL.exists():
        report["real_corpora"] = f"not found: {EVAL}"
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        chain = stages(CLEANING)
        report["prose_loss"] = prose_loss(chain, args.prose_docs, args.seed)
        if args.prose_only:
            json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
            print()
            return
        report["markers"] = markers(chain)
        report["review"] = review(chain, args.out, args.sample, args.seed)
        report["speed"] = speed(args.speed_docs, args.seed)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
