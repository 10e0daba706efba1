"""Redaction recall on labeled synthetic snippets (evals/redaction/*.yaml).

An identifier counts as caught when its text no longer appears in the redacted snippet (for names: no word
of it survives as a whole word). Structured identifiers are dates, student ids, emails, phone numbers and
addresses; names and school names are reported on their own. `keep` phrases measure over-redaction.
"""

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from assistant.redact import RedactionFailed, Redactor

SETS = Path(__file__).parent / "redaction"
STRUCTURED = ("date", "student_id", "email", "phone", "address")
TYPES = (*STRUCTURED, "name", "school", "room")


class Identifier(BaseModel):
    type: str = Field(pattern="^(" + "|".join(TYPES) + ")$")
    value: str


class Snippet(BaseModel):
    id: str
    text: str
    known_names: list[str] = Field(default_factory=list)
    identifiers: list[Identifier] = Field(default_factory=list)
    keep: list[str] = Field(default_factory=list)


def load_set(name: str) -> list[Snippet]:
    raw = yaml.safe_load((SETS / f"{name}.yaml").read_text(encoding="utf-8"))
    return [Snippet.model_validate(item) for item in raw]


def survives(identifier: Identifier, redacted: str) -> bool:
    if identifier.type != "name":
        return identifier.value in redacted
    words = [w for w in re.findall(r"[\w'’-]+", identifier.value) if len(w) > 1]
    return any(re.search(rf"(?<![\w'’-]){re.escape(w)}(?![\w-])", redacted) for w in words)


def score(snippets: list[Snippet]) -> dict[str, Any]:
    """Recall per type, structured recall, keep rate, and the misses (for reading, not for tuning blind sets)."""
    caught: dict[str, list[int]] = {t: [0, 0] for t in TYPES}
    kept, keep_total, misses, false_hits, failed_closed = 0, 0, [], [], []
    for snippet in snippets:
        try:
            redacted = Redactor(known_names=snippet.known_names).redact(snippet.text)
        except RedactionFailed:  # nothing would be sent; scored as the unredacted text, so it counts as misses
            failed_closed.append(snippet.id)
            redacted = snippet.text
        for identifier in snippet.identifiers:
            caught[identifier.type][1] += 1
            if survives(identifier, redacted):
                misses.append(f"{snippet.id} {identifier.type}: {identifier.value}")
            else:
                caught[identifier.type][0] += 1
        for phrase in snippet.keep:
            keep_total += 1
            if phrase in redacted:
                kept += 1
            else:
                false_hits.append(f"{snippet.id} keep: {phrase}")
    structured = [sum(caught[t][i] for t in STRUCTURED) for i in (0, 1)]
    return {
        "snippets": len(snippets),
        "identifiers": sum(total for _, total in caught.values()),
        "recall": {t: round(hit / total, 3) if total else None for t, (hit, total) in caught.items()},
        "counts": {t: total for t, (_, total) in caught.items()},
        "structured_recall": round(structured[0] / structured[1], 3) if structured[1] else None,
        "keep_rate": round(kept / keep_total, 3) if keep_total else None,
        "misses": misses,
        "over_redacted": false_hits,
        "failed_closed": failed_closed,
    }


def summary_line(name: str, result: dict[str, Any]) -> str:
    recall = ", ".join(f"{t} {v}" for t, v in result["recall"].items() if v is not None)
    return (
        f"redaction {name}: {result['snippets']} snippets, {result['identifiers']} identifiers; structured recall "
        f"{result['structured_recall']}; {recall}; keep rate {result['keep_rate']}; "
        f"failed closed {len(result['failed_closed'])}"
    )
