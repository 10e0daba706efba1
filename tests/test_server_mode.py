"""Server mode: index and query through a real `chroma run` on loopback."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.index import open_collection, refresh_index
from assistant.retrieval import HybridSearcher
from tests.conftest import make_settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    process = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 30 s")
    yield port
    process.terminate()
    process.wait(timeout=10)


def test_index_and_search_through_a_chroma_server(tmp_path, mini_corpus, embedder, chroma_server):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus, chroma_mode="server", chroma_port=chroma_server)
    first = refresh_index(settings, embedder)
    assert first.embedded == first.total > 0
    assert refresh_index(settings, embedder).embedded == 0
    searcher = HybridSearcher(open_collection(settings, embedder), embedder)
    passages = searcher.search("writing goals for a student", k=3)
    assert len(passages) == 3
    assert not (tmp_path / "data" / "index").exists()
