"""Build the heavy parts once per process (corpus, embedder, index, searcher) from Settings."""

from typing import Any, NamedTuple

from assistant.corpus import Corpus, load_corpus
from assistant.embeddings import Embedder
from assistant.index import RefreshReport, index_exists, open_collection, refresh_index
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


def build_services(
    settings: Settings, refresh: bool = False, show_progress: bool = False, collection: Any = None
) -> Services:
    """Load the corpus and model; build the index if it is absent (or refresh it when asked)."""
    corpus = load_corpus(settings.corpus_dir)
    embedder = Embedder(settings.embedding_model_path, settings.embedding_batch_size)
    report = None
    if collection is None:
        if refresh or not index_exists(settings, embedder):
            report = refresh_index(settings, embedder, corpus, show_progress=show_progress)
        collection = open_collection(settings, embedder)
    searcher = HybridSearcher(collection, embedder, k=settings.retrieval_k)
    return Services(settings, corpus, embedder, searcher, report, build_chat_model(settings))
