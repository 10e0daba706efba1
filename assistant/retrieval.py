"""Hybrid search: dense (Chroma) and BM25 over the same chunks, fused by reciprocal rank."""

import math
import re
from collections import Counter
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import Embedder
from assistant.errors import IndexUnavailable, InputError, one_line
from assistant.index import get_all
from assistant.schemas import Passage, SearchFilters

RRF_K = 60
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 1.25  # measured: BM25 is the stronger half on this corpus (0.83 vs 0.73 alone)
CANDIDATES = 40
MAX_QUERY_CHARS = 2000  # longer texts are searched by their most telling sentences (focused)
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_STOP = frozenset(
    """
    a an and are as at be but by can do does for from has have he her his how i if in into is it
    its me my of on or our she so that the their them then there they this to was we what when
    where which who will with would you your i'm im
    """.split()
)


def tokenize(text: str) -> list[str]:
    """Lower-case word stems for BM25: plural and -ing/-ed endings folded, stop words dropped."""
    tokens = []
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in _STOP:
            continue
        for suffix in ("ing", "ies", "ed", "es", "s"):
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
                break
        tokens.append(word)
    return tokens


class BM25:
    """Okapi BM25 as a sparse doc x term matrix of weights: a query is one column sum, not a loop over docs."""

    def __init__(self, documents: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        import numpy as np
        from scipy.sparse import csr_matrix

        lengths = np.array([len(d) for d in documents], dtype=float)
        average = lengths.mean() if len(lengths) and lengths.mean() else 1.0
        frequency: Counter = Counter()
        for doc in documents:
            frequency.update(set(doc))
        total = len(documents)
        self.vocabulary: dict[str, int] = {}
        rows, cols, weights = [], [], []
        for i, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                idf = math.log(1 + (total - frequency[term] + 0.5) / (frequency[term] + 0.5))
                rows.append(i)
                cols.append(self.vocabulary.setdefault(term, len(self.vocabulary)))
                weights.append(idf * count * (k1 + 1) / (count + k1 * (1 - b + b * lengths[i] / average)))
        self.matrix = csr_matrix((weights, (rows, cols)), shape=(total, len(self.vocabulary))).tocsc()
        self.idf = {t: math.log(1 + (total - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in self.vocabulary}

    def scores(self, tokens: list[str]) -> Any:
        import numpy as np

        ids = [self.vocabulary[t] for t in tokens if t in self.vocabulary]
        if not ids:
            return np.zeros(self.matrix.shape[0])
        return np.asarray(self.matrix[:, ids].sum(axis=1)).ravel()


def chroma_where(filters: SearchFilters) -> dict[str, Any] | None:
    """The Chroma where-clause for the filters (flags per domain and grade band)."""
    parts: list[dict[str, Any]] = []
    if filters.kind:
        parts.append({"kind": filters.kind})
    if filters.domain:
        parts.append({f"d_{filters.domain}": True})
    if filters.grade_band:
        parts.append({f"g_{filters.grade_band}": True})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _matches(meta: dict[str, Any], filters: SearchFilters) -> bool:
    return (
        (not filters.kind or meta.get("kind") == filters.kind)
        and (not filters.domain or bool(meta.get(f"d_{filters.domain}")))
        and (not filters.grade_band or bool(meta.get(f"g_{filters.grade_band}")))
    )


class HybridSearcher:
    """Search one Chroma collection densely and by BM25, fused; BM25 is built from the stored chunks."""

    def __init__(self, collection: Any, embedder: Embedder, k: int = 5) -> None:
        stored = get_all(collection, ["documents", "metadatas"])
        self.collection, self.embedder, self.k = collection, embedder, k
        self.ids: list[str] = stored["ids"]
        self.docs: list[str] = stored["documents"]
        self.metas: list[dict[str, Any]] = [m or {} for m in stored["metadatas"]]
        self.position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}
        texts = (f"{m.get('title', '')} {d}" for d, m in zip(self.docs, self.metas, strict=True))
        self.bm25 = BM25([tokenize(text) for text in texts])

    def dense_ids(self, query: str, filters: SearchFilters, n: int = CANDIDATES) -> list[str]:
        if not self.ids:
            return []
        vector = self.embedder.embed_query(query)
        try:
            result = self.collection.query(
                query_embeddings=[vector], n_results=min(n, len(self.ids)), where=chroma_where(filters), include=[]
            )
        except Exception as exc:  # server gone, folder removed under us: chromadb raises many types
            reason = one_line(exc, 160)
            raise IndexUnavailable(f"the index could not be searched ({reason}); restart the app to rebuild") from None
        return list(result["ids"][0])

    def nearest_distance(self, query: str) -> float:
        """The cosine distance from the query to the nearest chunk of the library (0 same, 1 unrelated, up to 2)."""
        if not self.ids:
            return 2.0
        vector = self.embedder.embed_query(" ".join(query.split()))
        try:
            result = self.collection.query(query_embeddings=[vector], n_results=1, include=["distances"])
        except Exception as exc:  # server gone, folder removed under us: chromadb raises many types
            reason = one_line(exc, 160)
            raise IndexUnavailable(f"the index could not be searched ({reason}); restart the app to rebuild") from None
        return float(result["distances"][0][0])

    def sparse_ids(self, query: str, filters: SearchFilters, n: int = CANDIDATES) -> list[str]:
        tokens = tokenize(query)
        if not tokens or not self.ids:
            return []
        scores = self.bm25.scores(tokens)
        ranked = scores.argsort()[::-1]
        hits = []
        for i in ranked:
            if scores[i] <= 0 or len(hits) == n:
                break
            if _matches(self.metas[i], filters):
                hits.append(self.ids[i])
        return hits

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        distinct: bool = True,
    ) -> list[Passage]:
        """Top-k passages for the query; mode is hybrid, dense or bm25 (the last two for evaluation)."""
        query = " ".join(query.split())
        if not query:
            raise InputError("the search text is empty")
        if len(query) > MAX_QUERY_CHARS:
            query = self.focused(query)
        filters = filters or SearchFilters()
        rankings = []
        if mode in ("hybrid", "dense"):
            rankings.append((DENSE_WEIGHT, self.dense_ids(query, filters)))
        if mode in ("hybrid", "bm25"):
            rankings.append((BM25_WEIGHT, self.sparse_ids(query, filters)))
        fused: dict[str, float] = {}
        for weight, ranking in rankings:
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (RRF_K + rank + 1)
        ranked = sorted(fused, key=fused.__getitem__, reverse=True)
        if not distinct:  # several sections of one document, e.g. to answer a question from them
            return [self._passage(chunk_id, fused[chunk_id]) for chunk_id in ranked[: k or self.k]]
        return self._distinct(ranked, fused, k or self.k)

    def focused(self, text: str, limit: int = MAX_QUERY_CHARS) -> str:
        """A long text (a pasted evaluation) cut to its parts that say most about what the library holds: its
        distinct sentences ranked by the summed rarity (BM25 idf) of the library's words in them, per square root
        of their length, best first (the embedding model reads only the start) up to the limit. Linear in the text."""
        idf = self.bm25.idf if self.bm25 is not None else {}
        scored, seen = [], set()
        for i, sentence in enumerate(x.strip() for x in SENTENCE_END.split(text)):
            key = " ".join(sentence.lower().split())
            if not key or key in seen:
                continue  # a repeated sentence says nothing new
            seen.add(key)
            tokens = tokenize(sentence)
            known = {t for t in tokens if t in idf}
            scored.append((-sum(idf[t] for t in known) / math.sqrt(1 + len(tokens)), i, sentence[:limit]))
        chosen, used = [], 0
        for _, _, sentence in sorted(scored):
            if used + len(sentence) + 1 <= limit:
                chosen.append(sentence)
                used += len(sentence) + 1
        return " ".join(chosen) or text[:limit]

    def _distinct(self, ranked: list[str], fused: dict[str, float], k: int) -> list[Passage]:
        """Best chunk per source, and per goal family (a skill's support-level variants are one answer)."""
        seen: set[str] = set()
        passages = []
        for chunk_id in ranked:
            meta = self.metas[self.position[chunk_id]]
            keys = {meta.get("source_id", chunk_id), meta.get("family") or chunk_id}
            if keys & seen:
                continue
            seen |= keys
            passages.append(self._passage(chunk_id, fused[chunk_id]))
            if len(passages) == k:
                break
        return passages

    def _passage(self, chunk_id: str, score: float) -> Passage:
        i = self.position[chunk_id]
        meta = self.metas[i]
        return Passage(
            chunk_id=chunk_id,
            source_id=meta.get("source_id", chunk_id.split("#")[0]),
            title=meta.get("title", ""),
            text=self.docs[i],
            kind=meta.get("kind", ""),
            domains=[d for d in meta.get("domains", "").split("|") if d],
            score=round(score, 6),
        )

    def as_retriever(self, filters: SearchFilters | None = None, k: int | None = None) -> "HybridRetriever":
        """A langchain retriever (a Runnable) over this searcher, for chains."""
        return HybridRetriever(searcher=self, filters=filters or SearchFilters(), k=k or self.k)


class HybridRetriever(BaseRetriever):
    """langchain-core retriever facade: Documents carry the passage fields as metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: HybridSearcher
    filters: SearchFilters
    k: int

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=p.text, metadata=p.model_dump(exclude={"text"}), id=p.chunk_id)
            for p in self.searcher.search(query, k=self.k, filters=self.filters)
        ]
