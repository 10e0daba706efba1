"""app.py starts the page on 127.0.0.1 and the search handler shows passages with sources."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from assistant.handlers import library
from assistant.ui import stats_text
from tests.test_server_mode import free_port


def test_the_search_handler_shows_sources(services):
    text = library(services, "push-in versus pull-out", "primer", "", "")
    assert "`" in text and "service-delivery-models" in text


def test_an_empty_library_search_browses_instead_of_failing(services):
    assert library(services, "   ", "goal", "", "").count("`g-") >= 5


def test_stats_text_counts_the_library(services):
    assert f"{len(services.corpus.goals)} goal templates" in stats_text(services)


@pytest.mark.slow
def test_app_py_serves_the_page_on_loopback(index_settings):
    port = free_port()
    env = {**os.environ, "SCHOOLOT_DATA_DIR": str(index_settings.data_dir), "SCHOOLOT_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "app.py"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline, body = time.monotonic() + 120, ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert "School OT Assistant" in body
    finally:
        process.terminate()
        process.wait(timeout=20)
