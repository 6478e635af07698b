"""`amneslag gdpr`: export, erase, archive holds and retention from the command line."""

from __future__ import annotations

import datetime as dtm
import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.cli import main
from storage.db import session_scope
from storage.directory import person_by_email
from storage.models import Absence, ArchiveHold, AuditLog, Meeting, Person
from tests.bot.test_cli import run

EMAIL = "alva.jonsson@example.org"


@pytest.fixture
def demo(env: pytest.MonkeyPatch, demo: sa.Engine) -> sa.Engine:
    """The demo region, with the environment pointed at it."""
    return demo


def test_export_to_stdout_and_to_a_file(demo: sa.Engine, capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    code, out, _ = run(capsys, "gdpr", "export", EMAIL)
    assert code == 0
    data = json.loads(out)
    assert data["person"]["email"] == EMAIL and data["person"]["name"] == "Alva Jonsson"
    assert {"memberships", "absences", "notes_written", "messages", "audit_log", "dialog_state"} <= set(data)
    target = tmp_path / "alva.json"
    code, out, _ = run(capsys, "gdpr", "export", EMAIL.upper(), "--out", str(target))
    assert code == 0 and str(target) in out
    assert json.loads(target.read_text(encoding="utf-8"))["person"]["email"] == EMAIL
    with Session(demo) as s:
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "gdpr.exported")).all()) == 2


def test_export_of_someone_unknown(demo: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "gdpr", "export", "nobody@example.org")
    assert (code, out) == (1, "")
    assert err == "amneslag: Ingen person med e-postadressen nobody@example.org finns hos boten.\n"


def test_erase_needs_yes_when_not_asked_on_a_terminal(demo: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "gdpr", "erase", EMAIL)
    assert code == 1 and "--yes" in err
    with Session(demo) as s:
        assert person_by_email(s, EMAIL) is not None


def test_erase(demo: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gdpr", "erase", EMAIL, "--yes")
    assert code == 0
    assert out.startswith("Raderad. Personen heter nu person-")
    assert "membership 1" in out and "personallistan" in out
    with Session(demo) as s:
        assert person_by_email(s, EMAIL) is None
        assert s.exec(select(Person).where(Person.name == "Alva Jonsson")).first() is None
    code, _, err = run(capsys, "gdpr", "erase", EMAIL, "--yes")
    assert code == 1 and "Ingen person" in err
    code, out, _ = run(capsys, "audit")
    assert "gdpr.erased" in out and EMAIL not in out


def test_holds_from_the_command_line(demo: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with session_scope(demo) as s:
        alva = person_by_email(s, EMAIL)
        meeting = s.exec(select(Meeting).order_by(col(Meeting.id))).first()
        assert alva and meeting
        absence = Absence(person_id=alva.id or 0, meeting_id=meeting.id or 0)
        s.add(absence)
        s.flush()
        absence_id, alva_id = absence.id, alva.id
    code, out, _ = run(
        capsys, "gdpr", "hold", "add", "person", str(alva_id), "--reason", "KS 2026/7", "--by", "Arkivet"
    )
    assert code == 0 and out.startswith("Arkivhåll 1: person")
    code, _, err = run(capsys, "gdpr", "erase", EMAIL, "--yes")
    assert code == 1 and "arkivhåll nr 1" in err
    code, out, _ = run(capsys, "gdpr", "hold", "add", "absence", str(absence_id), "--reason", "KS 2026/7", "--by", "A")
    assert code == 0
    code, out, _ = run(capsys, "gdpr", "hold", "list")
    assert [line.split("  ")[1] for line in out.splitlines()] == [f"person {alva_id}", f"absence {absence_id}"]
    assert run(capsys, "gdpr", "hold", "lift", "1", "--by", "Arkivet")[0] == 0
    assert run(capsys, "gdpr", "hold", "list")[1].count("\n") == 1
    assert "lyft" in run(capsys, "gdpr", "hold", "list", "--all")[1]
    code, _, err = run(capsys, "gdpr", "hold", "lift", "1", "--by", "Arkivet")
    assert code == 1 and "inget aktivt arkivhåll" in err
    code, out, _ = run(capsys, "gdpr", "erase", EMAIL, "--yes")
    assert code == 0 and "Sparat på grund av arkivhåll: absence 1" in out
    with Session(demo) as s:
        hold = s.get(ArchiveHold, 2)
        assert hold is not None and hold.retained[0]["email"] == EMAIL
        assert s.get(Absence, absence_id) is not None
    with pytest.raises(SystemExit):
        main(["gdpr", "hold", "add", "school", "1", "--reason", "x", "--by", "y"])


def test_retention_from_the_command_line(demo: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with session_scope(demo) as s:
        alva = person_by_email(s, EMAIL)
        meeting = s.exec(select(Meeting).order_by(col(Meeting.starts_at))).first()
        assert alva and meeting
        s.add(Absence(person_id=alva.id or 0, meeting_id=meeting.id or 0))
        later = (meeting.starts_at + dtm.timedelta(days=400)).isoformat()
    code, out, _ = run(capsys, "gdpr", "retention", "--at", later)
    assert code == 0 and "raderade absence 1" in out
    env_code, out, _ = run(capsys, "gdpr", "retention", "--at", later)
    assert env_code == 0 and "raderade absence 0" in out
