"""Run eval cases through the assistant and score them: Sample -> task output -> checks -> Score."""

import re
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from assistant.errors import AssistantError
from assistant.rubric import is_measurable, run_rubric
from evals.cases import Case, CaseCheck

Output = dict[str, Any]

# Words that would mean the drafter added a diagnosis or a test score the OT did not give.
DIAGNOSES = re.compile(
    r"\b(?:autis\w*|asd|adhd|cerebral palsy|cp|down syndrome|dyspraxia|dcd|developmental coordination disorder|"
    r"dysgraphia|dyslexia|spd|sensory processing disorder|anxiety disorder|ocd|intellectual disability|"
    r"hypotonia|spina bifida|epilepsy|fasd)\b",
    re.I,
)
SCORES = re.compile(
    r"\b(?:standard score|percentile|t-score|scaled score|beery|vmi|bot-2|bot2|sensory profile|"
    r"age equivalent|sfa|school function assessment)\b",
    re.I,
)


def invented(request: str, text: str) -> list[str]:
    """Diagnoses or test scores in the drafted text that the request did not mention."""
    given = {m.lower() for m in DIAGNOSES.findall(request)} | {m.lower() for m in SCORES.findall(request)}
    return [m for m in DIAGNOSES.findall(text) + SCORES.findall(text) if m.lower() not in given]


class Score(BaseModel):
    """One check's result, with why."""

    check: str
    passed: bool
    severity: str
    weight: float
    explanation: str


class CaseResult(BaseModel):
    id: str
    task: str
    passed: bool
    score: float
    scores: list[Score]
    tags: dict[str, Any] = Field(default_factory=dict)
    ms: float
    error: str | None = None
    output_excerpt: str = ""


def task_functions(services: Any) -> dict[str, Callable[[Any], Output]]:
    """The assistant's capabilities as eval tasks, each returning its CONTRACT JSON."""
    from assistant.goals import draft_goal
    from assistant.intent import classify
    from assistant.review import review_goal
    from assistant.scope import answer_scope
    from assistant.sessions import plan_session

    def plan(given: dict) -> Output:
        return plan_session(
            given["goals"],
            given.get("minutes", 30),
            given.get("model", "pull-out"),
            services,
            given.get("interests"),
            given.get("grade"),
        ).model_dump()

    def retrieval(query: str) -> Output:
        return {"source_ids": [p.source_id for p in services.searcher.search(query, k=5)]}

    return {
        "goal": lambda text: draft_goal(text, services).model_dump(),
        "review": lambda text: review_goal(text, services).model_dump(),
        "scope": lambda text: answer_scope(text, services).model_dump(),
        "plan": plan,
        # the chat's intent; a procedure question is answered by the scope engine, so it counts as scope here
        "route": lambda text: {"intent": {"procedure": "scope"}.get(*[classify(text, services.embedder)[0]] * 2)},
        "retrieval": retrieval,
    }


def _field(output: Output, dotted: str) -> Any:
    value: Any = output
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _goal_text(output: Output) -> str:
    return output.get("goal_text") or output.get("suggested_rewrite") or ""


def score_check(check: CaseCheck, case: Case, output: Output, judge: Any = None) -> tuple[bool, str]:
    """(passed, explanation) for one check; small functions keyed by the check's type."""
    expected = case.expected
    match check.type:
        case "equals":
            got, want = _field(output, check.field or check.id), expected.get(check.field or check.id)
            return got == want, f"{check.field} is {got!r}, expected {want!r}"
        case "includes":
            got, want = _field(output, check.field or check.id) or [], expected.get(check.field or check.id) or []
            missing = [w for w in want if w not in got]
            return not missing, f"missing {missing}" if missing else f"all of {want} present"
        case "rubric_critical":
            if output.get("finished") is False:  # a frame in the OT's words says so; it is not a finished goal
                frame = (output.get("fit") or {}).get("status") == "none" and "[" in _goal_text(output)
                return frame, "a frame with [slots], shown as not finished" if frame else "unfinished draft shown"
            failed = [c.name for c in run_rubric(_goal_text(output)) if not c.passed and c.severity == "critical"]
            return not failed, f"critical checks failing: {failed}" if failed else "every critical check passes"
        case "rubric":
            result = next(c for c in run_rubric(_goal_text(output)) if c.id == check.rubric_id)
            return result.passed, result.message
        case "baseline_kept":
            number = str(expected.get("baseline"))
            kept = re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", _goal_text(output)) is not None
            return kept, f"baseline {number} {'appears' if kept else 'is missing'} in the goal"
        case "missing_baseline_listed":
            listed = any(m.startswith("Baseline") for m in output.get("missing_information", []))
            listed = listed or (output.get("finished") is False and "[" in _goal_text(output))
            return listed, "missing baseline listed" if listed else "missing baseline not listed"
        case "nothing_invented":
            extra = invented(str(case.input), _goal_text(output))
            return not extra, f"added without being asked: {extra}" if extra else "no diagnosis or score added"
        case "defect_flagged":
            main = (expected.get("defects") or [None])[0]
            failed = {c["id"] for c in output.get("checks", []) if not c["passed"]}
            ok = main is None or main in ("baseline", "prompt_level") or main in failed
            return ok, f"main defect {main} {'flagged' if ok else 'not flagged'}"
        case "rewrite_passes":
            rewrite = output.get("suggested_rewrite")
            ok = rewrite is None or is_measurable(run_rubric(rewrite))
            return ok, "rewrite is measurable" if ok else "rewrite fails a critical check"
        case "minutes_add_up":
            total = sum(a["minutes"] for a in output.get("activities", []))
            return total == case.input.get("minutes"), f"activities add up to {total} minutes"
        case "every_activity_serves_a_goal":
            refs = {a["goal_ref"] for a in output.get("activities", [])}
            return refs == set(range(len(case.input["goals"]))), f"goal_refs {sorted(refs)}"
        case "data_for_every_goal":
            n = len(output.get("data_collection", []))
            return n == len(case.input["goals"]), f"{n} data lines for {len(case.input['goals'])} goals"
        case "interests_woven_in":
            text = " ".join(a["name"] + " " + " ".join(a.get("steps", [])) for a in output.get("activities", []))
            words = [w for w in str(case.input.get("interests", "")).lower().split() if len(w) > 2]
            ok = any(w.rstrip("s") in text.lower() for w in words)
            return ok, "interests appear in the activities" if ok else "interests do not appear"
        case "source_in_top_k":
            found = set(output.get("source_ids", [])) | set(output.get("families", []))
            want = set(expected.get("source_ids", [])) | set(expected.get("families", []))
            return bool(found & want), f"top 5: {output.get('source_ids')}"
        case "not_in_scope":
            return output.get("verdict") != "in_scope", f"answered {output.get('verdict')}"
        case "llm_judge":
            if judge is None:
                return True, "skipped: no judge configured"
            return judge(check, case, output)
    return False, f"unknown check type {check.type}"


def run_case(case: Case, task: Callable[[Any], Output], judge: Any = None) -> CaseResult:
    started = time.perf_counter()
    try:
        output = task(case.input)
    except AssistantError as exc:
        return CaseResult(
            id=case.id,
            task=case.task,
            passed=False,
            score=0.0,
            scores=[],
            tags=case.tags,
            ms=(time.perf_counter() - started) * 1000,
            error=str(exc),
        )
    ms = (time.perf_counter() - started) * 1000
    scores = []
    for check in case.effective_checks():
        passed, why = score_check(check, case, output, judge)
        scores.append(
            Score(check=check.id, passed=passed, severity=check.severity, weight=check.weight, explanation=why)
        )
    total = sum(s.weight for s in scores) or 1.0
    score = sum(s.weight for s in scores if s.passed) / total
    passed = all(s.passed for s in scores if s.severity == "critical") and score >= case.pass_threshold
    excerpt = str(output.get("goal_text") or output.get("verdict") or output.get("intent") or "")[:200]
    return CaseResult(
        id=case.id,
        task=case.task,
        passed=passed,
        score=round(score, 4),
        scores=scores,
        tags=case.tags,
        ms=round(ms, 2),
        output_excerpt=excerpt,
    )


def run_cases(
    cases: list[Case], tasks: dict[str, Callable[[Any], Output]], judge: Any = None, task_filter: str | None = None
) -> list[CaseResult]:
    """Every case (of one task, when filtered) through its task function."""
    return [run_case(c, tasks[c.task], judge) for c in cases if task_filter in (None, c.task)]


def summarize(results: list[CaseResult]) -> dict[str, Any]:
    """Pass rates per task, per criterion and per domain, and latency per task."""
    per_task: dict[str, list[bool]] = defaultdict(list)
    per_criterion: dict[str, list[bool]] = defaultdict(list)
    per_domain: dict[str, list[bool]] = defaultdict(list)
    ms: dict[str, list[float]] = defaultdict(list)
    for r in results:
        per_task[r.task].append(r.passed)
        per_domain[str(r.tags.get("domain", "general"))].append(r.passed)
        ms[r.task].append(r.ms)
        for s in r.scores:
            per_criterion[f"{r.task}.{s.check}"].append(s.passed)
    rate = lambda xs: round(sum(xs) / len(xs), 4) if xs else 0.0  # noqa: E731
    p95 = lambda xs: round(sorted(xs)[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))], 1)  # noqa: E731
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "per_task": {t: {"pass_rate": rate(v), "n": len(v), "p95_ms": p95(ms[t])} for t, v in sorted(per_task.items())},
        "per_criterion": {c: {"pass_rate": rate(v), "n": len(v)} for c, v in sorted(per_criterion.items())},
        "per_domain": {d: {"pass_rate": rate(v), "n": len(v)} for d, v in sorted(per_domain.items())},
        "failing": [
            f"{r.id}: {r.error or '; '.join(s.check + ' - ' + s.explanation for s in r.scores if not s.passed)}"
            for r in results
            if not r.passed
        ][:50],
    }


def threshold_failures(summary: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """Each figure below thresholds.yaml's `runner` section, as a sentence naming the criterion."""
    failures = []
    for task, minimum in thresholds.get("pass_rate", {}).items():
        got = summary["per_task"].get(task)
        if got and got["pass_rate"] < minimum:
            failures.append(f"task {task}: pass rate {got['pass_rate']} is below {minimum}")
    for criterion, minimum in thresholds.get("criteria", {}).items():
        got = summary["per_criterion"].get(criterion)
        if got and got["pass_rate"] < minimum:
            failures.append(f"criterion {criterion}: pass rate {got['pass_rate']} is below {minimum}")
    return failures
