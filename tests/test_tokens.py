"""Token counts: a build with a tokenizer the test trains itself gives every kept document its `n_tokens`, the
same the tokenizer gives when run directly on the published texts, and the totals per split, outlet, country
and year in stats.json and the card add up to them."""

from __future__ import annotations

import json
import random
from importlib.resources import files

import datasets
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from builder.config import TokensConfig
from builder.errors import BuildError
from builder.tokens import BUNDLED, count_rows, hugging_face, load_counter
from conftest import SENTENCES, article, build, write_jsonl


@pytest.fixture(scope="module")
def tokenizer_file(tmp_path_factory):
    """A small byte-level BPE trained on the test sentences, saved as tokenizer.json."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.train_from_iterator(SENTENCES, trainers.BpeTrainer(vocab_size=400, show_progress=False,
                                                                 initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    path = tmp_path_factory.mktemp("tok") / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def corpus(root, n=12):
    rng = random.Random(3)
    return write_jsonl(root / "in.jsonl", [
        {"url": f"https://{'sabq.org' if i % 2 else 'youm7.com'}/story/{i}", "text": article(rng),
         "published": f"202{i % 3}-03-0{1 + i % 5}T10:00:00"} for i in range(n)])


def test_n_tokens_and_the_totals_equal_the_tokenizer_run_directly(tmp_path, tokenizer_file):
    build(corpus(tmp_path), tmp_path / "out", f"tokens.tokenizer={tokenizer_file}")
    kept = datasets.load_dataset(str(tmp_path / "out"))
    direct = Tokenizer.from_file(str(tokenizer_file))
    total = 0
    for split in kept:
        for row in kept[split]:
            assert row["n_tokens"] == len(direct.encode(row["text"], add_special_tokens=False).ids)
            total += row["n_tokens"]
    tokens = json.loads((tmp_path / "out" / "stats.json").read_text())["tokens"]
    assert total == tokens["total"] > 0
    for key in ("by_split", "by_outlet", "by_country", "by_year"):
        assert sum(tokens[key].values()) == total, key
    assert tokens["by_split"] == {s: sum(kept[s]["n_tokens"]) for s in kept}
    assert set(tokens["by_year"]) <= {"2020", "2021", "2022"} and set(tokens["by_outlet"]) == {"sabq", "youm7"}
    card = (tmp_path / "out" / "README.md").read_text()
    assert "### Tokens" in card and f"{total:,} tokens" in card and "tokenizer.json" in card
    assert str(tokenizer_file.parent) not in card  # the build machine's paths stay there


def test_counting_off_leaves_n_tokens_empty(tmp_path):
    build(corpus(tmp_path, 4), tmp_path / "out", "tokens.tokenizer=null")
    rows = datasets.load_dataset(str(tmp_path / "out"))["train"]
    assert set(rows["n_tokens"]) == {None}
    assert "Not counted" in (tmp_path / "out" / "README.md").read_text()


def test_the_default_counts_offline_as_mistral_common_does():
    """The bundled Tekken, loaded from the installed package, counts as mistral-common's own tokenizer."""
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    counter = load_counter(TokensConfig())
    assert counter is not None and counter.name in BUNDLED
    texts = [article(random.Random(i)) for i in range(5)] + ["Reuters: سعر البرميل 82.5 دولار (+3٪) ⚽", ""]
    package, path, _ = BUNDLED[counter.name]
    tekken = Tekkenizer.from_file(files(package) / path)  # the same file, read by mistral-common itself
    assert counter.count(texts) == [len(tekken.encode(t, bos=False, eos=False)) for t in texts]


def test_a_tokenizer_folder_or_file_and_a_missing_one(tmp_path, tokenizer_file):
    rows = [{"text": SENTENCES[0]}, {"text": ""}]
    count_rows(hugging_face(str(tokenizer_file.parent)), rows)
    assert rows[0]["n_tokens"] > 0 and rows[1]["n_tokens"] == 0
    with pytest.raises(BuildError, match="no tokenizer file"):
        hugging_face(str(tmp_path / "missing.json"))
    with pytest.raises(BuildError, match=r"tokens\.tokenizer"):
        build(corpus(tmp_path, 2), tmp_path / "out", f"tokens.tokenizer={tmp_path / 'no' / 'such' / 'file.json'}")
    assert not (tmp_path / "out" / "data").exists()
