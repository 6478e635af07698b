"""The names of the reminder rules and of the problems a sweep reports, shared by the scheduler that finds
them, the dialogs that word them and the status that lists them."""

from __future__ import annotations

from enum import StrEnum


class Rule(StrEnum):
    """A reminder rule (scheduler/rules.py); each has its text in dialogs/reminders.py."""

    TEAM_CHOICE = "team_choice"
    MANAGER_REPORT = "manager_report"
    REPORT_ESCALATION = "report_escalation"
    LEADERS_MISSING = "leaders_missing"
    FRAMEWORK_REVISION = "framework_revision"
    NOTICE = "notice"
    NOTICE_ESCALATION = "notice_escalation"
    FRAMEWORK_BEFORE = "framework_before"
    FRAMEWORK_CONFIRM = "framework_confirm"
    FRAMEWORK_ESCALATION = "framework_escalation"
    NOTES = "notes"
    NOTES_ESCALATION = "notes_escalation"
    MEETING_GOALS = "meeting_goals"
    MEETING_GOALS_ESCALATION = "meeting_goals_escalation"
    NETWORK_DAYS = "network_days"
    ATTENDANCE = "attendance"
    COORDINATOR_DIGEST = "coordinator_digest"


class SweepProblem(StrEnum):
    """Something a sweep could not do, shown by `remind`, in the status and to the coordinator."""

    UNREACHABLE = "unreachable"
    TEAM_WITHOUT_LEADER = "team_without_leader"
    SCHOOL_WITHOUT_MANAGER = "school_without_manager"
    NO_COORDINATOR = "no_coordinator"
    NO_NETWORK_DAYS = "no_network_days"
    RULE_FAILED = "rule_failed"
