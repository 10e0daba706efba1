"""`python -m evals run`: any case files in the documented format, with any backend, into a report."""

import tempfile
from pathlib import Path
from typing import Any

from assistant.corpus import load_yaml
from assistant.services import Services, build_services
from assistant.settings import Settings
from evals.cases import Case, load_cases
from evals.report import write_report, write_results
from evals.retrieval import goal_families
from evals.runner import run_cases, summarize, task_functions, threshold_failures

HERE = Path(__file__).parent
DEFAULT_CASES = [HERE / "cases"]
THRESHOLDS = HERE / "thresholds.yaml"


def with_families(services: Any, tasks: dict) -> dict:
    """Retrieval answers count a goal's support-level siblings as the same answer (one family)."""
    members: dict[str, list[str]] = {}
    family_of = goal_families(services.searcher)
    for source, family in family_of.items():
        members.setdefault(family, []).append(source)

    def retrieval(query: str) -> dict:
        found = [p.source_id for p in services.searcher.search(query, k=5)]
        return {"source_ids": found + [s for f in found if f in family_of for s in members[family_of[f]]]}

    return {**tasks, "retrieval": retrieval}


def evaluate(
    cases: list[Case],
    services: Any,
    out: Path,
    backend: str,
    task: str | None = None,
    judge: Any = None,
    tasks: dict | None = None,
) -> tuple[dict, list[str], dict]:
    """Run, summarize, compare with thresholds, write the reports; returns (summary, failures, paths)."""
    tasks = tasks or with_families(services, task_functions(services))
    results = run_cases(cases, tasks, judge, task)
    summary = summarize(results)
    limits = (load_yaml(THRESHOLDS.read_text()) or {}).get("runner", {})
    failures = threshold_failures(summary, limits)
    write_results(results, out / "results.jsonl")
    paths = write_report(summary, failures, out, backend)
    return summary, failures, paths


def temp_services(settings: Settings) -> tuple[Services, tempfile.TemporaryDirectory]:
    """Services over a fresh index in a temp folder (the gate must not depend on a user's data dir)."""
    folder = tempfile.TemporaryDirectory(prefix="schoolot-evals-")
    local = settings.model_copy(update={"data_dir": Path(folder.name), "index_dir": None})
    return build_services(local), folder


def main_run(paths: list[Path] | None, task: str | None, backend: str, out: Path, fresh_index: bool) -> int:
    settings = Settings(llm_backend=backend)
    cases = load_cases(paths or DEFAULT_CASES)
    if fresh_index:
        services, folder = temp_services(settings)
    else:
        services, folder = build_services(settings), None
    judge = None
    if services.llm is not None:
        from evals.judge import judge_agreement, judge_checks, make_judge

        judge = make_judge(services.llm)
        cases = [
            c.model_copy(update={"checks": c.effective_checks() + judge_checks()}) if c.task == "goal" else c
            for c in cases
        ]
    try:
        summary, failures, paths_written = evaluate(cases, services, out, backend, task, judge)
        if judge is not None:
            agreement = judge_agreement(services.llm, [c for c in cases if c.task == "review"])
            print(f"judge agreement with the labeled review set: {agreement}")
    finally:
        if folder:
            folder.cleanup()
    for name, row in summary["per_task"].items():
        print(f"{name}: {row['pass_rate']:.1%} of {row['n']} cases pass (p95 {row['p95_ms']} ms)")
    for failure in failures:
        print(f"BELOW THRESHOLD {failure}")
    print(f"report: {paths_written['markdown']} and {paths_written['html']}")
    return 1 if failures else 0
