"""What an intent and its slots mean, in words: for the questions that confirm a reading before it acts
(the rules' in `dialogs.engine`, the language model's in `dialogs.model_answers`)."""

from __future__ import annotations

import datetime as dtm

from dialogs.i18n import Translator, Wording


def meaning(tr: Translator, words: Wording, intent: str) -> str:
    meanings = {
        "help": tr._("see what I can do"),
        "my_team": tr._("see {your_group}", your_group=words.your_group),
        "choose_team": tr._("choose a {group}", group=words.group),
        "report_absence": tr._("report absence from a meeting"),
        "withdraw_absence": tr._("take back an absence"),
        "upcoming_meetings": tr._("see the upcoming meetings"),
        "latest_notes": tr._("read the latest notes"),
        "notes_digest": tr._("get a digest of the notes"),
        "schedule_meeting": tr._("schedule a meeting"),
        "change_meeting": tr._("change a meeting"),
        "cancel_meeting": tr._("cancel a meeting"),
        "send_notice": tr._("send a meeting notice"),
        "log_notes": tr._("log notes"),
        "confirm_framework_review": tr._("confirm the framework review"),
        "list_staff": tr._("see your staff's {groups}", groups=words.groups),
        "confirm_memberships": tr._("confirm {group} choices", group=words.group),
        "report_memberships": tr._("report the school's {groups}", groups=words.groups),
        "add_network_day": tr._("add a network day"),
        "remove_network_day": tr._("remove a network day"),
        "appoint_leader": tr._("appoint a {leader}", leader=words.leader),
        "status": tr._("see the status"),
        "year_report": tr._("get the year report"),
        "agenda_item": tr._("put an item on your group's next meeting"),
        "agenda_all": tr._("put a question on the next meeting of all {groups}", groups=words.groups),
        "people_without_team": tr._("see who has no {group}", group=words.group),
        "absences": tr._("see who is absent"),
        "my_data": tr._("see what I know about you"),
        "confirm_attendance": tr._("confirm who attended a meeting"),
        "enter_cost": tr._("enter the cost of a meeting"),
        "network_days": tr._("see the network days"),
    }
    return meanings.get(intent, intent)


def slot_text(tr: Translator, slots: dict[str, str]) -> str:
    parts: list[str] = []
    if "team" in slots:
        parts.append(slots["team"])
    if "date" in slots:
        parts.append(tr.date(dtm.datetime.combine(dtm.date.fromisoformat(slots["date"]), dtm.time(12), tr.zone)))
    if "kind" in slots:
        parts.append(tr._("physical") if slots["kind"] == "physical" else tr._("digital"))
    if "place" in slots:
        parts.append(slots["place"])
    if "time" in slots:
        parts.append(slots["time"].replace(":", ".") if tr.language == "sv" else slots["time"])
    return ", ".join(parts)
