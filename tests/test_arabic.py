"""The match key: its fast forms give what `str.translate` gives, and a key position maps back to the text."""

import random

import pytest

from builder.arabic import KEY_TABLE, Translation, deleted_positions, match_key, original_index

# letters, the alef forms and ة the key replaces, harakat and tatweel it deletes, both kinds of digits, a direction
# mark, Latin and spaces
ALPHABET = "كتبمحمدعلي" + "آأإىةک" + "\u064b\u064e\u0650\u0651\u0640" + "٠١٢٣٤٥6789" + "\u200f" + "ab " + "\n"


def texts(n: int, length: int) -> list[str]:
    rng = random.Random(length)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, length))) for _ in range(n)]


@pytest.mark.parametrize("length", [20, 600])  # below and above the length at which the key goes through numpy
def test_match_key_is_the_table_translation(length):
    for text in texts(200, length):
        assert match_key(text) == text.translate(KEY_TABLE)


def test_a_translation_takes_single_characters_only():
    with pytest.raises(ValueError):
        Translation({ord("ا"): "اا"})


def test_each_key_position_maps_back_to_its_character():
    for text in texts(300, 60):
        key = match_key(text)
        dropped = set(deleted_positions(text))
        for k, ch in enumerate(key):
            i = original_index(text, k)
            assert i not in dropped and text[i].translate(KEY_TABLE) == ch
            assert len([j for j in range(i) if j not in dropped]) == k  # the k-th character kept
        assert original_index(text, len(key)) == len(text)


def test_deleted_positions_are_what_the_key_drops():
    text = "كَتَبَ مـحمد"
    assert [text[i] for i in deleted_positions(text)] == ["\u064e", "\u064e", "\u064e", "\u0640"]
    assert match_key(text) == "كتب محمد"
