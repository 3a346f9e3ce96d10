"""The card a build writes: metadata the loader and the Hub accept, checked locally, and sections a reviewer reads."""

import re
import subprocess
from importlib.metadata import version

import pytest
import yaml
from datasets.info import DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard

from builder.card import table
from builder.card_validator import card_problems, check_card, size_category
from builder.errors import BuildError
from builder.schema import FEATURES, REJECTED_FEATURES
from conftest import SEED_PAGE, build, cli, compose_config, write_jsonl


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed page plus a page in English and an empty record: kept documents and rejects of two kinds."""
    root = tmp_path_factory.mktemp("card")
    src = root / "in"
    write_jsonl(src / "extra.jsonl", [{"url": "https://sabq.org/e", "text": "Cairo traffic eased on Sunday. " * 20},
                                      {"url": "https://sabq.org/x", "text": "  "}])
    (src / "seed.txt").write_text(SEED_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    out = root / "out"
    stats = build(src, out, "quality.min_words=10")
    return out, stats, (out / "README.md").read_text(encoding="utf-8")


def front_matter(card: str) -> dict:
    return yaml.safe_load(card.split("---\n")[1])


def with_metadata(card: str, **changes) -> str:
    data = {**front_matter(card), **changes}
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" + card.split("---\n", 2)[2]


def test_card_metadata_is_what_the_loader_reads(built):
    _, stats, card = built
    data = DatasetCard(card).data
    configs = MetadataConfigs.from_dataset_card_data(data)
    infos = DatasetInfosDict.from_dataset_card_data(data)
    assert configs.get_default_config_name() == "default"
    assert infos["default"].features == FEATURES and infos["rejected"].features == REJECTED_FEATURES
    assert {s: i.num_examples for s, i in infos["default"].splits.items()} == \
        {s: n for s, n in stats["output"]["splits"].items() if n}
    assert infos["rejected"].splits["train"].num_examples == stats["totals"]["rejected"] == 2
    assert data.language == ["ar"] and data.annotations_creators == ["machine-generated"]
    assert data.license == "other" and data.license_name == "mixed-news-copyright" and data.license_link
    assert data.size_categories == ["n<1K"]
    assert card_problems(card) == []


def test_card_shows_removals_distributions_labels_config_and_versions(built):
    out, _, card = built
    assert "| language | lang_en | 1 | extra.jsonl: Cairo traffic eased on Sunday." in card
    assert "| read | empty | 1 | extra.jsonl: " in card
    assert "### Removed spans per rule" in card and "| disclaimer." in card  # the seed page's disclaimer line
    for heading in ("### Outlets", "### Publication years", "### Length (words)", "### Duplicate clusters"):
        assert heading in card
    assert "| almasalah |" in card and "| 0 | none |" in card and "Not measured on this build" in card
    assert re.search(r"\d+ of \d+ documents \(\d+\.\d%\) got a side", card) and "| genre | documents |" in card
    # the shipped stance figures: the share of gold articles given a side, and the folder-dump layout's figures
    assert re.search(r"It gave a side to \d+ of \d+ gold articles", card)
    assert re.search(r"as a folder dump gives them .*: precision 0\.\d+, recall 0\.\d+", card)
    assert f"datasets {version('datasets')}" in card and f"huggingface_hub {version('huggingface_hub')}" in card
    config = yaml.safe_load(card.split("```yaml\n")[1].split("```")[0])
    assert config["quality"]["min_words"] == 10 and config["output"]["path"] == "."
    assert str(out.parent) not in card and str(out.parent) not in (out / "stats.json").read_text()  # no local paths
    assert "| quality.min_stopwords | 2 |" in card  # thresholds, in the Filters table
    assert config.keys() == compose_config().keys()


@pytest.mark.parametrize(("change", "problem"), [
    ({"language": ["ar", "arabic"]}, "language: 'arabic'"),
    ({"annotations_creators": ["robots"]}, "annotations_creators: 'robots'"),
    ({"multilinguality": ["mono"]}, "multilinguality: 'mono'"),
    ({"task_categories": ["news-writing"]}, "task_categories: 'news-writing'"),
    ({"size_categories": ["1K<n<10K"]}, "does not match"),
    ({"size_categories": ["small"]}, "size_categories: 'small'"),
    ({"license_name": "Mixed News"}, "license_name"),
    ({"license_link": None}, "license_link is missing"),
    ({"license": "Apache 2.0"}, "license: 'Apache 2.0'"),
    ({"pretty_name": ""}, "pretty_name is missing"),
    ({"dataset_info": None}, "has no dataset_info"),
])
def test_validator_names_each_value_the_hub_would_reject(built, change, problem):
    card = with_metadata(built[2], **change)
    problems = card_problems(card)
    assert any(problem in p for p in problems), problems
    with pytest.raises(BuildError, match="card's YAML is invalid"):
        check_card(card)


def test_validator_checks_configs_against_dataset_info(built):
    meta = front_matter(built[2])
    meta["configs"][0]["data_files"].append({"split": "extra", "path": "data/extra-*"})
    assert any("differ from dataset_info splits" in p for p in card_problems(with_metadata(built[2], **meta)))
    assert card_problems("# no front matter\n") == ["the card has no YAML front matter"]


def test_size_categories_follow_the_list_shipped_in_datasets():
    assert [size_category(n) for n in (0, 999, 1_000, 99_999, 100_000, 10**9, 10**13)] == \
        ["n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1B<n<10B", "n>1T"]


@pytest.mark.slow
def test_a_card_the_hub_would_reject_stops_the_build_with_one_line(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(cli(f"input.path={SEED_PAGE}", f"output.path={out}", "quality.min_words=10",
                                "write.license_name=Our Licence"), capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("build-corpus: error: the dataset card's YAML is invalid")
    assert "license_name 'Our Licence'" in result.stderr
    assert not (out / "README.md").exists()


def test_scraped_text_in_a_table_stays_one_inert_cell():
    assert table(["rule", "example"], [["share.prompt", "شارك | <script>x</script>\nتابعنا"]]).splitlines()[-1] == \
        "| share.prompt | شارك \\| &lt;script>x&lt;/script> تابعنا |"
