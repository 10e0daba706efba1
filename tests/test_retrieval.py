"""Hybrid retrieval returns typed, filtered passages, works as a langchain retriever, and beats either half."""

import pytest
from langchain_core.documents import Document

from assistant.errors import InputError
from assistant.schemas import Passage, SearchFilters
from evals.retrieval import check_sources_exist, compare_modes, load_retrieval_cases


def test_hybrid_search_returns_typed_passages_best_first(services):
    passages = services.searcher.search("does the school need a doctor's prescription for OT", k=5)
    assert len(passages) == 5 and all(isinstance(p, Passage) for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert all(p.chunk_id.startswith(p.source_id + "#") and p.title and p.text for p in passages)


@pytest.mark.parametrize("kind", ["primer", "goal", "activity", "scope"])
def test_the_kind_filter_keeps_only_that_kind(services, kind):
    passages = services.searcher.search("handwriting in the classroom", k=8, filters=SearchFilters(kind=kind))
    assert passages and {p.kind for p in passages} == {kind}


def test_domain_and_grade_filters_apply_to_both_retrievers(services):
    filters = SearchFilters(domain="self_care", grade_band="9_12")
    for mode in ("dense", "bm25", "hybrid"):
        passages = services.searcher.search("opening a milk carton at lunch", k=6, filters=filters, mode=mode)
        for p in passages:
            meta = services.searcher.metas[services.searcher.position[p.chunk_id]]
            assert meta.get("d_self_care") and meta.get("g_9_12"), (mode, p.chunk_id)


def test_it_is_a_langchain_retriever(services):
    retriever = services.searcher.as_retriever(SearchFilters(kind="primer"), k=3)
    documents = retriever.invoke("what is a related service under IDEA")
    assert len(documents) == 3 and all(isinstance(d, Document) for d in documents)
    assert all(d.metadata["kind"] == "primer" and d.metadata["source_id"] for d in documents)


@pytest.mark.parametrize("query", ["", "   \n "])
def test_empty_queries_get_a_clear_message(services, query):
    with pytest.raises(InputError) as caught:
        services.searcher.search(query)
    assert "\n" not in str(caught.value)


def test_a_long_pasted_text_is_searched_by_its_most_telling_sentences(services):
    """A pasted evaluation (over the query limit) is cut to the sentences that say most about what the library
    holds, in their order; the search finds what those sentences are about, not an error."""
    from assistant.retrieval import MAX_QUERY_CHARS

    filler = "The report was written after two visits and shared with the team at the meeting. " * 120
    telling = "She cannot cut along a line with scissors and her paper tears when she snips. "
    text = filler[: len(filler) // 2] + telling + filler[len(filler) // 2 :]
    focused = services.searcher.focused(text)
    assert len(text) > 4 * MAX_QUERY_CHARS and len(focused) <= MAX_QUERY_CHARS and "scissors" in focused
    assert any("scissor" in (p.title + p.text).lower() for p in services.searcher.search(text, k=5))
    assert services.searcher.search("x" * 5000) is not None  # no error for a long nonsense text either


def test_labeled_queries_point_at_real_records(corpus):
    cases = load_retrieval_cases()
    assert len(cases) >= 30
    assert check_sources_exist(cases, set(corpus.by_id())) == []


def test_hybrid_recall_is_at_least_dense_and_bm25_alone(services):
    reports = compare_modes(services.searcher, load_retrieval_cases())
    hybrid = reports["hybrid"].recall
    assert hybrid >= reports["dense"].recall
    assert hybrid >= reports["bm25"].recall
