"""Score session plans on request sets: `python -m evals plans [sets]`.

A set is JSON lines {"id", "goals", "minutes", "model", "interests", "grade"} (goals: texts, or {student, goal}
objects for a group). Each plan is checked on the issue's acceptance points, by checks that read only the plan
and the request:
- minutes: the activities add up to the minutes asked;
- own task: every goal has an activity whose text carries the goal's own task (the words after "will", up to
  the first number, mostly present);
- consult: a consult plan has no student drills (every step is the OT's work with the adults);
- interests: when interests are given, they are in the activities' text (for a group, each student's);
- data: a data line for every goal.
Sets: dev (evals/cases/plan.yaml requests) and blind (evals/plans/blind.jsonl, written without sight of the code).
"""

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import AssistantError
from assistant.lexicon import fold, tokenize

ROOT = Path(__file__).resolve().parent
CHECKS = ("minutes", "own_task", "consult_no_drills", "interests", "data")
ADULT = re.compile(
    r"\b(?:teacher|aide|para|paraprofessional|adult|adults|staff|coach|job coach|ot|case manager|nurse|parent)s?\b"
    r"|^(?:review|model|coach|set up|write|agree|show|watch|look|go over|leave|plan|check|place|label|adjust|give)\b",
    re.I,
)
_WILL = re.compile(r"\b(?:[A-Z][\w'-]+|[Tt]he student)\s+will\s+")


@dataclass
class Report:
    name: str
    n: int = 0
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    applies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    misses: list[dict] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def rate(self, check: str) -> float | None:
        return round(self.passed[check] / self.applies[check], 3) if self.applies[check] else None


def load_set(name: str) -> list[dict]:
    if name == "dev":
        return [{"id": c["id"], **c["input"]} for c in yaml.safe_load((ROOT / "cases" / "plan.yaml").read_text())]
    path = Path(name) if Path(name).is_file() else ROOT / "plans" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def task_words(goal: str) -> list[str]:
    """The goal's own task: the content words after 'will', up to the first number or comma."""
    will = _WILL.search(goal)
    after = goal[will.end() :] if will else goal
    head = re.split(r"\d|,|\(|\bwith\b|\bwithin\b|\bindependently\b|\bgiven\b", after, maxsplit=1)[0]
    return [t.low[:5] for t in tokenize(head) if t.kind == "w" and len(t.low) > 3][:8]


def _text(activity: dict) -> str:
    return fold(" ".join([activity["name"], *activity.get("steps", [])]))


def check_plan(request: dict, plan: dict) -> dict[str, bool | None]:
    goals = request["goals"]
    texts = [g["goal"] if isinstance(g, dict) else g for g in goals]
    acts = plan["activities"]
    out: dict[str, bool | None] = {}
    out["minutes"] = sum(a["minutes"] for a in acts) == request["minutes"]
    own = []
    for goal in texts:
        words = task_words(goal)
        best = max((sum(1 for w in words if w in _text(a)) for a in acts), default=0)
        own.append(not words or best >= max(1, round(0.7 * len(words))))
    out["own_task"] = all(own)
    if request["model"] == "consult":
        steps = [s for a in acts for s in a.get("steps", [])]
        out["consult_no_drills"] = all(ADULT.search(s) for s in steps)
    else:
        out["consult_no_drills"] = None
    interests = request.get("interests")
    if interests:
        wanted = []
        for part in re.split(r"[;|]", interests):
            value = part.split(":", 1)[-1]
            words = [t.low.rstrip("s") for t in tokenize(value) if t.kind == "w" and len(t.low) > 2]
            if words:
                wanted.append(words)
        text = " ".join(_text(a) for a in acts)
        out["interests"] = all(any(w in text for w in words) for words in wanted)
    else:
        out["interests"] = None
    out["data"] = len(plan["data_collection"]) == len(goals)
    return out


def evaluate(name: str, services: Any) -> Report:
    from assistant.sessions import plan_session

    report = Report(name)
    for request in load_set(name):
        report.n += 1
        start = time.perf_counter()
        try:
            plan = plan_session(
                request["goals"],
                request["minutes"],
                request["model"],
                services,
                request.get("interests"),
                request.get("grade"),
            ).model_dump()
        except AssistantError as exc:
            report.errors += 1
            report.misses.append({"id": request.get("id"), "why": f"error: {exc}"})
            continue
        report.latencies.append((time.perf_counter() - start) * 1000)
        results = check_plan(request, plan)
        failed = []
        for check, ok in results.items():
            if ok is None:
                continue
            report.applies[check] += 1
            report.passed[check] += bool(ok)
            if not ok:
                failed.append(check)
        if failed:
            report.misses.append({"id": request.get("id"), "why": ", ".join(failed)})
    return report


def markdown(reports: list[Report]) -> str:
    lines = [
        "| set | plans | " + " | ".join(CHECKS) + " | errors | p50 ms | p95 ms |",
        "|" + "---|" * (len(CHECKS) + 5),
    ]
    for r in reports:
        lat = sorted(r.latencies)
        p50 = f"{lat[len(lat) // 2]:.0f}" if lat else "-"
        p95 = f"{lat[int(len(lat) * 0.95)]:.0f}" if lat else "-"
        rates = " | ".join(f"{r.rate(c)} ({r.applies[c]})" if r.applies[c] else "-" for c in CHECKS)
        lines.append(f"| {r.name} | {r.n} | {rates} | {r.errors} | {p50} | {p95} |")
    return "\n".join(lines)


def plans_failures(limits: dict, services: Any) -> list[str]:
    """The gate: each set's rates against its floors in thresholds.yaml `plans`."""
    failures = []
    reports = [evaluate(name, services) for name in limits]
    print(markdown(reports))
    for report in reports:
        for check, floor in limits[report.name].items():
            if check == "errors":
                if report.errors > floor:
                    failures.append(f"plans {report.name}: {report.errors} errors")
                continue
            rate = report.rate(check)
            if rate is not None and rate < floor:
                failures.append(f"plans {report.name} {check} {rate} is below {floor}")
    return failures


def main(sets: list[str] | None = None, show: bool = False) -> None:
    from assistant.settings import Settings
    from evals.run import temp_services

    services, folder = temp_services(Settings(_env_file=None))
    try:
        reports = [evaluate(name, services) for name in (sets or ["dev", "blind"])]
    finally:
        folder.cleanup()
    print(markdown(reports))
    if show:
        for r in reports:
            for m in r.misses:
                print(f"- {r.name} {m['id']}: {m['why']}")
