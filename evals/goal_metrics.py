"""Metrics for goal review and goal drafting over labeled cases (used by the gate, tests and reports)."""

import re
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.corpus import load_yaml
from assistant.goals import draft_goal
from assistant.review import review_goal
from assistant.rubric import is_measurable, run_rubric

CASES = Path(__file__).parent / "cases"
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


def load_cases(name: str) -> list[dict[str, Any]]:
    return load_yaml((CASES / f"{name}.yaml").read_text(encoding="utf-8")) or []


class ReviewMetrics(BaseModel):
    cases: int
    measurable_agreement: float = Field(description="Share of goals where review's measurable matches the label.")
    defect_named: float = Field(description="Share of flawed goals whose main labeled defect review flags.")
    rewrites_passing: float = Field(description="Share of rewrites that are measurable under review itself.")
    p50_ms: float
    p95_ms: float
    disagreements: list[str]


class DraftMetrics(BaseModel):
    cases: int
    critical_pass: float
    domain_right: float
    baseline_kept: float = Field(description="Requests with a baseline whose number appears in the goal.")
    missing_baseline_listed: float
    nothing_invented: float = Field(description="No diagnosis or test score the request did not contain.")
    p50_ms: float
    p95_ms: float
    failures: list[str]


def latency(samples_ms: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds (nearest rank)."""
    if not samples_ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
    }


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 1.0


def review_metrics(services: Any, cases: list[dict[str, Any]]) -> ReviewMetrics:
    agree = flawed = named = rewrites = passing = 0
    disagreements, times = [], []
    for case in cases:
        started = time.perf_counter()
        review = review_goal(case["input"], services)
        times.append((time.perf_counter() - started) * 1000)
        expected = case["expected"]
        failed = {c.id for c in review.checks if not c.passed}
        agree += review.measurable == expected["measurable"]
        main = (expected.get("defects") or [None])[0]
        if main and main not in ("baseline", "prompt_level"):
            flawed += 1
            named += main in failed
        if review.suggested_rewrite:
            rewrites += 1
            passing += is_measurable(run_rubric(review.suggested_rewrite))
        if review.measurable != expected["measurable"] or (main and main not in failed):
            disagreements.append(f"{case['id']}: expected {main or 'measurable'}, flagged {sorted(failed)}")
    return ReviewMetrics(
        cases=len(cases),
        measurable_agreement=_share(agree, len(cases)),
        defect_named=_share(named, flawed),
        rewrites_passing=_share(passing, rewrites),
        disagreements=disagreements,
        **latency(times),
    )


def invented(request: str, text: str) -> list[str]:
    """Diagnoses or test scores in the drafted text that the request did not mention."""
    given = {m.lower() for m in DIAGNOSES.findall(request)} | {m.lower() for m in SCORES.findall(request)}
    return [m for m in DIAGNOSES.findall(text) + SCORES.findall(text) if m.lower() not in given]


def draft_metrics(services: Any, cases: list[dict[str, Any]]) -> DraftMetrics:
    critical = domain = kept = with_base = listed = without_base = clean = 0
    times, failures = [], []
    for case in cases:
        started = time.perf_counter()
        goal = draft_goal(case["input"], services)
        times.append((time.perf_counter() - started) * 1000)
        expected = case["expected"]
        everything = " ".join([goal.goal_text, *(o.text for o in goal.objectives), goal.educational_relevance])
        ok = {
            "critical": goal.review.measurable,
            "domain": goal.domain == expected["domain"],
            "invented": not invented(case["input"], everything),
        }
        critical, domain, clean = critical + ok["critical"], domain + ok["domain"], clean + ok["invented"]
        baseline = expected.get("baseline")
        if baseline is not None:
            with_base += 1
            ok["baseline"] = re.search(rf"(?<![\d.]){re.escape(str(baseline))}(?![\d.])", goal.goal_text) is not None
            kept += ok["baseline"]
        else:
            without_base += 1
            ok["missing"] = any(m.startswith("Baseline") for m in goal.missing_information)
            listed += ok["missing"]
        if not all(ok.values()):
            failures.append(f"{case['id']}: {[k for k, v in ok.items() if not v]} (domain {goal.domain})")
    return DraftMetrics(
        cases=len(cases),
        critical_pass=_share(critical, len(cases)),
        domain_right=_share(domain, len(cases)),
        baseline_kept=_share(kept, with_base),
        missing_baseline_listed=_share(listed, without_base),
        nothing_invented=_share(clean, len(cases)),
        failures=failures,
        **latency(times),
    )
