"""Score scope and procedure answers on labeled question sets (evals/scope/*.yaml, format in LABELS.md there).

Figures, each over the questions it applies to:
- kind: the answer's kind (decision or information) is the labeled one.
- verdict: for labeled decisions, the verdict is the labeled one (an information answer to a decision is wrong).
- out_called_in: out-of-scope questions answered in scope (a count; the issue's bar is 0).
- procedure: the labeled procedure is among the procedures the answer names.
- pathway_recall: labeled pathways found among the answer's pathways (summed over questions).
- case_agreement: cited scope cases whose domain is the question's labeled domain and whose context (school,
  home, community, clinic) is the question's labeled context.
- repeated_sentence: the largest share of answers that contain one same sentence (the bar is 10%).

The project's own scope cases (evals/cases/scope.yaml and evals/holdout/scope_holdout.yaml) are read as two more
dev sets, `cases` and `holdout`: decisions with a verdict and pathways.
"""

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import AssistantError

SETS = Path(__file__).parent / "scope"
OWN_SETS = {
    "cases": Path(__file__).parent / "cases" / "scope.yaml",
    "holdout": Path(__file__).parent / "holdout" / "scope_holdout.yaml",
}
SET_NAMES = ("cases", "holdout", "dev", "dev2", "blind")
FIGURES = ("kind", "verdict", "procedure", "pathway_recall", "case_agreement")


def load_set(name: str) -> list[dict]:
    """A set's items in the LABELS.md shape; the project's own cases are converted (all decisions)."""
    if name in OWN_SETS:
        items = []
        for raw in yaml.safe_load(OWN_SETS[name].read_text()):
            if raw.get("task") != "scope":
                continue
            tags = raw.get("tags") or {}
            items.append(
                {
                    "id": raw["id"],
                    "input": raw["input"],
                    "kind": "decision",
                    "verdict": raw["expected"]["verdict"],
                    "pathways": raw["expected"].get("pathways") or [],
                    "procedure": None,
                    "domain": tags.get("domain"),
                    "context": None,
                    "plan": tags.get("plan"),
                }
            )
        return items
    return yaml.safe_load((SETS / f"{name}.yaml").read_text())


@dataclass
class Report:
    name: str
    cases: int = 0
    hits: Counter = field(default_factory=Counter)
    applies: Counter = field(default_factory=Counter)
    out_called_in: int = 0
    errors: int = 0
    sentences: Counter = field(default_factory=Counter)
    misses: list[dict] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def rate(self, figure: str) -> float:
        return self.hits[figure] / self.applies[figure] if self.applies[figure] else 1.0

    def repeated(self) -> tuple[float, str]:
        if not self.sentences or not self.cases:
            return 0.0, ""
        sentence, count = self.sentences.most_common(1)[0]
        return count / self.cases, sentence

    def summary(self) -> dict:
        share, _ = self.repeated()
        return {
            **{f: round(self.rate(f), 3) for f in FIGURES},
            "out_called_in": self.out_called_in,
            "repeated_sentence": round(share, 3),
            "errors": self.errors,
        }


def _sentences(answer: dict) -> set[str]:
    text = " ".join([answer.get("answer") or "", answer.get("rationale") or ""])
    return {" ".join(s.split()).lower() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4}


def score(item: dict, answer: dict, report: Report, scope_cases: dict, context_of) -> None:
    """Add one answer's figures to the report; a miss keeps what was expected and what came back."""
    missed = []
    report.applies["kind"] += 1
    if answer.get("kind") == item["kind"]:
        report.hits["kind"] += 1
    else:
        missed.append(f"kind {answer.get('kind')} (expected {item['kind']})")
    if item["kind"] == "decision" and item.get("verdict"):
        report.applies["verdict"] += 1
        if answer.get("verdict") == item["verdict"]:
            report.hits["verdict"] += 1
        else:
            missed.append(f"verdict {answer.get('verdict')} (expected {item['verdict']})")
        if item["verdict"] == "out_of_scope" and answer.get("verdict") == "in_scope":
            report.out_called_in += 1
    if item.get("procedure"):
        report.applies["procedure"] += 1
        if item["procedure"] in (answer.get("procedures") or []):
            report.hits["procedure"] += 1
        else:
            missed.append(f"procedure {answer.get('procedures')} (expected {item['procedure']})")
    wanted = item.get("pathways") or []
    found = [p for p in wanted if p in (answer.get("pathways") or [])]
    report.applies["pathway_recall"] += len(wanted)
    report.hits["pathway_recall"] += len(found)
    if len(found) < len(wanted):
        missed.append(f"pathways {answer.get('pathways')} (expected {wanted})")
    for citation in answer.get("citations") or []:
        case = scope_cases.get(citation["source_id"])
        if case is None:
            continue
        report.applies["case_agreement"] += 1
        same_skill = item.get("domain") in (None, case.domain)
        labeled = item.get("context") if item.get("context") in ("school", "home", "community", "clinic") else None
        same_context = labeled is None or context_of(case.scenario) == labeled
        if same_skill and same_context:
            report.hits["case_agreement"] += 1
        else:
            missed.append(f"cited {case.id} ({case.domain}, {context_of(case.scenario)})")
    report.sentences.update(_sentences(answer))
    if missed:
        report.misses.append({"id": item["id"], "input": item["input"], "misses": missed, "why": item.get("why")})


def evaluate(name: str, services) -> Report:
    from assistant.scope import answer_scope, question_context

    report = Report(name)
    scope_cases = {c.id: c for c in services.corpus.scope}
    for item in load_set(name):
        report.cases += 1
        started = time.perf_counter()
        try:
            answer = answer_scope(item["input"], services).model_dump()
        except AssistantError as exc:
            report.errors += 1
            report.misses.append({"id": item["id"], "input": item["input"], "misses": [f"error: {exc}"]})
            continue
        report.latencies.append((time.perf_counter() - started) * 1000)
        score(item, answer, report, scope_cases, question_context)
    return report


def markdown(reports: list[Report]) -> str:
    head = "| set | n | kind | verdict | out called in | procedure | pathway recall | case agreement | repeated |"
    lines = [head, "|---" * 9 + "|"]
    for r in reports:
        s = r.summary()
        lines.append(
            f"| {r.name} | {r.cases} | {s['kind']:.3f} | {s['verdict']:.3f} | {s['out_called_in']} | "
            f"{s['procedure']:.3f} | {s['pathway_recall']:.3f} | {s['case_agreement']:.3f} | "
            f"{s['repeated_sentence']:.3f} |"
        )
    return "\n".join(lines)


def scope_failures(limits: dict, services) -> list[str]:
    """Every scope set against its floors (rates) and limits (counts and the repeated-sentence share)."""
    reports = [evaluate(name, services) for name in limits]
    print(markdown(reports))
    failures = []
    for report in reports:
        summary = report.summary()
        for figure, bound in limits[report.name].items():
            value = summary[figure]
            bad = value > bound if figure in ("out_called_in", "repeated_sentence", "errors") else value < bound
            if bad:
                failures.append(f"scope {report.name} {figure} {value} is past its limit {bound}")
    return failures


def main(names: list[str] | None = None, show: bool = False) -> list[Report]:
    from assistant.settings import Settings
    from evals.run import temp_services

    services, folder = temp_services(Settings(_env_file=None))
    try:
        reports = [evaluate(n, services) for n in (names or SET_NAMES)]
    finally:
        folder.cleanup()
    print(markdown(reports))
    for report in reports:
        share, sentence = report.repeated()
        print(f"{report.name}: most repeated sentence ({share:.0%}): {sentence[:120]}")
        if show:
            for miss in report.misses:
                print(f"- {miss['id']}: {miss['input'][:160]}\n    {'; '.join(miss['misses'])}  [{miss.get('why')}]")
    return reports
