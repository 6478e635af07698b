"""The optional language model: an OpenAI-compatible chat endpoint through the `openai` package.

OpenAI, Azure OpenAI (an EU data zone deployment) or a model the municipality hosts itself all speak
this API; `OPENAI_BASE_URL` chooses which, and its host must be on `OPENAI_ALLOWED_HOSTS`. No key, no
model: `from_settings` gives None and the bot uses its rules alone. Each request has a timeout, and
429s and 5xx are retried a bounded number of times by the client (exponential backoff with jitter,
honouring Retry-After); whatever still fails, or comes back malformed, is a `ModelError`, on which
the dialogs keep the rules' answer. What is sent has already been pseudonymised (`dialogs.language_model`).
"""

from __future__ import annotations

import fnmatch
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from bot.config import Settings
from dialogs.language_model import Assistant, ModelAnswer, ModelError, ToolCall
from storage.errors import ConfigurationError

if TYPE_CHECKING:
    import openai

_LOGGER = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_ALLOWED_HOSTS = "api.openai.com,*.openai.azure.com,localhost,127.0.0.1"


def allowed(base_url: str, hosts: str) -> bool:
    """Whether `base_url`'s host is on the comma-separated allow-list (shell-style `*` wildcards)."""
    host = (urlparse(base_url).hostname or "").lower()
    patterns = [h.strip().lower() for h in hosts.split(",") if h.strip()]
    return bool(host) and any(fnmatch.fnmatchcase(host, pattern) for pattern in patterns)


class OpenAIChat:
    """`dialogs.language_model.ChatModel` over the `openai` package's async client."""

    def __init__(self, *, api_key: str, base_url: str, model: str, timeout: float, retries: int):
        import openai  # only once a key is set: the package costs about 0.4 s and 48 MiB to import

        self._errors = (openai.APIStatusError, openai.APIError)
        self.model = model
        self.client: openai.AsyncOpenAI = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=retries
        )

    async def chat(
        self,
        messages: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None = None,
        schema: dict[str, Any] | None = None,
    ) -> ModelAnswer:
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:
            request["tools"] = tools
        if schema:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "interpretation", "schema": schema, "strict": True},
            }
        try:
            completion = await self.client.chat.completions.create(**request)
            message = completion.choices[0].message
            calls = [
                ToolCall(call.id, call.function.name, call.function.arguments)
                for call in message.tool_calls or []
                if getattr(call, "function", None) is not None
            ]
            content = message.content
        except self._errors[0] as exc:
            raise ModelError(f"HTTP {exc.status_code}") from exc
        except self._errors[1] as exc:
            raise ModelError(type(exc).__name__) from exc
        except (AttributeError, IndexError, TypeError, ValueError) as exc:  # an answer not shaped as the API says
            raise ModelError(f"malformed answer: {type(exc).__name__}") from exc
        if content is not None and not isinstance(content, str):
            raise ModelError("malformed answer: content is not text")
        return ModelAnswer(content, calls)


def from_settings(settings: Settings) -> Assistant | None:
    """The assistant the settings describe, or None without an API key (rules alone)."""
    if settings.openai_api_key is None:
        return None
    base_url = settings.openai_base_url or DEFAULT_BASE_URL
    hosts = settings.openai_allowed_hosts or DEFAULT_ALLOWED_HOSTS
    if not allowed(base_url, hosts):
        raise ConfigurationError(
            f"OPENAI_BASE_URL pekar på {urlparse(base_url).hostname or base_url!r}, som inte finns i "
            f"OPENAI_ALLOWED_HOSTS ({hosts}). Lägg till värden där om modellen får ta emot text från boten."
        )
    model = OpenAIChat(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=base_url,
        model=settings.openai_model or DEFAULT_MODEL,
        timeout=settings.llm_timeout_seconds,
        retries=settings.llm_retries,
    )
    _LOGGER.info("language model on: %s at %s", model.model, urlparse(base_url).hostname)
    return Assistant(model, budget=settings.llm_timeout_seconds)
