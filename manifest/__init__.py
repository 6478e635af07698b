"""The app packages: the Slack app manifest and the Teams app package (`manifest.teams`), shipped with the bot."""
