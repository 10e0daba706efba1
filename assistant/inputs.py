"""Input hygiene shared by the CLI, the UI handlers and the capabilities."""

import math
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


MAX_CLIENT_DEPTH = 12
MAX_CLIENT_ITEMS = 20_000
MAX_HISTORY_MESSAGES = 200


def client_value(value: Any, what: str, max_string: int, max_total: int) -> Any:
    """A JSON-like value the browser sent (drafts, chat history), checked where it enters: only dicts, lists,
    text, numbers, booleans and None; at most MAX_CLIENT_DEPTH deep and MAX_CLIENT_ITEMS items; no text over
    max_string characters and at most max_total characters in all. InputError with a one-line reason otherwise.
    The walk uses its own stack, so a deeply nested value cannot exhaust Python's."""
    total, items, stack = 0, 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        items += 1
        if depth > MAX_CLIENT_DEPTH or items > MAX_CLIENT_ITEMS:
            raise InputError(f"the {what} are nested too deeply or hold too many items")
        if isinstance(item, str):
            if len(item) > max_string:
                raise InputError(f"the {what} hold a text of {len(item):,} characters; the limit is {max_string:,}")
            total += len(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str) or len(key) > 100:
                    raise InputError(f"the {what} have a field name that is not a short text")
                total += len(key)
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InputError(f"the {what} hold a number that is not finite")
        elif item is not None and not isinstance(item, bool | int | float):
            raise InputError(f"the {what} hold a value of type {type(item).__name__}")
        if total > max_total:
            raise InputError(f"the {what} are over {max_total:,} characters")
    return value


def message_text(content: Any) -> str | None:
    """A chat message's text: a plain string, or (as Gradio 6's Chatbot sends it back) a list of parts of which
    the text parts are joined; None for anything else."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and content and all(isinstance(part, dict) for part in content):
        texts = [part.get("text") for part in content if part.get("type") == "text"]
        if texts and all(isinstance(t, str) for t in texts):
            return "\n".join(texts)
    return None


def chat_history(history: Any, max_string: int) -> tuple[list[dict], int]:
    """The chat as the browser sent it: well-formed messages only (a role and text), the last
    MAX_HISTORY_MESSAGES of them; returns (messages, how many older ones were dropped)."""
    if not isinstance(history, list):
        return [], 0
    kept = [
        {"role": m["role"], "content": text}
        for m in history[-MAX_HISTORY_MESSAGES * 2 :]
        if isinstance(m, dict)
        and m.get("role") in ("user", "assistant")
        and (text := message_text(m.get("content"))) is not None
    ]
    client_value(kept, "chat history", max_string, max_string * 20)
    dropped = max(0, len(kept) - MAX_HISTORY_MESSAGES) + max(0, len(history) - MAX_HISTORY_MESSAGES * 2)
    return kept[-MAX_HISTORY_MESSAGES:], dropped
