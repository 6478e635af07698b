"""What the command line writes from the status and the invoice basis, as a spreadsheet or a person reads it."""

from __future__ import annotations

import csv
import io

from dialogs.i18n import Translator
from dialogs.reports import invoice_csv


def test_csv_cells_that_start_like_a_formula_are_neutralised() -> None:
    basis = {
        "meeting_id": 7,
        "starts_at": "2026-09-10T09:00:00+02:00",
        "team": '=HYPERLINK("http://evil.example")',
        "host_school": "Skolan",
        "total_kr": 900,
        "schools": [
            {"school": "+SUM(A1:A9)", "host": True, "participants": 3, "share_kr": 900, "people": [{"name": "-x"}]},
            {"school": "@cmd", "host": False, "participants": 0, "share_kr": 0, "people": [{"name": "\tTab"}]},
        ],
    }
    rows = list(csv.DictReader(io.StringIO(invoice_csv(Translator("sv"), basis))))
    assert [r["school"] for r in rows] == ["'+SUM(A1:A9)", "'@cmd"]
    assert rows[0]["team"] == '\'=HYPERLINK("http://evil.example")' and rows[0]["people"] == "'-x"
    assert rows[1]["people"] == "'\tTab" and rows[0]["total_kr"] == "900"  # numbers stay numbers
