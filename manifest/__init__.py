"""The app packages: the Slack app manifest (and, later, the Teams app package), shipped with the bot."""
