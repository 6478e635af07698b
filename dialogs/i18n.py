"""Translations and dates: gettext catalogs (English message ids, Swedish catalog) and Babel formatting.

The Swedish catalog is `dialogs/locale/sv/LC_MESSAGES/messages.po`; it is compiled in memory when
first used, so no binary `.mo` file is kept in the repository. English needs no catalog.
"""

from __future__ import annotations

import datetime as dtm
import gettext
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from storage.settings import Words

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The translations for `language` ("en", or anything unknown, gives the English ids)."""
    if language != "sv":
        return gettext.NullTranslations()
    path = resources.files("dialogs").joinpath("locale/sv/LC_MESSAGES/messages.po")
    with path.open("rb") as po:
        parsed = read_po(po, locale="sv")
    compiled = io.BytesIO()
    write_mo(compiled, parsed)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@cache
def _locale(language: str) -> Locale:
    """Babel's locale of `language`, parsed once (babel parses a locale's name anew at every call otherwise)."""
    return Locale.parse(language)


class Translator:
    """Everything a person reads, in their language and time zone."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, timezone: str = "Europe/Stockholm"):
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.zone = ZoneInfo(timezone)
        self._catalog = catalog(self.language)

    def _(self, message: str, **values: Any) -> str:
        """The translation of `message`, with `{name}` placeholders filled in."""
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def p_(self, context: str, message: str, **values: Any) -> str:
        """The translation of `message` in `context`, where the same English word is said otherwise
        (a column heading is shorter than the word in a sentence)."""
        text = self._catalog.pgettext(context, message)
        return text.format(**values) if values else text

    def join(self, items: Iterable[str]) -> str:
        """A list in a sentence: "A, B och C" ("A, B and C" in English)."""
        listed = [item for item in items if item]
        if len(listed) <= 1:
            return "".join(listed)
        return f"{', '.join(listed[:-1])} {self.p_('joining the last of a list', 'and')} {listed[-1]}"

    def n_(self, singular: str, plural: str, count: int, **values: Any) -> str:
        text = self._catalog.ngettext(singular, plural, count)
        return text.format(count=count, **values)

    def date(self, day: dtm.date | dtm.datetime) -> str:
        """ "torsdag 18 september" / "Thursday 18 September"."""
        if isinstance(day, dtm.datetime):
            day = day.astimezone(self.zone).date()
        return format_date(day, "EEEE d MMMM", locale=_locale(self.language))

    def time(self, instant: dtm.datetime) -> str:
        """ "09.00" in Swedish, "09:00" in English."""
        return format_time(
            instant.astimezone(self.zone), "HH.mm" if self.language == "sv" else "HH:mm", locale=_locale(self.language)
        )

    def distance(self, kilometres: float, km: bool = False) -> str:
        """A distance as the frameworks write it: "57,3 mil" in Swedish (a mil is 10 km; "40 mil tur och
        retur"), with the kilometres in parentheses when `km` ("57,3 mil (573 km)"); "573 km" in English.
        Rounded to whole kilometres first, so the mil and the km always agree."""
        whole = round(kilometres)
        in_km = f"{whole:,}".replace(",", "\u00a0") + "\u00a0km"
        if self.language != "sv":
            return in_km
        mil = f"{whole / 10:,.1f}".removesuffix(".0").replace(",", "\u00a0").replace(".", ",")
        return f"{mil}\u00a0mil ({in_km})" if km else f"{mil}\u00a0mil"

    def day_of_year(self, month: int, day: int) -> str:
        """ "1 juni" / "1 June": a day that comes every year."""
        return format_date(dtm.date(2024, month, day), "d MMMM", locale=_locale(self.language))

    def when(self, instant: dtm.datetime) -> str:
        """ "torsdag 18 september kl. 09.00" / "Thursday 18 September at 09:00"."""
        return self._("{date} at {time}", date=self.date(instant), time=self.time(instant))


@dataclass(frozen=True)
class Wording:
    """The region's words for its groups, as sentences need them: Swedish from the framework's `[words]`
    ("Mitt nätverk", "något nätverk", "nätverksledare"), and the English defaults in English."""

    group: str  # "ämneslag", "nätverk", "grupp", "group"
    group_label: str  # a heading: "Ämneslag", "Nätverk", "Grupp", "Team"
    which_group: str  # a question's start: "Vilket ämneslag", "Vilken grupp", "Which team"
    my_group: str  # a menu's button: "Mitt ämneslag", "Min grupp", "My team"
    any_group: str  # "not in {any_group}": "något ämneslag", "någon grupp", "a subject team"
    a_group: str  # "join {a_group}": "ett ämneslag", "en grupp", "a group"
    leader: str  # "ämneslagsledare", "sammankallande", "team leader"
    groups: str  # the plural: "ämneslag", "grupper", "nätverk", "teams"
    the_group: str  # "ämneslaget", "gruppen", "nätverket", "the team"
    the_groups: str  # "ämneslagen", "grupperna", "nätverken", "the teams"
    your_group: str  # "ditt ämneslag", "din grupp", "your team"
    no_group: str  # "not in {no_group}" : "inget ämneslag", "ingen grupp", "no team"
    leaders: str  # "ämneslagsledarna", "de sammankallande", "nätverksledarna", "the team leaders"
    these_groups: str  # "de här ämneslagen", "de här grupperna", "these teams"
    another_group: str  # "ett annat ämneslag", "en annan grupp", "another team"
    that_group: str  # "det ämneslaget", "den gruppen", "that team"

    def start(self, text: str) -> str:
        """`text` (one of these words) at the start of a sentence: "Gruppen", "Ditt ämneslag"."""
        return text[:1].upper() + text[1:]


def wording(words: Words, language: str) -> Wording:
    if language != "sv":
        return Wording(
            group="team",
            group_label="Team",
            which_group="Which team",
            my_group="My team",
            any_group="a subject team",
            a_group="a group",
            leader="team leader",
            groups="teams",
            the_group="the team",
            the_groups="the teams",
            your_group="your team",
            no_group="no team",
            leaders="the team leaders",
            these_groups="these teams",
            another_group="another team",
            that_group="that team",
        )
    neuter = words.article == "ett"
    return Wording(
        group=words.group,
        group_label=words.group[:1].upper() + words.group[1:],
        which_group=("Vilket " if neuter else "Vilken ") + words.group,
        my_group=("Mitt " if neuter else "Min ") + words.group,
        any_group=("något " if neuter else "någon ") + words.group,
        a_group=("ett " if neuter else "en ") + words.group,
        leader=words.leader,
        groups=words.groups,
        the_group=words.group_definite,
        the_groups=words.groups_definite,
        your_group=("ditt " if neuter else "din ") + words.group,
        no_group=("inget " if neuter else "ingen ") + words.group,
        leaders=words.leaders_definite,
        these_groups="de här " + words.groups_definite,
        another_group=("ett annat " if neuter else "en annan ") + words.group,
        that_group=("det " if neuter else "den ") + words.group_definite,
    )
