"""The deterministic evals gate run by the README's test command."""

import tempfile
from pathlib import Path

from pydantic import BaseModel

from assistant.corpus import load_corpus, load_yaml
from assistant.embeddings import Embedder
from assistant.index import open_collection, refresh_index
from assistant.retrieval import HybridSearcher
from assistant.services import Services
from assistant.settings import Settings
from evals.brain_metrics import plan_metrics, router_metrics, scope_metrics
from evals.goal_metrics import draft_metrics, load_cases, review_metrics
from evals.retrieval import check_sources_exist, compare_modes, load_retrieval_cases

THRESHOLDS = Path(__file__).parent / "thresholds.yaml"


def retrieval_failures(reports: dict, limits: dict) -> list[str]:
    """Each way the retrieval figures fall short of the thresholds, as a sentence."""
    hybrid, dense, bm25 = (reports[m].recall for m in ("hybrid", "dense", "bm25"))
    failures = []
    if hybrid < limits["hybrid_recall_at_5"]:
        failures.append(f"hybrid recall@5 {hybrid} is below {limits['hybrid_recall_at_5']}")
    if limits.get("hybrid_not_below_dense") and hybrid < dense:
        failures.append(f"hybrid recall@5 {hybrid} is below dense-only {dense}")
    if limits.get("hybrid_not_below_bm25") and hybrid < bm25:
        failures.append(f"hybrid recall@5 {hybrid} is below BM25-only {bm25}")
    return failures


def metric_failures(name: str, metrics: BaseModel, limits: dict) -> list[str]:
    """Each figure below its threshold, as a sentence naming the criterion."""
    values = metrics.model_dump()
    return [f"{name} {key} {values[key]} is below {limit}" for key, limit in limits.items() if values[key] < limit]


def run_gate() -> int:
    limits = load_yaml(THRESHOLDS.read_text())
    base = Settings(_env_file=None)
    corpus = load_corpus(base.corpus_dir)
    cases = load_retrieval_cases()
    failures = [f"unknown expected source {m}" for m in check_sources_exist(cases, set(corpus.by_id()))]
    embedder = Embedder(base.embedding_model_path, base.embedding_batch_size)
    with tempfile.TemporaryDirectory(prefix="schoolot-gate-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))
        refresh_index(settings, embedder, corpus)
        searcher = HybridSearcher(open_collection(settings, embedder), embedder, k=5)
        reports = compare_modes(searcher, cases)
        services = Services(settings, corpus, embedder, searcher, None)
        review = review_metrics(services, load_cases("review"))
        drafting = draft_metrics(services, load_cases("goal"))
        scope = scope_metrics(services, load_cases("scope"))
        plans = plan_metrics(services, load_cases("plan"))
        router = router_metrics(load_cases("router"))
    print(
        f"retrieval ({len(cases)} labeled queries): "
        + ", ".join(f"{m} recall@5 {r.recall}" for m, r in reports.items())
    )
    print(
        f"review ({review.cases} labeled goals): agreement {review.measurable_agreement}, defect named "
        f"{review.defect_named}, rewrites passing {review.rewrites_passing}, p95 {review.p95_ms} ms"
    )
    print(
        f"goal drafting ({drafting.cases} requests): critical {drafting.critical_pass}, "
        f"domain {drafting.domain_right}, "
        f"baseline kept {drafting.baseline_kept}, missing baseline listed {drafting.missing_baseline_listed}, "
        f"nothing invented {drafting.nothing_invented}, p95 {drafting.p95_ms} ms"
    )
    failures += retrieval_failures(reports, limits["retrieval"])
    failures += metric_failures("review", review, limits["review"])
    failures += metric_failures("goal", drafting, limits["goal"])
    print(
        f"scope ({scope.cases} questions): verdict right {scope.verdict_right}, clearly-out answered in "
        f"{scope.clear_out_answered_in}, p95 {scope.p95_ms} ms"
    )
    print(
        f"plans ({plans.cases} requests): minutes add up {plans.minutes_add_up}, activities serve a goal "
        f"{plans.every_activity_serves_a_goal}, interests {plans.interests_woven_in}, p95 {plans.p95_ms} ms"
    )
    print(f"router ({router.cases} utterances): intent right {router.intent_right}")
    failures += metric_failures("scope", scope, limits["scope"])
    if scope.clear_out_answered_in:
        failures.append(f"scope answered {scope.clear_out_answered_in} clearly out-of-scope questions in scope")
    failures += metric_failures("plan", plans, limits["plan"]) + metric_failures("router", router, limits["router"])
    for failure in failures:
        print(f"FAIL {failure}")
    print("evals gate: " + ("failed" if failures else "passed"))
    return 1 if failures else 0
