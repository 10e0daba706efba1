"""What the page's events do, as plain functions over Services (no gradio here): testable without a browser.

Drafts live in the browser (gradio BrowserState) as plain JSON, one student's at a time (caseload.py: the
latest goal and plan, every goal and plan of the session, the chat, its profile panel); the other students of
the caseload are filed beside them. Nothing student-related is kept on the server.
"""

import math
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant import caseload
from assistant.cards import bubble, card_for, case_card, citations_markdown, goal_card, plan_card, scope_card
from assistant.case import corrected_case, read_case
from assistant.chat import ChatState, is_new_student, read_turn, respond_stream
from assistant.errors import AssistantError, InputError
from assistant.export import bundle_markdown, to_docx, to_html
from assistant.goals import draft_goal
from assistant.handouts import carryover_handout, data_sheet
from assistant.inputs import chat_history, clean_text, client_value
from assistant.privacy import safe_markdown
from assistant.review import review_goal
from assistant.rubric import is_measurable, run_rubric
from assistant.schemas import Case, Goal, SearchFilters
from assistant.scope import answer_scope
from assistant.sessions import group_items, plan_session

EMPTY_DRAFTS: dict = caseload.EMPTY
NEW_STUDENT = (
    "**New student.** The page starts empty; the last student's chat, goals and plans are kept in the caseload "
    "(choose them under **Student**), and nothing of them is used from here on."
)
LONG_CHAT = "\n\n_This conversation is long: the page keeps its last 200 messages._"
CLEAR_ASK = (
    "**Clear every student's drafts from this browser?** The chat, goals, plans and the caseload go; this cannot "
    "be undone. Download what you need first."
)
CLEARED = "**Cleared.** No drafts are kept in this browser now."
EXAMPLES = [
    "Write a goal for a 2nd grader who fists her pencil and tires after 2 sentences; she loves the ocean",
    "Is shoe tying something I should work on at school?",
    "Plan a 30-minute pull-out session for that goal",
    "What is the difference between push-in and pull-out?",
]


@contextmanager
def audited(services: Any, session: str, intent: str) -> Iterator[dict]:
    """Time a request into the audit log (metadata only); the caller adds sources and redactions."""
    audit = getattr(services, "audit", None)
    if audit is None:
        yield {"intent": intent, "redactions": 0, "sources": []}
        return
    with audit.request(session, intent) as record:
        yield record


def failed(record: dict, exc: Exception) -> str:
    """Note the error class in the audit record; the user's one-line message, in bold."""
    record["outcome"] = type(exc).__name__
    return safe_markdown(f"**{exc}**")


def for_turn(services: Any, names: Callable[[], list[str | None]]) -> tuple[Any, Any]:
    """(services with a per-turn guarded model that knows the student's names, that model or None).
    names is called only when a model is configured: offline turns skip the work."""
    llm = getattr(services, "llm", None)
    if llm is None or not hasattr(llm, "for_turn"):
        return services, None
    turn = llm.for_turn(sorted({n for n in names() if n and n != "the student"}))
    return services._replace(llm=turn), turn


def capped(services: Any, text: Any, what: str) -> str:
    """The text, or InputError when it is longer than the max_input_chars setting."""
    text = text if isinstance(text, str) else ""
    limit = services.settings.max_input_chars
    if len(text) > limit:
        raise InputError(f"the {what} is {len(text):,} characters; the limit is {limit:,}")
    return text


def inbound_drafts(services: Any, drafts: Any) -> dict:
    """The browser's drafts, checked where they enter (InputError when over the caps): the same text cap as
    anything typed (plus room for the profile's facts), and 40 times that in all."""
    limit = services.settings.max_input_chars
    client_value(drafts, "saved drafts", limit + 5_000, limit * 40)
    return caseload.normal(drafts)


def inbound_caseload(services: Any, filed: Any) -> dict:
    """The browser's other students, checked like the drafts (each student's share of the caps, 40 at most)."""
    limit = services.settings.max_input_chars
    client_value(filed, "saved caseload", limit + 5_000, limit * 40 * 8)
    return {"students": caseload.students(filed)}


def admin_notice(services: Any) -> str:
    """A problem the person running the app must know about (a failing audit log), or nothing."""
    problem = getattr(getattr(services, "audit", None), "problem", None)
    return f"**Notice for the administrator:** {problem}. Check the disk and the data folder." if problem else ""


def mode_banner(settings: Any) -> str:
    if settings.llm_backend == "none":
        return "**Offline mode:** everything runs on this computer; nothing you type leaves it."
    from assistant.llm import endpoint, is_loopback_url

    url = endpoint(settings)
    if not is_loopback_url(url):
        return (
            f"**REMOTE language model mode** ({settings.llm_backend} at {url}): requests go to another computer "
            "after names, dates, ids, emails, phone numbers, addresses and school names are replaced with "
            "placeholders; if that fails, nothing is sent."
        )
    return f"**Local language model mode** ({settings.llm_backend} at {url}): drafts are checked by the rubric."


def with_profile(message: str, profile: dict) -> str:
    """Add the profile panel's facts to a request, so the chat can use them."""
    parts = [f"{k}: {v}" for k, v in profile.items() if v]
    return f"{message} ({'; '.join(parts)})" if parts else message


def chat_turn(
    services: Any,
    message: str,
    history: list,
    drafts: dict,
    profile: dict,
    session: str = "-",
    filed: dict | None = None,
) -> Iterator[tuple]:
    """Stream one chat turn: yields (history, drafts, card, sources), and the caseload after them when filed
    (the other students) is given: a message about another student files the one on screen there first."""
    if filed is not None:
        try:
            filed = inbound_caseload(services, filed)
        except InputError:
            filed = None  # the browser's copy stays as it was; this turn files nothing
    for step in _chat_turn_checked(services, message, history, drafts, profile, session, filed):
        yield step if filed is None else (*step[:4], step[4] if len(step) > 4 else filed)


def _chat_turn_checked(
    services: Any, message: str, history: list, drafts: dict, profile: dict, session: str, filed: dict | None
) -> Iterator[tuple]:
    with audited(services, session, "chat") as record:
        try:
            sent = drafts
            drafts = inbound_drafts(services, drafts)
            history, dropped = chat_history(history, services.settings.max_input_chars * 4)
        except InputError as exc:  # the browser's copy is left as it was: nothing of it is lost
            record["outcome"] = "InputError"
            yield history, sent, safe_markdown(f"**Sorry: {exc}. Clear my drafts starts afresh.**"), ""
            return
        history = [*history, {"role": "user", "content": message if isinstance(message, str) else ""}]
        try:
            state = ChatState.model_validate(drafts["chat"]) if drafts.get("chat") else ChatState()
        except ValueError:
            state = ChatState()  # a damaged or outdated browser draft: start the conversation afresh
        for shown, saved, card, sources, *rest in _chat_turn(
            services, message, history, drafts, profile, state, record, filed
        ):
            yield shown, saved, card + (LONG_CHAT if dropped and card else ""), sources, *rest


def _chat_turn(
    services: Any,
    message: str,
    history: list,
    drafts: dict,
    profile: dict,
    state: ChatState,
    record: dict,
    filed: dict | None = None,
) -> Iterator[tuple]:
    rest: tuple = ()
    try:
        message = capped(services, message, "message")
        turn = read_turn(message, services)
        profile = {k: v for k, v in (profile or {}).items() if isinstance(v, str) and v}
        if is_new_student(turn, state):
            profile = {}  # the panel's facts belong to the last student: a new one starts clean
            if filed is not None:  # the last student is filed in the caseload, whole; this one starts empty
                fresh, filed = caseload.new_student(drafts, filed)
                history, drafts, rest = history[-1:], fresh, (filed,)
        elif profile:
            turn = read_turn(with_profile(message, profile), services)
        drafts = {**drafts, "profile": profile}
        names = [state.case.student if state.case else None, (drafts.get("goal") or {}).get("student")]
        services, turn_llm = for_turn(services, lambda: [*names, turn.case.student])
        for answer, reply, new_state in respond_stream(turn, state, services):
            said = answer if reply is None else bubble(reply)  # the draft itself is shown once, in the card
            shown = _safe_history([*history, {"role": "assistant", "content": said}])
            if reply is None:
                yield shown, drafts, "", "", *rest
                continue
            drafts = {**drafts, "chat": new_state.model_dump(mode="json"), "history": shown}
            if new_state.last_goal is not None and reply.intent in ("goal", "edit"):
                goal = new_state.last_goal.model_dump(mode="json")
                drafts = caseload.kept(drafts, "goal", goal, revises=reply.intent == "edit")
            if new_state.last_plan is not None and reply.intent == "plan":
                drafts = caseload.kept(drafts, "plan", new_state.last_plan.model_dump(mode="json"), False)
            note = f"\n\n_{reply.note}_" if reply.note else ""
            record.update(
                intent=reply.intent,
                sources=[c.source_id for c in reply.citations],
                redactions=turn_llm.redactions if turn_llm else 0,
            )
            cited = safe_markdown(citations_markdown(reply.citations))
            yield shown, drafts, safe_markdown(card_for(reply) + note), cited, *rest
    except AssistantError as exc:
        record["outcome"] = type(exc).__name__
        shown = _safe_history([*history, {"role": "assistant", "content": f"Sorry: {exc}."}])
        yield shown, {**drafts, "history": shown}, "", "", *rest


def write_goal(
    services: Any,
    request: str,
    student: str,
    support_level: str,
    drafts: dict,
    session: str = "-",
    corrections: dict | None = None,
) -> tuple:
    """The goal writer form: (card, variants, data sheet, handout, drafts, rubric table, understood facts).
    Corrections of what was understood (name, grade, routine, baseline, support, communication) re-draft."""
    with audited(services, session, "goal") as record:
        try:
            drafts = inbound_drafts(services, drafts)
            request = clean_text(capped(services, request, "request"), "request")
            student = capped(services, student, "name")[:60].strip()
            fixes = {k: capped(services, v, k)[:300] for k, v in (corrections or {}).items() if isinstance(v, str)}
            case = corrected_case(read_case(request), fixes)
            services, turn_llm = for_turn(services, lambda: [student, case.student])
            goal = draft_goal(
                request, services, support_level=support_level or None, student=student or None, case=case
            )
        except AssistantError as exc:
            return failed(record, exc), "", "", "", drafts, "", {}
        record.update(sources=[c.source_id for c in goal.citations], redactions=turn_llm.redactions if turn_llm else 0)
    variants = "\n\n".join(f"**{k.replace('_', ' ')}:** {v}" for k, v in goal.variants.items())
    drafts = caseload.kept(drafts, "goal", goal.model_dump(mode="json"), revises=bool(corrections))
    return (
        safe_markdown(goal_card(goal)),
        safe_markdown(variants),
        safe_markdown(data_sheet(goal).markdown),
        safe_markdown(carryover_handout(goal, services).markdown),
        drafts,
        safe_markdown(rubric_table(goal.goal_text)),
        understood(goal.case),
    )


def understood(case: Case | None) -> dict:
    """The correctable facts of a Case, as the correction fields show them."""
    if case is None:
        return {}
    baseline = "; ".join(b.text for b in case.baselines)
    return {
        "student": case.student or "",
        "grade": case.grade or "",
        "routine": case.routine or "",
        "baseline": baseline,
        "support": case.support or "",
        "communication": case.communication or "",
    }


MAX_GOAL_CHECK = 20_000  # the default typed-text cap: a goal pasted with its notes is still checked


def rubric_table(text: str) -> str:
    """Live re-check of an edited goal."""
    if not isinstance(text, str) or not text.strip():
        return ""
    if len(text) > MAX_GOAL_CHECK:
        return f"**The goal is too long to check (over {MAX_GOAL_CHECK:,} characters).**"
    checks = run_rubric(text)
    verdict = "Measurable" if is_measurable(checks) else "Not measurable"
    rows = [f"| {'pass' if c.passed else 'FAIL'} | {c.name} | {c.severity} | {c.message} |" for c in checks]
    return "\n".join([f"**{verdict}**", "", "| Result | Check | Severity | Message |", "|---|---|---|---|", *rows])


def check_goal(services: Any, text: str, session: str = "-") -> tuple[str, str]:
    """The goal checker: (rubric table, suggested rewrite)."""
    with audited(services, session, "review") as record:
        try:
            review = review_goal(capped(services, text, "goal"), services)
        except AssistantError as exc:
            return failed(record, exc), ""
    table = rubric_table(text)
    if review.anti_patterns:
        table += "\n\n**Defects:** " + ", ".join(review.anti_patterns)
    return safe_markdown(table), review.suggested_rewrite or "Nothing to rewrite: this goal passes."


def plan_form(
    services: Any,
    goals_text: str,
    minutes: float,
    model: str,
    interests: str,
    grade: str,
    drafts: dict,
    session: str = "-",
) -> tuple[str, dict]:
    with audited(services, session, "plan") as record:
        try:
            drafts = inbound_drafts(services, drafts)
            goals = [g.strip() for g in capped(services, goals_text, "goals").split("\n\n") if g.strip()]
            goals = group_items(goals)  # "Ana: ... Ana will ..." paragraphs are a group
            minutes = int(minutes) if isinstance(minutes, int | float) and math.isfinite(minutes) else 0
            interests = capped(services, interests, "interests")[:300]
            plan = plan_session(goals, minutes, model, services, interests or None, grade or None)
        except AssistantError as exc:
            return failed(record, exc), drafts
        record["sources"] = [c.source_id for c in plan.citations]
    card = plan_card(plan)
    if goals and all(isinstance(g, str) for g in goals):  # one student's goals: what was read from them
        card += "\n\n" + case_card(read_case(" ".join(goals)))
    return safe_markdown(card), caseload.kept(drafts, "plan", plan.model_dump(mode="json"), False)


def scope_form(services: Any, question: str, session: str = "-") -> tuple[str, str]:
    with audited(services, session, "scope") as record:
        try:
            answer = answer_scope(capped(services, question, "question"), services)
        except AssistantError as exc:
            return failed(record, exc), ""
        record["sources"] = [c.source_id for c in answer.citations]
    return safe_markdown(scope_card(answer.model_dump())), safe_markdown(citations_markdown(answer.citations))


def library(
    services: Any, query: str, kind: str, domain: str, grade: str, setting: str = "", session: str = "-"
) -> str:
    """Browse or search the goal and activity banks; a setting (push-in / pull-out) keeps activities that fit it."""
    if setting:
        kind = "activity"
    with audited(services, session, "search") as record:
        try:
            filters = SearchFilters(kind=kind or None, domain=domain or None, grade_band=grade or None)
            query = capped(services, query, "search")
            query = clean_text(query, "search") if query.strip() else ""
            passages = services.searcher.search(
                query or "school occupational therapy", k=30 if setting else 10, filters=filters
            )
        except ValueError:
            record["outcome"] = "InputError"
            return "**Choose the kind, domain and grade band from the lists.**"
        except AssistantError as exc:
            return failed(record, exc)
        record["sources"] = [p.source_id for p in passages[:10]]
    if setting:
        fits = {a.id for a in services.corpus.activities if a.setting in (setting, "both")}
        passages = [p for p in passages if p.source_id in fits][:10]
    return safe_markdown(
        "\n\n---\n\n".join(f"**{p.title}** (`{p.source_id}`)\n\n{p.citation(500).excerpt}" for p in passages)
        or "Nothing matches those filters."
    )


EXPORT_KEEP_S = 120


EXPORT_FORMATS = {"docx": "docx", "md": "md", "html": "html"}


def export(services: Any, drafts: dict, fmt: str, session: str = "-") -> str | None:
    """A DOCX, Markdown or printable HTML file of the student's session: every goal (each with its data sheet and
    handout) and every plan, for download; None when there is nothing to export or the drafts are damaged.

    The file is written only because the user asked for it, into a fresh temp folder; folders of earlier
    downloads are deleted after EXPORT_KEEP_S seconds (the app's own temp folder goes when it stops)."""
    with audited(services, session, "export") as record:
        try:
            markdown = session_markdown(services, inbound_drafts(services, drafts))
        except (ValueError, AssistantError):
            record["outcome"] = "InputError"
            return None
    if not markdown or fmt not in EXPORT_FORMATS:
        return None
    prune_exports()
    folder = Path(tempfile.mkdtemp(prefix="schoolot-export-"))
    name = caseload.label(drafts, "student")
    slug = "".join(c for c in name.replace(" ", "-") if c.isalnum() or c == "-") or "student"
    path = folder / f"school-ot-{slug}.{fmt}"
    if fmt == "docx":
        path.write_bytes(to_docx(markdown))
    elif fmt == "html":
        path.write_text(to_html(markdown, f"School OT drafts: {name}"), encoding="utf-8")
    else:
        path.write_text(markdown, encoding="utf-8")
    return str(path)


def session_markdown(services: Any, drafts: dict) -> str:
    """Every goal of the student's session with its data sheet and handout, then every plan ("" for none)."""
    parts = []
    for kept in drafts["goals"]:
        goal = Goal.model_validate(kept)
        parts.append(bundle_markdown(goal, [data_sheet(goal), carryover_handout(goal, services)]))
    parts += [plan_card(plan) for plan in drafts["plans"]]
    return "\n\n---\n\n".join(parts)


def prune_exports(older_than_s: float = EXPORT_KEEP_S) -> int:
    """Delete earlier download folders; returns how many went."""
    import shutil

    cutoff, gone = time.time() - older_than_s, 0
    for folder in Path(tempfile.gettempdir()).glob("schoolot-export-*"):
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def restore(services: Any, drafts: dict) -> tuple:
    """Page load: the chat and the last draft's card from the browser's storage (see page_view)."""
    view = page_view(services, drafts)
    return view["history"], view["card"]


def _safe_history(history: list) -> list:
    """The chat as the page shows it: each message's text made safe to render (see safe_markdown)."""
    return [{**m, "content": safe_markdown(m.get("content"))} for m in history if isinstance(m, dict)]


PROFILE_KEYS = ("grade", "concern", "baseline", "setting", "interests", "service model")
WRITER_INPUTS = ("writer_request", "writer_student", "writer_level")
PLAN_INPUTS = ("plan_goals", "plan_minutes", "plan_model", "plan_grade", "plan_interests")
INPUT_DEFAULTS = {"writer_level": "standard", "plan_minutes": 30, "plan_model": "pull-out"}


def kept_inputs(services: Any, values: dict) -> dict:
    """The Goal writer's and planner's fields as the browser keeps them between reloads (texts within the cap,
    minutes a number); anything else is dropped."""
    limit = services.settings.max_input_chars
    inputs = {}
    for key in (*WRITER_INPUTS, *PLAN_INPUTS):
        value = values.get(key) if isinstance(values, dict) else None
        if isinstance(value, str):
            inputs[key] = value[:limit]
        elif key == "plan_minutes" and isinstance(value, int | float) and math.isfinite(value):
            inputs[key] = int(min(max(value, 10), 120))
    return inputs


def page_view(services: Any, drafts: Any, inputs: Any = None, filed: Any = None) -> dict:
    """Everything the page shows for one student, from the browser's copy (a page load, a switch between
    students, New student): the chat, its card and profile panel, the Goal writer and planner with their fields
    and last drafts, and the student switcher. A damaged copy is shown as a one-line message, never a crash."""
    problem = ""
    try:
        drafts = inbound_drafts(services, drafts)
        filed = inbound_caseload(services, filed)
        inputs = kept_inputs(services, inputs or {})
    except InputError as exc:
        problem = f"**The saved drafts could not be shown: {exc}. Clear my drafts starts afresh.**"
        drafts, filed, inputs = caseload.empty(), {"students": []}, {}
    goal = plan = None
    try:
        goal = Goal.model_validate(drafts["goal"]) if drafts.get("goal") else None
    except ValueError:
        goal = None  # an outdated or damaged draft is skipped rather than breaking the page
    try:
        plan = plan_card(drafts["plan"]) if drafts.get("plan") else ""
    except ValueError:
        plan = ""
    # the card shows the last draft made (a plan made after the goal is what the chat last pointed to)
    last = plan if plan and (drafts.get("last") == "plan" or goal is None) else goal_card(goal) if goal else ""
    profile = drafts["profile"]
    written = goal if goal is not None and inputs.get("writer_request") else None
    view = {
        "history": _safe_history(drafts["history"]),
        "card": problem or safe_markdown(last),
        "sources": "",
        **{f"profile:{k}": profile.get(k, "") if isinstance(profile.get(k), str) else "" for k in PROFILE_KEYS},
        **{k: inputs.get(k, INPUT_DEFAULTS.get(k, "")) for k in (*WRITER_INPUTS, *PLAN_INPUTS)},
        "written": safe_markdown(goal_card(written)) if written else "",
        "sheet": safe_markdown(data_sheet(written).markdown) if written else "",
        "handout": safe_markdown(carryover_handout(written, services).markdown) if written else "",
        "edit": written.goal_text if written else "",
        "live": safe_markdown(rubric_table(written.goal_text)) if written else "",
        "plan_out": safe_markdown(plan),
        "switcher": caseload.choices(drafts, filed),
        "drafts": drafts,
        "inputs": inputs,
        "filed": filed,
    }
    return view


def switch_student(services: Any, choice: Any, drafts: Any, inputs: Any, filed: Any) -> dict:
    """Show another student of the caseload; the one on screen (with its writer and planner fields) is filed."""
    return _file_and_show(services, drafts, inputs, filed, lambda mine, kept: caseload.switch(choice, mine, kept))


def start_new_student(services: Any, drafts: Any, inputs: Any, filed: Any) -> dict:
    """New student: the one on screen is filed in the caseload (nothing is lost) and the page starts empty."""
    return {**_file_and_show(services, drafts, inputs, filed, caseload.new_student), "card": NEW_STUDENT}


def _file_and_show(services: Any, drafts: Any, inputs: Any, filed: Any, move: Callable) -> dict:
    """The page after move(drafts on screen with their fields, caseload) -> (drafts to show, caseload)."""
    try:
        drafts, filed = inbound_drafts(services, drafts), inbound_caseload(services, filed)
    except InputError as exc:
        return {**page_view(services, {}, {}, {}), "card": safe_markdown(f"**Sorry: {exc}.**")}
    shown, filed = move({**drafts, "inputs": kept_inputs(services, inputs or {})}, filed)
    return page_view(services, shown, shown.pop("inputs", {}), filed)
