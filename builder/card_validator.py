"""Check a dataset card's YAML locally, against the allowed values that `datasets` ships.

The Hub validates card metadata only on upload, and a card the Hub rejects fails the publish after the data
is built. This runs the same kind of checks at the end of every build: the closed vocabularies (languages,
creators, multilinguality, size categories, task categories) come from the installed `datasets`, and
`configs` / `dataset_info` are parsed with the loader's own classes, so what passes here is what
`load_dataset` reads.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files

from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs, known_task_ids
from huggingface_hub import DatasetCard, DatasetCardData

from builder.errors import BuildError

ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")  # Hub ids of licences and sub-tasks: lowercase, digits, dot, dash


class CardError(BuildError):
    """The card's metadata would be rejected by the Hub or misread by the loader."""


@cache
def resource(name: str):
    """A JSON list or mapping from `datasets/utils/resources/`."""
    return json.loads(files("datasets.utils.resources").joinpath(name).read_text(encoding="utf-8"))


def allowed() -> dict[str, set[str]]:
    """The closed vocabularies the Hub checks, as shipped in `datasets`."""
    return {
        "language": set(resource("languages.json")),
        "language_creators": set(resource("creators.json")["language"]),
        "annotations_creators": set(resource("creators.json")["annotations"]),
        "multilinguality": set(resource("multilingualities.json")),
        "size_categories": set(resource("size_categories.json")),
        "task_categories": set(known_task_ids),
    }


UNITS = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


def upper_bound(label: str) -> float:
    """'1K<n<10K' -> 10_000; 'n>1T' -> infinity; 'unknown' -> never chosen."""
    match = re.fullmatch(r"(?:\d+[KMBT]<)?n<(\d+)([KMBT])", label)
    if match:
        return int(match.group(1)) * UNITS[match.group(2)]
    return float("inf") if label.startswith("n>") else float("-inf")


def size_category(n: int) -> str:
    """The Hub's size bucket for n examples, read off the ordered list `datasets` ships."""
    return next(label for label in resource("size_categories.json") if n < upper_bound(label))


def as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def vocabulary_problems(data: DatasetCardData) -> list[str]:
    problems = []
    for key, values in allowed().items():
        problems += [f"{key}: {v!r} is not an allowed value" for v in as_list(data.get(key)) if v not in values]
    problems += [f"task_ids: {v!r} is not a lowercase id" for v in as_list(data.get("task_ids"))
                 if not ID.match(str(v))]
    return problems


def licence_problems(data: DatasetCardData) -> list[str]:
    licence = data.get("license")
    if not licence:
        return ["license is missing"]
    problems = [f"license: {v!r} is not a lowercase licence id" for v in as_list(licence) if not ID.match(str(v))]
    if "other" in as_list(licence):
        name, link = data.get("license_name"), data.get("license_link")
        if not (isinstance(name, str) and ID.match(name)):
            problems.append(f"license is 'other' but license_name {name!r} is not a lowercase id like my-license-1.0")
        if not (isinstance(link, str) and link.strip()):
            problems.append("license is 'other' but license_link is missing (a URL or a file in the repo)")
    return problems


def config_problems(data: DatasetCardData) -> list[str]:
    """`configs` and `dataset_info` as the loader reads them, and consistent with each other."""
    try:
        configs = MetadataConfigs.from_dataset_card_data(data)
        configs.get_default_config_name()  # raises when several configs claim to be the default
        infos = DatasetInfosDict.from_dataset_card_data(data)
    except (ValueError, TypeError, KeyError) as err:
        return [f"configs/dataset_info: {err}"]
    problems = []
    for name, config in configs.items():
        info = infos.get(name)
        if info is None or info.features is None or not info.splits:
            problems.append(f"config {name!r} has no dataset_info with features and splits")
            continue
        data_files = config.get("data_files")
        splits = {f["split"] for f in data_files} if isinstance(data_files, list) and \
            all(isinstance(f, dict) for f in data_files) else {"train"}
        if splits != set(info.splits):
            problems.append(f"config {name!r}: data_files splits {sorted(splits)} differ from dataset_info "
                            f"splits {sorted(info.splits)}")
    problems += [f"dataset_info for {name!r} matches no config" for name in infos if configs and name not in configs]
    if "default" in infos and infos["default"].splits:  # the corpus proper, whose size the category states
        n = sum(s.num_examples for s in infos["default"].splits.values())
        if as_list(data.get("size_categories")) != [size_category(n)]:
            problems.append(f"size_categories {data.get('size_categories')} does not match {n} examples "
                            f"(expected {size_category(n)!r})")
    return problems


def card_problems(text: str) -> list[str]:
    """Everything wrong with a README.md's metadata, one line each; an empty list means it is valid."""
    if not text.startswith("---\n"):
        return ["the card has no YAML front matter"]
    try:
        data = DatasetCard(text).data
    except ValueError as err:
        return [f"the YAML front matter does not parse: {err}"]
    problems = vocabulary_problems(data) + licence_problems(data) + config_problems(data)
    if not (isinstance(data.get("pretty_name"), str) and data.get("pretty_name").strip()):
        problems.append("pretty_name is missing")
    return problems


def check_card(text: str) -> None:
    """Raise a CardError naming every problem, so the build stops with one clear line."""
    problems = card_problems(text)
    if problems:
        raise CardError("the dataset card's YAML is invalid: " + "; ".join(problems))
