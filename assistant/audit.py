"""The audit log: one JSON line per request with metadata only, never what was typed or answered.

Fields: time, session (a random id per browser session), intent, mode (offline / local-llm / remote-llm),
endpoint host, redactions, sources (cited corpus ids), ms and outcome (ok or an error class name).
One file a day under <data_dir>/logs/audit.jsonl; files older than the retention setting are deleted.
"""

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from typing import Any

from assistant.settings import Settings

FIELDS = ("time", "session", "intent", "mode", "endpoint_host", "redactions", "sources", "ms", "outcome")
_LOGGER = "schoolot.audit"


def log_path(settings: Settings) -> Path:
    return settings.data_dir / "logs" / "audit.jsonl"


def mode_of(settings: Settings) -> tuple[str, str | None]:
    """(mode, endpoint host) for the configured backend."""
    if settings.llm_backend == "none":
        return "offline", None
    from urllib.parse import urlparse

    from assistant.llm import endpoint, is_loopback_url

    url = endpoint(settings)
    return ("local-llm" if is_loopback_url(url) else "remote-llm"), urlparse(url).hostname


def prune(folder: Path, retention_days: int, now: float | None = None) -> int:
    """Delete audit files older than the retention; returns how many went."""
    cutoff = (now or time.time()) - retention_days * 86400
    gone = 0
    for path in folder.glob("audit.jsonl*"):
        if path.name != "audit.jsonl" and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


class AuditLog:
    """Writes audit lines; a disabled log (setting off) does nothing."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.audit_log
        self.mode, self.host = mode_of(settings)
        self.logger = logging.getLogger(f"{_LOGGER}.{id(self)}")
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self.handler: TimedRotatingFileHandler | None = None
        if not self.enabled:
            return
        path = log_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        prune(path.parent, settings.audit_retention_days)
        handler = TimedRotatingFileHandler(
            path, when="midnight", backupCount=settings.audit_retention_days, encoding="utf-8", utc=True
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        self.logger.addHandler(handler)
        self.handler = handler

    def write(self, session: str, intent: str, redactions: int = 0, sources: list[str] | None = None,
              ms: float = 0.0, outcome: str = "ok") -> dict[str, Any]:  # fmt: skip
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "session": session,
            "intent": intent,
            "mode": self.mode,
            "endpoint_host": self.host,
            "redactions": int(redactions),
            "sources": sorted(set(sources or [])),
            "ms": round(ms, 1),
            "outcome": outcome,
        }
        if self.enabled:
            self.logger.info(json.dumps(entry))
        return entry

    @contextmanager
    def request(self, session: str, intent: str) -> Iterator[dict[str, Any]]:
        """Time one request; the caller fills in intent, redactions and sources on the yielded dict."""
        record: dict[str, Any] = {"intent": intent, "redactions": 0, "sources": []}
        started, outcome = time.perf_counter(), "ok"
        try:
            yield record
        except Exception as exc:
            outcome = type(exc).__name__
            raise
        finally:
            self.write(session, record["intent"], record["redactions"], record["sources"],
                       (time.perf_counter() - started) * 1000, record.get("outcome", outcome))  # fmt: skip

    def close(self) -> None:
        if self.handler is not None:
            self.handler.close()
            self.logger.removeHandler(self.handler)
            self.handler = None
