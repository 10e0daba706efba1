"""The chat: route each message (goal, scope, plan, review, question), keep the student's profile and last
drafts, and apply follow-up edits ("make it 3 of 4 trials", "use Emily instead", "plan a 30-minute pull-out")."""

import re
from typing import Any

from pydantic import BaseModel, Field

from assistant.goals import check_goal, draft_goal
from assistant.inputs import clean_text
from assistant.llm import LLMUnavailable, load_prompt
from assistant.llm import ask as llm_ask
from assistant.profile import parse_request
from assistant.retrieval import tokenize
from assistant.review import review_goal
from assistant.schemas import Citation, Goal, Profile, SearchFilters, SessionPlan
from assistant.scope import answer_scope
from assistant.sessions import plan_session

_I = re.I
GOAL_STATEMENT = re.compile(r"\b(?:[A-Z][a-z]+|student|the student|he|she)\s+will\s+\w+", _I)
GOAL_MARKERS = re.compile(
    r"\b(?:by (?:the )?(?:annual|june|may|end)|within \d+|\d+\s*(?:of|/)\s*\d+|\d+\s*%|"
    r"measured|trials|probes|baseline)",
    _I,
)
REVIEW_CUE = re.compile(
    r"\b(?:is this (?:goal|objective|a good)|does (?:it|this) pass|check (?:this|my)|review (?:this|my)|"
    r"fix (?:this|my)|tighten|critique|rewrite|what'?s wrong|improve (?:this|my)|make (?:this|it) measurable|"
    r"is (?:it|this) measurable|(?:goal|objective) ok|here'?s my goal|evaluate (?:this|my)|feedback|look over|"
    r"thoughts on|opinion on|take a look|how'?s this|how is this|grade (?:this|my)|reword|score (?:this|my)|"
    r"^(?:review|improve|fix|check|critique|rewrite|edit|tighten)\b)",
    _I,
)
DEFINITION = re.compile(
    r"^(?:what'?s|what is|what are|what does|what do|define|explain|describe|how often|how long|when do|when does|"
    r"what did)\b(?!.*\b(?:should|can|could) (?:i|we) do\b)(?!.*\bfor \d+ min)(?!.*\bgoals? for\b)"
    r"|\bdifference between\b|^how do (?:people|you|we|i|teams) (?:usually )?(?:take|track|collect|report|measure|"
    r"document)\b",
    _I,
)
ALWAYS_QUESTION = re.compile(
    r"^(?:how often|how long|how many|when (?:do|does|is|are)|what makes)\b|\bdifference between\b"
    r"|^how do (?:people|you|we|teams) (?:usually )?(?:take|track|collect|report)\b",
    _I,
)
SESSION_CUE = re.compile(
    r"\b(?:session|sessions|plan (?:a|an|my|the|for)|lesson plan|activities|activity ideas|outline|"
    r"what (?:should|can|could|do) (?:i|we) do|warm-?ups?|stations?|"
    r"\d+\s*-?\s*min(?:ute)?s?\s+(?:session|pull-?out|push-?in|block|group|with)|for \d+\s*-?\s*min|^plan\b)",
    _I,
)
GOAL_CUE = re.compile(
    r"\b(?:(?:write|draft|need|create|generate|make|give|suggest|want|like|help me (?:write|with)|turn)\b[^.?]{0,40}"
    r"\b(?:goals?|objectives?|benchmarks?)|goals? (?:for|about|around|on)\b|(?:what|which|any) (?:kind of )?goals?|"
    r"goal ideas|iep goal|measurable goal|something measurable|objectives? for|benchmarks? for|^goal\s*:|"
    r"good goal|seating goal|transition goal|(?:a|an) \w+ goal\b|^goals?\b)",
    _I,
)
SCOPE_CUE = re.compile(
    r"\b(?:should|can|could|may|does|do|would|will)\b[^.?]{0,40}\b(?:school[- ]based ot|school ot|the ot|ot)\b"
    r"[^.?]{0,25}\b(?:address|work on|treat|handle|cover|do|provide|help|be involved|take on|teach)\b"
    r"|\b(?:an? )?ot (?:thing|job|role|responsibility|issue)\b|\bdo we have to (?:provide|follow|do)\b"
    r"|\bis (?:that|it) even ot\b"
    r"|\b(?:in scope|out of scope|scope|should (?:i|we|ot|the ot|the school ot)\b|i should be\b|can i\?|"
    r"(?:can|could|may) (?:i|we|ot|the ot|"
    r"school ot|the school ot)\b[^.?]{0,40}\b(?:address|work on|treat|handle|help|cover|bill|see|provide|add|"
    r"take on|teach)|do i have to|(?:my|ot'?s|our) (?:role|job|lane)|in my lane|appropriate for (?:me|ot|the ot)|"
    r"any business|make sense for|who should (?:handle|do|own|take)|whose job|allowed to|take (?:a kid|him|her|them)"
    r" on|is (?:that|this|it) (?:an? )?(?:ot|school ot) (?:thing|issue|referral)|is that ot|or is (?:that|it) (?:pt|"
    r"the|a))",
    _I,
)
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


def route(text: str) -> str:
    """The intent of a message, by ordered principles: a pasted goal is a review; a definition is a question;
    a session request is a plan; a goal request is a goal; 'should I / my role / whose job' is scope."""
    stripped = text.strip()
    quoted_goal = re.search(r"['\"“][^'\"”]*\bwill\b", text)
    pasted = quoted_goal or (
        GOAL_STATEMENT.search(text)
        and (REVIEW_CUE.search(text) or GOAL_MARKERS.search(text) or re.search(r"['\"“]", text))
    )
    if pasted and not re.search(r"\bturn (?:this|it) into\b", text, _I):
        return "review"
    if ALWAYS_QUESTION.search(stripped) or (DEFINITION.search(stripped) and not SCOPE_CUE.search(text)):
        return "question"
    if SESSION_CUE.search(text):
        return "plan"
    if GOAL_CUE.search(text):
        return "goal"
    if SCOPE_CUE.search(text):
        return "scope"
    return "question"


class ChatState(BaseModel):
    """What the conversation remembers: the student and the last drafts (kept in the browser, not the server)."""

    profile: Profile | None = None
    last_goal: Goal | None = None
    last_plan: SessionPlan | None = None
    turns: int = 0


class ChatReply(BaseModel):
    """One answer (CONTRACT.md ask)."""

    intent: str
    answer: str
    result: dict | None = None
    citations: list[Citation] = Field(default_factory=list)
    note: str | None = Field(None, description="e.g. that an edit was applied, or a fallback was used.")


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


def _plan_request(text: str, profile: Profile) -> dict[str, Any]:
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
    interests = " ".join(profile.interest_words) or None
    loves = re.search(r"\b(?:loves?|likes?|into)\s+([a-z ,'-]{3,40})", text, _I)
    return {
        "minutes": int(minutes.group(1)) if minutes else 30,
        "model": model,
        "interests": interests or (loves.group(1).strip() if loves else None),
        "grade": profile.grade_band,
    }


def answer_question(text: str, services: Any) -> ChatReply:
    """A primer question answered from retrieved passages, with their sources."""
    passages = services.searcher.search(text, k=3, filters=SearchFilters(kind="primer"))
    sections = {f"{d.id}#{s.slug}": s.text for d in services.corpus.primer for s in d.sections}
    words = set(tokenize(text))
    sentences = []
    for passage in passages:
        body = " ".join(sections.get(passage.chunk_id, passage.text).split())
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            overlap = len(words & set(tokenize(sentence)))
            sentences.append((overlap, len(sentences), sentence))
    best = sorted(sorted(sentences, reverse=True)[:3], key=lambda item: item[1])
    answer = " ".join(s for _, _, s in best) or "I could not find that in the library."
    citations = [p.citation() for p in passages]
    if getattr(services, "llm", None) is None:
        return ChatReply(intent="question", answer=answer, citations=citations)
    context = "\n\n".join(sections.get(p.chunk_id, p.text) for p in passages)
    try:
        worded = llm_ask(services.llm, load_prompt("question", question=text, passages=context))
    except LLMUnavailable as exc:
        return ChatReply(
            intent="question",
            answer=answer,
            citations=citations,
            note=f"{exc}; this answer is quoted from the library instead.",
        )
    return ChatReply(intent="question", answer=worded.strip() or answer, citations=citations)


def respond(text: str, state: ChatState, services: Any) -> tuple[ChatReply, ChatState]:
    """One chat turn: route, answer with the deterministic capabilities, and update the state."""
    text = clean_text(text, "message", limit=20_000)
    state = state.model_copy(update={"turns": state.turns + 1})
    if state.last_goal is not None and (EDIT_NAME.search(text) or re.search(r"\bmake it\b", text, _I)):
        if EDIT_LEVEL.search(text):
            level = "more_support" if "support" in EDIT_LEVEL.search(text).group(1).lower() else "more_independent"
            goal = draft_goal(
                state.last_goal.components.condition + ". " + (state.profile.concern if state.profile else ""),
                services,
                support_level=level,
                student=state.last_goal.student,
                domain=state.last_goal.domain,
            )
            return _goal_reply(goal, state, note=f"Switched to the {level.replace('_', ' ')} version.")
        edited = edit_goal(state.last_goal, text)
        if edited is not None:
            return _goal_reply(edited, state, note="Edited the last goal and checked it again.")
    intent = route(text)
    if intent == "goal":
        profile = parse_request(text)
        if state.profile and profile.student == "the student":
            profile = profile.model_copy(update={"student": state.profile.student})
        goal = draft_goal(text, services, student=profile.student if profile.student != "the student" else None)
        return _goal_reply(goal, state.model_copy(update={"profile": parse_request(text)}))
    if intent == "plan":
        profile = state.profile or parse_request(text)
        goals = (
            [state.last_goal.goal_text]
            if state.last_goal and (REFERS_BACK.search(text) or not GOAL_CUE.search(text))
            else None
        )
        if goals is None:
            goals = [draft_goal(text, services).goal_text]
        plan = plan_session(goals, services=services, **_plan_request(text, profile))
        lines = [f"{a.minutes} min - {a.name}: {a.purpose}" for a in plan.activities]
        reply = ChatReply(
            intent="plan",
            answer=f"{plan.rationale}\n" + "\n".join(lines),
            result=plan.model_dump(),
            citations=plan.citations,
        )
        return reply, state.model_copy(update={"last_plan": plan})
    if intent == "scope":
        scope = answer_scope(text, services)
        answer = f"{scope.verdict.replace('_', ' ').capitalize()}. {scope.rationale}"
        if scope.follow_up_questions:
            answer += "\nTo decide: " + " ".join(scope.follow_up_questions)
        return ChatReply(intent="scope", answer=answer, result=scope.model_dump(), citations=scope.citations), state
    if intent == "review":
        goal_text = _pasted_goal(text)
        review = review_goal(goal_text, services)
        verdict = "Measurable." if review.measurable else "Not measurable yet."
        issues = f" Issues: {', '.join(review.anti_patterns)}." if review.anti_patterns else ""
        rewrite = f"\nSuggested rewrite: {review.suggested_rewrite}" if review.suggested_rewrite else ""
        return ChatReply(intent="review", answer=f"{verdict}{issues}{rewrite}", result=review.model_dump()), state
    return answer_question(text, services), state


def _pasted_goal(text: str) -> str:
    quoted = re.search(r"['\"“](.+?will.+?)['\"”]", text)
    if quoted:
        return quoted.group(1)
    after_colon = re.search(r":\s*(.+will.+)$", text, re.S)
    return after_colon.group(1) if after_colon else text


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
