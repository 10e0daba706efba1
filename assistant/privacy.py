"""What crosses the line to a language model: student details are redacted on the way out (fail closed),
restored on the way back, and the model's text is sanitized before any page renders it."""

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from assistant.redact import RedactionFailed, Redactor, StreamRestorer

# Model output is shown as Markdown: no remote images, links, raw HTML or scripts may survive. Every pattern
# stops at the next bracket or angle of its own kind, so a run of "[" or "<" is scanned once (linear time).
_SCRIPT_OPEN = re.compile(r"<\s*(script|style|iframe|object|embed|svg|math)\b", re.I)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]*>")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\s*(?:\([^()]*\)|\[[^\[\]]*\])")
_LINK = re.compile(r"\[([^\[\]]+)\]\s*\([^()]*\)")
_REF_LINK = re.compile(r"^[ \t]*\[[^\[\]\n]+\]:[ \t]*\S+.*$", re.M)
_URL = re.compile(r"\b(?:https?|ftp|file|javascript|data|vbscript)\s*:[^\s)>\]]*", re.I)
_WWW = re.compile(r"\bwww\.[^\s)>\]]+", re.I)
LINK_REMOVED = "(link removed)"


def _drop_scripts(text: str) -> str:
    """Remove each script-like element with its content; an unclosed one takes the rest of the text with it."""
    out, pos = [], 0
    while (opening := _SCRIPT_OPEN.search(text, pos)) is not None:
        out.append(text[pos : opening.start()])
        closing = re.compile(rf"<\s*/\s*{opening.group(1)}\s*>", re.I).search(text, opening.end())
        if closing is None:
            return "".join(out)
        pos = closing.end()
    out.append(text[pos:])
    return "".join(out)


def sanitize_output(text: str) -> str:
    """Model text safe to render: scripts and tags dropped, images and links reduced to their words."""
    text = _drop_scripts(text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _REF_LINK.sub("", text)
    text = _TAG.sub("", text)
    text = _URL.sub(LINK_REMOVED, text)
    text = _WWW.sub(LINK_REMOVED, text)
    return text


_ANY_TAG_OPEN = re.compile(r"<(?=\s*[/!?a-zA-Z])")


def safe_markdown(text: Any) -> str:
    """Text the page renders as Markdown (anything that may hold what a user typed): images become their
    words and every HTML tag is shown as text, so nothing on the page fetches another address."""
    if not isinstance(text, str):
        return ""
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _REF_LINK.sub("", text)
    return _ANY_TAG_OPEN.sub("&lt;", text)


class _Reply(NamedTuple):
    content: str


class GuardedModel:
    """A langchain chat model behind redaction (when the endpoint is remote, or always if set) and sanitizing.

    One GuardedModel per conversation turn (for_turn) keeps that turn's placeholders and redaction count.
    """

    def __init__(self, model: Any, redact: bool, host: str, known_names: list[str] | None = None) -> None:
        self.model = model
        self.redact = redact
        self.host = host
        self.redactor = Redactor(known_names=list(known_names or []))

    @property
    def redactions(self) -> int:
        return self.redactor.count

    def for_turn(self, known_names: list[str] | None = None) -> "GuardedModel":
        return GuardedModel(self.model, self.redact, self.host, known_names)

    def _outgoing(self, messages: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if not self.redact:
            return messages
        try:
            return [(role, self.redactor.redact(text)) for role, text in messages]
        except RedactionFailed:
            raise
        except Exception as exc:  # a recognizer bug must not let text through
            raise RedactionFailed(f"redaction failed ({type(exc).__name__}), so nothing was sent") from None

    def invoke(self, messages: list[tuple[str, str]]) -> _Reply:
        reply = self.model.invoke(self._outgoing(messages))
        text = str(reply.content)
        return _Reply(sanitize_output(self.redactor.restore(text) if self.redact else text))

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[_Reply]:
        outgoing = self._outgoing(messages)
        restorer = StreamRestorer(self.redactor) if self.redact else None
        for chunk in self.model.stream(outgoing):
            token = str(chunk.content or "")
            piece = restorer.feed(token) if restorer else token
            if piece:
                yield _Reply(piece)  # the caller sanitizes the text so far (a link can span tokens)
        if restorer and (rest := restorer.flush()):
            yield _Reply(rest)
