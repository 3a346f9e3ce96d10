"""The real-corpus part: repeated site lines left after a build, prose lost by it, and a reading sample of what
`template.*` rules remove, on egypt_news (per Arabic outlet), ANT multisource (per `src`) and JawharaFM.

Each corpus is written as one JSONL file per outlet under the work folder (`text`, `title`, `outlet`, and `url`
where the corpus has one), so every output document's `source_file` names its input outlet; with `--flat`,
egypt_news only, as one folder of .txt pages with neutral names and no outlet (`write_flat`: the site must be
found from the pages), the outlet known to the measurement from the file name.

- repeated lines: a line (normalised, 3+ characters) is an outlet's repeated line when it occurs in at least 2%
  (and at least 3) of that outlet's distinct input texts. `before` is the share of input documents carrying one,
  `after` the share of kept documents whose output text still carries one.
- prose lost: input lines of 15+ words ending with . ! ? ؟ or … ; the share of those, over the input documents
  that kept at least one document, that appear in no output line of the same outlet, whole or by their last 60
  characters (so a line that only lost a glued byline is not counted lost; the documents dropped whole
  by the language / quality / dedup stages are counted apart, in `documents_rejected`).
- review sample: up to 100 spans removed by rules whose id starts with `template.`, seeded, per corpus and run,
  in `<review>/<corpus>-<run>.jsonl` (run: baseline or variant).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections import Counter, defaultdict
from itertools import islice
from pathlib import Path

import pyarrow.parquet as pq

from .bodies import ANT_JAWHARA, ANT_MULTI, EGYPT, ENGLISH_OUTLETS
from .score import norm

PROSE_END = (".", "!", "?", "؟", "…")


def _sample(rows: list[dict], n: int, seed: str) -> list[dict]:
    return rows if len(rows) <= n else random.Random(seed).sample(rows, n)


def corpora(per_outlet: int, seed: int = 0) -> dict[str, dict[str, list[dict]]]:
    """corpus -> outlet -> input records, `per_outlet` sampled (seeded) from each outlet."""
    egypt: dict[str, list[dict]] = {}
    for path in sorted(EGYPT.glob("*.jsonl.gz")):
        outlet = path.name.removesuffix(".jsonl.gz")
        if outlet in ENGLISH_OUTLETS:
            continue
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rows = [{"text": r["body"] or "", "title": r["title"] or "", "outlet": outlet} for r in map(json.loads, fh)]
        egypt[outlet] = _sample(rows, per_outlet, f"{seed}:egypt:{outlet}")
    multi: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(ANT_MULTI, "rt", encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            multi[r.get("src") or "unknown"].append(
                {"text": r.get("text") or "", "title": (r.get("title") or "").strip(), "outlet": r.get("src"),
                 "url": r.get("url")})
    multi = {k: _sample(v, per_outlet, f"{seed}:ant:{k}") for k, v in sorted(multi.items())}
    with gzip.open(ANT_JAWHARA, "rt", encoding="utf-8") as fh:
        jaw = [{"text": r.get("text") or "", "title": (r.get("title") or "").strip(), "outlet": "Jawhara FM",
                "url": r.get("url")} for r in islice(map(json.loads, fh), None)]
    return {"egypt_news": egypt, "ant_multisource": multi,
            "ant_jawharafm": {"Jawhara FM": _sample(jaw, per_outlet, f"{seed}:jawhara")}}


def file_name(outlet: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in outlet) + ".jsonl"


def write_inputs(corpus: dict[str, list[dict]], folder: Path) -> dict[str, str]:
    """One JSONL per outlet; returns file name -> outlet."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for outlet, rows in corpus.items():
        name = file_name(outlet)
        names[name] = outlet
        with (folder / name).open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({k: v for k, v in r.items() if v}, ensure_ascii=False) + "\n")
    return names


def write_flat(corpus: dict[str, list[dict]], folder: Path, seed: int = 0) -> dict[str, str]:
    """Every outlet's documents as .txt pages (headline, then the text) in one folder, in a shuffled order under
    neutral names, with no URL and no outlet: a dump of pages as users have them. Returns file name -> outlet."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [(outlet, i, r) for outlet, group in corpus.items() for i, r in enumerate(group)]
    rows.sort(key=lambda t: hashlib.sha1(f"{seed}:{t[0]}:{t[1]}".encode()).hexdigest())
    names = {}
    for n, (outlet, _, r) in enumerate(rows):
        name = f"page-{n:06d}.txt"
        names[name] = outlet
        title = " ".join((r.get("title") or "").split())
        (folder / name).write_text(f"{title}\n{r.get('text') or ''}", encoding="utf-8")
    return names


def _lines(text: str) -> list[str]:
    return [n for n in (norm(x) for x in (text or "").split("\n")) if n]


def repeated_lines(rows: list[dict], share: float = 0.02) -> set[str]:
    distinct = {r["text"] for r in rows}
    counts = Counter(line for text in distinct for line in set(_lines(text)) if len(line) >= 3)
    floor = max(3, share * len(distinct))
    return {line for line, c in counts.items() if c >= floor}


def is_prose(line: str) -> bool:
    return len(line.split()) >= 15 and line.endswith(PROSE_END)


def measure(corpus: dict[str, list[dict]], out: Path, names: dict[str, str], review: Path, name: str,
            run: str) -> dict:
    kept: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((out / "data").glob("*.parquet")):
        for row in pq.read_table(path, columns=["source_file", "text", "removed"]).to_pylist():
            kept[names.get(Path(row["source_file"] or "").name, "?")].append(row)
    rejected: Counter = Counter()
    for path in sorted((out / "rejected").glob("*.parquet")):
        for row in pq.read_table(path, columns=["source_file", "stage", "reason"]).to_pylist():
            rejected[(names.get(Path(row["source_file"] or "").name, "?"), f"{row['stage']}.{row['reason']}")] += 1
    per_outlet, template_spans = {}, []
    for outlet, rows in corpus.items():
        rep = repeated_lines(rows)
        docs = kept.get(outlet, [])
        out_lines = {line for d in docs for line in _lines(d["text"])}
        before = sum(any(line in rep for line in _lines(r["text"])) for r in rows)
        after = sum(any(line in rep for line in _lines(d["text"])) for d in docs)
        # the input documents that kept something: one of their lines of 5+ words is in the output
        survived = [r for r in rows if any(line in out_lines for line in _lines(r["text"]) if len(line.split()) >= 5)]
        prose = {line for r in survived for line in _lines(r["text"]) if is_prose(line)}
        tails = {line[-60:] for line in out_lines}  # a line whose glued byline was cut keeps its tail
        lost = [line for line in prose if line not in out_lines and line[-60:] not in tails]
        per_outlet[outlet] = {
            "input_documents": len(rows), "kept_documents": len(docs),
            "documents_rejected": {k[1]: v for k, v in rejected.items() if k[0] == outlet},
            "repeated_lines": len(rep),
            "share_with_repeated_line_before": round(before / len(rows), 4) if rows else None,
            "share_with_repeated_line_after": round(after / len(docs), 4) if docs else None,
            "prose_lines": len(prose), "prose_lines_lost_share": round(len(lost) / len(prose), 4) if prose else None,
        }
        for d in docs:
            template_spans += [{"corpus": name, "outlet": outlet, "rule": r["rule"], "text": r["text"]}
                               for r in d["removed"] or [] if str(r["rule"]).startswith("template.")]
    review.mkdir(parents=True, exist_ok=True)
    sample = _sample(template_spans, 100, f"review:{name}")
    target = review / f"{name}-{run}.jsonl"
    with target.open("w", encoding="utf-8") as fh:
        for row in sample:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    totals = {k: sum(v[k] for v in per_outlet.values()) for k in ("input_documents", "kept_documents")}
    weighted = {
        key: round(sum((v[key] or 0) * v[base] for v in per_outlet.values()) / max(1, totals[base]), 4)
        for key, base in (("share_with_repeated_line_before", "input_documents"),
                          ("share_with_repeated_line_after", "kept_documents"))
    }
    prose = sum(v["prose_lines"] for v in per_outlet.values())
    lost = sum((v["prose_lines_lost_share"] or 0) * v["prose_lines"] for v in per_outlet.values())
    return {"all": {**totals, **weighted, "prose_lines": prose,
                    "prose_lines_lost_share": round(lost / prose, 4) if prose else None,
                    "template_spans_removed": len(template_spans),
                    "review_sample": str(target)},
            "by_outlet": per_outlet}
