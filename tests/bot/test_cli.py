"""The command line: the public contract's commands, and one clear line for each kind of bad input."""

from __future__ import annotations

import json

import pytest

from bot.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_every_command_of_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in (
        "seed",
        "import-people",
        "chat",
        "parse",
        "serve",
        "remind",
        "status",
        "manifest",
        "audit",
        "invoice",
        "report",
        "gdpr",
    ):
        assert f"    {command}" in out


def test_invoice_of_an_unknown_meeting(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "invoice", "12")
    assert code == 1 and out == ""
    assert err.startswith("amneslag: Träff 12 finns inte.")


def test_seed_twice(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "seed", "vasterbotten")[1].startswith("Västerbotten: region skapad, 13 skolor och 14 grupper")
    assert run(capsys, "seed", "vasterbotten")[1] == "Västerbotten fanns redan komplett; inget ändrades.\n"


def test_unknown_region(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "seed", "gotland")
    assert code == 1 and out == ""
    assert err == "amneslag: Okänd region 'gotland'. Välj en av: sjuharad, vasterbotten, vastmanland.\n"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "DATABASE_URL går inte att tolka"),
        ("mysql://root@localhost/x", "DATABASE_URL: databasen 'mysql' stöds inte"),
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "Kan inte nå databasen postgresql+psycopg://nobody@127.0.0.1:1/none",
        ),
        ("sqlite:////no/such/folder/x.db", "Mappen /no/such/folder"),
    ],
)
def test_bad_database_url(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, message: str) -> None:
    env.setenv("DATABASE_URL", url)
    code, _, err = run(capsys, "status")
    assert code == 1
    assert err.startswith(f"amneslag: {message}") and err.count("\n") == 1


def test_import_people_reports_bad_rows_by_line(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    run(capsys, "seed", "vasterbotten")
    roster = tmp_path / "personal.csv"
    roster.write_text(
        "name;email;school;roles\nAnn;ann@example.org;Umeå;teacher\nBo;bo@example.org;Oslo;teacher\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import-people", str(roster))
    assert code == 1 and out == ""
    assert f"{roster}: rad 3: okänd skola 'Oslo' i region Västerbotten\n" in err
    assert "Inget importerades" in err
    code, out, err = run(capsys, "import-people", str(roster), "--skip-bad")
    assert code == 0 and out == "Lade till 1, uppdaterade 0, hoppade över 1 (oförändrade 0).\n"


def test_import_people_unreadable_file(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    code, _, err = run(capsys, "import-people", str(tmp_path / "saknas.csv"))
    assert code == 1 and "Kan inte läsa" in err and err.count("\n") == 1


@pytest.mark.usefixtures("demo")
def test_status_json_has_the_shape_of_the_contract(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "--format", "json", "--year", "2026/27")
    assert code == 0
    status = json.loads(out)
    assert set(status) >= {"region", "school_year", "teams", "people_without_team", "schools_not_reported"}
    assert (status["region"], status["school_year"]) == ("Västerbotten", "2026/27")
    dans = next(t for t in status["teams"] if t["name"] == "Dans")
    assert set(dans) >= {"name", "leaders", "members", "meetings", "goals"}
    assert len(dans["leaders"]) == 2 and dans["members"]
    assert set(dans["members"][0]) == {"email", "school", "confirmed"}
    assert set(dans["goals"]) >= {"meetings_planned", "physical_meetings"}
    assert len(status["people_without_team"]) == 4
    assert len(status["schools_not_reported"]) == 13

    code, out, _ = run(capsys, "status", "--format", "csv", "--year", "2026/27")
    lines = out.splitlines()
    assert lines[0].startswith("region,school_year,team,leaders,members")
    assert len(lines) == 13 and lines[2].startswith("Västerbotten,2026/27,Dans,2,")

    code, out, _ = run(capsys, "status", "--year", "2026/27")
    assert "Utan ämneslag (4)" in out and "Dans" in out


def test_status_bad_year(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "seed", "vasterbotten")
    code, _, err = run(capsys, "status", "--year", "2026")
    assert code == 1 and "läsåret ska skrivas som 2025/26" in err


def test_status_without_any_region(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "status")
    assert code == 1 and "amneslag seed vasterbotten" in err


def test_audit_lists_changes(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "seed", "vasterbotten")
    code, out, _ = run(capsys, "audit")
    assert code == 0 and "region.seeded" in out


def test_outbox_listing(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "outbox", "--status", "failed")
    assert code == 0 and out.startswith("väntar: 0  skickas: 0  levererat: 0  misslyckat: 0")
    code, _, err = run(capsys, "outbox", "--retry", "42")
    assert code == 1 and "finns inte" in err


def test_serve_refuses_half_a_teams_configuration(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("MICROSOFT_APP_ID", "4c2a8b3e-5f0d-4e8b-9a6c-0d1e2f3a4b5c")
    code, _, err = run(capsys, "serve", "--port", "1")
    assert code == 1 and "MICROSOFT_APP_PASSWORD och MICROSOFT_APP_TENANT_ID" in err


def test_serve_playground_says_how_to_install_it(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("PATH", "/nonexistent")  # run in a temporary directory: no tests/teams/js, nothing on PATH
    code, _, err = run(capsys, "serve", "--playground", "--port", "1")
    assert code == 1 and "npm ci --prefix tests/teams/js" in err


def test_the_teams_endpoint_is_served_only_when_teams_is_configured_or_on_loopback(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import build_parser, serves_teams
    from bot.config import get_settings

    def serves(*argv: str) -> bool:
        return serves_teams(build_parser().parse_args(["serve", *argv]), get_settings())

    assert serves() is False  # anyone could post an unsigned activity: nothing at /api/messages
    assert serves("--teams-local") is True and serves("--playground") is True  # 127.0.0.1 by default
    code, _, err = run(capsys, "serve", "--teams-local", "--host", "0.0.0.0", "--port", "1")
    assert code == 1 and "bara på 127.0.0.1" in err
    env.setenv("MICROSOFT_APP_ID", "4c2a8b3e-5f0d-4e8b-9a6c-0d1e2f3a4b5c")
    get_settings.cache_clear()
    assert serves("--host", "0.0.0.0") is True  # with credentials every request's token is checked


def test_the_command_line_speaks_swedish_in_its_help_and_its_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("användning: amneslag") and "flaggor:" in shown and "visa den här hjälpen" in shown
    assert "usage" not in shown and "show this help" not in shown
    with pytest.raises(SystemExit):
        main(["status", "--bogus"])
    assert capsys.readouterr().err.strip().endswith("amneslag: fel: okända argument: --bogus")


def test_import_people_looks_the_new_people_up_in_slack_by_e_mail(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path, engine
) -> None:
    """With a Slack token, the imported people without a Slack id are looked up (users.lookupByEmail, the address in
    a POSTed form, never in a URL) and the ids found are kept, so notices reach them before they write to the bot."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    from sqlmodel import Session, select

    from bot.config import get_settings
    from storage.models import Person

    asked: list[str] = []

    class FakeSlack(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            assert self.path == "/api/users.lookupByEmail"
            asked.extend(form["email"])
            found = {"ann@example.org": "U0ANN"}.get(form["email"][0])
            body = {"ok": True, "user": {"id": found}} if found else {"ok": False, "error": "users_not_found"}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSlack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run(capsys, "seed", "vasterbotten")
        env.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        env.setenv("SLACK_API_URL", f"http://127.0.0.1:{server.server_address[1]}/api/")
        get_settings.cache_clear()
        roster = tmp_path / "personal.csv"
        roster.write_text(
            "name;email;school;roles\nAnn;ann@example.org;Umeå;teacher\nBo;bo@example.org;Umeå;teacher\n",
            encoding="utf-8",
        )
        code, out, err = run(capsys, "import-people", str(roster))
    finally:
        server.shutdown()
    assert code == 0 and err == ""
    assert out.endswith("Slack: 1 av 2 utan Slack-id hittades via sin e-postadress.\n")
    assert sorted(asked) == ["ann@example.org", "bo@example.org"]
    with Session(engine) as s:
        ids = {p.email: p.slack_user_id for p in s.exec(select(Person)).all()}
    assert ids == {"ann@example.org": "U0ANN", "bo@example.org": None}
