"""Build the heavy parts once per process (corpus, embedder, index, searcher) from Settings."""

import shutil
from collections.abc import Callable
from typing import Any, NamedTuple

from assistant.corpus import Corpus, load_corpus
from assistant.embeddings import Embedder
from assistant.errors import IndexUnavailable, one_line
from assistant.index import RefreshReport, index_lock, index_state, open_collection, refresh_index
from assistant.llm import build_chat_model
from assistant.retrieval import HybridSearcher
from assistant.settings import Settings


class Services(NamedTuple):
    """What every capability needs, loaded once."""

    settings: Settings
    corpus: Corpus
    embedder: Embedder
    searcher: HybridSearcher
    index_report: RefreshReport | None
    llm: Any = None
    audit: Any = None


def build_services(
    settings: Settings,
    refresh: bool = False,
    show_progress: bool = False,
    collection: Any = None,
    on_notice: Callable[[str], None] | None = None,
) -> Services:
    """Load the corpus and model; build the index if it is absent, refresh it when asked, and rebuild it
    when the local folder is damaged (on_notice hears why)."""
    corpus = load_corpus(settings.corpus_dir)
    embedder = Embedder(settings.embedding_model_path, settings.embedding_batch_size)
    report = None
    if collection is None:
        if refresh or not _usable_index(settings, embedder, on_notice):
            report = refresh_index(settings, embedder, corpus, show_progress=show_progress)
        collection = open_collection(settings, embedder)
    searcher = HybridSearcher(collection, embedder, k=settings.retrieval_k)
    return Services(settings, corpus, embedder, searcher, report, build_chat_model(settings))


def _usable_index(settings: Settings, embedder: Embedder, on_notice: Callable[[str], None] | None) -> bool:
    """True when the index can be read and holds chunks; a damaged local index is removed for a rebuild."""
    notice = on_notice or (lambda _: None)
    try:
        state, count = index_state(settings, embedder)
        if state == "ready":
            return True
        if state == "missing":
            notice(f"no index at {settings.index_path} yet: building it from the corpus (about half a minute)")
            return False
        notice(
            f"the index at {settings.index_path} was left half-built ({count} chunks; its last build was stopped "
            "before it finished): rebuilding it from the corpus"
        )
        if settings.chroma_mode == "embedded":  # a local folder is rebuilt whole; a server's collection is completed
            discard_index(settings)
        return False
    except Exception as exc:  # chromadb raises many types for a damaged folder
        if settings.chroma_mode != "embedded":
            raise exc if isinstance(exc, IndexUnavailable) else IndexUnavailable(one_line(exc)) from None
        notice(f"the index at {settings.index_path} could not be read ({one_line(exc)}); rebuilding it from the corpus")
        discard_index(settings)
        return False


def discard_index(settings: Settings) -> None:
    """Delete the local index folder (it is derived from the corpus and can always be rebuilt)."""
    from chromadb.api.client import SharedSystemClient

    with index_lock(settings):
        SharedSystemClient.clear_system_cache()
        shutil.rmtree(settings.index_path, ignore_errors=True)
