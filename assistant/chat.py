"""The chat: route each message (goal, scope, plan, review, question), keep the student's profile and last
drafts, and apply follow-up edits ("make it 3 of 4 trials", "use Emily instead", "plan a 30-minute pull-out")."""

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from assistant.case import read_case
from assistant.edits import (
    apply_edits,
    edit_words_found,
    is_change,
    new_name,
    read_edit,
    shifted_prompting,
    wants_another,
    wants_options,
)
from assistant.goals import draft_goal, other_goals, variant_goal
from assistant.inputs import clean_text
from assistant.intent import ranked
from assistant.lexicon import fold
from assistant.lexicon import tokenize as tokenize_words
from assistant.llm import LLMUnavailable, load_prompt
from assistant.llm import ask as llm_ask
from assistant.llm import stream as llm_stream
from assistant.privacy import sanitize_output
from assistant.retrieval import tokenize
from assistant.review import review_goal
from assistant.router import GOAL_CUE
from assistant.schemas import Case, Citation, Goal, SearchFilters, SessionPlan
from assistant.scope import answer_scope, names_a_procedure
from assistant.sessions import plan_session

_I = re.I
REFERS_BACK = re.compile(r"\b(?:that|this|the same|the|her|his|their) goal\b|\bfor (?:it|that|this)\b|\bthat one\b", _I)
WHAT_I_DO = (
    "I help school OTs with: drafting measurable IEP goals (describe the student, the school routine and what "
    "they do now), checking a goal you paste, planning a push-in, pull-out, group or consult session, and "
    'answering scope and procedure questions. For example: "2nd grader, Maya, writes 2 sentences in journal '
    'time before tiring; goal please", "is shoe tying in school OT scope?", or "plan a 30 minute push-in for '
    'that goal".'
)


class ChatState(BaseModel):
    """What the conversation remembers: the student and the last drafts (kept in the browser, not the server)."""

    case: Case | None = Field(None, description="What the assistant understood about the student so far.")
    last_goal: Goal | None = None
    last_plan: SessionPlan | None = None
    turns: int = 0
    shown: list[str] = Field(default_factory=list, description="Bank goals already shown for this request.")


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
    confidence: float = 1.0
    runner_up: str | None = None  # the next most likely intent


def read_turn(text: str, services: Any = None) -> Turn:
    """Clean the message, read its Case and its intent: the only reading a chat turn does."""
    clean = clean_text(text, "message", limit=20_000)
    case = read_case(clean)
    if pasted_document(clean, case):  # an evaluation or a referral pasted whole: the OT wants its goals
        return Turn(clean, case, "goal", 1.0, None)
    intents = ranked(clean, getattr(services, "embedder", None))
    (intent, confidence), runner_up = intents[0], (intents[1][0] if len(intents) > 1 else None)
    return Turn(clean, case, intent, confidence, runner_up)


PASTED_SENTENCES = 8  # a message of this many sentences or more is a document, not a chat line


def pasted_document(text: str, case: Case) -> bool:
    """A pasted document about a student (an evaluation summary, a referral): many sentences, describing a
    student's present level (a need or a measured baseline), and not ending in a question. The intent model reads
    only a message's start, so one line of background (an early-intervention history, a scope word) would
    otherwise decide what the whole document asks."""
    ends = sum(1 for i, ch in enumerate(text) if ch in ".!?" and (i + 1 == len(text) or text[i + 1].isspace()))
    if ends < PASTED_SENTENCES or text.rstrip().endswith("?"):
        return False
    return bool((case.student or case.grade or case.age) and (case.skill or case.baselines))


def _merged(known: Case | None, message: Case) -> Case:
    """The conversation's Case with the facts a later message states (a fact the message leaves out is kept)."""
    if known is None:
        return message
    fields = ("student", "grade", "age", "grade_band", "routine", "setting", "support", "communication")
    update = {f: getattr(message, f) for f in fields if getattr(message, f) not in (None, "")}
    if message.interests:
        update.update(interests=message.interests, themes=message.themes)
    if message.baselines:
        update["baselines"] = message.baselines
    return known.model_copy(update=update)


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


def _edit_asked(turn: Turn, state: ChatState) -> bool:
    """A change of the goal on screen: the intent says so, or the message names a change (a new mastery, a
    name, a setting...) in change words while the intent is unsure; never a review, a plan or a new student."""
    if turn.intent in ("review", "plan") or is_new_student(turn, state):
        return False
    if turn.intent == "edit":
        return True
    if state.last_goal is None:
        return False
    ops = read_edit(turn.text, state.last_goal, turn.case)
    fields = {op.field for op in ops}
    tokens = tokenize_words(turn.text)
    if turn.intent == "unclear":  # a bare value after a draft ("90%", "2 minutes", "during art", "another") changes it
        bare_place = "setting" in fields and tokens and tokens[0].low in SETTING_WORDS
        valued = bool(fields & VALUED_SET) or "variant" in fields  # "more support please"
        return valued or bare_place or wants_another(tokens) or bool(wants_options(tokens))
    if fields & FACTS and "?" not in turn.text and is_change(tokens):  # "i meant 10th grade", "can we add a mat"
        return True
    if turn.confidence >= 0.7 or turn.intent not in ("goal", "unclear"):
        return False
    return is_change(tokens) and bool(ops)


# A change of these is about the student or the goal's supports: an edit whatever the wording, unless it is asked.
FACTS = {"grade", "age", "name", "accommodation", "facts", "plan"}
VALUED = ("mastery", "criterion", "target", "name", "grade", "accommodation", "prompting")
VALUED_SET = set(VALUED)
SETTING_WORDS = {"during", "at", "in", "on", "before", "after", "while", "throughout"}


def is_new_student(turn: Turn, state: ChatState) -> bool:
    """A message about another student: a name that is not the one on screen, with a need of its own (a skill,
    a routine or a present level), or words that say so ("new student", "another kid")."""
    known = (state.case.student if state.case else None) or (state.last_goal.student if state.last_goal else None)
    known = None if known and fold(known) == "the student" else known
    if state.last_goal is None and state.case is None:
        return False
    tokens = tokenize_words(turn.text)
    if edit_words_found("rename_cues", tokens) and len([t for t in tokens if t.kind == "w"]) <= 14:
        return False  # "his name's actually Liam": the same student, renamed
    if edit_words_found("new_student", tokens) and turn.intent in ("goal", "edit"):
        return True
    named = turn.case.student
    need = turn.case.skill or turn.case.baselines
    new = known is None or fold(named or "") != fold(known)
    return bool(named and need and new and turn.intent in ("goal", "edit", "unclear"))


def _describes(case: Case) -> bool:
    """Does the message describe a student's need (a skill, a routine or a present level)?"""
    return bool(case.skill or case.routine or case.baselines)


def respond(message: str | Turn, state: ChatState, services: Any) -> tuple[ChatReply, ChatState]:
    """One chat turn: read once, dispatch by intent through one path, and update the state."""
    turn = message if isinstance(message, Turn) else read_turn(message, services)
    reply, new_state = _dispatch(turn, state.model_copy(update={"turns": state.turns + 1}), services)
    return (reply if reply.case is not None else reply.model_copy(update={"case": turn.case})), new_state


# A question farther than this (cosine distance) from every passage of the library is off-topic ("what's the
# weather?"): on the dev utterances, questions reached at most 0.88 and off-topic chat had a median of 0.81.
OFF_TOPIC_DISTANCE = 0.85


def _off_topic(turn: Turn, services: Any) -> bool:
    searcher = getattr(services, "searcher", None)
    return (
        turn.intent == "question" and searcher is not None and searcher.nearest_distance(turn.text) > OFF_TOPIC_DISTANCE
    )


def _dispatch(turn: Turn, state: ChatState, services: Any) -> tuple[ChatReply, ChatState]:
    if _off_topic(turn, services):
        turn = turn._replace(intent="unclear")
    if turn.intent == "edit" and state.last_goal is None and _describes(turn.case):
        turn = turn._replace(intent="goal")  # nothing to change yet, and the message describes a student's need
    text, case = turn.text, turn.case
    fresh = is_new_student(turn, state)
    if fresh:
        state = ChatState(turns=state.turns)  # nothing of the last student's profile or drafts carries over
        if turn.case.student is None and (named := new_name(turn.text)):  # "his classmate Ruby": the new student
            turn = turn._replace(case=turn.case.model_copy(update={"student": named}))
        case = turn.case
    if not fresh and _edit_asked(turn, state):
        return _edit(turn, state, services)
    intent = "goal" if fresh else turn.intent  # a new student's request (however worded) is a goal request
    if intent == "edit":
        intent = "goal"  # a change asked with no draft to change, read as a request
    if intent == "goal":
        tokens = tokenize_words(text)
        asked = wants_options(tokens) or (1 if wants_another(tokens) else 0)
        if state.last_goal is not None and asked and not fresh:
            return _more_goals(state, services, asked)
        if state.case and case.student is None and state.case.student:
            case = case.model_copy(update={"student": state.case.student})  # a follow-up about the same student
        goal = draft_goal(text, services, case=case)
        note = (
            "A new student: I started fresh; nothing from the last student's profile or drafts is used."
            if fresh
            else None
        )
        drafted = state.model_copy(update={"case": case, "shown": [goal.template_id]})
        if asked > 1 and goal.finished:  # "give me 3 options for a scissor goal": the draft and the next ones
            reply, after = _more_goals(drafted.model_copy(update={"last_goal": goal}), services, asked - 1, first=goal)
            return reply.model_copy(update={"note": note}), after
        return _goal_reply(goal, drafted, note=note)
    if intent == "plan":
        known = _merged(state.case, case)  # the student so far, with what this message adds (interests, grade)
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
            case=known,
        )
        return reply, state.model_copy(update={"last_plan": plan, "case": known})
    if intent in ("scope", "procedure"):
        scope = answer_scope(text, services, case=case)
        answer = scope.answer if scope.verdict is None else scope.rationale
        if scope.verdict is not None:
            answer = f"{scope.verdict.replace('_', ' ').capitalize()}. {answer}"
        if scope.follow_up_questions:
            answer += "\nTo decide: " + " ".join(scope.follow_up_questions)
        return ChatReply(intent="scope", answer=answer, result=scope.model_dump(), citations=scope.citations), state
    if intent == "review":
        review = review_goal(pasted_goal(text), services, case=case)
        verdict = "Measurable." if review.measurable else "Not measurable yet."
        issues = f" Issues: {', '.join(review.anti_patterns)}." if review.anti_patterns else ""
        rewrite = f"\nSuggested rewrite: {review.suggested_rewrite}" if review.suggested_rewrite else ""
        return ChatReply(intent="review", answer=f"{verdict}{issues}{rewrite}", result=review.model_dump()), state
    if intent == "unclear":
        return ChatReply(intent="unclear", answer=f"I could not use that message. {WHAT_I_DO}"), state
    if getattr(services, "llm", None) is None and names_a_procedure(text, case):
        # a procedure question ("who decides when OT ends?") gets the scope answer's procedure-first reply
        scope = answer_scope(text, services, case=case)
        if scope.kind == "information":
            reply = ChatReply(
                intent="question", answer=scope.answer, citations=scope.citations, result=scope.model_dump()
            )
            return reply, state
    return answer_question(text, services), state


def _edit(turn: Turn, state: ChatState, services: Any) -> tuple[ChatReply, ChatState]:
    """Change the goal on screen as asked and say what changed; or say plainly that nothing changed and why."""
    goal = state.last_goal
    if goal is None:
        answer = (
            "There is no goal on screen to change yet. Describe the student first (the routine, what they do now), "
            "and I will draft one you can then change."
        )
        return ChatReply(intent="edit", answer=answer), state
    tokens = tokenize_words(turn.text)
    asked = wants_options(tokens) or (1 if wants_another(tokens) else 0)
    if asked:
        return _more_goals(state, services, asked)
    ops = read_edit(turn.text, goal, turn.case)
    variant = next((o.value for o in ops if o.field == "variant"), None)
    if variant:
        redrafted = variant_goal(goal, services, variant)
        label = variant.replace("_", " ")
        if redrafted is None or redrafted.goal_text == goal.goal_text:
            outcome = apply_edits(goal, [shifted_prompting(goal, variant)], services, turn.case)
            if not outcome.changes:
                return _unchanged(state, f"the goal is already at the {label} end and has no further step")
            redrafted, changes = outcome.goal, outcome.changes
        else:
            changes = [
                f"support level: {goal.support_level.replace('_', ' ')} -> {redrafted.support_level.replace('_', ' ')}"
            ]
        reply, new_state = _goal_reply(redrafted, state, note=f"Changed to a {label} version.", changes=changes)
        return reply.model_copy(update={"intent": "edit"}), new_state
    ops = [o for o in ops if o.field != "variant"]
    if not ops:
        return _unchanged(
            state,
            'I could not tell what to change. Say it in the goal\'s terms, for example "mastery 4 of 5 trials", '
            '"criterion 90%", "target 4 sentences", "no more than 1 verbal prompt", "during science lab", '
            '"use Rosa", "she is in 7th grade" or "add a slant board"',
        )
    outcome = apply_edits(goal, ops, services, turn.case)
    failed = ("\nNot changed: " + "; ".join(outcome.failed) + ".") if outcome.failed else ""
    if not outcome.changes:
        return _unchanged(state, "; ".join(outcome.failed) or "the goal already reads that way")
    new_case = outcome.case or state.case
    reply, new_state = _goal_reply(
        outcome.goal,
        state.model_copy(update={"case": new_case}),
        note="Changed: " + "; ".join(outcome.changes) + "." + failed,
        changes=outcome.changes,
    )
    return reply.model_copy(update={"intent": "edit"}), new_state


def _unchanged(state: ChatState, why: str) -> tuple[ChatReply, ChatState]:
    answer = f"The goal is unchanged: {why}."
    return ChatReply(
        intent="edit", answer=answer, result=state.last_goal.model_dump() if state.last_goal else None
    ), state


def _more_goals(state: ChatState, services: Any, count: int, first: Goal | None = None) -> tuple[ChatReply, ChatState]:
    """Another draft, or several to choose from, from the next well-fitting bank goals (after `first`, a draft
    that is itself the first option)."""
    goal = state.last_goal
    found = other_goals(goal, services, count, exclude=set(state.shown))
    tries = [(level, 0) for level in ("more_support", "more_independent")]
    tries += [(level, steps) for steps in (1, 2) for level in ("more_support", "more_independent")]
    for level, steps in tries:
        if len(found) >= count:
            break
        if steps == 0:
            variant = variant_goal(goal, services, level)  # the bank goal one support step over
        else:  # the same goal with its prompting a step or two over
            shifted = apply_edits(goal, [shifted_prompting(goal, level, steps)], services, goal.case or Case())
            variant = shifted.goal if shifted.changes else None
        seen = {goal.goal_text, *(g.goal_text for g in found)}
        if variant is not None and variant.goal_text not in seen:
            found.append(variant)
    if not found:
        nearest = "; ".join(a.goal_text[:120] for a in (goal.fit.alternatives if goal.fit else [])[:3])
        answer = "No other goal in the library fits this request well, so this is the only draft."
        if nearest:
            answer += f" The nearest others, each about a somewhat different skill: {nearest}"
        reply = ChatReply(intent="goal", answer=answer, result=goal.model_dump(), citations=goal.citations)
        return reply, state.model_copy(update={"last_goal": goal})
    if first is not None:
        found = [first, *found]
        count += 1
    first = found[0].model_copy(update={"more_goals": found[1:]})
    shown = [*state.shown, *(g.template_id for g in found)]
    if len(found) == 1:
        note = "Another option for the same request." if count == 1 else "Only one other option fits this request well."
        return _goal_reply(first, state.model_copy(update={"shown": shown}), note=note)
    lines = "\n\n".join(f"Option {i + 1}: {g.goal_text}" for i, g in enumerate(found))
    short = f" (only {len(found)} fit well)" if len(found) < count else ""
    reply = ChatReply(
        intent="goal",
        answer=f"{len(found)} options for the same request{short}:\n\n{lines}",
        result=first.model_dump(),
        citations=first.citations,
    )
    return reply, state.model_copy(update={"last_goal": first, "shown": shown})


def respond_stream(
    message: str | Turn, state: ChatState, services: Any
) -> Iterator[tuple[str, ChatReply | None, ChatState]]:
    """Like respond, but yields (answer so far, None, state) while a language model streams a library answer,
    then (full answer, reply, new state). Without a model, or for other intents, it yields once."""
    turn = message if isinstance(message, Turn) else read_turn(message, services)
    if getattr(services, "llm", None) is None or turn.intent != "question" or _edit_asked(turn, state):
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


def _goal_reply(
    goal: Goal, state: ChatState, note: str | None = None, changes: list[str] | None = None
) -> tuple[ChatReply, ChatState]:
    objectives = "\n".join(f"- {o.period}: {o.text}" for o in goal.objectives)
    missing = ("\nStill needed: " + " ".join(goal.missing_information)) if goal.missing_information else ""
    reply = ChatReply(
        intent="goal",
        answer=f"{goal.goal_text}\n{objectives}{missing}",
        result=goal.model_dump(),
        citations=goal.citations,
        note=note,
        changes=changes or [],
    )
    return reply, state.model_copy(update={"last_goal": goal})
