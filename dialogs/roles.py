"""What depends on who is asking: the help menu of each role, the home view, whose absences a person may see,
and what reporting the teams means to a manager and to the coordinator."""

from __future__ import annotations

from dialogs import access, leader, manager, nlu, teacher
from dialogs.access import is_coordinator, is_leader_now, is_manager
from dialogs.coordinator import coordinator_absences, coordinator_help, schools_not_reported
from dialogs.coordinator import overview as coordinator_overview
from dialogs.engine import Router, Turn, Values
from dialogs.leader import leader_absences, leader_help
from dialogs.manager import manager_absences, manager_help, report_of_school
from dialogs.names import Act, Intent
from dialogs.teacher import teacher_help
from dialogs.types import ChoicesReply, Reply, TextReply
from storage.models import Role

router = Router()


@router.intent(Intent.HELP, guard=access.anyone)
def help_(turn: Turn, slots: Values, _: None) -> list[Reply]:
    tr = turn.tr
    blocks: list[Reply] = []
    leads = is_leader_now(turn)
    if Role.TEACHER.value in turn.roles or leads or not turn.roles & {Role.MANAGER.value, Role.COORDINATOR.value}:
        blocks.append(ChoicesReply(text=tr._("As a teacher:"), buttons=teacher_help(turn)))
    if leads:
        blocks.append(ChoicesReply(text=tr._("As {leader}:", leader=turn.words.leader), buttons=leader_help(turn)))
    if is_manager(turn):
        blocks.append(ChoicesReply(text=tr._("As a manager:"), buttons=manager_help(turn)))
    if is_coordinator(turn):
        blocks.append(ChoicesReply(text=tr._("As the coordinator:"), buttons=coordinator_help(turn)))
    greeting = tr._("Hi {name}! This is what I can help you with:", name=turn.person.name.split()[0])
    if len(blocks) == 1:
        first = blocks[0]
        assert isinstance(first, ChoicesReply)
        blocks = [ChoicesReply(text=greeting, buttons=first.buttons)]
    else:
        blocks.insert(0, TextReply(text=greeting))
    if is_coordinator(turn):  # examples of what this person does, not what a teacher does
        examples = tr._("status"), tr._("who has no {group}?", group=turn.words.group)
    elif is_manager(turn):
        examples = tr._("my staff"), tr._("confirm all")
    elif leads:
        examples = tr._("plan a meeting on 11 March 13-16"), tr._("send the notice")
    else:
        examples = tr._("I can't come on Thursday"), tr._("when is the next meeting?")
    blocks.append(
        TextReply(
            text=tr._(
                'You can also write, for example, "{first}" or "{second}". Write "cancel" to stop at any step, '
                'and "what do you know about me?" to see what I hold about you.',
                first=examples[0],
                second=examples[1],
            )
        )
    )
    return blocks


@router.intent(Intent.SMALL_TALK, guard=access.anyone)
def small_talk(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """ "tack!", "hej", "ok", 👍: a short answer, without the menu."""
    tr = turn.tr
    kind = nlu.small_talk_kind(turn.incoming.text or "")
    if kind == "thanks":
        return [TextReply(text=tr._("You're welcome!"))]
    if kind == "hello":
        return [TextReply(text=tr._('Hi {name}! Write "help" to see what I can do.', name=turn.person.name.split()[0]))]
    if kind == "bye":
        return [TextReply(text=tr._("Thanks, the same to you!"))]
    return [TextReply(text="👍")]


@router.action(Act.HOME, guard=access.anyone)
def home(turn: Turn, values: Values, _: None) -> list[Reply]:
    """A person's home view (Slack's App Home): the menu, my team, and the to-dos of each of my roles."""
    replies = help_(turn, {})[:-1]
    if Role.TEACHER.value in turn.roles:
        replies += teacher.my_team(turn, {})
    if is_leader_now(turn):
        replies += leader.my_meetings(turn, {})[:3]
    if is_manager(turn):
        replies += manager.list_staff(turn, {})
    if is_coordinator(turn):
        replies += coordinator_overview(turn)
    return replies


@router.intent(Intent.REPORT_MEMBERSHIPS, guard=access.manager_or_coordinator("memberships.report"))
def report_memberships(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """A manager reports the school's teams; the coordinator sees which schools have not reported."""
    if not turn.duties.manager_report:
        return [
            TextReply(
                text=turn.tr._(
                    "In {region} the managers do not report their staff's {groups}.",
                    region=turn.region.name,
                    groups=turn.words.groups,
                )
            )
        ]
    if is_manager(turn):
        return report_of_school(turn)
    return schools_not_reported(turn)


@router.intent(Intent.ABSENCES, guard=access.sees_absences)
def absences(turn: Turn, slots: Values, _: None) -> list[Reply]:
    """Each role sees the absences it is responsible for: the region's, the team's, or the school's staff."""
    if is_coordinator(turn):
        return coordinator_absences(turn, slots)
    if is_leader_now(turn):
        return leader_absences(turn, slots)
    return manager_absences(turn, slots)
