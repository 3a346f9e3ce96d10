"""Token counts: the `n_tokens` column, counted in the finalize phase over the kept rows only, and the totals per
split, outlet, country and year that stats.json and the card report.

Counted in finalize, not as a per-document stage: the template phase cuts lines after the document stages (a count
taken there would be of a text that is no longer the published one), and dedup drops a share of the documents
first, so only what is published is tokenised.

`tokens.tokenizer` names the tokenizer:
- `mistral-common:tekken_240911` (the default): Mistral's Tekken, a byte-level BPE trained on more than 100
  languages, whose vocabulary ships inside the `mistral-common` package (Apache-2.0), so a fresh machine counts
  offline. It is counted with `tiktoken`, the engine the vocabulary was made for: the same counts as the same
  vocabulary converted for `tokenizers` (checked on 3,000 egypt_news articles: 1,020,665 tokens both ways) in a
  third of the time, since `tokenizers`' regex pre-tokenizer is slow on Arabic script.
- a `tokenizer.json` path, or a folder holding one: `tokenizers.Tokenizer.from_file`.
- any other name: a Hugging Face hub tokenizer, `tokenizers.Tokenizer.from_pretrained` (needs the network once).
- null: no counting; `n_tokens` stays empty.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from builder.cache import built_for
from builder.config import TokensConfig
from builder.errors import BuildError
from builder.files import Layout, write_json
from builder.site import UNKNOWN_OUTLET

# name -> (package, file in it, what the card says of it)
BUNDLED = {
    "mistral-common:tekken_240911": (
        "mistral_common", "data/tekken_240911.json",
        "Mistral's Tekken (v3, 2024-09-11; 131,072 ids of which 130,072 are text tokens), a byte-level BPE trained "
        "on more than 100 languages and shipped in the `mistral-common` package (Apache-2.0): 1.84 tokens a word "
        "on 3,000 Arabic news articles (egypt_news_2013), and it needs no download"),
}
HUB_NAME = re.compile(r"^[\w.-]+(/[\w.-]+)?$")


@dataclass(frozen=True)
class Counter:
    """A loaded tokenizer: its name and a function from texts to token counts."""

    name: str
    count: Callable[[list[str]], list[int]]


def kind_of(name: str) -> str:
    """What `tokens.tokenizer` names: "bundled", "file" (a path that exists, or one ending in .json), "hub" (an
    org/name) or "unknown"."""
    if name in BUNDLED:
        return "bundled"
    path = Path(name).expanduser()
    if path.exists() or path.suffix == ".json":
        return "file"
    return "hub" if HUB_NAME.match(name) else "unknown"


def describe(name: str | None) -> str:
    """What the card says of the tokenizer, without loading it (the writer never does)."""
    if not name:
        return "none: token counting is off (`tokens.tokenizer=null`), so `n_tokens` is empty"
    kind = kind_of(name)
    if kind == "bundled":
        return BUNDLED[name][2]
    if kind == "file":
        return f"`{Path(name).expanduser().name}`, a tokenizer file given by the builder's user"
    return f"the Hugging Face hub tokenizer `{name}`"


def tekken(name: str) -> Counter:
    import tiktoken

    package, path, _ = BUNDLED[name]
    try:
        data = json.loads((files(package) / path).read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise BuildError(f"tokens.tokenizer={name} needs the {package} package (pip install mistral-common), or set "
                         f"tokens.tokenizer to a tokenizer.json path or a hub name: {err}") from None
    config = data["config"]
    size = config["default_vocab_size"] - config["default_num_special_tokens"]  # as mistral-common truncates it
    ranks = {base64.b64decode(v["token_bytes"]): v["rank"] for v in data["vocab"][:size]}
    encoding = tiktoken.Encoding(name, pat_str=config["pattern"], mergeable_ranks=ranks, special_tokens={})
    # one thread: the build's workers already use the cores
    return Counter(name, lambda texts: [len(t) for t in encoding.encode_ordinary_batch(texts, num_threads=1)])


def hugging_face(name: str) -> Counter:
    from tokenizers import Tokenizer

    kind = kind_of(name)
    if kind == "file":
        path = Path(name).expanduser()
        path = path / "tokenizer.json" if path.is_dir() else path
        if not path.is_file():
            raise BuildError(f"tokens.tokenizer: no tokenizer file at {path}")
        tokenizer = Tokenizer.from_file(str(path))
    elif kind == "hub":
        try:
            tokenizer = Tokenizer.from_pretrained(name)
        except Exception as err:  # the hub client's errors are many: offline, unknown repo, gated
            raise BuildError(f"tokens.tokenizer={name}: cannot load it from the Hugging Face hub ({err}); give a "
                             "tokenizer.json path, or null to count no tokens") from None
    else:
        raise BuildError(f"tokens.tokenizer={name}: neither a tokenizer.json path nor a hub name")

    def count(texts: list[str]) -> list[int]:
        return [len(e.ids) for e in tokenizer.encode_batch(texts, add_special_tokens=False)]

    return Counter(name, count)


def load_counter(cfg: TokensConfig) -> Counter | None:
    """The configured tokenizer, or None when counting is off. Built once per process (builder.cache)."""
    if not cfg.tokenizer:
        return None
    return tekken(cfg.tokenizer) if kind_of(cfg.tokenizer) == "bundled" else hugging_face(cfg.tokenizer)


def check_tokenizer(cfg: TokensConfig) -> None:
    """Before any work: a missing file or package fails now, not after the documents phase (a hub name is only
    loaded where it is counted)."""
    name = cfg.tokenizer
    if not name:
        return
    kind = kind_of(name)
    if kind == "bundled" and find_spec(BUNDLED[name][0]) is None:
        raise BuildError(f"tokens.tokenizer={name} needs the {BUNDLED[name][0]} package (pip install "
                         "mistral-common), or set tokens.tokenizer to a tokenizer.json path, a hub name or null")
    if kind == "unknown" or (kind == "file" and not Path(name).expanduser().exists()):
        raise BuildError(f"tokens.tokenizer={name}: no such file, and not a hub name")


def counter_for(cfg: TokensConfig) -> Counter | None:
    """The configured tokenizer, loaded once per process (builder.cache)."""
    return built_for(cfg, load_counter)


def warm_counter(cfg: TokensConfig) -> None:
    """Load a local tokenizer (bundled or a file) before the workers fork, so that they inherit it: loading Tekken
    costs about 0.8 CPU-s (its 19 MB JSON, the ranks, the encoder), once per process that counts. A hub name is
    left to the first count, as `check_tokenizer` leaves it (it may need the network)."""
    if cfg.tokenizer and kind_of(cfg.tokenizer) in ("bundled", "file"):
        counter_for(cfg)


def count_rows(counter: Counter | None, rows: list[dict]) -> None:
    """Set each row's `n_tokens` (None when counting is off), the texts encoded as one batch."""
    counts = counter.count([r["text"] or "" for r in rows]) if counter and rows else [None] * len(rows)
    for row, n in zip(rows, counts, strict=True):
        row["n_tokens"] = n


def count_kept(cfg: TokensConfig, rows: list[dict], layout: Layout, shard: int) -> None:
    """The finalize step: `n_tokens` of the shard's kept rows, and the seconds it took (loading included)."""
    started, cpu = time.perf_counter(), time.process_time()
    count_rows(counter_for(cfg), rows)
    write_json({"seconds": round(time.perf_counter() - started, 3), "cpu_seconds": round(time.process_time() - cpu, 3)},
               layout.stats("tokens", shard))


def seconds(layout: Layout) -> dict[str, float]:
    """Wall and CPU seconds of the counting over every shard (a shared machine inflates the first, not the second)."""
    spent = [json.loads(p.read_text()) for p in layout.stats_files("tokens")]
    return {key: round(sum(s[key] for s in spent), 3) for key in ("seconds", "cpu_seconds")}


# --- totals ------------------------------------------------------------------------------------------------

TOTAL_COLUMNS = ["split", "outlet", "outlet_country", "published", "n_tokens"]


def totals(tables: Iterable[pa.Table], name: str | None, spent: dict[str, float]) -> dict[str, Any]:
    """stats.json's `tokens`: the total, and per split, outlet, country (`outlet_country`) and year."""
    sums: dict[str, dict[str, int]] = {"by_split": {}, "by_outlet": {}, "by_country": {}, "by_year": {}}
    total = 0
    for t in tables:
        if not t.num_rows:
            continue
        t = pa.table({"split": t["split"], "outlet": t["outlet"].fill_null(UNKNOWN_OUTLET),
                      "country": t["outlet_country"].fill_null("unknown"),
                      "year": pc.year(t["published"]).cast(pa.string()).fill_null("unknown"),
                      "n": t["n_tokens"].fill_null(0).cast(pa.int64())})
        total += pc.sum(t["n"]).as_py() or 0
        for key, column in (("by_split", "split"), ("by_outlet", "outlet"), ("by_country", "country"),
                            ("by_year", "year")):
            for r in t.group_by(column, use_threads=False).aggregate([("n", "sum")]).to_pylist():
                sums[key][r[column]] = sums[key].get(r[column], 0) + r["n_sum"]
    ordered = {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in sums.items()}
    ordered["by_year"] = dict(sorted(sums["by_year"].items()))
    local = name and kind_of(name) == "file"
    return {"tokenizer": Path(name).name if local else name,  # a path on the build machine stays there
            "about": describe(name), "total": total, **ordered, **spent}
