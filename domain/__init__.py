"""The domain room: the rules of the subject teams' year, as functions of the data (no Swedish text, no I/O)."""
