"""Score drafted goals for faithfulness to the request (evals/faithful/*.yaml, labeled per LABELS.md there).

Checks, each a share of the requests it applies to:
- routine_match: the goal text (all goals, for a request with several needs) has a word of every
  `must_mention` group and none of `must_not_mention`; a frame that says it found no close match and
  keeps the OT's words counts when it passes the same test.
- name_correct: the goal calls the student by the labeled name, or "the student" when none was given.
- baseline_faithful: for a request with a baseline, the goal quotes one of the labeled baselines with its
  number, or says in its missing information why it could not use it; `relabeled` counts goals that put
  a labeled number under a different unit (the worst error). "x of y" and a percent of the same items are
  one measure; a rubric level is only a level.
- prompt_fit: no verbal prompt for a student who does not use speech; support fades at most two steps of
  DOMAIN.md's hierarchy from the labeled current support.
- age_fit: no context word that does not fit the labeled grade band (assistant/data/age_fit.yaml).
- objectives_monotone: the objectives' criterion numbers move one way, from the baseline toward the target.
"""

import re
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import yaml

from assistant.errors import AssistantError
from assistant.faithful import age_misfits, prompt_level, verbal_prompt
from assistant.goals import draft_goal
from assistant.lexicon import fold
from assistant.schemas import SUPPORT_ORDER, Goal
from evals.report import print_misses

SETS = Path(__file__).parent / "faithful"
SET_NAMES = ("dev", "dev2", "dev3", "dev4", "blind")
CHECKS = ("routine_match", "name_correct", "baseline_faithful", "prompt_fit", "age_fit", "objectives_monotone")
_UNIT_FAMILY = {"percent": "count", "of": "count", "count": "count", "level": "level", "steps": "count",
                "per_minute": "rate", "minutes": "time", "seconds": "time"}  # fmt: skip


@dataclass
class Report:
    name: str
    cases: int = 0
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    applies: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))
    relabeled: int = 0
    frames: int = 0
    errors: int = 0
    misses: list[dict] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def rate(self, check: str) -> float:
        return self.passed[check] / self.applies[check] if self.applies[check] else 1.0

    def summary(self) -> dict:
        return {
            **{c: round(self.rate(c), 3) for c in CHECKS},
            "relabeled": self.relabeled,
            "frames": self.frames,
            "errors": self.errors,
            "cases": self.cases,
        }


def _texts(goal: Goal) -> str:
    parts = [goal.goal_text, *(o.text for o in goal.objectives)]
    parts += [g.goal_text for g in goal.more_goals]
    return " ".join(parts).lower()


def routine_match(goal: Goal, expected: dict) -> bool:
    text = " " + re.sub(r"[^a-z0-9]+", " ", _texts(goal).replace(goal.student.lower(), " ")) + " "
    groups = expected.get("must_mention") or []
    has = all(any(f" {fold(str(w))}" in text for w in group) for group in groups)
    banned = any(f" {fold(str(w))}" in text for w in expected.get("must_not_mention") or [])
    return has and not banned


def name_correct(goal: Goal, expected: dict) -> bool:
    name = expected.get("student")
    return fold(goal.student) == fold(name) if name else goal.student == "the student"


def baseline_check(goal: Goal, expected: dict) -> tuple[bool, bool]:
    """(faithful, relabeled) for a request with labeled baselines."""
    labeled = expected.get("baselines") or []
    shown = goal.components.baseline or ""
    flagged = any("baseline" in m.lower() for m in goal.missing_information)
    unit = goal.baseline_unit
    quoted = False
    wrong: set[str] = set()  # numbers quoted whose every labeled reading is in another unit
    right: set[str] = set()
    for b in labeled:
        value = b.get("value")
        if value is None:
            continue
        number = f"{float(value):g}"
        if re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", shown):
            same = unit is None or _UNIT_FAMILY.get(unit) == _UNIT_FAMILY.get(b.get("unit"))
            quoted = quoted or same
            (right if same else wrong).add(number)
    # "3 min ... 3 wpm": a number one labeled baseline gives in the goal's unit is no relabeling by another
    relabeled = bool(wrong - right) and not flagged
    return (quoted or flagged) and not relabeled, relabeled


def prompt_fit(goal: Goal, expected: dict) -> bool:
    if expected.get("communication") in ("nonverbal", "aac") and verbal_prompt(goal.goal_text):
        return False
    now = expected.get("support")
    goal_level = prompt_level(goal.goal_text)
    if now is None or goal_level is None:
        return True
    return 0 <= SUPPORT_ORDER.index(goal_level) - SUPPORT_ORDER.index(now) <= 2


def objectives_monotone(goal: Goal) -> bool:
    values = [o.value for o in goal.objectives if o.value is not None]
    if len(values) < 2:
        return True
    rising = all(b >= a for a, b in pairwise(values))
    falling = all(b <= a for a, b in pairwise(values))
    if not (rising or falling):
        return False
    start = goal.baseline_value
    if start is None:
        return True
    return (values[0] >= start and rising) or (values[0] <= start and falling)


def score_record(report: Report, record: dict, goal: Goal) -> list[str]:
    exp = record["expected"]
    results: dict[str, bool | None] = {
        "routine_match": routine_match(goal, exp),
        "name_correct": name_correct(goal, exp),
        "baseline_faithful": None,
        "prompt_fit": prompt_fit(goal, exp),
        "age_fit": not age_misfits(_texts(goal), exp.get("grade_band")),
        "objectives_monotone": objectives_monotone(goal),
    }
    if exp.get("baselines"):
        faithful, relabeled = baseline_check(goal, exp)
        results["baseline_faithful"] = faithful
        report.relabeled += relabeled
    wrong = []
    for check, ok in results.items():
        if ok is None:
            continue
        report.applies[check] += 1
        report.passed[check] += bool(ok)
        if not ok:
            wrong.append(check)
    return wrong


def evaluate(path: Path, services) -> Report:
    report = Report(path.stem)
    for record in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        report.cases += 1
        started = time.perf_counter()
        try:
            goal = draft_goal(record["text"], services)
        except AssistantError:
            report.errors += 1
            report.misses.append({"id": record["id"], "wrong": ["error"]})
            continue
        report.latencies.append((time.perf_counter() - started) * 1000)
        report.frames += goal.fit is not None and goal.fit.status == "none"
        wrong = score_record(report, record, goal)
        if wrong:
            report.misses.append({"id": record["id"], "wrong": wrong})
    return report


def markdown(reports: list[Report]) -> str:
    lines = ["| check | " + " | ".join(r.name for r in reports) + " |", "|---|" + "---|" * len(reports)]
    for check in CHECKS:
        lines.append(f"| {check} | " + " | ".join(f"{r.rate(check):.1%} of {r.applies[check]}" for r in reports) + " |")
    for key in ("relabeled", "frames", "errors", "cases"):
        lines.append(f"| {key} | " + " | ".join(str(getattr(r, key)) for r in reports) + " |")
    return "\n".join(lines)


def faithful_failures(limits: dict, services) -> list[str]:
    """Every faithful set against its floors (rates, and counts that must not exceed their limit)."""
    reports = [evaluate(SETS / f"{name}.yaml", services) for name in limits if (SETS / f"{name}.yaml").is_file()]
    print(markdown(reports))
    failures = []
    for report in reports:
        for check, floor in limits[report.name].items():
            if check in ("relabeled", "errors"):
                value, bad = getattr(report, check), getattr(report, check) > floor
            else:
                value = round(report.rate(check), 3)
                bad = value < floor
            if bad:
                failures.append(f"faithful {report.name} {check} {value} is past its limit {floor}")
    missing = [name for name in limits if not (SETS / f"{name}.yaml").is_file()]
    return failures + [f"faithful set {name}.yaml is missing" for name in missing]


def main(names: list[str] | None = None, show: bool = False) -> list[Report]:
    from assistant.settings import Settings
    from evals.run import temp_services

    services, folder = temp_services(Settings(_env_file=None))
    try:
        reports = [
            evaluate(SETS / f"{n}.yaml", services) for n in (names or SET_NAMES) if (SETS / f"{n}.yaml").is_file()
        ]
    finally:
        folder.cleanup()
    print(markdown(reports))
    if show:
        print_misses(reports)
    return reports
