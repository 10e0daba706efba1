"""Goal drafting as a langchain chain: request -> retrieve (domain, templates) -> compose -> check.

Numbers and defaults are documented in goalbank.py. With a language model configured, it rewords the
offline draft; output that fails validation or the rubric after one retry is replaced by the offline draft.
"""

from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, Field

from assistant.case import read_case
from assistant.corpus import GoalTemplate
from assistant.domains import classify_domain
from assistant.errors import AssistantError
from assistant.goalbank import (
    DEFAULT_TIMEFRAME,
    baseline_in_unit,
    choose_target,
    format_target,
    objective_ladder,
    pick_templates,
    render_template,
)
from assistant.inputs import clean_text
from assistant.llm import LLMUnavailable, ask, load_prompt, parse_json
from assistant.rubric import is_measurable, run_rubric
from assistant.schemas import Case, Citation, Components, Goal, Review, SearchFilters


def _citations(services: Any, case: Case, domain: str, template: GoalTemplate) -> list[Citation]:
    bank = Citation(
        source_id=template.id, title=f"Goal bank: {template.skill}", excerpt=render_template(template)[:280]
    )
    primer = services.searcher.search(case.request, k=2, filters=SearchFilters(kind="primer", domain=domain))
    return [bank, *(p.citation() for p in primer)]


def missing_information(case: Case, template: GoalTemplate, baseline: float | None) -> list[str]:
    """What the OT still has to supply, as plain questions; nothing here is filled in by guessing."""
    who = case.student or (case.pronoun or "the student")
    missing = []
    if case.baseline is None:
        missing.append(
            f"Baseline: what does {who} do now, in numbers ({template.baseline_unit})? The request gave none."
        )
    elif baseline is None:
        missing.append(
            f"Baseline in the goal's unit ({template.baseline_unit}): the request gave "
            f"'{case.baseline.text}', which counts something else. What is it in {template.baseline_unit}?"
        )
    if case.grade_band is None:
        missing.append("Grade or age: what grade is the student in? (It sets age-fitting tasks and wording.)")
    if case.student is None:
        missing.append("Student's first name: the goal says 'the student'.")
    return missing


def compose_goal(services: Any, case: Case, domain: str, template: GoalTemplate) -> Goal:
    """Fill one template with the request's facts; the rubric review is attached by the check step."""
    periods = services.settings.reporting_periods
    baseline = baseline_in_unit(case, template)
    target = choose_target(template, baseline)
    shown_baseline = case.baseline.text if case.baseline else None
    name = case.name
    text = render_template(template, student=name, target=target)
    if shown_baseline and baseline is not None:
        text += f" Baseline: {shown_baseline}."
    elif shown_baseline:
        text += f" Baseline: {shown_baseline} as reported; [to be measured: {template.baseline_unit}]."
    else:
        text += f" Baseline: [to be measured: {template.baseline_unit}]."
    criterion = template.criterion.replace("{target}", format_target(target, template.unit))
    siblings = [g for g in services.corpus.goals if g.domain == domain and g.skill == template.skill]
    variants = {
        g.support_level: render_template(g, student=name, target=choose_target(g, baseline_in_unit(case, g)))
        for g in siblings
    }
    return Goal(
        goal_text=text,
        domain=domain,
        student=name,
        case=case,
        components=Components(
            timeframe=DEFAULT_TIMEFRAME,
            condition=template.condition,
            behavior=template.behavior.rstrip(" ,"),
            criterion=criterion,
            mastery=template.mastery,
            measurement=template.measurement,
            baseline=shown_baseline,
            target=format_target(target, template.unit),
        ),
        objectives=objective_ladder(template, name, target, baseline, periods),
        educational_relevance=template.educational_relevance,
        missing_information=missing_information(case, template, baseline),
        citations=_citations(services, case, domain, template),
        review=Review(measurable=False, domain=domain, checks=[], suggested_rewrite=None),
        template_id=template.id,
        support_level=template.support_level,
        grade_band=case.grade_band,
        variants=variants,
    )


def check_goal(goal: Goal) -> Goal:
    """Attach the rubric review; a drafted goal must pass every critical check."""
    checks = run_rubric(goal.goal_text)
    return goal.model_copy(
        update={
            "review": Review(
                measurable=is_measurable(checks),
                domain=goal.domain,
                checks=checks,
                suggested_rewrite=None,
                anti_patterns=[c.name for c in checks if not c.passed and c.id != "baseline"],
            )
        }
    )


def _retrieve(services: Any) -> RunnableLambda:
    def step(payload: dict) -> dict:
        case = payload.get("case") or read_case(payload["request"])
        if payload.get("support_level"):
            case = case.model_copy(update={"support_level": payload["support_level"]})
        if payload.get("student"):
            case = case.model_copy(update={"student": payload["student"]})
        domain = payload.get("domain") or classify_domain(case.request, services.searcher)[0]
        return {**payload, "case": case, "domain": domain, "templates": pick_templates(services, case, domain)}

    return RunnableLambda(step, name="retrieve")


def _compose_and_check(services: Any) -> RunnableLambda:
    def step(state: dict) -> Goal:
        for template in state["templates"][:8]:
            goal = check_goal(compose_goal(services, state["case"], state["domain"], template))
            if goal.review.measurable:
                return goal
        raise AssistantError("no goal-bank template for this request passed the rubric; please rephrase it")

    return RunnableLambda(step, name="compose_check")


class GoalDraft(BaseModel):
    """What the language model must return for a goal."""

    goal_text: str = Field(min_length=40)
    condition: str
    behavior: str
    criterion: str
    mastery: str
    measurement: str
    educational_relevance: str


def _draft_problems(draft: GoalDraft, case: Case) -> list[str]:
    checks = run_rubric(draft.goal_text)
    problems = [f"{c.name}: {c.message}" for c in checks if not c.passed and c.severity == "critical"]
    baseline = case.baseline
    if (
        baseline is not None
        and baseline.value is not None
        and format_target(baseline.value, "count") not in draft.goal_text
    ):
        problems.append(f"keep the baseline from the request ({baseline.text}) in the goal")
    return problems


def _llm_compose_and_check(services: Any) -> RunnableLambda:
    """The model rewords the offline draft; invalid or unmeasurable output is re-asked once, then not used."""
    offline = _compose_and_check(services)

    def step(state: dict) -> Goal:
        fallback = offline.invoke(state)
        case = state["case"]
        passages = "\n".join(c.excerpt for c in fallback.citations[1:])
        prompt = load_prompt(
            "goal",
            request=case.request,
            template_goal=fallback.goal_text,
            passages=passages,
            student=case.name,
        )
        history: list[tuple[str, str]] = []
        message = prompt
        for _attempt in range(2):
            try:
                reply = ask(services.llm, message, history)
            except LLMUnavailable as exc:
                return _noted(fallback, f"{exc}; this is the offline draft.")
            try:
                draft = parse_json(reply, GoalDraft)
                problems = _draft_problems(draft, case)
            except ValueError as exc:
                problems = [str(exc)]
            if not problems:
                return _from_draft(fallback, draft)
            history += [("human", message), ("ai", reply)]
            message = load_prompt("reask", errors="; ".join(problems))
        return _noted(
            fallback, "The language model's draft did not pass the rubric after one retry; this is the offline draft."
        )

    return RunnableLambda(step, name="llm_compose_check")


def _noted(goal: Goal, note: str) -> Goal:
    return goal.model_copy(update={"notes": [*goal.notes, note]})


def _from_draft(fallback: Goal, draft: GoalDraft) -> Goal:
    components = fallback.components.model_copy(
        update={
            "condition": draft.condition,
            "behavior": draft.behavior,
            "criterion": draft.criterion,
            "mastery": draft.mastery,
            "measurement": draft.measurement,
        }
    )
    goal = fallback.model_copy(
        update={
            "goal_text": draft.goal_text,
            "components": components,
            "educational_relevance": draft.educational_relevance,
            "notes": [*fallback.notes, "Worded by the language model; checked against the rubric."],
        }
    )
    return check_goal(goal)


def goal_chain(services: Any) -> Runnable:
    """retrieve -> compose -> check; with a language model configured, it composes in place of the offline step."""
    composer = _llm_compose_and_check(services) if getattr(services, "llm", None) else _compose_and_check(services)
    return _retrieve(services) | composer


def draft_goal(
    request: str,
    services: Any,
    support_level: str | None = None,
    student: str | None = None,
    domain: str | None = None,
    case: Case | None = None,
) -> Goal:
    """A measurable goal with objectives, variants and citations for a free-text request; a Case already
    read from the request (the chat's, or one the OT corrected) is used as it is."""
    payload = {
        "request": request if case is not None else clean_text(request, "request"),
        "support_level": support_level,
        "student": student,
        "domain": domain,
        "case": case,
    }
    return goal_chain(services).invoke(payload)
