"""The index is built with our embedder, refreshed incrementally, and written by one process at a time."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.chunks import chunk_corpus
from assistant.corpus import load_corpus
from assistant.errors import IndexUnavailable
from assistant.index import open_collection, refresh_index
from tests.conftest import make_settings


def stored_ids(settings, embedder) -> set[str]:
    return set(open_collection(settings, embedder).get(include=[])["ids"])


def test_a_second_run_embeds_nothing_and_takes_under_a_second(tmp_path, mini_corpus, embedder):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    first = refresh_index(settings, embedder)
    assert first.embedded == first.total > 0
    before = embedder.texts_embedded
    second = refresh_index(settings, embedder)
    assert embedder.texts_embedded == before
    assert (second.embedded, second.deleted, second.unchanged) == (0, 0, first.total)
    assert second.seconds <= 1.0
    assert stored_ids(settings, embedder) == {c.id for c in chunk_corpus(load_corpus(mini_corpus))}


def test_a_changed_file_replaces_only_its_chunks(tmp_path, mini_corpus, embedder):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    refresh_index(settings, embedder)
    doc = sorted((mini_corpus / "primer").glob("*.md"))[0]
    text = doc.read_text()
    heading_at = text.index("\n## ") + 1
    end_of_heading = text.index("\n", heading_at) + 1
    doc.write_text(text[:end_of_heading] + "Edited: a new opening sentence.\n" + text[end_of_heading:])
    before = embedder.texts_embedded
    report = refresh_index(settings, embedder)
    assert report.embedded == 1 and embedder.texts_embedded - before == 1
    collection = open_collection(settings, embedder)
    first_slug = load_corpus(mini_corpus).primer[0].sections[0].slug
    stored = collection.get(ids=[f"{doc.stem}#{first_slug}"], include=["documents"])
    assert "Edited: a new opening sentence." in stored["documents"][0]


def test_a_removed_file_loses_its_chunks(tmp_path, mini_corpus, embedder):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    refresh_index(settings, embedder)
    removed = next((mini_corpus / "activities").glob("*.yaml"))
    gone = {f"{record_id}#activity" for record_id in load_corpus(mini_corpus).files[f"activities/{removed.name}"]}
    removed.unlink()
    report = refresh_index(settings, embedder)
    assert report.deleted == len(gone) and report.embedded == 0
    assert not gone & stored_ids(settings, embedder)


def test_rebuild_embeds_everything_again(tmp_path, mini_corpus, embedder):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    first = refresh_index(settings, embedder)
    again = refresh_index(settings, embedder, rebuild=True)
    assert again.rebuilt and again.embedded == first.total


def test_chromas_default_embedding_function_never_runs(tmp_path, mini_corpus, embedder, monkeypatch):
    from chromadb.utils import embedding_functions

    def refuse(self, input):
        raise AssertionError("chromadb's default embedding function ran")

    monkeypatch.setattr(embedding_functions.DefaultEmbeddingFunction, "__call__", refuse)
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    refresh_index(settings, embedder)
    collection = open_collection(settings, embedder)
    assert collection.query(query_texts=["scissors"], n_results=1)["ids"][0]


def test_a_second_writer_waits_for_the_lock_and_then_says_why(tmp_path, mini_corpus, embedder):
    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    settings.data_dir.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; from filelock import FileLock; l=FileLock(sys.argv[1]); "
            "l.acquire(); print('held', flush=True); time.sleep(60)",
            str(settings.data_dir / "index.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.perf_counter()
        with pytest.raises(IndexUnavailable, match="another process"):
            refresh_index(settings, embedder, lock_timeout=0.5)
        assert time.perf_counter() - started < 5
    finally:
        holder.kill()
        holder.wait()
    assert refresh_index(settings, embedder, lock_timeout=5).embedded > 0


def test_large_collections_are_read_a_page_at_a_time(tmp_path, mini_corpus, embedder, monkeypatch):
    import assistant.index as index

    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    refresh_index(settings, embedder)
    monkeypatch.setattr(index, "PAGE", 7)
    everything = index.get_all(open_collection(settings, embedder), ["metadatas"])
    assert len(everything["ids"]) == len(set(everything["ids"])) == len(everything["metadatas"]) > 7
    assert refresh_index(settings, embedder).embedded == 0


KILLED_BUILD = """
import sys, time
from pathlib import Path
from assistant import index
from assistant.embeddings import Embedder
from assistant.settings import Settings
from assistant.settings import bundled_model_path

settings = Settings(_env_file=None, data_dir=Path(sys.argv[1]), corpus_dir=Path(sys.argv[2]), embedding_batch_size=4)
embedder = Embedder(bundled_model_path(), 4)
batches = 0
write = index._write


def slow_write(collection, embedder, chunks, show_progress):
    def add(**kwargs):
        global batches
        real_add(**kwargs)
        batches += 1
        if batches == 3:  # three batches stored: say so, then hang until killed
            Path(sys.argv[3]).write_text("3 batches")
            time.sleep(600)

    real_add = collection.add
    collection.add = add
    write(collection, embedder, chunks, show_progress)


index._write = slow_write
index.refresh_index(settings, embedder)
"""


@pytest.mark.slow
def test_a_build_killed_halfway_is_found_at_the_next_start_and_rebuilt(tmp_path, mini_corpus, embedder):
    """The red-team's repro: kill -9 during the first build; the restart must not serve the partial index."""
    from assistant.services import build_services

    data, marker = tmp_path / "data", tmp_path / "stored"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(data), str(mini_corpus), str(marker)],
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "the build never stored its first batches"
    child.kill()  # SIGKILL: no cleanup of any kind runs
    child.wait()
    settings = make_settings(data, corpus_dir=mini_corpus)
    partial = open_collection(settings, embedder).count()
    total = len(chunk_corpus(load_corpus(mini_corpus)))
    assert 0 < partial < total
    notices: list[str] = []
    services = build_services(settings, on_notice=notices.append)
    assert len(notices) == 1 and "half-built" in notices[0] and "\n" not in notices[0], notices
    assert services.index_report is not None and services.index_report.total == total
    assert open_collection(settings, embedder).count() == total
    notices.clear()
    build_services(settings, on_notice=notices.append)  # now complete: nothing to say, nothing to rebuild
    assert notices == []


def test_an_interrupted_refresh_leaves_the_index_marked_incomplete(tmp_path, mini_corpus, embedder, monkeypatch):
    from assistant import index
    from assistant.index import index_state

    settings = make_settings(tmp_path / "data", corpus_dir=mini_corpus)
    refresh_index(settings, embedder)
    assert index_state(settings, embedder)[0] == "ready"
    doc = sorted((mini_corpus / "primer").glob("*.md"))[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\n\nA new paragraph about pencil grips.\n", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(index, "_write", boom)
    with pytest.raises(OSError):
        refresh_index(settings, embedder)
    assert index_state(settings, embedder)[0] == "partial"
    monkeypatch.undo()
    refresh_index(settings, embedder)
    assert index_state(settings, embedder)[0] == "ready"
