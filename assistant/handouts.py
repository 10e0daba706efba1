"""Documents around a goal: present levels (PLAAFP), a data sheet and a carryover handout, as Markdown."""

import re
from typing import Any

from pydantic import BaseModel, Field

from assistant.case import grade_phrase
from assistant.corpus import GoalTemplate
from assistant.schemas import Case, Citation, Goal

PROMPT_CODES = {
    "I": "independent",
    "G": "gestural cue (point, nod)",
    "V": "verbal cue",
    "VS": "visual cue (card, model)",
    "M": "adult model",
    "PP": "partial physical help",
    "FP": "full physical help",
}
_STRENGTH = re.compile(
    r"\b(?:strengths?(?: are| is|:)|good at|great at|strong(?: at| in)?|enjoys|loves|likes|motivated by|"
    r"is (?:kind|friendly|curious|creative|helpful|social|verbal|determined|eager|funny))\s+([^.;!?]+)",
    re.I,
)
_STRATEGY_HEADING = re.compile(r"strateg|accommodat|carryover|collaborat|teacher|support|classroom", re.I)


class Document(BaseModel):
    """A Markdown document with what it still needs and where its content came from."""

    title: str
    markdown: str
    missing: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


def present_levels(case: Case, goal: Goal, template: GoalTemplate) -> Document:
    """A strengths-first PLAAFP paragraph from the facts given; what is missing is flagged, never made up."""
    student, missing = goal.student, []
    strengths = [m.group(0).strip() for m in _STRENGTH.finditer(case.request)]
    if strengths:
        opening = f"Strengths: {student} " + "; ".join(s[0].lower() + s[1:] for s in strengths) + "."
    else:
        opening = f"Strengths: [ask the teacher and family what {student} does well at school]."
        missing.append("Strengths: none were given.")
    phrase = grade_phrase(case.grade, case.age)
    grade = f"Grade or age: {phrase}." if phrase else "Grade or age: [not given]."
    if not phrase:
        missing.append("Grade or age.")
    if case.baselines:
        level = "Current level: " + "; ".join(b.text for b in case.baselines) + " (as reported)."
    else:
        level = f"Current level: [to be measured: {template.baseline_unit}]."
        missing.append(f"Baseline: measure {template.baseline_unit}.")
    text = (
        f"{grade} {opening} Concern reported by the team: {case.request.rstrip('.')}. {level} "
        f"Impact on school participation: {goal.educational_relevance}"
    )
    return Document(title=f"Present levels: {student}", markdown=text, missing=missing)


def trials_per_session(mastery: str) -> int:
    """Columns for the data sheet: the '5' of '4 of 5 trials', else 5."""
    match = re.search(r"(\d+)\s*(?:of|out of|/)\s*(\d+)", mastery)
    return max(1, min(int(match.group(2)), 12)) if match else 5


def data_sheet(goal: Goal, rows: int = 10) -> Document:
    """A dates x trials grid with prompt codes and the mastery rule written out."""
    trials = trials_per_session(goal.components.mastery)
    header = "| Date | " + " | ".join(f"Trial {i}" for i in range(1, trials + 1)) + " | Prompt code | Met? | Notes |"
    divider = "|---" * (trials + 4) + "|"
    blank = "| " + " | ".join([" "] * (trials + 4)) + " |"
    codes = ", ".join(f"**{code}** = {meaning}" for code, meaning in PROMPT_CODES.items())
    lines = [
        f"# Data sheet: {goal.student}",
        f"**Goal:** {goal.goal_text}",
        f"**Score a trial +** when the student will {goal.components.behavior} {goal.components.criterion}.",
        f"**Mastery rule:** {goal.components.mastery} ({goal.components.measurement}).",
        f"**Baseline:** {goal.components.baseline or 'to be measured before the goal starts'}; "
        f"**target:** {goal.components.target}.",
        f"**Prompt codes:** {codes}.",
        "",
        header,
        divider,
        *([blank] * rows),
    ]
    return Document(title=f"Data sheet: {goal.student}", markdown="\n".join(lines))


def strategy_sentences(services: Any, domain: str) -> tuple[list[str], list[Citation]]:
    docs = [d for d in services.corpus.primer if domain in d.domains]
    sentences, citations = [], []
    for doc in docs:
        for section in doc.sections:
            if not _STRATEGY_HEADING.search(section.heading):
                continue
            flat = " ".join(section.text.split())
            picked = [s.strip() for s in re.split(r"(?<=[.!?])\s+", flat) if 40 <= len(s) <= 260]
            sentences += picked[:3]
            citations.append(
                Citation(source_id=doc.id, title=f"{doc.title}: {section.heading}", excerpt=section.text[:280])
            )
    return sentences, citations


def carryover_handout(goal: Goal, services: Any) -> Document:
    """3-6 plain-language strategies for the teacher and family, from the domain's primer document."""
    sentences, citations = strategy_sentences(services, goal.domain)
    strategies = sentences[:6]
    lines = [
        f"# Helping {goal.student} at school",
        f"**What we are working on:** {goal.student} will {goal.components.behavior} "
        f"{goal.components.criterion}, {goal.components.condition}.",
        f"**Why it matters:** {goal.educational_relevance}",
        "",
        "**Ways to help during the day:**",
        *(f"- {s}" for s in strategies),
        "",
        "Questions or ideas? Tell the OT: what you notice helps us adjust the plan.",
    ]
    missing = [] if len(strategies) >= 3 else ["Fewer than 3 strategies were found in the corpus for this domain."]
    return Document(
        title=f"Carryover handout: {goal.student}", markdown="\n".join(lines), missing=missing, citations=citations[:3]
    )
