"""Eval cases as data: one format for every task, validated, with per-task default checks.

A case file is a YAML list of cases:
  - id: goal-001
    task: goal                 # goal | review | scope | plan | route | retrieval
    input: "2nd grader, fisted grasp, tires after 2 sentences"
    expected: {domain: handwriting_fine_motor, baseline: "2"}
    checks:                    # optional; the task's default checks are used when absent
      - {id: critical_checks, type: rubric_critical, severity: critical, weight: 2}
      - {id: domain, type: equals, field: domain, severity: major, weight: 1}
    tags: {domain: handwriting_fine_motor, grade_band: k2}
    pass_threshold: 0.75       # optional; the weighted score a passing case needs
A case passes when every critical check passes and its weighted score reaches the threshold.
"""

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.corpus import load_yaml
from assistant.errors import CorpusError

Task = Literal["goal", "review", "scope", "plan", "route", "retrieval"]
CheckType = Literal[
    "rubric_critical",
    "rubric",
    "equals",
    "includes",
    "baseline_kept",
    "missing_baseline_listed",
    "nothing_invented",
    "defect_flagged",
    "rewrite_passes",
    "minutes_add_up",
    "every_activity_serves_a_goal",
    "data_for_every_goal",
    "interests_woven_in",
    "source_in_top_k",
    "llm_judge",
    "not_in_scope",
]


class CaseCheck(BaseModel, extra="forbid"):
    """One scored criterion of a case."""

    id: str
    type: CheckType
    severity: Literal["critical", "major", "minor"] = "major"
    weight: float = Field(1.0, gt=0)
    field: str | None = Field(None, description="For equals/includes: the output field, dotted.")
    rubric_id: str | None = Field(None, description="For rubric: the rubric check id that must pass.")
    criterion: str | None = Field(None, description="For llm_judge: what the judge decides.")


class Case(BaseModel, extra="forbid"):
    """One evaluation sample."""

    id: str = Field(min_length=1)
    task: Task
    input: Any
    expected: dict[str, Any] = Field(default_factory=dict)
    checks: list[CaseCheck] = Field(default_factory=list)
    tags: dict[str, Any] = Field(default_factory=dict)
    pooled: list[str] = Field(default_factory=list, description="Retrieval: ids added by pooled judging.")
    pass_threshold: float = Field(0.75, ge=0, le=1)

    @model_validator(mode="after")
    def _input_fits_task(self) -> "Case":
        if self.task == "plan":
            if not isinstance(self.input, dict) or "goals" not in self.input:
                raise ValueError("a plan case's input needs 'goals' (and minutes, model)")
        elif not isinstance(self.input, str) or not self.input.strip():
            raise ValueError(f"a {self.task} case's input must be non-empty text")
        return self

    def effective_checks(self) -> list[CaseCheck]:
        return self.checks or default_checks(self)


def _c(check_id: str, check_type: str, severity: str = "major", weight: float = 1.0, **extra: Any) -> CaseCheck:
    return CaseCheck(id=check_id, type=check_type, severity=severity, weight=weight, **extra)


def default_checks(case: Case) -> list[CaseCheck]:
    """The checks a case gets when its file names none (documented in the README)."""
    expected = case.expected
    match case.task:
        case "goal":
            checks = [
                _c("critical_checks", "rubric_critical", "critical", 2),
                _c("nothing_invented", "nothing_invented", "critical"),
            ]
            if "domain" in expected:
                checks.append(_c("domain", "equals", "major", field="domain"))
            if expected.get("baseline") is not None:
                checks.append(_c("baseline_kept", "baseline_kept", "major"))
            elif "baseline" in expected:
                checks.append(_c("missing_baseline_listed", "missing_baseline_listed", "major"))
            return checks
        case "review":
            return [
                _c("measurable", "equals", "critical", 2, field="measurable"),
                _c("defect_flagged", "defect_flagged", "major"),
                _c("rewrite_passes", "rewrite_passes", "major"),
            ]
        case "scope":
            checks = [
                _c("verdict", "equals", "critical", 2, field="verdict"),
                _c("pathways", "includes", "minor", 0.5, field="pathways"),
            ]
            if expected.get("verdict") == "out_of_scope" and case.tags.get("clear"):
                checks.append(_c("clear_out_not_in_scope", "not_in_scope", "critical"))
            return checks
        case "plan":
            checks = [
                _c("minutes_add_up", "minutes_add_up", "critical"),
                _c("every_activity_serves_a_goal", "every_activity_serves_a_goal", "critical"),
                _c("data_for_every_goal", "data_for_every_goal", "major"),
            ]
            if isinstance(case.input, dict) and case.input.get("interests"):
                checks.append(_c("interests_woven_in", "interests_woven_in", "major"))
            return checks
        case "route":
            return [_c("intent", "equals", "critical", field="intent")]
        case "retrieval":
            return [_c("source_in_top_5", "source_in_top_k", "critical")]
    return []


def load_case_file(path: Path) -> list[Case]:
    """Every case of one file; a bad file is rejected naming the file, the case and the reason."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(f"cannot read case file {path}: {exc.strerror}") from None
    except Exception:
        raise CorpusError(f"{path}: is not valid YAML") from None
    if not isinstance(data, list):
        raise CorpusError(f"{path}: a case file is a YAML list of cases")
    cases = []
    for i, item in enumerate(data):
        label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            cases.append(Case.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "case"
            raise CorpusError(f"{path}: case {label}: {where}: {first['msg']}") from None
    return cases


def load_cases(paths: list[Path]) -> list[Case]:
    """Cases from files and folders (every *.yaml below a folder), ids unique across them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*.yaml"))
        elif path.exists():
            files.append(path)
        else:
            raise CorpusError(f"case file not found: {path}")
    cases, seen = [], set()
    for file in files:
        for case in load_case_file(file):
            if case.id in seen:
                raise CorpusError(f"{file}: case {case.id}: the id is used twice")
            seen.add(case.id)
            cases.append(case)
    return cases
