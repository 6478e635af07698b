"""Language understanding by rules, Swedish and English.

`parse(text, today=…, teams=…, places=…)` gives an intent and the slots found in the text. Matching is
done on folded text (lower case, no diacritics), so "nasta traff" and "Nästa träff" are the same. Team
names tolerate one wrong, missing or extra letter in words of five letters or more, and English
subject words. Dates are ISO strings. A day and month without a year resolve by what the request is
about: forward (the first such day from `today` on) for what is being planned (`FORWARD`: network days,
meetings, a notice, reporting absence), and in the school year (1 July to 30 June) that contains `today`
for what has happened (attendance, a cost, notes, taking back an absence, the absences of a day).
"""

from __future__ import annotations

import datetime as dtm
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from dialogs.names import Intent
from storage.text import fold

INTENTS = tuple(Intent)  # every intent, as plain strings (StrEnum members)
FORWARD = frozenset(  # requests about what is being planned: a day and month without a year lie ahead
    {
        Intent.ADD_NETWORK_DAY,
        Intent.REMOVE_NETWORK_DAY,
        Intent.SCHEDULE_MEETING,
        Intent.CHANGE_MEETING,
        Intent.CANCEL_MEETING,
        Intent.SEND_NOTICE,
        Intent.REPORT_ABSENCE,
        Intent.UPCOMING_MEETINGS,
    }
)
SLOTS = ("team", "date", "kind", "place")
KINDS = ("physical", "digital")
MAX_PARSED_CHARACTERS = 1000


@dataclass(frozen=True)
class Parsed:
    intent: str
    slots: dict[str, str] = field(default_factory=dict)


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Order matters: the first intent whose pattern matches wins. Patterns see folded text.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "cancel",
        _rx(r"^(avbryt|cancel|stopp?|sluta|abort|glom det|never ?mind|forget it)\b[\s!.]*(tack|please)?[\s!.]*$"),
    ),
    (
        "my_data",
        _rx(
            r"\bvad (vet|har|sparar|lagrar) (du|ni|boten)( for (uppgifter|data|information))?"
            r"( sparat| lagrat| registrerat)? om mig\b",
            r"\b(uppgifter|data|information|info)\b.*\bom mig\b",
            r"\bpersonuppgift",
            r"\b(min|mina) (data|persondata)\b",
            r"\bregisterutdrag\b",
            r"\bgdpr\b",
            r"\bwhat (do|does) (you|the bot) (know|have|store|keep|hold)( stored| saved)? (about|on) me\b",
            r"\b(data|information|info)\b.*\b(about|on) me\b",
            r"\bmy (personal )?(data|information)\b",
            r"\bpersonal data\b",
            r"\bprivacy\b",
        ),
    ),
    (
        "withdraw_absence",
        _rx(
            r"\b(ta tillbaka|aterkalla|angra|stryk|radera|withdraw|undo|take back|remove)\b.*\b(franvaro\w*|absence)",
            r"\b(kan|kommer) (komma |delta |vara med )?(anda|i alla fall|anda pa)\b",
            r"\bcan (come|make it|attend) after all\b",
            r"\bcancel my absence\b",
        ),
    ),
    (
        "report_absence",
        _rx(
            r"\banmal\w*( min| en)? franvaro",
            r"\bfranvaroanmal",
            r"\bsjukanmal",
            r"\b(kan|kommer) (inte|ej|tyvarr inte) (komma|delta|vara med|narvara|na)\b",
            r"\bkommer (inte|ej)\b",
            r"\bkan jag (inte|ej|tyvarr inte)\b",
            r"\bblir (borta|franvarande|inte med)\b",
            r"\b(jag|ja) (ar|blir) (borta|franvarande|sjuk|forhindrad|bortrest)\b",
            r"\bmissar\b",
            r"\bforhindrad\b",
            r"\b(can'?t|cannot|can not|won'?t|will not) (make it|come|attend|be there|join)\b",
            r"\b(i'?ll|i will|i am|i'?m) (be )?(absent|away|off sick|sick)\b",
            r"\breport (an |my )?absence\b",
        ),
    ),
    (
        "enter_cost",
        _rx(
            r"\bkostnad\w*",
            r"\bkostade\b",
            r"\bfaktur\w*",
            r"\bdela (upp )?(notan|utgift\w*)",
            r"\b(the |our |a )?(cost|costs)\b",
            r"\binvoic\w*",
            r"\bsplit the (bill|bills)\b",
        ),
    ),
    (
        "confirm_attendance",
        _rx(
            r"\bnarvar(o|on|olista|olistan|ande)\b",
            r"\b(vilka|vem|hur manga) (var|kom) (med|dit|pa plats|pa traffen|pa motet)\b",
            r"\battendance\b",
            r"\bwho (attended|came|was there|showed up)\b",
        ),
    ),
    (
        "cancel_meeting",
        _rx(
            r"\b(stall|stalla|staller|stalls) in\b.*\b(traff\w*|mote\w*|motet)\b",
            r"\b(avlys|avboka|stryk|radera|ta bort)\w*\b.*\b(traff\w*|mote\w*)\b",
            r"\b(cancel|call off|delete|remove)\b.*\b(meeting|session)\b",
        ),
    ),
    (
        "change_meeting",
        _rx(
            r"\b(andra|flytta|byt|byta|uppdatera|skjut upp|senarelagg|tidigarelagg)\b.*\b(traff\w*|mote\w*|motet)\b",
            r"\b(change|move|reschedule|postpone|update|edit)\b.*\b(meeting|session)\b",
            r"\breschedule\b",
        ),
    ),
    (
        "people_without_team",
        _rx(
            r"\b(saknar|utan|inte valt|ej valt|inte har valt|inget|inte med i nagot|inte har nagot)( nagot| ett)? amneslag",
            r"\b(no|without a|without|missing a|missing) team\b",
            r"\bhave(n'?t| not) (chosen|picked) a team\b",
        ),
    ),
    (
        "absences",
        _rx(
            r"\bfranvaro\w*",
            r"\b(vilka|vem|hur manga) (ar|blir|var) (borta|franvarande)\b",
            r"\b(who|who'?s) (is |will be )?(absent|away|missing)\b",
            r"\babsen(ces|t)\b",
        ),
    ),
    (
        "log_notes",
        _rx(
            r"\b(logga|skriv|dela|skicka|sprid|distribuera|publicera|lagg in|spara|fora)\w*( ut| in)?"
            r"( mina| vara| dom| de| dagens)? (minnes)?anteckning",
            r"\b(log|write|distribute|share|send|post|upload|record)( out| up)?( the| my| our| today'?s)? notes\b",
        ),
    ),
    (
        "notes_digest",
        _rx(
            r"\b(sammanfatt|sammanstall|sammandrag|oversikt|digest|summar)\w*\b.*\b(alla|samtliga|all|every)\b.*"
            r"(anteckning|notes|protokoll|minutes)",
            r"\b(sammanfatt|sammanstall|sammandrag|digest|summar)\w*\b.*(anteckning|notes|protokoll|minutes).*"
            r"\b(sedan|fran|since|from|hosten|varen|terminen|term|in)\b",
            r"\bdigest\b",
        ),
    ),
    ("latest_notes", _rx(r"anteckning", r"\bnotes\b", r"\bprotokoll", r"\bminutes\b")),
    (
        "region_framework",
        _rx(
            r"^(visa |se )?(regionens |vart )?(ramverk(et)?|installningar(na)?)( for regionen)?[\s?!.]*$",
            r"\b(regionens|vara) (ramverk|installningar)\b",
            r"\binstallningar\w* (har|for|i) regionen\b",
            r"^(show )?(the )?(region'?s? |framework )?(framework|settings)[\s?!.]*$",
        ),
    ),
    (
        "confirm_framework_review",
        _rx(r"\bram(ar|arna|dokument\w*|verk\w*)\b", r"\bframework\b"),
    ),
    (
        "remove_network_day",
        _rx(r"\b(ta bort|radera|stryk|remove|delete)\b.*\b(natverksdag\w*|network ?days?)\b"),
    ),
    ("add_network_day", _rx(r"natverksdag", r"\bnetwork ?days?\b")),
    (
        "send_notice",
        _rx(
            r"kallelse",
            r"\bkalla (till|in|alla|medlemmarna)\b",
            r"\bskicka (ut )?(en )?inbjudan",
            r"\b(send|email|mail)( out)?( the| a)? (notice|invitation|invite)\b",
            r"\bnotice\b",
        ),
    ),
    (
        "appoint_leader",
        _rx(
            r"\b(utse|utnamn|tillsatt|valj|ny|nya|byt|ersatt|lagg till)\w*( en| ny| nya| till)? (amneslags)?ledare",
            r"\bappoint\b",
            r"\b(new|replace the|change the) (team )?leader",
        ),
    ),
    (
        "schedule_meeting",
        _rx(
            r"\b(boka|planera|lagg in|skapa|ny|nytt|satt upp|ordna|kalla till)\w*( en| ett)?( ny| nytt)?"
            r"( fysisk\w*| digital\w*)? [a-z-]*(traff|mote)",
            r"\bschedule\b",
            r"\b(book|plan|set up|create|arrange|add)( a| an)?( new)?( physical| digital| online| in person)? (meeting|session)\b",
            r"\bnew meeting\b",
        ),
    ),
    (
        "confirm_memberships",
        _rx(
            r"\b(bekrafta|godkann|confirm|approve)\w*\b.*\b(amneslag\w*|val\w*|alla|members\w*|choices?|all|teams?)\b",
        ),
    ),
    (
        "report_memberships",
        _rx(
            r"\brapportera\w*",
            r"\bskicka in\b",
            r"\brapport till samordnar",
            r"\breport\b.*\b(members\w*|teams?|coordinator|choices)\b",
        ),
    ),
    (
        "list_staff",
        _rx(
            r"\b(mina|min|vara) (medarbetare|personal|larare|anstallda|pedagoger)\b",
            r"\bmy (staff|teachers|employees)\b",
            r"\b(vilka|vem) (av mina )?(larare|pedagoger|medarbetare) har valt\b",
            r"\bpersonal(en|lista)?\b",
            r"\bstaff\b",
        ),
    ),
    (
        "choose_team",
        _rx(
            r"\b(valja|valj|byta|byt|andra|anmal mig till)\b.*\b(amneslag\w*|lag|till)\b",
            r"\b(vill|ska|skulle vilja) (vara med|ga med|ga over|borja|vara) (i|till)\b",
            r"\b(vill|ska) (valja|byta)\b",
            r"\bga med i\b",
            r"\b(choose|pick|switch|change|join)\b",
        ),
    ),
    (
        "my_team",
        _rx(
            r"\bmitt (amnes)?lag\b",
            r"\bvilket (amnes)?lag\b",
            r"\bmy (subject )?team\b",
            r"\bwhich team\b",
            r"\bmina (amnes)?lagskollegor\b",
        ),
    ),
    (
        "upcoming_meetings",
        _rx(
            r"\b(nasta|kommande|narmaste)\b.*\b(traff\w*|mote\w*|ses)\b",
            r"\bnar (ar|blir|har|ses|traffs|traffas|moter)\b",
            r"\bupcoming\b",
            r"\bnext (meeting|session)",
            r"\bwhen (is|are|do|will)\b",
            r"\b(traffar|traffarna|motena|meetings)\b",
            r"\bschema\b",
        ),
    ),
    (
        "status",
        _rx(
            r"\bstatus\b",
            r"\blaget\b",
            r"\bhur gar det\b",
            r"\boversikt",
            r"\boverview\b",
            r"\bsammanstallning",
        ),
    ),
    (
        "help",
        _rx(
            r"^(hej|hejsan|hallo|halla|tja|tjena|tjenare|god (morgon|dag|kvall|eftermiddag)|hi|hello|hey|good (morning|afternoon))\b",
            r"\bhjalp\b",
            r"\bhelp\b",
            r"\bvad kan (du|jag)\b",
            r"\bwhat can (you|i)\b",
            r"\bkommandon\b",
            r"\bmeny\b",
            r"^\?+$",
        ),
    ),
]

# Words that are one letter away from a team word but mean something else.
_NOT_TEAM_WORDS = {"strax", "stark", "skapade", "skapad", "starka"}
_ENGLISH_TEAM_WORDS = {
    "strings": "Stråk",
    "brass": "Bleckblås",
    "woodwind": "Träblås",
    "woodwinds": "Träblås",
    "percussion": "Slagverk",
    "drums": "Slagverk",
    "guitar": "Gitarr/bas",
    "bass": "Gitarr/bas",
    "singing": "Sång",
    "vocals": "Sång",
    "voice": "Sång",
    "dance": "Dans",
    "drama": "Drama/teater",
    "theatre": "Drama/teater",
    "theater": "Drama/teater",
    "art": "Bild, form och skapande",
    "film": "Film",
    "piano": "Piano/keyboard",
    "keyboard": "Piano/keyboard",
}
_SWEDISH_EXTRA_WORDS = {"trummor": "Slagverk", "fiol": "Stråk", "elbas": "Gitarr/bas"}
_SKIP_PARTS = {"form", "i", "larare", "flera"}

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "maj": 5, "may": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {
    "mandag": 0, "tisdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "lordag": 5, "sondag": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_MONTH_WORD = r"(jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)[a-z]*\.?"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?::?e|:a|st|nd|rd|th)? {_MONTH_WORD}(?: (\d{{4}}))?")
_MONTH_DAY = re.compile(rf"\b{_MONTH_WORD} (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}}))?")
_RELATIVE = re.compile(r"\b(idag|i dag|today|imorgon|i morgon|tomorrow|i overmorgon|overmorgon|day after tomorrow)\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")
_PHYSICAL = re.compile(r"\bfysisk\w*|\bpa plats\b|\bin person\b|\bphysical\w*|\bpa riktigt\b|\bin real life\b")
_DIGITAL = re.compile(
    r"\bdigital\w*|\bonline\b|\bdistans\w*|\bvideo\w*|\bteams[- ]?mote\w*|\bzoom\w*|\b(pa|via|over) teams\b|\bremote\w*"
)
_PLACE = re.compile(r"\b(?:i|pa|in|at)\s+([a-z]+)")
_MARKUP = re.compile(r"<[@#!][^>]*>|<[^>]{1,200}>|[*_~`]+")


def _levenshtein_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _team_aliases(teams: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Single-word aliases and multi-word aliases (folded) of each canonical team name."""
    words: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for team in teams:
        folded = fold(team)
        (phrases if " " in folded else words)[folded] = team
        for part in re.split(r"[/,]| och ", folded):
            part = part.strip()
            if " " in part:
                phrases[part] = team
            elif part and part not in _SKIP_PARTS:
                words.setdefault(part, team)
        if "flera musikamnen" in folded:
            phrases["flera musikamnen"] = team
    known = set(teams)
    for extra in (_ENGLISH_TEAM_WORDS, _SWEDISH_EXTRA_WORDS):
        for word, team in extra.items():
            if team in known:
                words.setdefault(word, team)
    return words, phrases


def find_team(folded: str, teams: Sequence[str]) -> str | None:
    """The canonical team a (folded) text names, if any."""
    words, phrases = _team_aliases(teams)
    for phrase, team in phrases.items():
        if phrase in folded:
            return team
    tokens = re.findall(r"[a-z]+", folded)
    for token in tokens:
        if token in words:
            return words[token]
    for token in tokens:
        if len(token) < 4 or token in _NOT_TEAM_WORDS:
            continue
        for alias, team in words.items():
            if len(alias) >= 5 and _levenshtein_at_most_one(token, alias):
                return team
    return None


def _school_year_date(day: int, month: int, today: dtm.date) -> dtm.date | None:
    start_year = today.year if today.month >= 7 else today.year - 1
    try:
        return dtm.date(start_year if month >= 7 else start_year + 1, month, day)
    except ValueError:
        return None


def _next_date(day: int, month: int, today: dtm.date) -> dtm.date | None:
    """The first `day` of `month` from `today` on (29 February: of the next leap year)."""
    for year in range(today.year, today.year + 9):
        found = _full_date(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _day_month(day: int, month: int, today: dtm.date, forward: bool) -> dtm.date | None:
    return _next_date(day, month, today) if forward else _school_year_date(day, month, today)


def _full_date(year: int, month: int, day: int) -> dtm.date | None:
    try:
        return dtm.date(year, month, day)
    except ValueError:
        return None


def find_date(folded: str, today: dtm.date, *, forward: bool = False) -> dtm.date | None:
    """The date a (folded) text names, if it names a possible one.

    A day and month without a year: with `forward` the first such day from `today` on (for what is being
    planned), else that day in the school year of `today` (for what has happened).
    """
    if m := _ISO_DATE.search(folded):
        return _full_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _SLASH_DATE.search(folded):
        day, month = int(m.group(1)), int(m.group(2))
        if m.group(3):
            year = int(m.group(3))
            return _full_date(year + 2000 if year < 100 else year, month, day)
        return _day_month(day, month, today, forward)
    if m := _DAY_MONTH.search(folded):
        day, month = int(m.group(1)), _MONTHS[m.group(2)]
        return _full_date(int(m.group(3)), month, day) if m.group(3) else _day_month(day, month, today, forward)
    if m := _MONTH_DAY.search(folded):
        month, day = _MONTHS[m.group(1)], int(m.group(2))
        return _full_date(int(m.group(3)), month, day) if m.group(3) else _day_month(day, month, today, forward)
    if m := _RELATIVE.search(folded):
        word = m.group(1)
        offset = 0 if word in ("idag", "i dag", "today") else 2 if "over" in word or "after" in word else 1
        return today + dtm.timedelta(days=offset)
    if m := _WEEKDAY.search(folded):
        ahead = (_WEEKDAYS[m.group(1)] - today.weekday() - 1) % 7 + 1
        return today + dtm.timedelta(days=ahead)
    return None


def find_kind(folded: str) -> str | None:
    if _PHYSICAL.search(folded):
        return "physical"
    if _DIGITAL.search(folded):
        return "digital"
    return None


def find_place(folded: str, places: Sequence[str]) -> str | None:
    by_fold = {fold(place): place for place in places}
    for m in _PLACE.finditer(folded):
        if m.group(1) in by_fold:
            return by_fold[m.group(1)]
    return None


def clean(text: str) -> str:
    """Folded text without chat markup (mentions, HTML tags, *bold*, _italics_), at most 1000 characters."""
    return fold(_MARKUP.sub(" ", text[:MAX_PARSED_CHARACTERS]))


def parse(text: str, *, today: dtm.date, teams: Sequence[str], places: Sequence[str] = ()) -> Parsed:
    """Intent and slots of `text` (see the module docstring)."""
    folded = clean(text)
    if not folded:
        return Parsed("unknown")
    intent = next((name for name, pattern in _RULES if pattern.search(folded)), "unknown")
    slots: dict[str, str] = {}
    if team := find_team(folded, teams):
        slots["team"] = team
    if day := find_date(folded, today, forward=intent in FORWARD):
        slots["date"] = day.isoformat()
    if kind := find_kind(folded):
        slots["kind"] = kind
    if place := find_place(folded, places):
        slots["place"] = place
    return Parsed(intent, slots)
