"""The classifier beside the rules: trained only from the table and the dev set, never the held-out set;
loaded only when the rules find no intent; and the rules stay fast."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

from dialogs import classifier
from dialogs.nlu import clean, parse
from tests.dialogs.test_nlu_table import PLACES, TABLE, TEAMS, TODAY

DATA = Path(__file__).resolve().parents[1] / "data" / "nlu"


def _texts(name: str) -> list[tuple[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return [(r["text"], r["intent"]) for r in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)]


def test_the_shipped_training_data_is_the_table_and_the_dev_set_less_the_held_out_texts() -> None:
    held_out = {clean(text) for text, _ in _texts("heldout.tsv")}
    expected = [(" ".join(text.split()), intent) for text, intent, _ in TABLE if text.strip()]
    expected += [(" ".join(text.split()), intent) for text, intent in _texts("dev.tsv")]
    expected = [(text, intent) for text, intent in expected if clean(text) not in held_out]
    same = classifier.training_rows() == expected  # compared apart: a failure must not print held-out texts
    assert same, "run: python -m dialogs.classifier --write"


def test_no_held_out_utterance_is_trained_on() -> None:
    held_out = {clean(text) for text, _ in _texts("heldout.tsv")}
    assert len(held_out) >= 200
    trained = {clean(text) for text, _ in classifier.training_rows()}
    shared = len(held_out & trained)  # a count only: the held-out texts are never shown
    assert shared == 0


def test_a_model_trained_without_the_held_out_set_reads_words_it_never_saw() -> None:
    model = classifier.train(classifier.training_rows())
    assert classifier.classify(clean("anteckningarna från senast?"), model) == "latest_notes"
    assert classifier.classify(clean("qwerty zxcvb"), model) is None  # not sure: not understood


def test_the_classifier_is_not_loaded_when_the_rules_understand() -> None:
    code = (
        "import datetime as dtm, sys\n"
        "from dialogs.nlu import parse\n"
        "for text in ('när är nästa träff?', 'jag kan inte komma på torsdag', 'tack!', 'status Dans'):\n"
        "    parse(text, today=dtm.date(2026, 11, 23), teams=['Dans'])\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_rules_take_less_than_a_millisecond_per_utterance() -> None:
    texts = [text for text, _, _ in TABLE]
    parse(texts[0], today=TODAY, teams=TEAMS, places=PLACES, classifier=False)
    started = time.perf_counter()
    for text in texts:
        parse(text, today=TODAY, teams=TEAMS, places=PLACES, classifier=False)
    assert (time.perf_counter() - started) / len(texts) < 0.001
