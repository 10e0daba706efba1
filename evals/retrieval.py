"""Retrieval evaluation: recall@k of the labeled queries for dense, BM25 and hybrid search."""

from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.corpus import load_yaml
from assistant.errors import CorpusError
from assistant.retrieval import HybridSearcher

CASES_DIR = Path(__file__).parent / "cases" / "retrieval"
MODES = ("dense", "bm25", "hybrid")


class RetrievalExpected(BaseModel):
    source_ids: list[str] = Field(min_length=1)


class RetrievalCase(BaseModel, extra="forbid"):
    """A labeled query: the corpus records that should come back for it."""

    id: str
    task: Literal["retrieval"]
    input: str = Field(min_length=3)
    expected: RetrievalExpected
    pooled: list[str] = Field(
        default_factory=list,
        description="Ids of expected sources added by blind judging of the pooled top 5 of every retriever.",
    )
    tags: dict[str, str] = Field(default_factory=dict)


class RecallReport(BaseModel):
    mode: str
    k: int
    recall: float
    per_domain: dict[str, float]
    misses: list[str] = Field(description="Ids of cases with no expected source in the top k.")


def load_retrieval_cases(paths: list[Path] | None = None) -> list[RetrievalCase]:
    """Every case of the given files (default: evals/cases/retrieval/*.yaml)."""
    files = paths or sorted(CASES_DIR.glob("*.yaml"))
    cases = []
    for path in files:
        data = load_yaml(path.read_text(encoding="utf-8")) or []
        for i, item in enumerate(data):
            try:
                cases.append(RetrievalCase.model_validate(item))
            except ValidationError as exc:
                label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
                raise CorpusError(f"{path}: case {label}: {exc.errors()[0]['msg']}") from None
    return cases


def check_sources_exist(cases: list[RetrievalCase], known_ids: set[str]) -> list[str]:
    """Expected ids that are not in the corpus (a labeling error)."""
    return [f"{c.id}: {s}" for c in cases for s in c.expected.source_ids if s not in known_ids]


def goal_families(searcher: HybridSearcher) -> dict[str, str]:
    """source_id -> goal family (domain:skill) for goal-bank chunks."""
    return {m["source_id"]: m["family"] for m in searcher.metas if m.get("family")}


def recall_at_k(searcher: HybridSearcher, cases: list[RetrievalCase], mode: str = "hybrid", k: int = 5) -> RecallReport:
    """Share of cases with an expected source in the top k (top-k retrieval accuracy, as in DPR).

    Labels list every record that answers the query (e.g. two support-level variants of one goal),
    so a case counts as answered when any of them comes back. A goal-bank expectation is met by any
    support-level variant of the same skill: the variants are one answer, and the drafter picks the level.
    """
    family = goal_families(searcher)
    scores: dict[str, list[float]] = defaultdict(list)
    overall, misses = [], []
    for case in cases:
        found = {p.source_id for p in searcher.search(case.input, k=k, mode=mode)}
        found |= {family[s] for s in found if s in family}
        expected = set(case.expected.source_ids) | {family[s] for s in case.expected.source_ids if s in family}
        score = 1.0 if found & expected else 0.0
        overall.append(score)
        scores[case.tags.get("domain", "general")].append(score)
        if score == 0:
            misses.append(case.id)
    mean = lambda xs: round(sum(xs) / len(xs), 4) if xs else 0.0  # noqa: E731
    return RecallReport(
        mode=mode, k=k, recall=mean(overall), per_domain={d: mean(v) for d, v in sorted(scores.items())}, misses=misses
    )


def compare_modes(searcher: HybridSearcher, cases: list[RetrievalCase], k: int = 5) -> dict[str, Any]:
    return {mode: recall_at_k(searcher, cases, mode, k) for mode in MODES}
