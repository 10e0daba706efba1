"""Markdown cards for the page: a goal, a scope verdict, a session plan, citations (no gradio here)."""

from typing import Any

from assistant.schemas import Citation, Goal, SessionPlan


def citations_markdown(citations: list[Citation] | list[dict]) -> str:
    items = [c if isinstance(c, Citation) else Citation.model_validate(c) for c in citations]
    if not items:
        return "_No sources for this answer._"
    return "\n\n".join(f"**{c.title}** (`{c.source_id}`)\n> {c.excerpt}" for c in items)


def goal_card(goal: Goal) -> str:
    c = goal.components
    rows = [
        ("Timeframe", c.timeframe),
        ("Condition", c.condition),
        ("Behavior", c.behavior),
        ("Criterion", c.criterion),
        ("Mastery", c.mastery),
        ("Measurement", c.measurement),
        ("Baseline", c.baseline or "**missing: measure it**"),
        ("Target", c.target),
    ]
    lines = [
        f"### Goal for {goal.student}",
        "",
        goal.goal_text,
        "",
        "| Component | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
        "**Objectives**",
        *(f"- **{o.period}:** {o.text}" for o in goal.objectives),
    ]
    verdict = "Measurable" if goal.review.measurable else "Not measurable"
    lines += ["", f"**Rubric:** {verdict}."]
    if goal.missing_information:
        lines += ["", "**Still needed:**", *(f"- {m}" for m in goal.missing_information)]
    lines += [f"_{n}_" for n in goal.notes]
    return "\n".join(lines)


def scope_card(scope: dict) -> str:
    badge = {"in_scope": "IN SCOPE", "out_of_scope": "OUT OF SCOPE", "depends": "IT DEPENDS"}[scope["verdict"]]
    lines = [
        f"### Verdict: {badge}",
        "",
        scope["rationale"],
        "",
        "**Pathways:** " + ", ".join(p.replace("_", " ") for p in scope["pathways"]),
    ]
    if scope.get("in_scope_path"):
        lines += ["", f"**What school OT can do:** {scope['in_scope_path']}"]
    if scope["follow_up_questions"]:
        lines += ["", "**To decide, ask:**", *(f"- {q}" for q in scope["follow_up_questions"])]
    return "\n".join(lines)


def plan_card(plan: SessionPlan | dict) -> str:
    plan = plan if isinstance(plan, SessionPlan) else SessionPlan.model_validate(plan)
    lines = [
        f"### {plan.model} session, {plan.minutes} minutes",
        "",
        plan.rationale,
        "",
        "| Minutes | Activity | Purpose | Easier | Harder |",
        "|---|---|---|---|---|",
        *(f"| {a.minutes} | {a.name} | {a.purpose} | {a.easier} | {a.harder} |" for a in plan.activities),
        "",
        "**Data collection**",
        *(f"- {d}" for d in plan.data_collection),
        "",
        "**Carryover for the teacher**",
        *(f"- {c}" for c in plan.carryover),
        "",
        "**Materials:** " + ", ".join(plan.materials),
    ]
    return "\n".join(lines)


def card_for(reply: Any) -> str:
    if reply.intent == "goal":
        return goal_card(Goal.model_validate(reply.result))
    if reply.intent == "scope":
        return scope_card(reply.result)
    if reply.intent == "plan":
        return plan_card(reply.result)
    return reply.answer
