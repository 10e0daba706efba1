"""Faults: a missing or damaged index is rebuilt with a clear message, two writers leave the index whole,
and a search that cannot reach the index says so in one line."""

import os
import subprocess
import sys

import pytest

from assistant.chunks import chunk_corpus
from assistant.corpus import load_corpus
from assistant.errors import IndexUnavailable
from assistant.index import open_collection
from assistant.retrieval import HybridSearcher
from assistant.services import build_services
from tests.conftest import make_settings


def _build(settings):
    notices: list[str] = []
    services = build_services(settings, on_notice=notices.append)
    return services, notices


def test_a_missing_index_is_built_with_a_message(tmp_path, mini_corpus):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    services, notices = _build(settings)
    assert services.index_report.embedded == len(chunk_corpus(services.corpus))
    assert notices and notices[0].startswith("no index at")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty-folder-file"])
def test_a_damaged_index_is_rebuilt_automatically(tmp_path, mini_corpus, damage):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    first, _ = _build(settings)
    expected = first.searcher.search("pencil grip")[0].chunk_id
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # as a new process would see the folder
    sqlite = settings.index_path / "chroma.sqlite3"
    if damage == "garbage":
        sqlite.write_bytes(b"this is not a database" * 100)
    elif damage == "truncated":
        sqlite.write_bytes(sqlite.read_bytes()[:1000])
    else:
        for path in settings.index_path.iterdir():
            if path.is_dir():
                for inner in path.iterdir():
                    inner.write_bytes(b"\0" * 10)
        sqlite.write_bytes(b"")
    services, notices = _build(settings)
    assert any("could not be read" in n and "rebuilding" in n for n in notices) or services.index_report
    assert services.searcher.search("pencil grip")[0].chunk_id == expected


def test_two_index_writers_at_once_leave_the_index_whole(tmp_path, mini_corpus):
    env = {**os.environ, "SCHOOLOT_DATA_DIR": str(tmp_path / "data"), "SCHOOLOT_CORPUS_DIR": str(mini_corpus)}
    command = [sys.executable, "-m", "assistant", "index", "--rebuild"]
    writers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    writers.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [w.communicate(timeout=240) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], results
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    services, notices = _build(settings)
    chunks = chunk_corpus(load_corpus(mini_corpus))
    assert notices == [] and services.searcher.collection.count() == len(chunks)
    assert sorted(services.searcher.ids) == sorted(c.id for c in chunks)


def test_a_search_that_cannot_reach_the_index_is_one_clear_line(tmp_path, mini_corpus, embedder):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    _build(settings)
    collection = open_collection(settings, embedder)
    searcher = HybridSearcher(collection, embedder)

    def broken(**_):
        raise RuntimeError("Could not connect to tenant default_tenant.\nmore detail")

    searcher.collection = type("Gone", (), {"query": staticmethod(broken)})()
    with pytest.raises(IndexUnavailable, match=r"could not be searched .Could not connect") as error:
        searcher.search("pencil grip")
    assert "\n" not in str(error.value)
