"""The deterministic evals gate run by the README's test command: every case in evals/cases with no LLM,
on a fresh index in a temp folder, plus the dense / BM25 / hybrid retrieval comparison."""

from pathlib import Path

from assistant.corpus import load_yaml
from assistant.settings import Settings
from evals.cases import load_cases
from evals.conversation import conversation_failures
from evals.faithful import faithful_failures
from evals.plans import plans_failures
from evals.retrieval import check_sources_exist, compare_modes, load_retrieval_cases
from evals.run import DEFAULT_CASES, THRESHOLDS, evaluate, temp_services
from evals.scope_answers import scope_failures

REPORT = Path(__file__).parent / "reports" / "gate"


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


def redaction_failures(limits: dict) -> list[str]:
    """Redaction recall on every labeled set, each against its own floors (structured, names, rooms, keep rate)."""
    from evals.redaction import load_set, score, summary_line

    failures = []
    for name, floors in limits.items():
        result = score(load_set(name))
        print(summary_line(name, result))
        figures = {
            "structured_recall": result["structured_recall"],
            "name_recall": result["recall"]["name"],
            "room_recall": result["recall"]["room"],
            "keep_rate": result["keep_rate"],
        }
        for figure, floor in floors.items():
            if figures[figure] is not None and figures[figure] < floor:
                failures.append(f"redaction {name} {figure} {figures[figure]} < {floor}")
    return failures


def understanding_failures(limits: dict) -> list[str]:
    """Per-field F1 of the Case reader on every labeled set, each set against its own floors."""
    from evals.understanding import SETS, evaluate, markdown

    reports = [evaluate(SETS / f"{name}.yaml") for name in limits if (SETS / f"{name}.yaml").is_file()]
    print(markdown(reports))
    failures = []
    for report in reports:
        for field, floor in limits[report.name].items():
            if field == "relabeled":
                value, bad = report.relabeled, report.relabeled > floor
            elif field == "role_names":
                value, bad = report.role_names, report.role_names > floor
            else:
                value = report.row(field)["f1"]
                bad = value < floor
            if bad:
                failures.append(f"understanding {report.name} {field} {value} is past its limit {floor}")
    missing = [name for name in limits if not (SETS / f"{name}.yaml").is_file()]
    return failures + [f"understanding set {name}.yaml is missing" for name in missing]


def run_gate() -> int:
    limits = load_yaml(THRESHOLDS.read_text())
    services, folder = temp_services(Settings(_env_file=None))
    try:
        cases = load_cases(DEFAULT_CASES)
        retrieval_cases = load_retrieval_cases()
        failures = [
            f"unknown expected source {m}" for m in check_sources_exist(retrieval_cases, set(services.corpus.by_id()))
        ]
        summary, runner_failures, paths = evaluate(cases, services, REPORT, "none")
        reports = compare_modes(services.searcher, retrieval_cases)
        faithful = faithful_failures(limits["faithful"], services)
        scope = scope_failures(limits["scope"], services)
        chat = conversation_failures(limits["conversation"], services)
        plans = plans_failures(limits["plans"], services)
    finally:
        folder.cleanup()
    for name, row in summary["per_task"].items():
        print(f"{name}: {row['pass_rate']:.1%} of {row['n']} cases pass (p95 {row['p95_ms']} ms)")
    print(
        f"retrieval ({len(retrieval_cases)} labeled queries): "
        + ", ".join(f"{m} recall@5 {r.recall}" for m, r in reports.items())
    )
    failures += runner_failures + retrieval_failures(reports, limits["retrieval"])
    failures += redaction_failures(limits["redaction"])
    failures += understanding_failures(limits["understanding"])
    failures += faithful + scope + chat + plans
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"report: {paths['markdown']}")
    print("evals gate: " + ("failed" if failures else "passed"))
    return 1 if failures else 0
