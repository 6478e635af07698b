"""The conversation: neutral incoming messages in, neutral replies out (no platform SDK here)."""
