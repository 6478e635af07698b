"""The yearly revision of the framework document: the coordinator records the new version and its link, and
the team leaders and the managers are told.

000: "Dokument revideras en gång per år av en arbetsgrupp …". The 1 May reminder's button opens this form;
the year's first meetings then name and link the version in force (`dialogs.common.framework_name`).
"""

from __future__ import annotations

from sqlmodel import col, select

from dialogs import access
from dialogs.common import framework_name, open_year
from dialogs.engine import Answered, Router, Turn
from dialogs.forms import Draft, Form, Invalid, Question, Slot
from dialogs.i18n import Translator
from dialogs.names import Act
from dialogs.notify import not_reached, notify, reached
from dialogs.types import ChoicesReply, Reply, TextReply
from domain.meetings import LINK_MAX_CHARACTERS, is_web_link
from domain.teams import current_year
from storage.audit import record
from storage.models import GroupKind, Leadership, Person, PersonRole, Role, SchoolYear, Team
from storage.settings import RegionSettings

router = Router()
ATTEMPT = "framework.revised"
VERSION_MAX_CHARACTERS = 40
NO_LINK = ("ingen", "ingen länk", "none", "no link", "-")
WITHOUT_LINK = "-"  # the draft's link when there is none (an empty slot would be asked again)


def _year(turn: Turn, draft: Draft) -> SchoolYear:
    year = open_year(turn, draft.get("year"))
    if year is None:
        raise Answered(TextReply(text=turn.tr._('That button has expired. Write "help" to start again.')))
    return year


def _ask_version(turn: Turn, draft: Draft) -> Question:
    tr = turn.tr
    current = turn.region.framework_version or tr._("none recorded")
    return Question(
        tr._(
            "Which version of {title} applies from {year}? Write it as the document does (now: {current}).",
            title=turn.region.framework_title or tr._("the framework document"),
            year=_year(turn, draft).label,
            current=current,
        )
    )


def _parse_version(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    version = " ".join(text.split())
    if not version:
        return None
    if len(version) > VERSION_MAX_CHARACTERS:
        return Invalid(turn.tr._("A version is at most {count} characters.", count=VERSION_MAX_CHARACTERS))
    return {"version": version}


def _ask_link(turn: Turn, draft: Draft) -> Question:
    return Question(turn.tr._('Write the link to the revised document (it starts with https://), or "none".'))


def _parse_link(turn: Turn, text: str, draft: Draft) -> Draft | Invalid | None:
    link = text.strip()
    if link.lower() in NO_LINK:
        return {"link": WITHOUT_LINK}
    if not is_web_link(link) or len(link) > LINK_MAX_CHARACTERS:
        return Invalid(turn.tr._('That is not a web link. Write one that starts with https://, or "none".'))
    return {"link": link}


def _told(turn: Turn, year: SchoolYear) -> list[Person]:
    """The subject team leaders (this year's and the coming one's) and the region's managers, each once."""
    current = current_year(turn.session, turn.region, turn.now)
    year_ids = [y.id for y in (current, year) if y.id is not None]
    leaders = turn.session.exec(
        select(Person)
        .join(Leadership, col(Leadership.person_id) == Person.id)
        .join(Team, col(Team.id) == Leadership.team_id)
        .where(
            Team.region_id == turn.region.id,
            Team.kind == GroupKind.SUBJECT_TEAM.value,
            col(Leadership.school_year_id).in_(year_ids),
        )
    ).all()
    managers = turn.session.exec(
        select(Person)
        .join(PersonRole, col(PersonRole.person_id) == Person.id)
        .where(Person.region_id == turn.region.id, PersonRole.role == Role.MANAGER.value)
    ).all()
    unique = {p.id: p for p in [*leaders, *managers]}
    return sorted(unique.values(), key=lambda p: p.name)


def _preview(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    year = _year(turn, draft)
    text = tr._(
        "Record version {version} of {title} for {year}{link}? {leaders} and the managers are told, and the "
        "year's first meetings link it.",
        leaders=turn.words.start(turn.words.leaders),
        version=draft["version"],
        title=turn.region.framework_title or tr._("the framework document"),
        year=year.label,
        link=f" ({draft['link']})" if draft["link"] != WITHOUT_LINK else "",
    )
    return [ChoicesReply(text=text, buttons=[REVISION_FORM.save_button(tr._("Yes, record it"), draft)])]


def _save(turn: Turn, draft: Draft) -> list[Reply]:
    tr = turn.tr
    region = turn.region
    year = _year(turn, draft)
    settings = RegionSettings.model_validate(region.settings)
    if settings.framework_revised_for == year.label and region.framework_version == draft["version"]:
        return [TextReply(text=tr._("The framework is already marked as revised for {year}.", year=year.label))]
    before = {
        "framework_version": region.framework_version,
        "framework_url": region.framework_url,
        "framework_revised_for": settings.framework_revised_for,
    }
    region.framework_version = draft["version"]
    region.framework_url = draft["link"] if draft["link"] != WITHOUT_LINK else region.framework_url
    region.settings = {**region.settings, "framework_revised_for": year.label}
    turn.session.add(region)
    after = {
        "framework_version": region.framework_version,
        "framework_url": region.framework_url,
        "framework_revised_for": year.label,
    }
    record(
        turn.session,
        action=ATTEMPT,
        entity="region",
        entity_id=region.id,
        actor_id=turn.person.id,
        before=before,
        after=after,
    )
    name = framework_name(turn)
    link = region.framework_url

    def build(t: Translator) -> list[Reply]:
        text = t._("The framework is revised for {year}: {name}.", year=year.label, name=name)
        return [TextReply(text=f"{text} {link}" if link else text)]

    people = [p for p in _told(turn, year) if p.id != turn.person.id]
    queued = notify(
        turn.session, origin=turn.person, recipients=people, region=region, kind="framework_revised", build=build
    )
    count = reached(queued, turn.reach)
    told = tr.n_("{count} leader or manager has been told.", "{count} leaders and managers have been told.", count)
    told = told if count else ""
    missed = not_reached(tr, turn.session, queued, turn.reach)
    noted = tr._("Noted: the framework is revised for {year}.", year=year.label)
    return [TextReply(text=" ".join(filter(None, [noted, told, missed])))]


REVISION_FORM = Form(
    name="revision",
    guard=access.coordinator(ATTEMPT),
    set_action=Act.FRAMEWORK_REVISION_SET,
    save_action=Act.FRAMEWORK_REVISION_SAVE,
    slots=[
        Slot("version", ("version",), _ask_version, _parse_version, free_text=True),
        Slot("link", ("link",), _ask_link, _parse_link, free_text=True),
    ],
    keys=("year", "version", "link"),
    check=lambda turn, draft: None,
    preview=_preview,
    save=_save,
)
REVISION_FORM.register(router)


@router.action(Act.FRAMEWORK_REVISED, guard=access.coordinator(ATTEMPT))
def revised(turn: Turn, values: Draft, _: None) -> list[Reply]:
    """The 1 May reminder's "the revision is done": the new version and its link, then everybody is told."""
    if open_year(turn, values.get("year")) is None:
        return [TextReply(text=turn.tr._('That button has expired. Write "help" to start again.'))]
    return REVISION_FORM.go_on(turn, {"year": values["year"]})
