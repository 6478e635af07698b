"""Memory: tables, sessions, migrations, seeds, roster import and the domain rules."""
