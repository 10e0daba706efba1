"""Markdown cards for the page: a goal, a scope verdict, a session plan, citations (no gradio here)."""

from typing import Any

from assistant.case import case_questions, grade_phrase, routine_label
from assistant.schemas import Case, Citation, Goal, SessionPlan

SUPPORT_WORDS = {
    "full_physical": "full physical help (hand-over-hand)",
    "partial_physical": "partial physical help",
    "model": "a model or demonstration",
    "gestural": "gestures or pointing",
    "visual": "visual or picture cues",
    "verbal": "verbal cues or reminders",
    "independent": "on their own",
}
COMMUNICATION_WORDS = {"aac": "uses AAC", "nonverbal": "does not use speech", "verbal": "speaks"}


def citations_markdown(citations: list[Citation] | list[dict]) -> str:
    items = [c if isinstance(c, Citation) else Citation.model_validate(c) for c in citations]
    if not items:
        return "_No sources for this answer._"
    return "\n\n".join(f"**{c.title}** (`{c.source_id}`)\n> {c.excerpt}" for c in items)


def _quoted(case: Case, field: str) -> str:
    words = case.evidence.get(field)
    return f' (from "{words}")' if words else ""


def case_card(case: Case | dict | None) -> str:
    """What I understood: each fact with the words it came from, then plain questions for what is missing."""
    if case is None:
        return ""
    case = case if isinstance(case, Case) else Case.model_validate(case)
    rows = []
    if case.student:
        rows.append(("Student", case.name + _quoted(case, "student")))
    grade = grade_phrase(case.grade, case.age if case.grade is None else None)
    if grade or case.grade_band:
        shown = grade or {"6_8": "middle school", "9_12": "high school"}.get(case.grade_band or "", case.grade_band)
        rows.append(("Grade or age", f"{shown}{_quoted(case, 'grade' if case.grade else 'age')}"))
    if case.routine:
        rows.append(("Routine", f"{routine_label(case.routine)}{_quoted(case, 'routine')}"))
    if case.skill:
        rows.append(("Need", case.skill))
    for baseline in case.baselines:
        unit = {
            "of": f"of {baseline.out_of:g}" if baseline.out_of else "of",
            "per_minute": "per minute",
            "count": baseline.counts or "",
            "level": f"(rubric level{f' of {baseline.out_of:g}' if baseline.out_of else ''})",
        }.get(baseline.unit or "", baseline.unit or "")
        value = f"{baseline.value:g}" + (f"-{baseline.value_max:g}" if baseline.value_max else "")
        flag = " **(reports disagree)**" if baseline.conflict else ""
        rows.append(("Now (baseline)", f'"{baseline.text}": {value} {unit}{flag}'))
    if case.support:
        rows.append(("Support now", SUPPORT_WORDS[case.support] + _quoted(case, "support")))
    if case.communication:
        rows.append(("Communication", COMMUNICATION_WORDS[case.communication] + _quoted(case, "communication")))
    if case.access:
        rows.append(("Access", ", ".join(a.replace("_", " ") for a in case.access)))
    if case.interests:
        rows.append(("Interests", ", ".join(case.interests)))
    lines = ["#### What I understood", ""]
    if rows:
        lines += ["| Fact | What I read |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)]
    else:
        lines.append("_Nothing about the student yet._")
    questions = case_questions(case)
    if questions:
        lines += ["", "**To make the goal fit, tell me:**", *(f"- {q}" for q in questions)]
    return "\n".join(lines)


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
    fit = goal.fit
    if fit is not None and fit.status == "none":
        head = [
            f"### No close match in the goal bank for {goal.student}",
            "",
            "None of the bank's goals answers this request faithfully, so here is a **frame in your words**: fill "
            "the [brackets], or start from one of the nearest bank goals below.",
            "",
        ]
    else:
        head = [f"### Goal for {goal.student}", ""]
    lines = [
        *head,
        goal.goal_text,
        "",
        "| Component | In this goal |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
        "**Objectives**",
        *(f"- **{o.period}:** {o.text}" for o in goal.objectives),
    ]
    if goal.finished:
        verdict = "Measurable" if goal.review.measurable else "Not measurable"
        lines += ["", f"**Rubric:** {verdict}."]
    else:
        failed = [c.message for c in goal.review.checks if not c.passed and c.severity == "critical"]
        lines += ["", "**Not a finished goal yet.**" + (" " + "; ".join(failed) + "." if failed else "")]
    if fit is not None:
        lines += ["", f"**Fit to your request:** {fit.status} ({fit.score:.2f}) - " + "; ".join(fit.reasons[:4])]
        if fit.alternatives:
            lines += ["", "**Nearest bank goals:**"]
            lines += [f"- ({a.score:.2f}) {a.goal_text}" for a in fit.alternatives]
    for extra in goal.more_goals:
        lines += ["", "---", "", goal_card(extra.model_copy(update={"case": None}))]
    if goal.missing_information:
        lines += ["", "**Still needed:**", *(f"- {m}" for m in goal.missing_information)]
    lines += [f"_{n}_" for n in goal.notes]
    if goal.case is not None:
        lines += ["", case_card(goal.case)]
    return "\n".join(lines)


def scope_card(scope: dict) -> str:
    """A general or procedure question gets its answer; a student question its verdict, reasons and pathways."""
    procedures = ", ".join(p.replace("_", " ") for p in scope.get("procedures") or [])
    if scope.get("kind") == "information" or scope.get("verdict") is None:
        lines = ["### Answer", "", scope.get("answer") or scope["rationale"]]
        if procedures:
            lines += ["", f"**Procedure:** {procedures}"]
        if scope["pathways"]:
            lines += ["", "**Pathways:** " + ", ".join(p.replace("_", " ") for p in scope["pathways"])]
        return "\n".join(lines)
    badge = {"in_scope": "IN SCOPE", "out_of_scope": "OUT OF SCOPE", "depends": "IT DEPENDS"}[scope["verdict"]]
    lines = [
        f"### Verdict: {badge}",
        "",
        scope["rationale"],
        "",
        "**Pathways:** " + ", ".join(p.replace("_", " ") for p in scope["pathways"]),
    ]
    if procedures:
        lines += ["", f"**Procedure:** {procedures}"]
    if scope.get("in_scope_path"):
        lines += ["", f"**What school OT can do:** {scope['in_scope_path']}"]
    if scope["follow_up_questions"]:
        lines += ["", "**To decide, ask:**", *(f"- {q}" for q in scope["follow_up_questions"])]
    return "\n".join(lines)


def plan_card(plan: SessionPlan | dict) -> str:
    """The plan as an OT reads it: the timeline, then each part's steps, then data, carryover and materials."""
    plan = plan if isinstance(plan, SessionPlan) else SessionPlan.model_validate(plan)
    lines = [
        f"### {plan.model} {'group ' if plan.group else ''}session, {plan.minutes} minutes",
        "",
        plan.rationale,
        "",
        "| Minutes | Activity | Purpose |",
        "|---|---|---|",
        *(f"| {a.minutes} | {a.name} | {a.purpose} |" for a in plan.activities),
    ]
    for a in plan.activities:
        who = f" ({', '.join(a.students)})" if plan.group and a.students else ""
        lines += ["", f"**{a.minutes} min: {a.name}**{who}", *(f"- {step}" for step in a.steps)]
        if a.easier or a.harder:
            lines.append(f"- Easier: {a.easier} Harder: {a.harder}")
    lines += [
        "",
        "**Data collection**",
        *(f"- {d}" for d in plan.data_collection),
        "",
        "**Carryover for the teacher**",
        *(f"- {c}" for c in plan.carryover),
    ]
    if plan.materials:
        lines += ["", "**Materials:** " + ", ".join(plan.materials)]
    return "\n".join(lines)


def card_for(reply: Any) -> str:
    """The card for a chat reply; an edit shows what changed above the changed goal (or why nothing did)."""
    if reply.intent == "edit" and reply.changes and reply.result:
        changed = "\n".join(f"- {c}" for c in reply.changes)
        return f"**Changed**\n{changed}\n\n" + goal_card(Goal.model_validate(reply.result))
    if (
        reply.intent == "goal"
        and reply.result
        and reply.answer.split(":", 1)[0].endswith("options for the same request")
    ):
        return reply.answer + "\n\n" + goal_card(Goal.model_validate(reply.result))
    if reply.intent == "goal":
        return goal_card(Goal.model_validate(reply.result))
    if reply.intent == "scope":
        return scope_card(reply.result)
    if reply.intent == "plan":
        return plan_card(reply.result) + ("\n\n" + case_card(reply.case) if reply.case else "")
    return reply.answer


def bubble(reply: Any) -> str:
    """What the conversation shows for a reply whose card holds the draft: one or two lines that say what was done
    and point to the card, so the draft is shown once (in the card) and the chat stays short to scroll."""
    if reply.intent in ("goal", "edit") and reply.result:
        goal = Goal.model_validate(reply.result)
        if reply.intent == "edit" and reply.changes:
            return "Changed: " + "; ".join(reply.changes) + ". The changed goal is in the answer below."
        if reply.intent == "edit":
            return reply.answer
        first = reply.answer.split("\n", 1)[0] if reply.answer.split(":", 1)[0].endswith("same request") else ""
        fit = f" (fit to your request: {goal.fit.status})" if goal.fit is not None else ""
        lead = f"{first}\n\n" if first else ""
        where = "is in the answer below, with its objectives and what I understood"
        return f"{lead}A draft goal for {goal.student}{fit} {where}."
    if reply.intent == "plan" and reply.result:
        plan = SessionPlan.model_validate(reply.result)
        names = ", ".join(a.name for a in plan.activities)
        return f"A {plan.minutes}-minute {plan.model} session plan is in the answer below: {names}."
    if reply.intent == "scope" and reply.result:
        verdict = (reply.result.get("verdict") or "").replace("_", " ")
        head = f"**{verdict.capitalize()}.** " if verdict else ""
        answer = reply.result.get("answer") or ""
        first = answer.split(". ", 1)[0].rstrip(".") + "." if answer else ""
        return f"{head}{first} The full answer, with pathways and questions to ask, is below."
    return reply.answer
