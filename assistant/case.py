"""Read a request once into a Case: the student's name, grade and age, plan, routine, setting, skill, present
levels, support, communication, access, interests and team, each with the words it came from.

Every capability takes the Case; none re-reads the text. The reader tokenizes once and matches phrase
lexicons from assistant/data/ over the tokens, so it runs in time linear in the text.
"""

from assistant import context, names, supports
from assistant.baselines import read_baselines
from assistant.lexicon import lexicon, routines, tokenize
from assistant.reader import Reader, grade_band, grade_phrase
from assistant.schemas import Baseline, Case

__all__ = [
    "CORRECTABLE",
    "case_questions",
    "corrected_case",
    "grade_band",
    "grade_phrase",
    "read_case",
    "routine_label",
]


def read_case(text: str) -> Case:
    """Every fact the request states, with its words; nothing is guessed."""
    reader = Reader(text)
    grade, age, band = reader.grade_and_age()
    plan = reader.plan()
    communication = supports.communication(reader)
    support = supports.support(reader)
    access = supports.access(reader)
    if communication == "aac" and "aac" not in access:
        access.insert(0, "aac")
    team = supports.team(reader)
    interests = context.interests(reader)
    student = names.student(reader)
    pronoun = context.pronoun(reader)
    if communication in (None, "verbal"):
        communication = supports.speech(reader, student, pronoun) or communication
    baselines = read_baselines(text, reader.tokens, reader.claimed, student)
    ranked, setting = context.routine(reader, reader.interest_tokens | reader.device_tokens)
    themes = list(dict.fromkeys(m.label for m in lexicon("themes").find(tokenize(" , ".join(interests)))))
    disagreeing = [b for b in baselines if b.conflict][:6]
    conflicts = ["Reports disagree: " + " / ".join(b.text for b in disagreeing)] if disagreeing else []
    return Case(
        request=" ".join(text.split()),
        student=student,
        grade=grade,
        age=age,
        grade_band=band,
        plan=plan,
        routine=ranked[0] if ranked else None,
        routines=ranked,
        setting=setting,
        skill=context.skill(reader),
        baselines=baselines,
        support=support,
        communication=communication,
        access=access,
        interests=interests,
        themes=themes,
        team=team,
        tools=context.tools(reader),
        support_level=context.support_level(reader),
        pronoun=pronoun,
        evidence=reader.evidence,
        conflicts=conflicts,
    )


def routine_label(routine: str | None) -> str | None:
    """'lunch' -> 'lunch', 'job_site' -> 'the job site' (routines.yaml labels)."""
    return routines()[routine]["label"] if routine in routines() and routine != "not_routine" else None


def case_questions(case: Case) -> list[str]:
    """Plain questions for the facts the request did not give (a goal needs each of them)."""
    who = case.name if case.student else "the student"
    subject = case.pronoun if case.pronoun in ("he", "she") else who
    their = {"he": "his", "she": "her"}.get(case.pronoun or "", "their")
    questions = []
    if case.student is None:
        questions.append("What is the student's first name?")
    if case.grade_band is None:
        questions.append(f"What grade is {who} in (or how old)?")
    if case.routine is None:
        questions.append("When or where at school does this happen (lunch, writing time, the hallway...)?")
    if not case.baselines:
        questions.append(f"What does {subject} do now, in numbers (for example 2 of 5 trials, 40%, 3 minutes)?")
    if case.support is None:
        questions.append(f"How much help does {subject} need now (on {their} own, reminders, a model, hand-over-hand)?")
    return questions


CORRECTABLE = ("student", "grade", "routine", "baseline", "support", "communication")


def corrected_case(case: Case, corrections: dict) -> Case:
    """The Case with the OT's corrections (blank fields leave a fact as read; 'none' clears it). A corrected
    baseline is read from its own words, so its unit is the one the OT wrote."""
    update: dict = {}
    for field in CORRECTABLE:
        value = corrections.get(field)
        if not isinstance(value, str) or not value.strip():
            continue
        value = " ".join(value.split())[:300]
        cleared = value.lower() == "none"
        evidence = {**case.evidence, **update.get("evidence", {}), field: "corrected by the OT"}
        update["evidence"] = evidence
        if field == "baseline":
            levels = [] if cleared else read_baselines(value, tokenize(value), set())
            update["baselines"] = levels or ([] if cleared else [Baseline(text=value)])
        elif field == "grade":
            grade = None if cleared else value.lower() if value.lower() in _GRADES else None
            update.update(grade=grade, grade_band=grade_band(grade, case.age) if grade else case.grade_band)
        elif field == "routine":
            update["routine"] = None if cleared or value not in routines() else value
        else:
            update[field] = None if cleared else value
    fixed = case.model_copy(update=update)
    return Case.model_validate(fixed.model_dump())  # validates the corrected values against the contract


_GRADES = ("prek", "k", *(str(n) for n in range(1, 13)), "18-21")
