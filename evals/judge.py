"""An optional LLM judge for criteria a pattern cannot judge; the deterministic checks always run too."""

from typing import Any, Literal

from pydantic import BaseModel

from assistant.llm import LLMUnavailable, ask, load_prompt, parse_json
from evals.cases import Case, CaseCheck

CRITERIA = {
    "stranger_test": "A substitute teacher who has never met the student could score this goal from the text alone.",
    "one_skill": "The goal targets exactly one skill (not two different skills joined together).",
    "faithful": "Every fact in the goal (numbers, name, grade, setting) comes from the request or is a stated "
    "default such as the annual review; nothing is invented.",
    "measurable": "The goal is measurable: observable behavior, criterion, mastery, timeframe and measurement method.",
}


class Verdict(BaseModel):
    reasoning: str
    verdict: Literal["pass", "fail"]


def judge_checks() -> list[CaseCheck]:
    """Added to goal cases when a backend is configured; minor, so the deterministic checks decide a case."""
    return [
        CaseCheck(id=f"judge_{name}", type="llm_judge", severity="minor", weight=0.5, criterion=name)
        for name in ("stranger_test", "one_skill", "faithful")
    ]


def make_judge(model: Any):
    def judge(check: CaseCheck, case: Case, output: dict) -> tuple[bool, str]:
        goal = output.get("goal_text") or output.get("suggested_rewrite") or str(case.input)
        prompt = load_prompt(
            "judge", criterion=CRITERIA[check.criterion or "measurable"], request=str(case.input), goal=goal
        )
        try:
            verdict = parse_json(ask(model, prompt), Verdict)
        except (LLMUnavailable, ValueError) as exc:
            return True, f"judge gave no usable verdict ({exc}); the deterministic checks stand"
        return verdict.verdict == "pass", verdict.reasoning

    return judge


def judge_agreement(model: Any, review_cases: list[Case]) -> dict[str, Any]:
    """How often the judge's 'measurable' verdict matches the labeled review set."""
    judge = make_judge(model)
    check = CaseCheck(id="judge_measurable", type="llm_judge", criterion="measurable")
    agree = judged = 0
    for case in review_cases:
        passed, why = judge(check, case, {"goal_text": case.input})
        if why.startswith("judge gave no usable verdict"):
            continue
        judged += 1
        agree += passed == case.expected.get("measurable")
    return {"judged": judged, "agreement": round(agree / judged, 4) if judged else None}
