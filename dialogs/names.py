"""The names the conversation is built of: intents (what a text asks for) and actions (what a button does).

Both are `StrEnum`s, so they survive the trip through a button's JSON and the database as plain strings,
and a misspelt name is an error where it is written, not an "expired button" at run time.
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """What a free text asks for (see `dialogs.nlu`); an intent button starts one."""

    HELP = "help"
    MY_TEAM = "my_team"
    CHOOSE_TEAM = "choose_team"
    REPORT_ABSENCE = "report_absence"
    WITHDRAW_ABSENCE = "withdraw_absence"
    UPCOMING_MEETINGS = "upcoming_meetings"
    LATEST_NOTES = "latest_notes"
    NOTES_DIGEST = "notes_digest"
    SCHEDULE_MEETING = "schedule_meeting"
    CHANGE_MEETING = "change_meeting"
    CANCEL_MEETING = "cancel_meeting"
    SEND_NOTICE = "send_notice"
    LOG_NOTES = "log_notes"
    CONFIRM_FRAMEWORK_REVIEW = "confirm_framework_review"
    LIST_STAFF = "list_staff"
    CONFIRM_MEMBERSHIPS = "confirm_memberships"
    REPORT_MEMBERSHIPS = "report_memberships"
    ADD_NETWORK_DAY = "add_network_day"
    REMOVE_NETWORK_DAY = "remove_network_day"
    APPOINT_LEADER = "appoint_leader"
    STATUS = "status"
    YEAR_REPORT = "year_report"
    REGION_FRAMEWORK = "region_framework"
    PEOPLE_WITHOUT_TEAM = "people_without_team"
    ABSENCES = "absences"
    MY_DATA = "my_data"
    CONFIRM_ATTENDANCE = "confirm_attendance"
    ENTER_COST = "enter_cost"
    NETWORK_DAYS = "network_days"
    AGENDA_ITEM = "agenda_item"
    AGENDA_ALL = "agenda_all"
    SMALL_TALK = "small_talk"
    CANCEL = "cancel"
    UNKNOWN = "unknown"


class Act(StrEnum):
    """What a button does when pressed (its `action`); the values it carries are checked again on press."""

    INTENT = "intent"  # starts the intent in values["intent"]
    HOME = "home"
    # teacher
    ABSENCE_REPORT = "absence.report"
    ABSENCE_WITHDRAW = "absence.withdraw"
    CHOOSE_TEAM_PICK = "choose_team.pick"
    CHOOSE_TEAM_CONFIRM = "choose_team.confirm"
    CHOOSE_TEAM_AGAIN = "choose_team.again"
    GROUP_LEAD = "group.lead"  # take on leading one's own group, where the groups run themselves
    # team leader
    LEADER_MEETINGS = "leader.meetings"
    SCHEDULE_SET = "schedule.set"
    SCHEDULE_SAVE = "schedule.save"
    SCHEDULE_RESTART = "schedule.restart"
    MEETING_CHANGE = "meeting.change"
    MEETING_CANCEL = "meeting.cancel"
    MEETING_CANCEL_CONFIRM = "meeting.cancel.confirm"
    MEETING_KEEP = "meeting.keep"
    NOTICE_PREVIEW = "notice.preview"
    NOTICE_SEND = "notice.send"
    NOTES_START = "notes.start"
    NOTES_SUBMIT = "notes.submit"
    NOTES_PREVIEW = "notes.preview"
    NOTES_DISTRIBUTE = "notes.distribute"
    NOTES_SUMMARISE = "notes.summarise"
    NOTES_SUMMARY = "notes.summary"
    NOTES_USE_SUMMARY = "notes.use_summary"
    NOTES_EDIT_SUMMARY = "notes.edit_summary"
    FRAMEWORK_CONFIRM = "framework.confirm"
    # after a physical meeting
    ATTENDANCE_START = "attendance.start"
    ATTENDANCE_TOGGLE = "attendance.toggle"
    ATTENDANCE_SAVE = "attendance.save"
    COST_START = "cost.start"
    COST_PREVIEW = "cost.preview"
    COST_CONFIRM = "cost.confirm"
    COST_SHOW = "cost.show"
    COST_REOPEN = "cost.reopen"  # the host school's manager takes back an entered cost: the question
    COST_REOPEN_CONFIRM = "cost.reopen.confirm"
    AGENDA_START = "agenda.start"  # a member's item for a group's next meeting: ask for its text
    AGENDA_SAVE = "agenda.save"
    AGENDA_ALL_SAVE = "agenda.all.save"  # the coordinator's question to every team's next meeting
    MOVE_START = "move.start"  # a teacher to another team mid-year: whom
    MOVE_PERSON = "move.person"  # to which team
    MOVE_TEAM = "move.team"  # the question
    MOVE_SAVE = "move.save"
    DIGEST_TOGGLE = "digest.toggle"  # the coordinator's weekly digest, on or off
    HOST_ROOM_CONFIRM = "host.room"  # the host school's manager has arranged the room
    # manager
    STAFF_CONFIRM = "staff.confirm"
    STAFF_CONFIRM_ALL = "staff.confirm_all"
    STAFF_ASSIGN = "staff.assign"
    STAFF_ASSIGN_TEAM = "staff.assign.team"
    STAFF_ABSENCES = "staff.absences"
    STAFF_REPORT_PREVIEW = "staff.report.preview"
    STAFF_REPORT = "staff.report"
    # coordinator
    STATUS_TEAM = "status.team"
    STATUS_EXPORT = "status.export"  # the status as a CSV file in the chat
    STATUS_TEAM_PICK = "status.team.pick"
    STATUS_WITHOUT_TEAM = "status.without_team"
    STATUS_NOT_REPORTED = "status.not_reported"
    STATUS_UNREACHABLE = "status.unreachable"
    STATUS_ABSENCES = "status.absences"
    NETWORK_DAY_SET = "network_day.set"
    NETWORK_DAY_ADD = "network_day.add"
    NETWORK_DAY_REMOVE = "network_day.remove"
    LEADER_SET = "leader.set"
    LEADER_APPOINT = "leader.appoint"
    FRAMEWORK_REVISED = "framework.revised"
    FRAMEWORK_REVISION_SET = "framework.revision.set"
    FRAMEWORK_REVISION_SAVE = "framework.revision.save"
    # the language model's follow-ups
    ASSIST_CONFIRM = "assist.confirm"
    ASSIST_ANSWER = "assist.answer"
    NOTES_DIGEST = "notes.digest"
    # privacy
    PRIVACY_REQUEST = "privacy.request"
    PRIVACY_SEND = "privacy.send"
    PRIVACY_KEEP = "privacy.keep"
    # a free-text request that would change data or tell people, confirmed first (see dialogs.engine)
    CONFIRM_NO = "confirm.no"
