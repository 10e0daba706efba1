"""Run app.py as a real process on a free loopback port, with its output kept for inspection."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from tests.test_server_mode import free_port

ROOT = Path(__file__).resolve().parent.parent


class RunningApp(NamedTuple):
    url: str
    process: subprocess.Popen
    output: Path  # stdout and stderr of the app

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_app(workdir: Path, env: dict[str, str], wait_s: float = 120) -> Iterator[RunningApp]:
    """app.py with the given SCHOOLOT_* settings; stopped with SIGTERM (as a service manager would)."""
    port = env.get("SCHOOLOT_PORT") or str(free_port())
    workdir.mkdir(parents=True, exist_ok=True)
    output = workdir / "app-output.log"
    full_env = {**os.environ, **env, "SCHOOLOT_PORT": port}
    with output.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], env=full_env, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir
        )
    app = RunningApp(f"http://127.0.0.1:{port}/", process, output)
    try:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and process.poll() is None:
            try:
                urllib.request.urlopen(app.url, timeout=2)
                break
            except urllib.error.HTTPError:
                break  # the server answers (e.g. a sign-in page)
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError(f"app.py did not start: {app.log()[-2000:]}")
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
