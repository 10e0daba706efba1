"""Build and incrementally refresh the Chroma index: only new or changed chunks are embedded."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from assistant.chunks import Chunk, chunk_corpus
from assistant.corpus import Corpus, load_corpus
from assistant.embeddings import Embedder, chroma_embedding_function, open_chroma
from assistant.errors import IndexUnavailable
from assistant.settings import Settings

LOCK_TIMEOUT_S = 600


class RefreshReport(NamedTuple):
    """What one index run did."""

    total: int
    embedded: int
    deleted: int
    unchanged: int
    seconds: float
    rebuilt: bool

    def summary(self) -> str:
        verb = "rebuilt" if self.rebuilt else "refreshed"
        return (
            f"index {verb}: {self.total} chunks, {self.embedded} embedded, {self.deleted} deleted, "
            f"{self.unchanged} unchanged in {self.seconds:.2f} s"
        )


@contextmanager
def index_lock(settings: Settings, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """One writer at a time, across processes."""
    from filelock import FileLock, Timeout

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.data_dir / "index.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise IndexUnavailable(f"another process has been updating the index for over {timeout:g} s") from None
    try:
        yield
    finally:
        lock.release()


PAGE = 5000


def get_all(collection: Any, include: list[str]) -> dict[str, list]:
    """Every record of a collection, a page at a time (one get() of a large collection exceeds SQLite's limits)."""
    result: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        page = collection.get(include=include, limit=PAGE, offset=offset)
        result["ids"] += page["ids"]
        for key in include:
            result[key] += list(page[key]) if page[key] is not None else []
        if len(page["ids"]) < PAGE:
            return result
        offset += PAGE


def open_collection(settings: Settings, embedder: Embedder, client: Any = None) -> Any:
    """The corpus collection, always with our embedding function and cosine space."""
    client = client or open_chroma(settings)
    return client.get_or_create_collection(
        settings.collection,
        embedding_function=chroma_embedding_function(embedder),
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedder": embedder.fingerprint},
    )


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="chunk", desc="embedding", disable=not enabled, file=sys.stderr)


def _write(collection: Any, embedder: Embedder, chunks: list[Chunk], show_progress: bool) -> None:
    step = max(embedder.batch_size, 1)
    with _progress(len(chunks), show_progress) as bar:
        for start in range(0, len(chunks), step):
            batch = chunks[start : start + step]
            collection.add(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                metadatas=[c.metadata() for c in batch],
                embeddings=embedder.embed([c.text for c in batch]),
            )
            bar.update(len(batch))


def refresh_index(
    settings: Settings,
    embedder: Embedder,
    corpus: Corpus | None = None,
    rebuild: bool = False,
    show_progress: bool = False,
    lock_timeout: float = LOCK_TIMEOUT_S,
) -> RefreshReport:
    """Bring the index in line with the corpus; returns what changed."""
    started = time.perf_counter()
    corpus = corpus or load_corpus(settings.corpus_dir)
    chunks = chunk_corpus(corpus)
    with index_lock(settings, lock_timeout):
        client = open_chroma(settings)
        existing_names = {getattr(c, "name", c) for c in client.list_collections()}
        if settings.collection in existing_names:
            stale_model = (
                client.get_collection(
                    settings.collection, embedding_function=chroma_embedding_function(embedder)
                ).metadata.get("embedder")
                != embedder.fingerprint
            )
            rebuild = rebuild or stale_model
            if rebuild:
                client.delete_collection(settings.collection)
        collection = open_collection(settings, embedder, client)
        complete = _is_complete(collection)
        stored = get_all(collection, ["metadatas"])
        hashes = {i: (m or {}).get("hash") for i, m in zip(stored["ids"], stored["metadatas"], strict=True)}
        wanted = {c.id for c in chunks}
        gone = [i for i in hashes if i not in wanted]
        todo = [c for c in chunks if hashes.get(c.id) != c.content_hash]
        # Delete before re-adding: Chroma merges metadata on update, and a domain flag may have gone.
        replaced = [c.id for c in todo if c.id in hashes]
        if gone or todo or not complete:
            # Unmarked first: a build stopped halfway (even by SIGKILL) is found at the next start.
            _mark(collection, embedder, complete=False)
            if gone or replaced:
                collection.delete(ids=gone + replaced)
            _write(collection, embedder, todo, show_progress)
            _mark(collection, embedder, complete=True)
    return RefreshReport(
        total=len(chunks),
        embedded=len(todo),
        deleted=len(gone),
        unchanged=len(chunks) - len(todo),
        seconds=time.perf_counter() - started,
        rebuilt=rebuild,
    )


def _mark(collection: Any, embedder: Embedder, complete: bool) -> None:
    """The completion marker lives in the collection's own metadata, so it works for a Chroma server too."""
    chunks = collection.count() if complete else -1
    collection.modify(metadata={"embedder": embedder.fingerprint, "complete": complete, "chunks": chunks})


def _is_complete(collection: Any) -> bool:
    metadata = collection.metadata or {}
    return metadata.get("complete") is True and metadata.get("chunks") == collection.count()


def index_state(settings: Settings, embedder: Embedder) -> tuple[str, int]:
    """("missing" | "partial" | "ready", chunk count): partial when a build or refresh did not finish."""
    client = open_chroma(settings)
    names = {getattr(c, "name", c) for c in client.list_collections()}
    if settings.collection not in names:
        return "missing", 0
    collection = open_collection(settings, embedder, client)
    count = collection.count()
    if count == 0:
        return "missing", 0
    return ("ready" if _is_complete(collection) else "partial"), count


def index_exists(settings: Settings, embedder: Embedder) -> bool:
    """True when the collection is there, holds chunks and its last build finished."""
    return index_state(settings, embedder)[0] == "ready"
