"""Input hygiene shared by the CLI, the UI handlers and the capabilities."""

from typing import Any

from assistant.errors import InputError

MAX_INPUT_CHARS = 100_000


def clean_text(text: Any, what: str = "text", limit: int = MAX_INPUT_CHARS) -> str:
    """Strip control characters; reject empty, non-text and oversized input with a one-line reason."""
    if not isinstance(text, str):
        raise InputError(f"the {what} must be text")
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned:
        raise InputError(f"the {what} is empty")
    if len(cleaned) > limit:
        raise InputError(f"the {what} is {len(cleaned)} characters; the limit is {limit}")
    return cleaned
