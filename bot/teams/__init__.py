"""Microsoft Teams: Adaptive Cards now; the Bot Framework adapter joins them (issue 7)."""
