"""The roster import: every row checked first, each bad row reported by line, nothing half-written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from storage.db import session_scope
from storage.directory import roles_of
from storage.errors import RosterRejected
from storage.models import AuditLog, Person, Region, School
from storage.roster import decode, import_roster

HEADER = "name,email,school,roles,slack_user_id,teams_user_id,language\n"


def _import(engine: sa.Engine, region: Region, text: str, **kwargs):
    with session_scope(engine) as s:
        return import_roster(s, region, text, **kwargs)


def _people(session: Session) -> dict[str, Person]:
    return {p.email: p for p in session.exec(select(Person)).all()}


def test_semicolons_bom_and_swedish_excel(engine: sa.Engine, region: Region, session: Session) -> None:
    data = (
        "\ufeffname;email;school;roles;slack_user_id;teams_user_id;language\r\n"
        "Åsa Öberg;Asa.Oberg@Example.org;umea;lärare;U012AB3CD;;sv\r\n"
        'Kim Chef;kim@example.org;Skellefteå Kulturskola;"teacher;manager";;'
        "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b;en\r\n"
    ).encode("utf-8")
    report = _import(engine, region, decode(data))
    assert (report.added, report.updated, report.skipped) == (2, 0, 0)
    people = _people(session)
    asa = people["asa.oberg@example.org"]
    assert asa.name == "Åsa Öberg" and asa.slack_user_id == "U012AB3CD" and asa.language == "sv"
    assert session.get(School, asa.school_id).name == "Kulturskolan i Umeå"
    kim = people["kim@example.org"]
    assert kim.id is not None
    assert roles_of(session, kim.id) == {"teacher", "manager"}
    assert kim.teams_user_id == "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b" and kim.language == "en"


def test_each_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    engine: sa.Engine, region: Region, session: Session
) -> None:
    text = HEADER + "\n".join(
        [
            "Ann Ok,ann@example.org,Umeå,teacher,,,",  # line 2: good
            "Bo Bad,bo@@example,Umeå,teacher,,,",  # 3: bad e-mail
            "Cia Skola,cia@example.org,Stockholm,teacher,,,",  # 4: unknown school
            "Dan Roll,dan@example.org,Umeå,rektor,,,",  # 5: unknown role
            "Ann Igen,ANN@example.org,Umeå,teacher,,,",  # 6: duplicate e-mail in the file
            ",eva@example.org,Umeå,teacher,,,",  # 7: no name
            "Fia Slack,fia@example.org,Umeå,teacher,not-an-id,,",  # 8: bad Slack id
            "Gun Utan,gun@example.org,,teacher,,,",  # 9: teacher without school
        ]
    )
    with pytest.raises(RosterRejected) as caught:
        _import(engine, region, text)
    problems = {p.line: p.reason for p in caught.value.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9]
    assert "e-postadress" in problems[3]
    assert "okänd skola 'Stockholm'" in problems[4]
    assert "okänd roll 'rektor'" in problems[5]
    assert "rad 2" in problems[6]
    assert "namn saknas" in problems[7]
    assert "Slack-id" in problems[8]
    assert "skola saknas" in problems[9]
    assert _people(session) == {}
    assert session.exec(select(AuditLog).where(AuditLog.action == "person.created")).all() == []


def test_skip_bad_imports_the_good_rows(engine: sa.Engine, region: Region, session: Session) -> None:
    text = HEADER + "Ann Ok,ann@example.org,Umeå,teacher,,,\nCia Skola,cia@example.org,Stockholm,teacher,,,\n"
    report = _import(engine, region, text, skip_bad=True)
    assert (report.added, report.skipped) == (1, 1)
    assert [p.line for p in report.problems] == [3]
    assert set(_people(session)) == {"ann@example.org"}


def test_upsert_by_email_ignores_case(engine: sa.Engine, region: Region, session: Session) -> None:
    _import(engine, region, HEADER + "Ann Ok,ann@example.org,Umeå,teacher,U0ANN,,\n")
    report = _import(engine, region, HEADER + "Ann Berg,ANN@Example.ORG,Lycksele,teacher;manager,,,\n")
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    (ann,) = _people(session).values()
    assert ann.name == "Ann Berg" and ann.slack_user_id == "U0ANN"  # an empty column keeps a stored id
    assert session.get(School, ann.school_id).municipality == "Lycksele"
    again = _import(engine, region, HEADER + "Ann Berg,ann@example.org,Lycksele,manager;teacher,,,\n")
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_platform_id_of_another_person_is_refused(engine: sa.Engine, region: Region) -> None:
    _import(engine, region, HEADER + "Ann Ok,ann@example.org,Umeå,teacher,U0ANN,,\n")
    with pytest.raises(RosterRejected) as caught:
        _import(engine, region, HEADER + "Bo Ok,bo@example.org,Umeå,teacher,U0ANN,,\n")
    assert "tillhör redan ann@example.org" in caught.value.problems[0].reason


def test_coordinator_needs_no_school_and_roles_default_to_teacher(
    engine: sa.Engine, region: Region, session: Session
) -> None:
    _import(
        engine,
        region,
        HEADER + "Sam Ordnare,sam@example.org,,coordinator,,,\nLea Lärare,lea@example.org,Malå,,,,\n",
    )
    people = _people(session)
    sam, lea = people["sam@example.org"].id, people["lea@example.org"].id
    assert sam and lea
    assert roles_of(session, sam) == {"coordinator"}
    assert roles_of(session, lea) == {"teacher"}


def test_a_file_in_excels_old_encoding_is_refused_clearly() -> None:
    with pytest.raises(RosterRejected, match="inte UTF-8.*rad 2.*CSV UTF-8"):
        decode((HEADER + "Åsa Öberg,asa@example.org,Umeå,teacher,,,\n").encode("cp1252"))


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("namn,epost\n", "saknar kolumnen name, email"),
        (HEADER.strip() + ",phone\n", "okända kolumner 'phone'"),
    ],
)
def test_a_wrong_header_is_refused(engine: sa.Engine, region: Region, header: str, message: str) -> None:
    with pytest.raises(RosterRejected, match=message):
        _import(engine, region, header + "x,y\n")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(RosterRejected, match="tom"):
        decode(b"\xef\xbb\xbf \n")


def test_control_characters_and_values_longer_than_the_database_holds_are_refused_by_line(
    engine: sa.Engine, region: Region, session: Session
) -> None:
    text = HEADER + "\n".join(
        [
            "Anna\x00 Berg,anna@example.org,Umeå,,,,",
            "A" * 121 + ",long@example.org,Umeå,,,,",
            "Bo Ek,bo@example.org,Umeå,,U" + "1" * 30 + ",,",
            "Cia Fors,cia@example.org,Umeå,,,,sv",
        ]
    )
    with pytest.raises(RosterRejected) as rejected:
        _import(engine, region, text)
    assert [(p.line, p.reason.split()[1]) for p in rejected.value.problems] == [
        (2, "name"),
        (3, "name"),
        (4, "slack_user_id"),
    ]
    assert _people(session) == {}
    report = _import(engine, region, text, skip_bad=True)  # on PostgreSQL a NUL would otherwise be a traceback
    assert (report.added, report.skipped) == (1, 3)
