"""The dataset card: YAML metadata made with the `datasets` library's own helpers, the human-written part
(`dataset_card.md`), then sections computed from this build's stats."""

from __future__ import annotations

from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pyarrow.parquet as pq
from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData

from builder.config import PACKAGE_DIR
from builder.schema import FEATURES, REJECTED_FEATURES, STANCE_LABELS

SIZE_CATEGORIES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M")]


def size_category(n: int) -> str:
    return next((label for bound, label in SIZE_CATEGORIES if n < bound), "n>1T")


def human_card(card_file: str | None) -> str:
    if card_file:
        return Path(card_file).read_text(encoding="utf-8")
    for candidate in (PACKAGE_DIR / "dataset_card.md", PACKAGE_DIR.parent / "dataset_card.md"):
        if candidate.exists():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError("dataset_card.md is missing from the package")


def dataset_info(features, files_by_split: dict[str, list[Path]]) -> DatasetInfo:
    splits = SplitDict()
    total = 0
    for split, files in files_by_split.items():
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        size = sum(pq.ParquetFile(f).metadata.row_group(i).total_byte_size
                   for f in files for i in range(pq.ParquetFile(f).metadata.num_row_groups))
        splits.add(SplitInfo(name=split, num_bytes=size, num_examples=rows))
        total += size
    download = sum(f.stat().st_size for files in files_by_split.values() for f in files)
    return DatasetInfo(features=features, splits=splits, dataset_size=total, download_size=download)


def card_metadata(cfg: dict, split_files: dict[str, list[Path]], rejected: list[Path], stats: dict) -> DatasetCardData:
    w = cfg["write"]
    kept = stats["totals"]["kept"]
    data = DatasetCardData(
        language=["ar"],
        license=w["license"],
        license_name=w["license_name"] if w["license"] == "other" else None,
        license_link=w["license_link"] if w["license"] == "other" else None,
        pretty_name=w["pretty_name"],
        task_categories=["text-generation", "text-classification"],
        task_ids=["language-modeling"],
        size_categories=[size_category(kept)],
        annotations_creators=["machine-generated"],
        language_creators=["found"],
        multilinguality=["monolingual"],
        source_datasets=["original"],
        tags=["news", "arabic", "deduplicated"],
    )
    # The description reaches the loader's cache key, so a rebuilt folder never loads a stale cached copy.
    description = f"build {stats['fingerprint']}"
    split_files = {s: files for s, files in split_files.items() if files}
    configs, infos = {}, {}
    if split_files:
        configs["default"] = {"default": True, "description": description,
                              "data_files": [{"split": s, "path": f"data/{s}-*"} for s in split_files]}
        infos["default"] = dataset_info(FEATURES, split_files)
    if rejected:
        configs["rejected"] = {"description": description,
                               "data_files": [{"split": "train", "path": "rejected/train-*"}]}
        infos["rejected"] = dataset_info(REJECTED_FEATURES, {"train": rejected})
    MetadataConfigs(configs).to_dataset_card_data(data)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return data


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def computed_sections(cfg: dict, split_files: dict[str, list[Path]], rejected: list[Path], stats: dict) -> str:
    rows = [r for files in split_files.values() for f in files for r in pq.read_table(
        f, columns=["outlet", "published", "n_words", "dup_count", "stance", "removed"]).to_pylist()]
    out = ["## This build", "",
           f"{stats['totals']['entered']} documents entered, {stats['totals']['kept']} kept, "
           f"{stats['totals']['rejected']} rejected (config `rejected`, one row per document with stage and reason).",
           "", table(["split", "documents"], [[s, n] for s, n in stats["output"]["splits"].items()]), "",
           "### Documents per stage", "",
           table(["stage", "in", "added", "out", "dropped"],
                 [[s["stage"], s["in"], s["added"], s["out"],
                   ", ".join(f"{k}: {v}" for k, v in s["dropped"].items()) or "-"] for s in stats["stages"]]), ""]
    removed = Counter(r["rule"] for row in rows for r in row["removed"])
    example = {}
    for row in rows:
        for r in row["removed"]:
            example.setdefault(r["rule"], r["text"][:80])
    out += ["### Removed spans per rule (kept documents)", "",
            table(["rule", "spans", "example"], [[k, v, example[k]] for k, v in removed.most_common()]), ""]
    outlets = Counter(r["outlet"] for r in rows)
    out += ["### Outlets", "", table(["outlet", "documents"], outlets.most_common()), ""]
    years = Counter(r["published"].year if r["published"] else "unknown" for r in rows)
    out += ["### Publication years", "", table(["year", "documents"], sorted(years.items(), key=str)), ""]
    words = sorted(r["n_words"] for r in rows)
    if words:
        out += ["### Length (words)", "", table(["min", "median", "max"], [[words[0], words[len(words) // 2],
                                                                              words[-1]]]), ""]
    clusters = Counter(r["dup_count"] for r in rows)
    out += ["### Duplicate clusters", "", "Documents kept, by how many copies their story had in the input:", "",
            table(["copies", "documents"], sorted(clusters.items())), "",
            f"MinHash: {stats['dedup']['minhash']}.", ""]
    stance = Counter(STANCE_LABELS[r["stance"]] for r in rows)
    out += ["### Labels", "",
            "`outlet`: publisher from the outlet registry (`outlet_evidence` says how: url, input, page, dateline,"
            " credit, or none). `stance`: lexicon labeler, favor/against/none toward the target in "
            "`stance_target`; a first, explainable labeler whose quality has not been measured yet.", "",
            table(["stance", "documents"], stance.most_common()), ""]
    q = cfg["quality"]
    out += ["### Filters", "", table(["setting", "value"], [[f"language.{k}", v] for k, v in cfg["language"].items()
                                                             if not k.startswith("_")]
                                     + [[f"quality.{k}", v] for k, v in q.items() if not k.startswith("_")]), ""]
    versions = {p: version(p) for p in ("datasets", "pyarrow", "langdetect", "datasketch", "hydra-core", "trafilatura")}
    out += ["### Reproducibility", "", "Package versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()), "",
            f"Build fingerprint (hash of the data files): `{stats['fingerprint']}`", ""]
    return "\n".join(out)


def write_card(cfg: dict, folder: Path, split_files: dict[str, list[Path]], rejected: list[Path], stats: dict) -> None:
    metadata = card_metadata(cfg, split_files, rejected, stats)
    text = "---\n" + metadata.to_yaml() + "\n---\n\n" + human_card(cfg["write"]["card_file"]).strip() + "\n\n" + \
        computed_sections(cfg, split_files, rejected, stats) + "\n"
    (folder / "README.md").write_text(text, encoding="utf-8")
