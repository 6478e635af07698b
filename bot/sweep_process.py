"""One reminder sweep in a process of its own: `python -m bot.sweep_process INSTANT`.

`serve` runs its sweeps so (`scheduler.timing.run_sweep`), so that a sweep's work never holds the interpreter
that answers people. The database URL comes in `AMNESLAG_SWEEP_DATABASE_URL` (never in the arguments, which
anyone on the machine can list); the report goes to standard output as JSON, the log to standard error.
"""

from __future__ import annotations

import datetime as dtm
import json
import logging
import os
import sys

from bot.logs import install
from scheduler.sweep import report_to_json, sweep
from storage.db import create_db_engine

COMMAND = ("-m", "bot.sweep_process")  # what `serve` hands `scheduler.timing` to start one


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install()  # e-mail addresses redacted, as in the server's log
    engine = create_db_engine(os.environ["AMNESLAG_SWEEP_DATABASE_URL"])
    try:
        report = sweep(engine, dtm.datetime.fromisoformat(sys.argv[1]))
    finally:
        engine.dispose()
    try:
        json.dump(report_to_json(report), sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # the server is gone (killed): the sweep is committed, there is nobody to tell
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
