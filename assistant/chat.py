"""The chat: route each message (goal, scope, plan, review, question), keep the student's profile and last
drafts, and apply follow-up edits ("make it 3 of 4 trials", "use Emily instead", "plan a 30-minute pull-out")."""

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from assistant.case import read_case
from assistant.goals import check_goal, draft_goal
from assistant.inputs import clean_text
from assistant.llm import LLMUnavailable, load_prompt
from assistant.llm import ask as llm_ask
from assistant.llm import stream as llm_stream
from assistant.privacy import sanitize_output
from assistant.retrieval import tokenize
from assistant.review import review_goal
from assistant.router import GOAL_CUE, route
from assistant.schemas import Case, Citation, Goal, SearchFilters, SessionPlan
from assistant.scope import answer_scope, names_a_procedure
from assistant.sessions import plan_session

_I = re.I
# Follow-up edits on the last draft.
EDIT_MASTERY = re.compile(
    r"\b(\d+)\s*(?:of|out of|/)\s*(\d+)\s*([a-z ]{0,30}?)(?:trials|opportunities|days|sessions|"
    r"probes|samples|weeks)?\b",
    _I,
)
EDIT_NAME = re.compile(
    r"\b(?:use|call (?:him|her|them)|change (?:the )?name to|name (?:is|him|her))\s+([A-Z][a-z]{1,15})"
    r"(?:\s+instead)?\b"
)
EDIT_LEVEL = re.compile(r"\bmore (support|independent|independence)\b", _I)
REFERS_BACK = re.compile(r"\b(?:that|this|the same|the|her|his|their) goal\b|\bfor (?:it|that|this)\b|\bthat one\b", _I)


class ChatState(BaseModel):
    """What the conversation remembers: the student and the last drafts (kept in the browser, not the server)."""

    case: Case | None = Field(None, description="What the assistant understood about the student so far.")
    last_goal: Goal | None = None
    last_plan: SessionPlan | None = None
    turns: int = 0


class ChatReply(BaseModel):
    """One answer (CONTRACT.md ask)."""

    intent: str
    answer: str
    result: dict | None = None
    citations: list[Citation] = Field(default_factory=list)
    case: Case | None = Field(None, description="What the assistant understood from the message.")
    changes: list[str] = Field(default_factory=list, description="What a follow-up changed in the last draft.")
    note: str | None = Field(None, description="e.g. that an edit was applied, or a fallback was used.")


class Turn(NamedTuple):
    """One message, read once: cleaned, understood and routed."""

    text: str
    case: Case
    intent: str


def read_turn(text: str) -> Turn:
    """Clean the message, read its Case and route it: the only reading a chat turn does."""
    clean = clean_text(text, "message", limit=20_000)
    return Turn(clean, read_case(clean), route(clean))


def edit_goal(goal: Goal, text: str) -> Goal | None:
    """Apply a follow-up edit (mastery, name) to the last goal; None when the message is not an edit."""
    updated = goal
    name = EDIT_NAME.search(text)
    if name and name.group(1).lower() not in {"the", "a", "more"}:
        new = name.group(1)
        swap = lambda s: re.sub(rf"\b{re.escape(goal.student)}\b", new, s)  # noqa: E731
        updated = updated.model_copy(
            update={
                "student": new,
                "goal_text": swap(updated.goal_text),
                "objectives": [o.model_copy(update={"text": swap(o.text)}) for o in updated.objectives],
                "variants": {k: swap(v) for k, v in updated.variants.items()},
            }
        )
    mastery = (
        EDIT_MASTERY.search(text) if re.search(r"\bmake it\b|\bchange\b|\bmastery\b|\binstead\b", text, _I) else None
    )
    if mastery:
        old = goal.components.mastery
        noun = _mastery_noun(old)
        new_mastery = f"in {mastery.group(1)} of {mastery.group(2)} {mastery.group(3).strip() or noun}".strip()
        new_mastery = re.sub(r"\s+", " ", new_mastery)
        replace = lambda s: s.replace(old, new_mastery)  # noqa: E731
        updated = updated.model_copy(
            update={
                "goal_text": replace(updated.goal_text),
                "components": updated.components.model_copy(update={"mastery": new_mastery}),
                "objectives": [o.model_copy(update={"text": replace(o.text)}) for o in updated.objectives],
            }
        )
    return check_goal(updated) if updated is not goal else None


def _mastery_noun(mastery: str) -> str:
    match = re.search(r"\d+\s*(?:of|out of)\s*\d+\s+(.+)$", mastery)
    return match.group(1) if match else "trials"


def _plan_request(text: str, case: Case) -> dict[str, Any]:
    minutes = re.search(r"(\d{2,3})\s*-?\s*min", text, _I)
    model = (
        "pull-out"
        if re.search(r"pull-?out|therapy room|my room", text, _I)
        else (
            "consult"
            if re.search(r"consult", text, _I)
            else "push-in"
            if re.search(r"push-?in|classroom|class\b|centers", text, _I)
            else "pull-out"
        )
    )
    return {
        "minutes": int(minutes.group(1)) if minutes else 30,
        "model": model,
        "interests": ", ".join(case.interests) or None,
        "grade": case.grade_band,
    }


def answer_question_offline(text: str, services: Any) -> ChatReply:
    """The best sentences of the retrieved primer sections (several per document), with their sources."""
    passages = services.searcher.search(text, k=5, filters=SearchFilters(kind="primer"), distinct=False)
    sections = services.corpus.section_texts()
    words = set(tokenize(text))
    top_doc = passages[0].source_id if passages else ""
    sentences = []
    for rank, passage in enumerate(passages):
        body = " ".join(sections.get(passage.chunk_id, passage.text).split())
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            score = len(words & set(tokenize(sentence))) + (1.5 if passage.source_id == top_doc else 0) - 0.2 * rank
            sentences.append((score, len(sentences), sentence))
    best = sorted(sorted(sentences, reverse=True)[:3], key=lambda item: item[1])
    answer = " ".join(s for _, _, s in best) or "I could not find that in the library."
    cited = {p.source_id: p for p in passages}
    return ChatReply(
        intent="question",
        answer=answer,
        citations=[p.citation() for p in cited.values()][:3],
        result={"passages": [p.chunk_id for p in passages]},
    )


def answer_question(text: str, services: Any) -> ChatReply:
    """A library question: the model words it from the passages when configured, else the passages speak."""
    offline = answer_question_offline(text, services)
    if getattr(services, "llm", None) is None:
        return offline
    sections = services.corpus.section_texts()
    context = "\n\n".join(sections.get(c, "") for c in offline.result["passages"])
    try:
        worded = llm_ask(services.llm, load_prompt("question", question=text, passages=context))
    except LLMUnavailable as exc:
        return offline.model_copy(update={"note": f"{exc}; this answer is quoted from the library instead."})
    return offline.model_copy(update={"answer": worded.strip() or offline.answer})


def _is_edit(turn: Turn, state: ChatState) -> bool:
    return state.last_goal is not None and bool(EDIT_NAME.search(turn.text) or re.search(r"\bmake it\b", turn.text, _I))


def respond(message: str | Turn, state: ChatState, services: Any) -> tuple[ChatReply, ChatState]:
    """One chat turn: route, answer with the deterministic capabilities, and update the state."""
    turn = message if isinstance(message, Turn) else read_turn(message)
    reply, new_state = _dispatch(turn, state.model_copy(update={"turns": state.turns + 1}), services)
    return reply.model_copy(update={"case": turn.case}), new_state


def _dispatch(turn: Turn, state: ChatState, services: Any) -> tuple[ChatReply, ChatState]:
    text, case = turn.text, turn.case
    if _is_edit(turn, state):
        level_match = EDIT_LEVEL.search(text)
        if level_match:
            level = "more_support" if "support" in level_match.group(1).lower() else "more_independent"
            known = state.case or case
            goal = draft_goal(
                known.request,
                services,
                support_level=level,
                student=state.last_goal.student,
                domain=state.last_goal.domain,
                case=known,
            )
            return _goal_reply(goal, state, note=f"Switched to the {level.replace('_', ' ')} version.")
        edited = edit_goal(state.last_goal, text)
        if edited is not None:
            return _goal_reply(edited, state, note="Edited the last goal and checked it again.")
    if turn.intent == "goal":
        if state.case and case.student is None and state.case.student:
            case = case.model_copy(update={"student": state.case.student})  # a follow-up about the same student
        goal = draft_goal(text, services, case=case)
        return _goal_reply(goal, state.model_copy(update={"case": case}))
    if turn.intent == "plan":
        known = state.case or case
        goals = (
            [state.last_goal.goal_text]
            if state.last_goal and (REFERS_BACK.search(text) or not GOAL_CUE.search(text))
            else None
        )
        if goals is None:
            goals = [draft_goal(text, services, case=case).goal_text]
        plan = plan_session(goals, services=services, **_plan_request(text, known))
        lines = [f"{a.minutes} min - {a.name}: {a.purpose}" for a in plan.activities]
        reply = ChatReply(
            intent="plan",
            answer=f"{plan.rationale}\n" + "\n".join(lines),
            result=plan.model_dump(),
            citations=plan.citations,
        )
        return reply, state.model_copy(update={"last_plan": plan})
    if turn.intent == "scope":
        scope = answer_scope(text, services, case=case)
        answer = scope.answer if scope.verdict is None else scope.rationale
        if scope.verdict is not None:
            answer = f"{scope.verdict.replace('_', ' ').capitalize()}. {answer}"
        if scope.follow_up_questions:
            answer += "\nTo decide: " + " ".join(scope.follow_up_questions)
        return ChatReply(intent="scope", answer=answer, result=scope.model_dump(), citations=scope.citations), state
    if turn.intent == "review":
        review = review_goal(pasted_goal(text), services, case=case)
        verdict = "Measurable." if review.measurable else "Not measurable yet."
        issues = f" Issues: {', '.join(review.anti_patterns)}." if review.anti_patterns else ""
        rewrite = f"\nSuggested rewrite: {review.suggested_rewrite}" if review.suggested_rewrite else ""
        return ChatReply(intent="review", answer=f"{verdict}{issues}{rewrite}", result=review.model_dump()), state
    if getattr(services, "llm", None) is None and names_a_procedure(text, case):
        # a procedure question ("who decides when OT ends?") gets the scope answer's procedure-first reply
        scope = answer_scope(text, services, case=case)
        if scope.kind == "information":
            reply = ChatReply(
                intent="question", answer=scope.answer, citations=scope.citations, result=scope.model_dump()
            )
            return reply, state
    return answer_question(text, services), state


def respond_stream(
    message: str | Turn, state: ChatState, services: Any
) -> Iterator[tuple[str, ChatReply | None, ChatState]]:
    """Like respond, but yields (answer so far, None, state) while a language model streams a library answer,
    then (full answer, reply, new state). Without a model, or for other intents, it yields once."""
    turn = message if isinstance(message, Turn) else read_turn(message)
    if getattr(services, "llm", None) is None or turn.intent != "question" or _is_edit(turn, state):
        reply, new_state = respond(turn, state, services)
        yield reply.answer, reply, new_state
        return
    clean = turn.text
    offline = answer_question_offline(clean, services).model_copy(update={"case": turn.case})
    sections = services.corpus.section_texts()
    context = "\n\n".join(sections.get(c, "") for c in offline.result["passages"])
    new_state = state.model_copy(update={"turns": state.turns + 1})
    answer = ""
    try:
        for token in llm_stream(services.llm, load_prompt("question", question=clean, passages=context)):
            answer += token
            yield sanitize_output(answer), None, new_state
    except LLMUnavailable as exc:
        reply = offline.model_copy(update={"note": f"{exc}; this answer is quoted from the library instead."})
        yield reply.answer, reply, new_state
        return
    answer = sanitize_output(answer).strip()
    yield answer or offline.answer, offline.model_copy(update={"answer": answer or offline.answer}), new_state


QUOTED = re.compile(r"['\"“‘]([^'\"”’“‘]{1,1200}?\bwill\b[^'\"”’“‘]{1,1200}?)['\"”’]")


def pasted_goal(text: str) -> str:
    """The goal inside a message: a quoted sentence with 'will', else what follows the first colon."""
    quoted = QUOTED.search(text)
    if quoted:
        return quoted.group(1)
    colon = text.find(":")
    if colon >= 0 and re.search(r"\bwill\b.", text[colon + 1 :], re.S):
        return text[colon + 1 :].strip()
    return text


def _goal_reply(goal: Goal, state: ChatState, note: str | None = None) -> tuple[ChatReply, ChatState]:
    objectives = "\n".join(f"- {o.period}: {o.text}" for o in goal.objectives)
    missing = ("\nStill needed: " + " ".join(goal.missing_information)) if goal.missing_information else ""
    reply = ChatReply(
        intent="goal",
        answer=f"{goal.goal_text}\n{objectives}{missing}",
        result=goal.model_dump(),
        citations=goal.citations,
        note=note,
    )
    return reply, state.model_copy(update={"last_goal": goal})
