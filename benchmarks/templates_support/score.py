"""Scores a build's output against the generated gold, page by page (a page is a URL; a page the segmenter split
into several documents is their texts concatenated in page order).

Definitions (all text first normalised by `norm`: NFKC, no tatweel, no zero-width or bidi controls, whitespace
collapsed):
- body_char_f1: F1 of the character multisets (whitespace ignored) of the output text against the gold body
  paragraphs; the mean over pages.
- furniture_recall: share of gold furniture lines absent from the output. A glued fragment is present when it is a
  substring of the page's output; a line when an output line equals it, or (2+ words) an output line starts or
  ends with it, or (4+ words) it occurs in the output on word boundaries. Pooled over the site's pages.
- body_line_precision: share of output lines that are gold body lines: equal to a gold paragraph or (4+ words)
  contained in one on word boundaries. Pooled over output lines.
- fields: title equal after `norm_field` (also strips diacritics and edge punctuation); published: the date part
  equals the date the page prints, or its UTC date when the page gives an offset; byline: the name equals the
  gold name once a leading كتب/كتبت/بقلم/نشر من طرف/By/... and punctuation are stripped; dateline: the part before
  the first comma equals the gold city; credit: equal to one of the agency's accepted names once spaces, dots,
  brackets and a leading "وكالة" are dropped and case is folded (a build may
  store an agency's id, e.g. `afp`). A page with no gold value is right when the output has none.
- A page with no kept document (rejected, or missing from both data/ and rejected/) is a failure in every
  measure: body F1 0, its furniture counted as left, every field wrong. Its rejection reason is counted.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from .page import Furniture, Gold

INVISIBLE = re.compile(r"[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
DIACRITICS = re.compile(r"[\u064b-\u0652\u0670]")
EDGE_PUNCT = " \t:：،,.;؛-–—_«»\"'()[]{}|/\\"
BYLINE_PREFIX = re.compile(r"^(?:كتب(?:ت|ه|ها)?|بقلم|نشر من طرف|إعداد|تقرير|حوار|تحرير|الكاتب|المحرر|by)\s*[:\-–]?\s*",
                           re.IGNORECASE)
FIELDS = ("title", "published", "byline", "dateline", "credit")


def norm(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).split())


def norm_field(text: str | None) -> str:
    return DIACRITICS.sub("", norm(text)).strip(EDGE_PUNCT)


def norm_name(text: str | None) -> str:
    value = norm_field(text)
    value = BYLINE_PREFIX.sub("", value).strip(EDGE_PUNCT)
    return " ".join(value.replace("-", " ").split())


def norm_credit(text: str | None) -> str:
    value = re.sub(r"[\s.()\[\]/«»\"'\-–—_:]", "", norm_field(text)).casefold()
    return value.removeprefix("وكالة")


def char_f1(output: str, gold: str) -> float:
    out = Counter(c for c in output if not c.isspace())
    ref = Counter(c for c in gold if not c.isspace())
    inter = sum((out & ref).values())
    if not inter:
        return 0.0
    p, r = inter / sum(out.values()), inter / sum(ref.values())
    return 2 * p * r / (p + r)


def furniture_present(item: Furniture, lines: list[str], flat: str) -> bool:
    f = norm(item.text)
    if not f:
        return False
    if item.glued:
        return f in flat
    words = len(f.split())
    if f in lines:
        return True
    if words >= 2 and any(line.startswith(f + " ") or line.endswith(" " + f) for line in lines):
        return True
    return words >= 4 and f" {f} " in f" {flat} "


def is_body_line(line: str, paras: list[str]) -> bool:
    if line in paras:
        return True
    return len(line.split()) >= 4 and any(f" {line} " in f" {p} " for p in paras)


@dataclass
class PageScore:
    site: str
    fmt: str
    kept: bool
    body_f1: float
    furniture: list[tuple[str, bool]]  # (kind, still present)
    out_lines: int
    body_lines: int
    fields: dict[str, bool]
    gold_has: dict[str, bool]
    drop_reason: str | None = None
    detail: dict = field(default_factory=dict)


def _date_part(value) -> str | None:
    if value is None:
        return None
    return str(value)[:10]


def score_page(gold: Gold, docs: list[dict], drop_reason: str | None) -> PageScore:
    gold_has = {"title": True, "published": gold.published is not None, "byline": gold.byline is not None,
                "dateline": gold.dateline is not None, "credit": gold.credit is not None}
    if not docs:
        return PageScore(gold.site, gold.fmt, False, 0.0, [(f.kind, True) for f in gold.furniture], 0, 0,
                         dict.fromkeys(FIELDS, False), gold_has, drop_reason or "missing")
    text = "\n".join(d["text"] or "" for d in docs)
    lines = [n for n in (norm(x) for x in text.split("\n")) if n]
    flat = " ".join(lines)
    paras = [norm(p) for p in gold.body]
    furniture = [(f.kind, furniture_present(f, lines, flat)) for f in gold.furniture]
    body_lines = sum(is_body_line(line, paras) for line in lines)

    def first(column: str):
        return next((d[column] for d in docs if d.get(column) not in (None, "")), None)

    title, published, byline = first("title"), _date_part(first("published")), first("byline")
    dateline, credit = first("dateline"), first("credit")
    fields = {
        "title": norm_field(title) == norm_field(gold.title),
        "published": published in {gold.published, gold.published_utc} - {None} if gold.published
        else published is None,
        "byline": norm_name(byline) == norm_name(gold.byline[0]) if gold.byline else not norm_name(byline),
        "dateline": (norm_field(re.split(r"[،,]", dateline)[0]) == norm_field(gold.dateline) if dateline else False)
        if gold.dateline else not dateline,
        "credit": norm_credit(credit) in {norm_credit(a) for a in gold.credit} if gold.credit else not credit,
    }
    detail = {"title": title, "published": published, "byline": byline, "dateline": dateline, "credit": credit}
    return PageScore(gold.site, gold.fmt, True, char_f1(flat, " ".join(paras)), furniture, len(lines), body_lines,
                     fields, gold_has, None, detail)


def read_build(out: Path, key: str = "url") -> tuple[dict[str, list[dict]], dict[str, str]]:
    """Kept documents by `key` (the URL, or the input file for a page written as its own file), and the rejection
    reason of every rejected key."""
    kept: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((out / "data").glob("*.parquet")):
        cols = [c for c in ("id", "url", "source_file", "title", "text", "published", "byline", "dateline", "credit",
                            "removed") if c in pq.read_schema(path).names]
        for row in pq.read_table(path, columns=cols).to_pylist():
            kept[row[key]].append(row)
    rejected: dict[str, str] = {}
    for path in sorted((out / "rejected").glob("*.parquet")):
        for row in pq.read_table(path, columns=[key, "stage", "reason"]).to_pylist():
            rejected.setdefault(row[key], f"{row['stage']}.{row['reason']}")
    return kept, rejected


def order_docs(docs: list[dict], raw: str) -> list[dict]:
    """A split page's documents in the order their first line appears in the page (unknown ones last)."""
    raw_n = norm(raw)

    def position(doc: dict) -> tuple[int, str]:
        head = next((norm(x) for x in (doc["text"] or "").split("\n") if norm(x)), "")[:40]
        at = raw_n.find(head) if head else -1
        return (at if at >= 0 else len(raw_n), doc.get("id") or "")

    return sorted(docs, key=position)


def aggregate(scores: list[PageScore]) -> dict:
    """The figures of a group of pages (a site, a format, a size)."""
    n = len(scores)
    if not n:
        return {}
    furn = [present for s in scores for _, present in s.furniture]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for s in scores:
        for kind, present in s.furniture:
            by_kind[kind].append(present)
    out_lines = sum(s.out_lines for s in scores)
    fields = {}
    for name in FIELDS:
        with_value = [s.fields[name] for s in scores if s.gold_has[name]]
        without = [s.fields[name] for s in scores if not s.gold_has[name]]
        fields[name] = {
            "accuracy": round(sum(s.fields[name] for s in scores) / n, 4),
            "accuracy_where_gold_has_value": round(sum(with_value) / len(with_value), 4) if with_value else None,
            "pages_with_value": len(with_value),
            "empty_right_where_gold_empty": round(sum(without) / len(without), 4) if without else None,
        }
    dropped = Counter(s.drop_reason for s in scores if not s.kept)
    return {
        "pages": n,
        "pages_dropped": sum(dropped.values()),
        "drop_reasons": dict(dropped),
        "body_char_f1": round(sum(s.body_f1 for s in scores) / n, 4),
        "furniture_lines": len(furn),
        "furniture_recall": round(1 - sum(furn) / len(furn), 4) if furn else None,
        "pages_with_all_furniture_removed": round(sum(not any(p for _, p in s.furniture) for s in scores) / n, 4),
        "body_line_precision": round(sum(s.body_lines for s in scores) / out_lines, 4) if out_lines else None,
        "fields": fields,
        "furniture_recall_by_kind": {k: round(1 - sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
    }


def score_build(out: Path, pages: list[tuple[dict, Gold]], files: list[str] | None = None) -> tuple[dict, list[dict]]:
    """Per-site, per-format and overall figures; and one detail row per page (for the work folder only). `files`:
    the input file of each page, when the pages were written one per file without their URL."""
    kept, rejected = read_build(out, "source_file" if files else "url")
    scores, rows = [], []
    for i, (record, gold) in enumerate(pages):
        raw = record.get("text") or record.get("html") or ""
        key = files[i] if files else gold.url
        docs = order_docs(kept.get(key, []), raw)
        s = score_page(gold, docs, rejected.get(key))
        scores.append(s)
        rows.append({"url": gold.url, "file": key, "site": gold.site, "kept": s.kept, "docs": len(docs),
                     "drop": s.drop_reason,
                     "body_f1": round(s.body_f1, 4), "fields": s.fields, "output_fields": s.detail,
                     "furniture_left": [f.text for f, (_, p) in zip(gold.furniture, s.furniture, strict=True) if p],
                     "removed_rules": sorted({r["rule"] for d in docs for r in (d.get("removed") or [])})})
    by_site: dict[str, list[PageScore]] = defaultdict(list)
    by_fmt: dict[str, list[PageScore]] = defaultdict(list)
    for s in scores:
        by_site[s.site].append(s)
        by_fmt[s.fmt].append(s)
    report = {"all": aggregate(scores), "by_format": {k: aggregate(v) for k, v in sorted(by_fmt.items())},
              "by_site": {k: aggregate(v) for k, v in sorted(by_site.items())}}
    return report, rows
