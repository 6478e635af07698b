"""E-mail: the outbox's channel for people the chats cannot reach (SMTP, see `bot.email.sender`)."""
