"""Launch the web app hardened: loopback unless sign-in is set, no share link, no analytics or run history,
a private temp folder deleted at exit, a bounded queue with a clear "busy" answer, and a guard in front of
every request that refuses file paths outside the app's temp folder (traversal and encoded variants too)."""

import atexit
import ipaddress
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from assistant.errors import ConfigError
from assistant.services import Services
from assistant.settings import PROJECT_ROOT, Settings

BUSY = "The assistant is busy with other requests right now. Please try again in a few seconds."
MAX_BODY_BYTES = 2_000_000


def is_loopback_host(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings) -> None:
    """Listening beyond this computer needs a sign-in (and, in practice, a TLS proxy: see PRIVACY.md)."""
    signed_in = bool(settings.auth_username and settings.auth_password and settings.auth_password.get_secret_value())
    if not is_loopback_host(settings.host) and not signed_in:
        raise ConfigError(
            f"refusing to listen on {settings.host} without a sign-in: set SCHOOLOT_AUTH_USERNAME and "
            "SCHOOLOT_AUTH_PASSWORD, or keep SCHOOLOT_HOST=127.0.0.1"
        )


def _decoded(raw: str) -> str:
    """Percent-decoding repeated until stable (double and triple encoding), with backslashes as slashes."""
    for _ in range(4):
        step = unquote(raw)
        if step == raw:
            break
        raw = step
    return raw.replace("\\", "/")


class RequestGuard:
    """Pure ASGI middleware: 403 for paths that reach outside the app, 413 for huge bodies, and a clear
    "busy" message instead of Gradio's queue-full error."""

    def __init__(self, app: Any, served_root: str = "", blocked: tuple[str, ...] = ()) -> None:
        self.app = app
        self.served_root = Path(served_root).resolve() if served_root else None
        self.blocked = [Path(b).resolve() for b in blocked]

    def refusal(self, path: str, query: str) -> str | None:
        text = _decoded(f"{path}?{query}")
        lower = text.lower()
        if "\x00" in text or "/../" in f"{lower}/" or "/.." in lower or "..%" in lower:
            return "path traversal is not allowed"
        if any(part.startswith(".env") or part == ".git" for part in lower.replace("?", "/").split("/")):
            return "that file is not served"
        if "file=" in lower:
            target = text[lower.index("file=") + 5 :].split("?")[0].split("&")[0]
            if "://" in target or target.startswith("//"):
                return "the server does not fetch other addresses"
            resolved = Path(target if os.path.isabs(target) else Path.cwd() / target).resolve()
            if any(resolved == b or b in resolved.parents for b in self.blocked):
                return "that file is not served"
            if self.served_root is not None and self.served_root not in resolved.parents:
                return "only files this app made for you are served"
        return None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        reason = self.refusal(raw.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"))
        if reason:
            return await _send_json(send, 403, reason)
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            return await _send_json(send, 413, f"the request is over {MAX_BODY_BYTES // 1_000_000} MB")
        if scope.get("method") == "POST" and ("/queue/join" in scope["path"] or "/call/" in scope["path"]):
            return await self.app(scope, receive, _BusyRewriter(send))
        return await self.app(scope, receive, send)


class _BusyRewriter:
    """Replaces a 503 queue-full answer with the BUSY message."""

    def __init__(self, send: Any) -> None:
        self.send = send
        self.busy = False

    async def __call__(self, message: dict) -> None:
        if message["type"] == "http.response.start" and message["status"] == 503:
            self.busy = True
            return
        if self.busy:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await _send_json(self.send, 503, BUSY)
            return
        await self.send(message)


async def _send_json(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail, "error": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def private_temp() -> Path:
    """A temp folder only this process uses (Gradio's cache and downloads), deleted when the app stops."""
    folder = Path(tempfile.mkdtemp(prefix="schoolot-app-"))
    os.environ["GRADIO_TEMP_DIR"] = str(folder / "gradio")
    tempfile.tempdir = str(folder)
    atexit.register(shutil.rmtree, folder, True)
    return folder


def launch_options(settings: Settings, temp: Path) -> dict[str, Any]:
    """Everything passed to Blocks.launch: one place to read the hardening."""
    from starlette.middleware import Middleware

    blocked = [settings.data_dir.resolve(), settings.index_path.resolve(), PROJECT_ROOT / ".env", Path.cwd() / ".env"]
    password = settings.auth_password.get_secret_value() if settings.auth_password else ""
    return dict(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=(settings.auth_username, password) if settings.auth_username and password else None,
        show_error=False,
        quiet=True,  # no "set share=True" hint: the start-up line comes from app.py
        run_history=False,
        footer_links=["api", "settings"],
        blocked_paths=[str(p) for p in blocked],
        max_file_size="1mb",
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
        pwa=False,
        app_kwargs={
            "docs_url": None,
            "redoc_url": None,
            "openapi_url": None,
            "middleware": [Middleware(RequestGuard, served_root=str(temp), blocked=tuple(str(p) for p in blocked))],
        },
    )


def serve(services: Services, block: bool = True) -> Any:
    """Build and start the page; with block=False returns the running Blocks (tests, benchmarks)."""
    settings = services.settings
    check_bind(settings)
    temp = private_temp()
    from assistant import ui

    if threading.current_thread() is threading.main_thread():
        # A stop signal ends the app like Ctrl+C does, so the temp folder and the audit log are closed.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    demo = ui.build(services).queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    demo.launch(prevent_thread_lock=not block, theme=ui.theme(), css=ui.CSS, **launch_options(settings, temp))
    return demo
