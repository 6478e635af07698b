"""Calendar invites (.ics, RFC 5545) for meeting notices, changes and cancellations, made with icalendar.

Each meeting has one stable UID, so a calendar that got the notice replaces the event on a change
(same UID, higher SEQUENCE) and removes it on a cancellation (METHOD:CANCEL, STATUS:CANCELLED).
"""

from __future__ import annotations

import datetime as dtm
import re
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vText

from storage.directory import fold
from storage.models import Meeting, MeetingKind, Person, Region, Team

PRODUCT_ID = "-//Ämneslagsboten//Ämneslagsboten//SV"


def meeting_uid(meeting: Meeting, region: Region) -> str:
    return f"meeting-{meeting.id}.{region.key}@amneslagsboten"


def meeting_ics(
    meeting: Meeting,
    *,
    team: Team,
    region: Region,
    summary: str,
    location: str | None,
    description: str,
    now: dtm.datetime,
    organizer: Person,
    attendee: Person,
    cancelled: bool = False,
) -> str:
    """The invite of a meeting for one member: a request (new or changed) or, when `cancelled`, a cancellation.

    RFC 5546 asks a REQUEST and a CANCEL for one ORGANIZER and their ATTENDEEs: the leader who sends it is the
    organizer, the member who gets it the attendee. Whether they come is reported in the chat (absence), not
    by answering the invite, so no reply is asked for (RSVP=FALSE); a request leaves it open (NEEDS-ACTION).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting, region))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now.astimezone(dtm.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dtm.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dtm.UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("categories", [team.name])
    who = vCalAddress(f"mailto:{organizer.email}")
    who.params["cn"] = vText(organizer.name)
    event.add("organizer", who)
    guest = vCalAddress(f"mailto:{attendee.email}")
    guest.params["cn"] = vText(attendee.name)
    guest.params["cutype"] = "INDIVIDUAL"
    guest.params["role"] = "REQ-PARTICIPANT"
    if not cancelled:
        guest.params["partstat"] = "NEEDS-ACTION"
    guest.params["rsvp"] = "FALSE"
    event.add("attendee", guest)
    if location:
        event.add("location", location)
    if meeting.kind == MeetingKind.DIGITAL.value and meeting.link:
        event.add("url", meeting.link)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")


def filename(word: str, team: Team, day: dtm.date) -> str:
    """A file name a person recognises in their downloads: "kallelse-bild-form-och-skapande-2027-02-11.ics"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(team.name)).strip("-")
    return f"{word}-{slug}-{day.isoformat()}.ics"


def attachment(ics: str, *, name: str, description: str, cancelled: bool = False) -> dict[str, Any]:
    """The invite as an outbox attachment, for the channel senders to upload or attach."""
    method = "CANCEL" if cancelled else "REQUEST"
    return {
        "filename": name,
        "description": description,
        "media_type": f"text/calendar; charset=utf-8; method={method}",
        "content": ics,
    }
