"""`stance-terms`: candidate loaded terms near target mentions in a user's corpus, for a person to review.

For each configured target (the build's `label.targets`, or a YAML list given with --targets), every clause in the
outlet's voice that mentions it (builder/stance/speech.py) gives the words and two- and three-word phrases within
`--window` words of the mention. A phrase is ranked by how much more often it stands near the target than in the
corpus at large (count near x log of that ratio, smoothed); stopwords, numbers and the target's own aliases are
left out, and a phrase already in the lexicon is marked with its list. Each comes with keyword-in-context lines. A
person reads them and copies the real loaded terms (not the merely frequent ones) into
conf/data/stance_lexicon.yaml; nothing here edits a list.

    stance-terms --data corpus/data --text-column text --title-column title --out terms.tsv --format tsv
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from builder.arabic import WORD, match_key, original_index
from builder.errors import BuildError
from builder.lists import read_yaml
from builder.stance.speech import SpeechSplitter
from builder.stance.table import read_table
from builder.stance.targets import Target, Targets, parse_aliases


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="stance-terms", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, type=Path, help=".csv, .parquet, .jsonl, a dataset folder, or a folder "
                                                             "of .parquet shards (a built corpus's data/)")
    p.add_argument("--split", default="train", help="split to read from a dataset folder")
    p.add_argument("--text-column", default="text")
    p.add_argument("--title-column", default=None, help="headline column, read as the headline")
    p.add_argument("--targets", type=Path, help="YAML list of targets (id, ar, en, variants, context, exclude); "
                                                "default: the build config's label.targets")
    p.add_argument("--window", type=int, default=6, help="words either side of a mention")
    p.add_argument("--min-count", type=int, default=3, help="a phrase must stand near the target this often")
    p.add_argument("--top", type=int, default=50, help="phrases per target")
    p.add_argument("--examples", type=int, default=2, help="keyword-in-context lines per phrase")
    p.add_argument("--format", choices=["json", "tsv"], default="json")
    p.add_argument("--out", type=Path, help="file to write (default: stdout)")
    return p.parse_args(argv)


def configured_targets(path: Path | None) -> Targets:
    if path:
        return Targets(read_yaml(str(path.resolve())))
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from builder.config import conf_dir, register

    register()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return Targets(OmegaConf.to_object(compose("config")).label.targets)


def rows_of(path: Path, split: str) -> list[dict[str, Any]]:
    if path.is_dir() and not any(path.glob("*.json")) and (shards := sorted(path.rglob("*.parquet"))):
        return [r for shard in shards for r in read_table(shard)]
    return read_table(path, split)


class TermMiner:
    """Counts phrases near each target's mentions (outlet's voice) and everywhere, with a few contexts each."""

    def __init__(self, targets: Targets, window: int = 6, examples: int = 2):
        self.targets, self.window, self.examples = targets, window, examples
        self.splitter = SpeechSplitter()
        self.stop = frozenset(match_key(w) for w in read_yaml("stopwords_ar.yaml")["stopwords"])
        self.near: dict[str, Counter] = defaultdict(Counter)
        self.docs: dict[str, Counter] = defaultdict(Counter)
        self.kwic: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.everywhere: Counter = Counter()
        self.words = 0

    def phrases(self, tokens: list[str], lo: int, hi: int) -> set[tuple[int, int]]:
        out = set()
        for n in (1, 2, 3):
            for s in range(max(lo, 0), min(hi, len(tokens)) - n + 1):
                gram = tokens[s : s + n]
                if gram[0] not in self.stop and gram[-1] not in self.stop and all(not t.isdigit() and len(t) > 1
                                                                                    for t in gram):
                    out.add((s, s + n))
        return out

    def add(self, title: str | None, text: str) -> None:
        seen: dict[str, set[str]] = defaultdict(set)
        for clause in self.splitter.clauses(title, text):
            words = list(WORD.finditer(match_key(clause.text)))
            tokens = [w.group(0).lower() for w in words]
            self.words += len(tokens)
            self.everywhere.update(" ".join(tokens[s:e]) for s, e in self.phrases(tokens, 0, len(tokens)))
            if not clause.voice:
                continue
            for target in self.targets.targets:
                for m_s, m_e in (mentions := target.spans(tokens, True)):
                    inside = {i for s, e in mentions for i in range(s, e)}
                    for s, e in self.phrases(tokens, m_s - self.window, m_e + self.window):
                        if inside & set(range(s, e)):
                            continue
                        phrase = " ".join(tokens[s:e])
                        self.near[target.id][phrase] += 1
                        seen[target.id].add(phrase)
                        if len(self.kwic[(target.id, phrase)]) < self.examples:
                            lo, hi = words[min(s, m_s)].start(), words[max(e, m_e) - 1].end()
                            self.kwic[(target.id, phrase)].append(" ".join(
                                clause.text[original_index(clause.text, lo) : original_index(clause.text, hi)].split()))
        for target_id, phrases in seen.items():
            self.docs[target_id].update(phrases)

    def ranked(self, target: Target, lexicon: dict[str, set[str]], min_count: int, top: int) -> list[dict]:
        near = self.near[target.id]
        total_near = sum(near.values()) or 1
        total = sum(self.everywhere.values()) or 1
        rows = []
        for phrase, n in near.items():
            if n < min_count:
                continue
            lift = (n / total_near) / ((self.everywhere[phrase] + 1) / total)
            rows.append({"target": target.id, "phrase": phrase, "near": n, "documents": self.docs[target.id][phrase],
                         "everywhere": self.everywhere[phrase], "score": round(n * math.log(max(lift, 1.0)), 2),
                         "in_lexicon": sorted(lexicon.get(phrase, ())),
                         "examples": self.kwic[(target.id, phrase)]})
        rows.sort(key=lambda r: (-r["score"], -r["near"], r["phrase"]))
        return rows[:top]


def lexicon_phrases(lexicon_file: str = "stance_lexicon.yaml") -> dict[str, set[str]]:
    """Phrase (key tokens) -> the lists that hold it ("iran.against.brand", "evaluative.against")."""
    voice = read_yaml(lexicon_file)["voice"]
    lists = {f"{t}.{side}.{kind}": words for t, sides in voice["targets"].items() for side, kinds in sides.items()
             for kind, words in kinds.items()}
    lists |= {f"evaluative.{side}": words for side, words in voice["evaluative"].items()}
    lists["stock"] = voice.get("stock", [])
    out: dict[str, set[str]] = defaultdict(set)
    for name, words in lists.items():
        for alias in parse_aliases(words or []):
            out[" ".join(alias)].add(name)
    return out


def mine(rows: list[dict[str, Any]], text_column: str, title_column: str | None, targets: Targets,
         window: int = 6, min_count: int = 3, top: int = 50, examples: int = 2) -> list[dict]:
    """The ranked candidates of every target, in the targets' order."""
    miner = TermMiner(targets, window, examples)
    for row in rows:
        if text_column not in row:
            raise BuildError(f"no column {text_column!r} (columns: {', '.join(row)})")
        miner.add(str(row.get(title_column) or "") if title_column else None, str(row[text_column] or ""))
    lexicon = lexicon_phrases()
    return [r for t in targets.targets for r in miner.ranked(t, lexicon, min_count, top)]


def tsv(rows: list[dict]) -> str:
    head = ["target", "phrase", "near", "documents", "everywhere", "score", "in_lexicon", "examples"]
    clean = [[str(" | ".join(r[k]) if isinstance(r[k], list) else r[k]).replace("\t", " ").replace("\n", " ")
              for k in head] for r in rows]
    return "\n".join("\t".join(line) for line in [head, *clean]) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        rows = mine(rows_of(args.data, args.split), args.text_column, args.title_column,
                    configured_targets(args.targets), args.window, args.min_count, args.top, args.examples)
    except (BuildError, ValueError, FileNotFoundError) as err:
        print(f"stance-terms: error: {err}", file=sys.stderr)
        sys.exit(2)
    out = tsv(rows) if args.format == "tsv" else json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if args.out:
        args.out.write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)


if __name__ == "__main__":
    main()
