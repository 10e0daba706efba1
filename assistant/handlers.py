"""What the page's events do, as plain functions over Services (no gradio here): testable without a browser.

Drafts live in the browser (gradio BrowserState) as plain JSON: {"chat": ChatState, "history": [...],
"goal": Goal, "plan": SessionPlan}. Nothing student-related is kept on the server.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.chat import ChatState, respond_stream
from assistant.errors import AssistantError
from assistant.export import bundle_markdown, to_docx
from assistant.goals import draft_goal
from assistant.handouts import carryover_handout, data_sheet
from assistant.review import review_goal
from assistant.rubric import is_measurable, run_rubric
from assistant.schemas import Citation, Goal, SearchFilters, SessionPlan
from assistant.scope import answer_scope
from assistant.sessions import plan_session

EMPTY_DRAFTS: dict = {"chat": None, "history": [], "goal": None, "plan": None}
EXAMPLES = [
    "Write a goal for a 2nd grader who fists her pencil and tires after 2 sentences; she loves the ocean",
    "Is shoe tying something I should work on at school?",
    "Plan a 30-minute pull-out session for that goal",
    "What is the difference between push-in and pull-out?",
]


def mode_banner(settings: Any) -> str:
    if settings.llm_backend == "none":
        return "**Offline mode:** everything runs on this computer; nothing you type leaves it."
    from assistant.llm import endpoint, is_loopback_url

    url = endpoint(settings)
    where = "local language model" if is_loopback_url(url) else "REMOTE language model"
    return f"**{where.capitalize()} mode** ({settings.llm_backend} at {url}): drafts are checked by the rubric."


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


def _card_for(reply: Any) -> str:
    if reply.intent == "goal":
        return goal_card(Goal.model_validate(reply.result))
    if reply.intent == "scope":
        return scope_card(reply.result)
    if reply.intent == "plan":
        return plan_card(reply.result)
    return reply.answer


def with_profile(message: str, profile: dict) -> str:
    """Add the profile panel's facts to a request, so the chat can use them."""
    parts = [f"{k}: {v}" for k, v in profile.items() if v]
    return f"{message} ({'; '.join(parts)})" if parts else message


def chat_turn(services: Any, message: str, history: list, drafts: dict, profile: dict) -> Iterator[tuple]:
    """Stream one chat turn: yields (history, drafts, card, sources)."""
    drafts = {**EMPTY_DRAFTS, **(drafts or {})}
    state = ChatState.model_validate(drafts["chat"]) if drafts.get("chat") else ChatState()
    history = [*history, {"role": "user", "content": message}]
    try:
        for answer, reply, new_state in respond_stream(with_profile(message, profile), state, services):
            shown = [*history, {"role": "assistant", "content": answer}]
            if reply is None:
                yield shown, drafts, "", ""
                continue
            drafts = {**drafts, "chat": new_state.model_dump(mode="json"), "history": shown}
            if new_state.last_goal is not None:
                drafts["goal"] = new_state.last_goal.model_dump(mode="json")
            if new_state.last_plan is not None:
                drafts["plan"] = new_state.last_plan.model_dump(mode="json")
            note = f"\n\n_{reply.note}_" if reply.note else ""
            yield shown, drafts, _card_for(reply) + note, citations_markdown(reply.citations)
    except AssistantError as exc:
        shown = [*history, {"role": "assistant", "content": f"Sorry: {exc}."}]
        yield shown, {**drafts, "history": shown}, "", ""


def write_goal(services: Any, request: str, student: str, support_level: str, drafts: dict) -> tuple:
    """The goal writer form: (card, variants, data sheet, handout, drafts, rubric table)."""
    try:
        goal = draft_goal(request, services, support_level=support_level or None, student=student or None)
    except AssistantError as exc:
        return f"**{exc}**", "", "", "", drafts, ""
    variants = "\n\n".join(f"**{k.replace('_', ' ')}:** {v}" for k, v in goal.variants.items())
    drafts = {**EMPTY_DRAFTS, **(drafts or {}), "goal": goal.model_dump(mode="json")}
    return (
        goal_card(goal),
        variants,
        data_sheet(goal).markdown,
        carryover_handout(goal, services).markdown,
        drafts,
        rubric_table(goal.goal_text),
    )


def rubric_table(text: str) -> str:
    """Live re-check of an edited goal."""
    if not (text or "").strip():
        return ""
    checks = run_rubric(text)
    verdict = "Measurable" if is_measurable(checks) else "Not measurable"
    rows = [f"| {'pass' if c.passed else 'FAIL'} | {c.name} | {c.severity} | {c.message} |" for c in checks]
    return "\n".join([f"**{verdict}**", "", "| | Check | Severity | Message |", "|---|---|---|---|", *rows])


def check_goal(services: Any, text: str) -> tuple[str, str]:
    """The goal checker: (rubric table, suggested rewrite)."""
    try:
        review = review_goal(text, services)
    except AssistantError as exc:
        return f"**{exc}**", ""
    table = rubric_table(text)
    if review.anti_patterns:
        table += "\n\n**Defects:** " + ", ".join(review.anti_patterns)
    return table, review.suggested_rewrite or "Nothing to rewrite: this goal passes."


def plan_form(
    services: Any, goals_text: str, minutes: float, model: str, interests: str, grade: str, drafts: dict
) -> tuple[str, dict]:
    goals = [g.strip() for g in (goals_text or "").split("\n\n") if g.strip()]
    try:
        plan = plan_session(goals, int(minutes or 0), model, services, interests or None, grade or None)
    except AssistantError as exc:
        return f"**{exc}**", drafts
    return plan_card(plan), {**EMPTY_DRAFTS, **(drafts or {}), "plan": plan.model_dump(mode="json")}


def scope_form(services: Any, question: str) -> tuple[str, str]:
    try:
        answer = answer_scope(question, services)
    except AssistantError as exc:
        return f"**{exc}**", ""
    return scope_card(answer.model_dump()), citations_markdown(answer.citations)


def library(services: Any, query: str, kind: str, domain: str, grade: str, setting: str = "") -> str:
    """Browse or search the goal and activity banks; a setting (push-in / pull-out) keeps activities that fit it."""
    if setting:
        kind = "activity"
    filters = SearchFilters(kind=kind or None, domain=domain or None, grade_band=grade or None)
    try:
        passages = services.searcher.search(
            (query or "").strip() or "school occupational therapy", k=30 if setting else 10, filters=filters
        )
    except AssistantError as exc:
        return f"**{exc}**"
    if setting:
        fits = {a.id for a in services.corpus.activities if a.setting in (setting, "both")}
        passages = [p for p in passages if p.source_id in fits][:10]
    return (
        "\n\n---\n\n".join(f"**{p.title}** (`{p.source_id}`)\n\n{p.citation(500).excerpt}" for p in passages)
        or "Nothing matches those filters."
    )


def export(services: Any, drafts: dict, fmt: str) -> str | None:
    """A DOCX or Markdown file of the current goal (with data sheet and handout) and plan, for download."""
    drafts = {**EMPTY_DRAFTS, **(drafts or {})}
    parts = []
    if drafts.get("goal"):
        goal = Goal.model_validate(drafts["goal"])
        parts.append(bundle_markdown(goal, [data_sheet(goal), carryover_handout(goal, services)]))
    if drafts.get("plan"):
        parts.append(plan_card(drafts["plan"]))
    if not parts:
        return None
    markdown = "\n\n---\n\n".join(parts)
    folder = Path(tempfile.mkdtemp(prefix="schoolot-export-"))
    if fmt == "docx":
        path = folder / "school-ot-draft.docx"
        path.write_bytes(to_docx(markdown))
    else:
        path = folder / "school-ot-draft.md"
        path.write_text(markdown, encoding="utf-8")
    return str(path)


def restore(drafts: dict) -> tuple:
    """Page load: bring back the chat and the last goal from the browser's storage."""
    drafts = {**EMPTY_DRAFTS, **(drafts or {})}
    card = goal_card(Goal.model_validate(drafts["goal"])) if drafts.get("goal") else ""
    return drafts.get("history") or [], card
