"""Score the Case reader field by field against hand-labeled requests (evals/understanding/*.yaml).

The labels follow evals/understanding/LABELS.md. Per field: precision (of what the reader said, how much is
right), recall (of what the label holds, how much was found) and F1. Baselines match on value and unit; a
baseline whose number matches a labeled one but whose unit differs is counted as relabeled, the worst error.
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.case import read_case
from assistant.lexicon import case_words, fold
from assistant.schemas import Case
from evals.report import print_misses

SETS = Path(__file__).parent / "understanding"
# dev: tuned on from the start; dev2 to dev9 were written blind, scored once, then tuned on (so they are dev sets
# now); blind: written blind after that and never tuned on. Only the blind figure says how the reader generalizes.
SET_NAMES = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "blind")
FIELDS = (
    "student", "grade", "age", "grade_band", "grade_age", "plan", "routine", "baseline", "support",
    "communication", "access", "team",
)  # fmt: skip
NOT_NAME_GROUPS = ("roles", "greetings", "days", "months", "subjects")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    name: str
    cases: int = 0
    tallies: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    relabeled: int = 0
    role_names: int = 0
    misses: list[dict] = field(default_factory=list)

    def row(self, name: str) -> dict:
        t = self.tallies[name]
        return {"precision": round(t.precision, 3), "recall": round(t.recall, 3), "f1": round(t.f1, 3)}

    def summary(self) -> dict:
        return {
            "set": self.name,
            "cases": self.cases,
            "fields": {f: self.row(f) for f in FIELDS},
            "baselines_relabeled": self.relabeled,
            "role_words_taken_as_names": self.role_names,
        }


def _single(tally: Tally, expected, predicted, same=lambda a, b: a == b) -> bool:
    """One value per case; None means 'not stated'. Returns True when right."""
    if expected is None and predicted is None:
        return True
    if expected is not None and predicted is not None and same(expected, predicted):
        tally.add(tp=1)
        return True
    tally.add(fp=int(predicted is not None), fn=int(expected is not None))
    return False


def _sets(tally: Tally, expected: list, predicted: list) -> bool:
    e, p = set(expected or []), set(predicted or [])
    tally.add(tp=len(e & p), fp=len(p - e), fn=len(e - p))
    return e == p


def _baselines(report: Report, expected: list[dict], case: Case) -> bool:
    tally = report.tallies["baseline"]
    wanted = [(float(b["value"]), b.get("unit")) for b in expected or [] if b.get("value") is not None]
    got = [(b.value, b.unit) for b in case.baselines if b.value is not None]
    matched = 0
    remaining = list(got)
    for value, unit in wanted:
        if (value, unit) in remaining:
            remaining.remove((value, unit))
            matched += 1
        elif any(v == value for v, _ in remaining):
            report.relabeled += 1
            remaining.remove(next(g for g in remaining if g[0] == value))
    tally.add(tp=matched, fp=len(got) - matched, fn=len(wanted) - matched)
    return matched == len(wanted) == len(got)


def score_record(report: Report, record: dict, case: Case) -> list[str]:
    """Add one labeled request to the report; returns the names of the fields it got wrong."""
    exp = record["expected"]
    t = report.tallies
    name_ok = _single(t["student"], exp.get("student"), case.student, lambda a, b: fold(a) == fold(b))
    if case.student and fold(case.student) in _role_words():
        report.role_names += 1
    checks = {
        "student": name_ok,
        "grade": _single(t["grade"], _str(exp.get("grade")), case.grade),
        "age": _single(t["age"], exp.get("age"), case.age),
        "grade_band": _single(t["grade_band"], exp.get("grade_band"), case.grade_band),
        "plan": _single(t["plan"], _str(exp.get("plan")), case.plan),
        "routine": _single(t["routine"], exp.get("routine") or None, case.routine, lambda a, b: b in a),
        "baseline": _baselines(report, exp.get("baselines"), case),
        "support": _single(t["support"], exp.get("support"), case.support),
        "communication": _single(t["communication"], exp.get("communication"), case.communication),
        "access": _sets(t["access"], exp.get("access"), case.access),
        "team": _sets(t["team"], exp.get("team"), case.team),
    }
    facts_e = {("grade", _str(exp.get("grade"))), ("age", exp.get("age"))} - {("grade", None), ("age", None)}
    facts_p = {("grade", case.grade), ("age", case.age)} - {("grade", None), ("age", None)}
    checks["grade_age"] = _sets(t["grade_age"], list(facts_e), list(facts_p))
    wrong = [f for f, ok in checks.items() if not ok]
    return wrong


def _str(value) -> str | None:
    return None if value is None else str(value)


def _role_words() -> frozenset[str]:
    groups = case_words()["not_names"]
    return frozenset(fold(str(w)) for g in NOT_NAME_GROUPS for w in groups[g])


def load_set(path: Path) -> list[dict]:
    records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [r for r in records if isinstance(r, dict) and r.get("text")]


def evaluate(path: Path) -> Report:
    """Read every request of one labeled file and score it."""
    report = Report(path.stem)
    for record in load_set(path):
        case = read_case(record["text"])
        report.cases += 1
        wrong = score_record(report, record, case)
        if wrong:
            report.misses.append({"id": record["id"], "wrong": wrong})
    return report


def markdown(reports: list[Report]) -> str:
    lines = ["| field | " + " | ".join(f"{r.name} P / R / F1" for r in reports) + " |"]
    lines.append("|---|" + "---|" * len(reports))
    for f in FIELDS:
        cells = [f"{r.row(f)['precision']:.3f} / {r.row(f)['recall']:.3f} / {r.row(f)['f1']:.3f}" for r in reports]
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    lines.append("| baselines relabeled | " + " | ".join(str(r.relabeled) for r in reports) + " |")
    lines.append("| role words as names | " + " | ".join(str(r.role_names) for r in reports) + " |")
    lines.append("| cases | " + " | ".join(str(r.cases) for r in reports) + " |")
    return "\n".join(lines)


def main(names: list[str] | None = None, show: bool = False) -> list[Report]:
    paths = [SETS / f"{n}.yaml" for n in (names or list(SET_NAMES))]
    reports = [evaluate(p) for p in paths if p.is_file()]
    print(markdown(reports))
    if show:
        print_misses(reports)
    return reports
