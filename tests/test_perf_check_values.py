"""Issue 14, checking forms whose 指标值 are not all alike: ``values.normalise`` folds a text character by character
with ``str.translate`` over a table of each character's NFKC form made on first sight, instead of calling
``unicodedata.normalize`` once per character. The result must stay exactly the character-by-character NFKC it was
(not the NFKC of the whole text: `e` + a combining accent stays two characters; `²` stays `²`)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from fcast_desktop.rules import values
from fcast_desktop.rules.values import normalise, parse_value


def _character_by_character(text: str) -> str:
    """``normalise`` as it was written before (for texts without `<`)."""
    t = "".join(ch if ch in "²³" else unicodedata.normalize("NFKC", ch) for ch in text).strip()
    t = t.replace("＞", ">").replace("＜", "<").replace("％", "%")
    return re.sub(r"\s+", "", t)


_TEXT = st.text(alphabet=st.characters(blacklist_characters="<", blacklist_categories=("Cs",)), max_size=30)


@given(_TEXT)
def test_normalise_is_nfkc_character_by_character(text):
    assert normalise(text) == _character_by_character(text)


@given(st.lists(st.sampled_from(["≥", "９５", "％", "e\u0301", "\u1100\u1161", "m²", "ﬁ", "１，２３４", " 个", "㎡",
                                 "\u3000", "³"]), max_size=8))
def test_normalise_of_composing_and_full_width_pieces(pieces):
    text = "".join(pieces)
    assert normalise(text) == _character_by_character(text)


def test_the_table_of_folded_characters_stays_bounded(monkeypatch):
    table = values._FoldedCharacters()
    monkeypatch.setattr(values, "_FOLDED", table)
    text = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 70000))
    assert normalise(text) == _character_by_character(text)
    assert len(table) <= 65536


def test_values_read_as_before():
    assert parse_value("≥ ９５ ％").number == 95 and parse_value("≥ ９５ ％").unit == "%"
    assert parse_value("≤500m <sup>2</sup>").unit == "m²"
    assert parse_value("不少于５个").op == ">="
