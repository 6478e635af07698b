"""Time: reminder rules as functions of (data, instant), the idempotent sweep, APScheduler wiring."""
