"""The demo region and the conversation engine of the dialog tests, for rendering every real answer."""

from tests.dialogs.conftest import chat_as, clock, demo, dialogs  # noqa: F401
