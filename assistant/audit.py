"""The audit log: one JSON line per request with metadata only, never what was typed or answered.

Fields: time, session (a random id per browser session), intent, mode (offline / local-llm / remote-llm),
endpoint host, redactions, sources (cited corpus ids), ms and outcome (ok or an error class name).
One file a day under <data_dir>/logs/audit.jsonl; files older than the retention setting are deleted.
"""

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, one_line
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
    """Delete audit files older than the retention; returns how many went. A file dated in the future (a clock
    that was wrong) is re-dated to now first, so it ages like the others instead of being kept forever."""
    now = now or time.time()
    cutoff = now - retention_days * 86400
    gone = 0
    for path in folder.glob("audit.jsonl*"):
        modified = path.stat().st_mtime
        if modified > now + 60:
            os.utime(path, (now, now))
        elif path.name != "audit.jsonl" and modified < cutoff:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


class _AuditFile(TimedRotatingFileHandler):
    """The day's file; a failed write (a full disk, a removed folder) is counted and said once on the console,
    never raised into a request and never lost silently. Retention runs at each rollover too."""

    def __init__(self, path: Path, retention_days: int) -> None:
        super().__init__(path, when="midnight", backupCount=0, encoding="utf-8", utc=True)
        self.retention_days = retention_days
        self.failures = 0
        self.problem: str | None = None

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        reason = getattr(exc, "strerror", None) or one_line(exc, 120) if exc else "unknown error"
        self.failures += 1
        if self.problem is None:
            print(
                f"audit log: could not write {self.baseFilename} ({reason}); audit lines are being lost",
                file=sys.stderr,
            )
        self.problem = f"the audit log could not be written ({reason}); {self.failures} line(s) lost so far"
        if self.stream is not None:  # a failed flush leaves the line in the buffer: drop it
            with suppress(OSError):
                self.stream.close()
            self.stream = None  # reopened at the next write

    def emit(self, record: logging.LogRecord) -> None:
        before = self.failures
        super().emit(record)
        if self.failures == before and self.problem is not None:
            print(f"audit log: writing {self.baseFilename} again", file=sys.stderr)
            self.problem = None

    def doRollover(self) -> None:
        super().doRollover()
        prune(Path(self.baseFilename).parent, self.retention_days)


class AuditLog:
    """Writes audit lines; a disabled log (setting off) does nothing."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.audit_log
        self.mode, self.host = mode_of(settings)
        self.logger = logging.getLogger(f"{_LOGGER}.{id(self)}")
        self.logger.propagate = False
        self.logger.setLevel(logging.INFO)
        self.handler: _AuditFile | None = None
        if not self.enabled:
            return
        path = log_path(settings)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            prune(path.parent, settings.audit_retention_days)
            handler = _AuditFile(path, settings.audit_retention_days)
        except OSError as exc:
            raise ConfigError(
                f"the audit log {path} cannot be opened ({exc.strerror or one_line(exc)}): set SCHOOLOT_DATA_DIR to a "
                "writable folder, or SCHOOLOT_AUDIT_LOG=false"
            ) from None
        handler.setFormatter(logging.Formatter("%(message)s"))
        self.logger.addHandler(handler)
        self.handler = handler

    @property
    def problem(self) -> str | None:
        """A one-line description of a failing audit log, for the admin's page notice (None when all is well)."""
        return self.handler.problem if self.handler is not None else None

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
