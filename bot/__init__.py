"""The outside world: server, channel adapters, rendering, outbox worker, configuration, CLI."""
