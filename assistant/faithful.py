"""Checks that see a goal's content against the Case it answers (the rubric checks only its form).

Each check is critical: a draft failing one is not shown as a finished goal.
- routine_match: the goal happens in the routine the request named (the routine reader finds it in the
  goal's text) or uses the request's own task words;
- name_correct: the goal's student is the Case's name ("the student" when none was given);
- baseline_faithful: the baseline is quoted as the request gave it and used in its own unit, or listed
  under missing information with the reason;
- prompt_fit: no verbal prompt for a student who does not use speech; the support aimed for is at most two
  steps of DOMAIN.md's hierarchy less than the student's support now;
- age_fit: no context that does not fit the student's grade band (assistant/data/age_fit.yaml);
- objectives_monotone: the objectives' criterion numbers step one way, from the baseline to the target.
"""

import re
from functools import lru_cache
from itertools import pairwise

from assistant.lexicon import DATA, fold, lexicon, load_words, tokenize
from assistant.schemas import SUPPORT_ORDER, Case, Check, Goal

_VERBAL = re.compile(r"\bverbal (?:prompts?|cues?|reminders?|directions?)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def age_words() -> dict[str, list[str]]:
    return load_words(DATA / "age_fit.yaml")


@lru_cache(maxsize=1)
def prompt_words() -> dict:
    return load_words(DATA / "prompts.yaml")


def verbal_prompt(text: str) -> bool:
    return bool(_VERBAL.search(text))


def prompt_level(text: str) -> str | None:
    """The support a goal sentence aims for: the last support phrase before its baseline note."""
    sentence = text.split(" Baseline:")[0]
    found = [m for m in lexicon("support").find(tokenize(sentence)) if m.label != "_none"]
    return found[-1].label if found else None


def age_misfits(text: str, band: str | None) -> list[str]:
    """Context words of the text that do not fit the grade band."""
    if band is None:
        return []
    low = " " + re.sub(r"[^a-z0-9]+", " ", fold(text)) + " "
    return [w for w in age_words().get(band, []) if f" {fold(str(w))}" in low]


def target_support(case: Case) -> str | None:
    """The support level a goal aims for: one step less than the student's support now (prompts.yaml)."""
    if case.support is None:
        return None
    steps = prompt_words()["fade_steps"].get(case.support, 1)
    return SUPPORT_ORDER[min(len(SUPPORT_ORDER) - 1, SUPPORT_ORDER.index(case.support) + steps)]


def prompt_phrase(case: Case, level: str) -> str:
    """How the goal states a support level, for this student's communication and vision."""
    words = prompt_words()
    phrase = words["phrases"][level]
    said = fold(case.evidence.get("support", "")) if level == case.support else ""
    phrase = next((p for w, p in words["own_words"].get(level, {}).items() if said and fold(w) in said), phrase)
    if case.communication in ("nonverbal", "aac"):
        phrase = words["nonverbal"].get(level, phrase)
    if {"cvi", "low_vision", "blind"} & set(case.access):
        phrase = words["low_vision"].get(level, phrase)
    return phrase


def fits_student(text: str, case: Case) -> str | None:
    """Why the prompting of a goal text does not fit the student, or None."""
    if case.communication in ("nonverbal", "aac") and verbal_prompt(text):
        return f"it prompts verbally, but {case.name} does not use speech ({case.communication})"
    aimed = prompt_level(text)
    if case.support and aimed and SUPPORT_ORDER.index(aimed) - SUPPORT_ORDER.index(case.support) > 2:
        return f"it jumps from {case.support.replace('_', ' ')} support now to '{aimed.replace('_', ' ')}'"
    return None


def _check(check_id: str, name: str, problem: str | None, ok: str) -> Check:
    return Check(id=check_id, name=name, passed=problem is None, severity="critical", message=problem or ok)


def faithful_checks(goal: Goal, case: Case) -> list[Check]:
    """The content checks of a drafted goal against the Case it answers."""
    text = goal.goal_text
    checks = []
    routine = None
    if case.routine and goal.routines and case.routine not in goal.routines:
        asked, got = case.routine.replace("_", " "), goal.routines[0].replace("_", " ")
        routine = f"wrong routine: the request is about {asked}; the goal is about {got}"
    checks.append(_check("routine_match", "Routine asked for", routine, "The goal is about the routine asked for."))
    name = None
    if goal.student != case.name:
        name = f"the goal names '{goal.student}', the request's student is '{case.name}'"
    elif case.student and case.name not in text:  # "jayden" as typed is "Jayden" in the goal
        name = f"the goal's text does not call the student '{case.student}'"
    checks.append(_check("name_correct", "Student's name", name, "The goal uses the student's name."))
    baseline = None
    if case.baselines and goal.baseline_value is None and not any("aseline" in m for m in goal.missing_information):
        baseline = "the request gave a baseline the goal neither uses nor flags"
    checks.append(
        _check("baseline_faithful", "Baseline as given", baseline, "The baseline is used as given or flagged.")
    )
    checks.append(
        _check("prompt_fit", "Prompts fit the student", fits_student(text, case), "The prompting fits the student.")
    )
    misfit = age_misfits(text, case.grade_band)
    age = f"'{misfit[0]}' does not fit {case.grade_band}" if misfit else None
    checks.append(_check("age_fit", "Context fits the age", age, "The context fits the student's age."))
    values = [o.value for o in goal.objectives if o.value is not None]
    monotone = all(b >= a for a, b in pairwise(values)) or all(b <= a for a, b in pairwise(values))
    if monotone and values and goal.baseline_value is not None and goal.target_value is not None:
        rising = goal.target_value >= goal.baseline_value
        monotone = (values[0] >= goal.baseline_value) if rising else (values[0] <= goal.baseline_value)
    checks.append(
        _check(
            "objectives_monotone",
            "Objectives step toward the target",
            None if monotone else "the objectives do not move from the baseline toward the target",
            "The objectives step from the baseline toward the target.",
        )
    )
    return checks
