"""How well the rules understand people on their own, and how much would go to the language model.

    .venv/bin/python benchmarks/nlu.py

On the project's utterance table (tests/dialogs/test_nlu_table.py: what teachers, leaders, managers
and the coordinator type, with the intent and slots a person would mean), it prints the rules'
accuracy (intent, and intent with every slot; the table is also the rules' test, so this is a
regression figure), then the same on a held-out set written for this benchmark; and the share of
utterances that would be sent to the model (`dialogs.language_model.needs_model`: nothing understood, or
a long request with none of its details) and, of those, how many the table says are really beyond
the bot (intent `unknown`), plus the time the rules take per utterance. No model is called.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogs.language_model import needs_model  # noqa: E402
from dialogs.nlu import parse  # noqa: E402
from tests.dialogs.test_nlu_table import PLACES, TABLE, TEAMS, TODAY  # noqa: E402

# Written for this benchmark and never used to tune the rules: how people might also put it.
HELD_OUT: list[tuple[str, str]] = [
    ("det blir tyvärr inget bildskapande för mig i februari, sorry", "report_absence"),
    ("hinner inte med februarimötet i bild, har utvecklingssamtal då", "report_absence"),
    ("jag är bortrest när bildgänget ses i februari", "report_absence"),
    ("måste stå över nästa träff, krock med konsert", "report_absence"),
    ("jag blev frisk, räkna med mig på torsdag", "withdraw_absence"),
    ("när ses vi nästa gång?", "upcoming_meetings"),
    ("har vi något inplanerat i vår?", "upcoming_meetings"),
    ("vad kom vi fram till sist?", "latest_notes"),
    ("vem leder vårt lag i år?", "my_team"),
    ("vilka mer är med i dans?", "my_team"),
    ("jag vill byta till slagverk nästa läsår", "choose_team"),
    ("kan jag gå över till sång i höst?", "choose_team"),
    ("vi behöver ses i Lycksele i mars", "schedule_meeting"),
    ("lägg in en digital träff den 14 januari", "schedule_meeting"),
    ("flytta mötet den 11 februari till den 18:e", "change_meeting"),
    ("ställ in träffen på torsdag, för få kan", "cancel_meeting"),
    ("går kallelsen ut automatiskt eller ska jag trycka?", "send_notice"),
    ("jag har minnesanteckningar från i onsdags att lägga upp", "log_notes"),
    ("vi har gått igenom ramdokumentet nu", "confirm_framework_review"),
    ("vilka av mina lärare har valt ämneslag?", "list_staff"),
    ("godkänn allas val", "confirm_memberships"),
    ("skicka in vår skolas lista till samordnaren", "report_memberships"),
    ("vi behöver en extra nätverksdag i maj", "add_network_day"),
    ("Per ska leda gitarrlaget framöver", "appoint_leader"),
    ("hur ligger vi till i regionen?", "status"),
    ("vilka lärare står utan lag?", "people_without_team"),
    ("vem har anmält förhinder till dansträffen?", "absences"),
    ("glöm det", "cancel"),
    ("vad kan man göra här?", "help"),
    ("vad har du sparat om mig?", "my_data"),
]


def main() -> None:
    intent_right = exact = sent = sent_unknown = 0
    wrong: Counter[str] = Counter()
    started = time.perf_counter()
    for text, intent, slots in TABLE:
        parsed = parse(text, today=TODAY, teams=TEAMS, places=PLACES)
        intent_right += parsed.intent == intent
        exact += (parsed.intent, parsed.slots) == (intent, slots)
        if parsed.intent != intent:
            wrong[f"{intent} -> {parsed.intent}"] += 1
        if needs_model(parsed, text):
            sent += 1
            sent_unknown += intent == "unknown"
    elapsed = time.perf_counter() - started
    rows = len(TABLE)
    print(f"utterances                     {rows}")
    print(f"intent right (rules alone)     {intent_right / rows:.1%}  ({intent_right}/{rows})")
    print(f"intent and slots right         {exact / rows:.1%}  ({exact}/{rows})")
    print(f"sent to the model              {sent / rows:.1%}  ({sent}/{rows})")
    print(f"  of which beyond the bot      {sent_unknown}  (the table's 'unknown': small talk, nonsense, injections)")
    print(f"rules per utterance            {elapsed / rows * 1e6:.0f} µs")
    for case, count in wrong.most_common():
        print(f"  wrong: {case} ×{count}")
    held_right = held_sent = held_sent_right = 0
    for text, intent in HELD_OUT:
        parsed = parse(text, today=TODAY, teams=TEAMS, places=PLACES)
        held_right += parsed.intent == intent
        if needs_model(parsed, text):
            held_sent += 1
            held_sent_right += parsed.intent == intent
    n = len(HELD_OUT)
    print(f"held-out utterances            {n}  (not used to tune the rules)")
    print(f"intent right (rules alone)     {held_right / n:.1%}  ({held_right}/{n})")
    print(f"sent to the model              {held_sent / n:.1%}  ({held_sent}/{n})")
    print(f"wrong and not sent (a risk)    {n - held_right - (held_sent - held_sent_right)}")


if __name__ == "__main__":
    main()
