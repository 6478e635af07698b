"""Kinds the framework files and the command line name, with no database behind them (so `amneslag parse` and
the command line's argument parser load no SQL stack). `storage.models` re-exports them."""

from __future__ import annotations

import enum


class GroupKind(enum.StrEnum):
    """Subject teams and the other groups that share their meeting machinery."""

    SUBJECT_TEAM = "subject_team"  # a teacher chooses one a year; it has one or two leaders (Västerbotten)
    TEACHER_NETWORK = "teacher_network"  # open, joined and led by the teachers themselves (Sjuhärad's guitar network)
    MANAGER_NETWORK = "manager_network"
    COORDINATION_GROUP = "coordination_group"
    STUDY_DAY = "study_day"  # a region-wide training day for all teachers (Västmanland, Sjuhärad)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    # Nobody was reached: the recipient has no Slack id, no Teams chat, and no e-mail channel is configured,
    # so the message was only written to the log. Never counted as delivered. (Ten letters at most: the column.)
    UNREACHED = "unreached"


HOLDABLE = ("person", "meeting", "absence", "note", "outbox_message", "audit_log")
