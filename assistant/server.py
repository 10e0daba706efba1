"""Launch the web app hardened: loopback unless sign-in is set, no share link, no analytics or run history,
a private temp folder deleted at exit, a bounded queue with a clear "busy" answer, and a guard in front of
every request (RequestGuard): file paths outside the app's temp folder refused (traversal and encoded variants
too), bodies capped while they stream, every route behind the sign-in, failed sign-ins throttled, and security
headers (CSP, no framing, nosniff, no referrer) on every answer."""

import atexit
import ipaddress
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
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


# Routes this app never serves: API schema and docs pages, development, monitoring and run-history tools,
# custom-component files (that route echoes its arguments to the console) and the remote-file proxy.
CLOSED_SEGMENTS = frozenset(
    {"openapi.json", "docs", "redoc", "custom_component", "vibe-edit", "monitoring", "run-history", "runs",
     "process_recording", "reload"}
)  # fmt: skip
# What the sign-in page itself needs before anyone has signed in.
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/gradio_api/assets/")
PUBLIC_PATHS = {
    "/", "/login", "/login/", "/logout", "/favicon.ico", "/theme.css", "/gradio_api/theme.css", "/robots.txt",
    "/config", "/config/", "/gradio_api/login_check", "/gradio_api/login_check/", "/gradio_api/startup-events",
}  # fmt: skip
# Only the app's own origin for scripts, styles, images, fonts and connections; no framing, no plugins.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' data: blob:; "
    "worker-src 'self' blob:; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")


class LoginThrottle:
    """Failed sign-ins: a few free tries per client, then each next try waits twice as long as the last
    (up to max_wait_s); and a ceiling on failures a minute from all clients together (a proxy or a botnet)."""

    def __init__(self, free: int = 5, ceiling: int = 30, base_s: float = 1.0, max_wait_s: float = 300.0,
                 clock: Any = time.monotonic, max_clients: int = 10_000) -> None:  # fmt: skip
        self.free, self.ceiling, self.base_s, self.max_wait_s = free, ceiling, base_s, max_wait_s
        self.clock, self.max_clients = clock, max_clients
        self.clients: dict[str, tuple[int, float]] = {}  # client -> (failures, time of the last one)
        self.recent: deque[float] = deque()  # every failure of the last minute

    def wait(self, client: str) -> float:
        """Seconds this client must wait before its next try (0 when it may try now)."""
        now = self.clock()
        while self.recent and now - self.recent[0] > 60:
            self.recent.popleft()
        waits = [60 - (now - self.recent[0])] if len(self.recent) >= self.ceiling else []
        failures, last = self.clients.get(client, (0, now))
        if failures >= self.free:
            waits.append(min(self.base_s * 2 ** (failures - self.free), self.max_wait_s) - (now - last))
        return max([0.0, *waits])

    def failed(self, client: str) -> None:
        now = self.clock()
        self.recent.append(now)
        failures = self.clients.pop(client, (0, now))[0]
        self.clients[client] = (failures + 1, now)
        while len(self.clients) > self.max_clients:  # the oldest client goes first
            self.clients.pop(next(iter(self.clients)))

    def succeeded(self, client: str) -> None:
        self.clients.pop(client, None)


class RequestGuard:
    """Pure ASGI middleware in front of every request:
    403 for paths that reach outside the app; 404 for routes the app never serves; 413 for bodies over the cap
    (counted while they stream in, chunked ones too); 401 for every route but the sign-in page's own when a
    sign-in is set; failed sign-ins throttled (429); security headers and cookie flags on every answer; and a
    clear "busy" message instead of Gradio's queue-full error."""

    def __init__(self, app: Any, served_root: str = "", blocked: tuple[str, ...] = (), signed_in: bool = False,
                 behind_tls: bool = False, throttle: LoginThrottle | None = None,
                 max_body: int = MAX_BODY_BYTES) -> None:  # fmt: skip
        self.app = app
        self.served_root = Path(served_root).resolve() if served_root else None
        self.blocked = [Path(b).resolve() for b in blocked]
        self.signed_in, self.behind_tls, self.max_body = signed_in, behind_tls, max_body
        self.throttle = throttle or LoginThrottle()

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
        send = _Headers(send, self.behind_tls)
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        reason = self.refusal(raw.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"))
        if reason:
            return await _send_json(send, 403, reason)
        path = _decoded(scope.get("path", "")).lower()
        segments = path.split("/")
        if CLOSED_SEGMENTS.intersection(segments) or any(seg.startswith("proxy=") for seg in segments):
            return await _send_json(send, 404, "not served")
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        too_big = f"the request is over {self.max_body // 1_000_000} MB"
        if length.isdigit() and int(length) > self.max_body:
            return await _send_json(send, 413, too_big)
        if length not in (b"", b"0") or b"transfer-encoding" in headers:
            body = await _read_body(receive, self.max_body)
            if body is None:
                return await _send_json(send, 413, too_big)
            receive = _replay(body, receive)
        if self.signed_in and not _public(path) and not _has_session(scope, headers):
            return await _send_json(send, 401, "sign in first")
        if self.signed_in and path.rstrip("/") == "/login" and scope.get("method") == "POST":
            return await self._login(scope, receive, send)
        if scope.get("method") == "POST" and ("/queue/join" in scope["path"] or "/call/" in scope["path"]):
            return await self.app(scope, receive, _BusyRewriter(send))
        return await self.app(scope, receive, send)

    async def _login(self, scope: dict, receive: Any, send: Any) -> None:
        client = (scope.get("client") or ("-", 0))[0]
        wait = self.throttle.wait(client)
        if wait > 0:
            detail = f"too many failed sign-ins: try again in {math.ceil(wait)} s"
            return await _send_json(send, 429, detail, [(b"retry-after", str(math.ceil(wait)).encode())])
        status: list[int] = []

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] == 200:
            self.throttle.succeeded(client)
        elif status and 400 <= status[0] < 500:
            self.throttle.failed(client)


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _has_session(scope: dict, headers: dict) -> bool:
    """A sign-in cookie whose token the running app issued."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if not tokens or not cookie_id:
        return False
    names = {f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"}
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if name in names and value in tokens:
            return True
    return False


async def _read_body(receive: Any, limit: int) -> bytes | None:
    """The whole body, or None as soon as more than limit bytes have arrived (nothing more is read)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class _Headers:
    """Adds the security headers to every answer, and SameSite (and Secure behind TLS) to every cookie."""

    def __init__(self, send: Any, behind_tls: bool) -> None:
        self.send, self.behind_tls = send, behind_tls

    async def __call__(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, _cookie(v, self.behind_tls) if k.lower() == b"set-cookie" else v)
                       for k, v in message.get("headers", [])]  # fmt: skip
            present = {k.lower() for k, _ in headers}
            extra = [*SECURITY_HEADERS, *([HSTS] if self.behind_tls else [])]
            message = {**message, "headers": headers + [(k, v) for k, v in extra if k not in present]}
        await self.send(message)


def _cookie(value: bytes, secure: bool) -> bytes:
    parts = [p.strip() for p in value.decode("latin-1").split(";")]
    kept = [p for p in parts if p.lower().split("=")[0] not in {"samesite", "secure", "httponly"}]
    flags = ["HttpOnly", "SameSite=Strict", *(["Secure"] if secure else [])]
    return "; ".join(kept + flags).encode("latin-1")


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


async def _send_json(send: Any, status: int, detail: str, extra: list | None = None) -> None:
    body = json.dumps({"detail": detail, "error": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]
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
        footer_links=[],  # the API page is closed (CLOSED_SEGMENTS); no settings popup
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
            "middleware": [
                Middleware(
                    RequestGuard,
                    served_root=str(temp),
                    blocked=tuple(str(p) for p in blocked),
                    signed_in=bool(settings.auth_username and password),
                    behind_tls=settings.behind_tls,
                    throttle=LoginThrottle(free=settings.login_attempts, ceiling=settings.login_ceiling),
                )
            ],
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
    demo.launch(
        prevent_thread_lock=not block, theme=ui.theme(), css=ui.css(), head=ui.head(), **launch_options(settings, temp)
    )
    return demo
