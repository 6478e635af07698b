"""Every message has a Swedish translation with the same placeholders; dates read the Swedish way."""

from __future__ import annotations

import datetime as dtm
import re
import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from dialogs.i18n import Translator

ROOT = Path(__file__).resolve().parents[2]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_is_translated_to_swedish() -> None:
    with open(ROOT / "dialogs/locale/sv/LC_MESSAGES/messages.po", "rb") as po:
        # a plural entry's id is (singular, plural) and its string one text per plural form; a message in a
        # context (`p_`) is its own entry
        catalog = {
            (m.context, m.id if isinstance(m.id, str) else m.id[0]): (
                m.string if isinstance(m.string, tuple) else (m.string,)
            )
            for m in read_po(po)
            if m.id
        }
    keywords = {"_": None, "n_": (1, 2), "p_": ((1, "c"), 2)}
    used = {
        (context, message if isinstance(message, str) else message[0])
        for _, _, message, _, context in extract_from_dir(ROOT / "dialogs", keywords=keywords)
    }
    assert used, "no messages found: the extraction itself is broken"
    assert any(context for context, _ in used), "no message in a context found: p_ is not extracted"
    missing = sorted(m for m in used if not all(catalog.get(m, ("",))))
    assert missing == []
    for key in used:
        for form in catalog[key]:
            assert isinstance(form, str), key
            assert _placeholders(form) - {"count"} == _placeholders(key[1]) - {"count"}, key


def test_swedish_dates_and_times() -> None:
    instant = dtm.datetime(2025, 9, 18, 7, 0, tzinfo=dtm.UTC)  # 09.00 in Stockholm (summer time)
    assert Translator("sv").when(instant) == "torsdag 18 september kl. 09.00"
    assert Translator("en").when(instant) == "Thursday 18 September at 09:00"
    winter = dtm.datetime(2026, 2, 11, 8, 0, tzinfo=dtm.UTC)
    assert Translator("sv").when(winter) == "onsdag 11 februari kl. 09.00"


def test_unknown_language_falls_back_to_swedish() -> None:
    assert Translator("fi")._("Yes") == "Ja"
    assert re.fullmatch(r"\w+", Translator("en")._("Yes"))


def test_distances_read_in_mil_in_swedish_as_the_framework_writes_them() -> None:
    """ "40 mil tur och retur" (the framework's words); km in parentheses where the detail helps."""
    sv, en = Translator("sv"), Translator("en")
    assert sv.distance(400.0) == "40\u00a0mil"
    assert sv.distance(573.2) == "57,3\u00a0mil"
    assert sv.distance(573.2, km=True) == "57,3\u00a0mil (573\u00a0km)"
    assert sv.distance(12_345.0, km=True) == "1\u00a0234,5\u00a0mil (12\u00a0345\u00a0km)"
    assert sv.distance(399.96) == "40\u00a0mil"  # rounded to whole km first, as the km are shown
    assert en.distance(573.2) == en.distance(573.2, km=True) == "573\u00a0km"  # a mil is a Swedish measure


def test_a_list_in_a_sentence_ends_with_och() -> None:
    from dialogs.i18n import Translator

    sv, en = Translator("sv"), Translator("en")
    assert sv.join(["Bjurholm", "Umeå", "Lycksele"]) == "Bjurholm, Umeå och Lycksele"
    assert en.join(["Bjurholm", "Umeå"]) == "Bjurholm and Umeå"
    assert sv.join(["Umeå"]) == "Umeå" and sv.join([]) == ""
