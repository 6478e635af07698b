"""An installed wheel, not only an editable checkout, carries every data file the bot reads."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_contains_every_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("amneslagsboten-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        str(path.relative_to(ROOT))
        for folder in ("storage/data", "storage/migrations", "manifest", "dialogs/locale", "dialogs/data")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert "storage/migrations/versions/0001_initial_schema.py" in wanted
    assert "manifest/slack/manifest.yaml" in wanted
    assert "dialogs/data/nlu_classifier.json.gz" in wanted  # the classifier, scored without scikit-learn
    assert wanted - names == set()
    assert any(name.endswith("entry_points.txt") for name in names)
