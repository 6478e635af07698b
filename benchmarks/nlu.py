"""How well the bot understands people without a language model, on utterances it was and was not built from.

    .venv/bin/python benchmarks/nlu.py [--show table|dev|train|dev2|dev3|dev4] [--heldout]

Three sets, each row (text, role, intent, slots):

* the utterance table (tests/dialogs/test_nlu_table.py): the rules' own test and the classifier's training
  data, so a regression figure only;
* the dev set (tests/data/nlu/dev.tsv): written outside the project, read while writing the rules and
  part of the classifier's training data;
* the training set (tests/data/nlu/train.tsv): written inside the project, without sight of the held-out
  set, as further training data for the classifier and a check on the rules;
* the second dev set (tests/data/nlu/dev2.tsv): written inside the project in one pass with the last fifth of
  the training set, split off at random before any rule was read against it and never trained on; its misses
  were not looked at while the rules and the classifier were changed, so its figure is a fair one;
* the third dev set (tests/data/nlu/dev3.tsv): the same for the 926 utterances of a fourth round (written as a
  dozen people, weighted to the intents that are easy to confuse), a fifth split off at random before any rule
  was changed, never trained on;
* the fourth dev set (tests/data/nlu/dev4.tsv): the same for the 832 utterances of a fifth round (166 rows, a fifth
  split off at random before any rule was changed, never trained on, its misses read only once rules and classifier
  were final);
* the held-out set (tests/data/nlu/heldout.tsv): written outside the project by someone who never saw the
  rules, never read by whoever writes them, never trained on (tests/dialogs/test_classifier.py checks). Only
  its aggregate figures are printed, never its texts. `heldout*` is the same set without the texts that
  also occur in the table, the dev set or the training set (independently written short requests such as
  a bare command).
* the second held-out set (tests/data/nlu/heldout2.tsv, 306 rows): written, like the first, by a session that
  saw no code and no data of the project, only a description of the intents and slots; added when the first
  had been measured in aggregate several times. Measured and shown the same way (`heldout2`, `heldout2*`).
* the third held-out set (tests/data/nlu/heldout3.tsv, 335 rows): written the same way, as twelve different people,
  after the fourth round of rules had been written and before it was measured (`heldout3`, `heldout3*`).
* the fourth held-out set (tests/data/nlu/heldout4.tsv, 332 rows): written the same way after the fifth round of
  rules had been written, and measured once (`heldout4`, `heldout4*`).

For the rules alone and for the rules with the classifier it prints: intent accuracy; intent and slots
(team, date, kind, place, time) accuracy; the share that would be sent to the language model
(`dialogs.language_model.needs_model`); the confident-wrong rate (a wrong intent, not `unknown`, that the bot
would go ahead with rather than send to the model); the time per utterance. Then the most common misses
by kind (which intent was read as which, which slot was missing, extra or wrong), never the texts of the
held-out set. The held-out set is measured only with `--heldout` (for the closing figures, not while
working on the rules). `--show table|dev|train` also lists the texts missed in that set. No model is called.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dialogs import nlu  # noqa: E402
from dialogs.language_model import needs_model  # noqa: E402
from tests.dialogs.test_nlu_table import PLACES, TABLE, TEAMS, TODAY  # noqa: E402

DATA = ROOT / "tests" / "data" / "nlu"
COMPARED = ("team", "date", "kind", "place", "time")  # the slots the sets label
Row = tuple[str, str, str, dict[str, str]]


def read_set(path: Path) -> list[Row]:
    """(text, role, intent, slots) of a TSV with the header text, role, intent, slots (slots as JSON)."""
    with path.open(encoding="utf-8", newline="") as file:
        return [
            (r["text"], r["role"], r["intent"], json.loads(r["slots"] or "{}"))
            for r in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


def _parser(classifier: bool) -> Callable[[str], Any] | None:
    takes = inspect.signature(nlu.parse).parameters
    if "classifier" not in takes:  # the rules before the classifier existed
        return None if classifier else (lambda text: nlu.parse(text, today=TODAY, teams=TEAMS, places=PLACES))
    return lambda text: nlu.parse(text, today=TODAY, teams=TEAMS, places=PLACES, classifier=classifier)


def _compared(slots: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in slots.items() if k in COMPARED}


def _misses(intent: str, slots: dict[str, str], got_intent: str, got: dict[str, str]) -> list[str]:
    if got_intent != intent:
        if intent == "unknown":
            return [f"beyond the bot, negation or someone else's (unknown) read as {got_intent}"]
        if got_intent == "unknown":
            return [f"{intent} not understood"]
        return [f"{intent} read as {got_intent}"]
    kinds = []
    for key in COMPARED:
        if key in slots and key not in got:
            kinds.append(f"{key} slot missing")
        elif key in got and key not in slots:
            kinds.append(f"{key} slot extra")
        elif key in slots and got[key] != slots[key]:
            kinds.append(f"{key} slot wrong")
    return kinds


def measure(rows: list[Row], parse: Callable[[str], Any], show: bool) -> tuple[dict[str, float], Counter[str]]:
    right = exact = sent = confident_wrong = 0
    misses: Counter[str] = Counter()
    elapsed = 0.0
    for text, _role, intent, slots in rows:
        started = time.perf_counter()
        parsed = parse(text)
        elapsed += time.perf_counter() - started
        got = _compared(parsed.slots)
        right += parsed.intent == intent
        exact += parsed.intent == intent and got == _compared(slots)
        to_model = needs_model(parsed, text)
        sent += to_model
        confident_wrong += parsed.intent != intent and parsed.intent != "unknown" and not to_model
        found = _misses(intent, _compared(slots), parsed.intent, got)
        misses.update(found)
        if show and found:
            print(f"    {text!r}: {intent} {slots} -> {parsed.intent} {got}")
    n = len(rows)
    figures = {
        "rows": n,
        "intent": right / n,
        "intent_slots": exact / n,
        "to_model": sent / n,
        "confident_wrong": confident_wrong / n,
        "ms": elapsed / n * 1000,
    }
    return figures, misses


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument(
        "--show",
        choices=("table", "dev", "train", "dev2", "dev3", "dev4"),
        help="also list the missed texts of that set",
    )
    args.add_argument("--heldout", action="store_true", help="also measure the held-out set (aggregates only)")
    options = args.parse_args()
    shown = options.show
    sets: dict[str, list[Row]] = {"table": [(t, "", i, s) for t, i, s in TABLE]}
    held_out = ("heldout", "heldout2", "heldout3", "heldout4")
    for name in (
        ("dev", "train", "dev2", "dev3", "dev4", *held_out)
        if options.heldout
        else ("dev", "train", "dev2", "dev3", "dev4")
    ):
        if (DATA / f"{name}.tsv").exists():
            sets[name] = read_set(DATA / f"{name}.tsv")
    seen = {nlu.clean(text) for text, _, _, _ in [*sets["table"], *sets.get("dev", []), *sets.get("train", [])]}
    for name in held_out:  # without the texts that happen to be in the table too (short common requests)
        if name in sets:
            sets[f"{name}*"] = [row for row in sets[name] if nlu.clean(row[0]) not in seen]
    for label, classifier in (("rules alone", False), ("rules + classifier", True)):
        parse = _parser(classifier)
        if parse is None:
            print(f"{label}: not available in this version")
            continue
        parse("warm up")  # the classifier is trained or loaded on first use; that is not a parse
        print(f"== {label}")
        print(f"{'set':<10}{'rows':>5}{'intent':>9}{'+slots':>9}{'to model':>10}{'conf. wrong':>13}{'ms/utt':>9}")
        for name, rows in sets.items():
            figures, misses = measure(rows, parse, show=shown == name)
            print(
                f"{name:<10}{figures['rows']:>5}{figures['intent']:>9.1%}{figures['intent_slots']:>9.1%}"
                f"{figures['to_model']:>10.1%}{figures['confident_wrong']:>13.1%}{figures['ms']:>9.3f}"
            )
            if name in held_out:
                print("  misses on the held-out set by kind (most common first; heldout* below: without the")
                print("  held-out texts that also occur in the table, the dev set or the training set):")
                for kind, count in misses.most_common(10):
                    print(f"    {count:>3}  {kind}")


if __name__ == "__main__":
    main()
