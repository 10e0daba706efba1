"""The measurability checks of a goal (DOMAIN.md), shared by drafting, review and evals."""

import re
from collections.abc import Callable
from typing import Literal

from assistant.goal_parts import GoalParts, extract_parts
from assistant.schemas import Check
from assistant.vocab import NEEDS_NUMBER_VERBS, OBSERVABLE_VERBS, VAGUE_PHRASES

Severity = Literal["critical", "major", "minor"]

SCHOOL_CONTEXT = re.compile(
    r"\b(?:class(?:room|work|mates?|es)?|school|cafeteria|lunch(?:room)?|recess|playground|hallways?|bus|locker|"
    r"journal|worksheets?|assignments?|academic|teachers?|pe|gym|library|job|work(?:place|site)?|vocational|"
    r"centers?|circle[\s-]time|handwriting|spelling|literacy|stations?|desk|notebooks?|homework|tests?|quiz(?:zes)?|restroom|bathroom|dismissal|arrival|"
    r"morning\s+(?:meeting|routine)|snack|art|music|science|math|reading|writing|spelling|peers?|lessons?|"
    r"seatwork|instruction|campus|community|coworkers?|supervisor|shift|labs?|group\s+work|tablet|"
    r"chromebook|computer|keyboard(?:ing)?|typing|planner|backpack|cubby|line|fire\s+drills?|transitions?|"
    r"carpet|homeroom|kitchen|cafeteria|bus|worksheet|lab|letters?|words?|sentences?|paragraphs?|numerals?)\b",
    re.I,
)
BODY_FUNCTION = re.compile(
    r"^(?:increase|improve|develop|strengthen|build|gain|enhance|demonstrate\s+(?:improved|increased|better))\s+"
    r"(?:(?:his|her|their|overall|age[- ]appropriate)\s+)?(?:(?:grip|pinch|hand|finger|core|upper[- ]body|trunk|"
    r"shoulder|muscle|arm|grasp)\s+(?:strength|stability|endurance|tone)|muscle\s+tone|range\s+of\s+motion|"
    r"endurance|bilateral\s+(?:coordination|integration)|motor\s+planning|visual[- ](?:motor|perceptual)\s+"
    r"(?:skills|integration)|visual\s+perception|fine[- ]motor\s+skills|gross[- ]motor\s+skills|sensory\s+"
    r"(?:processing|integration|modulation)|postural\s+control|balance|core\s+stability|hand[- ]eye\s+"
    r"coordination|praxis|proprioceptive\s+awareness|body\s+awareness|strength)\b"
    r"|^tolerate\s+(?:the\s+|a\s+)?(?:brushing|joint\s+compressions?|touch|textures?|swinging|vestibular|"
    r"deep\s+pressure|sensory)",
    re.I,
)
SERVICE = re.compile(
    r"^(?:receive|attend|be\s+seen|be\s+pulled\s+out|get|have|participate\s+in)\s+(?:[a-z]+\s+){0,3}?"
    r"(?:ot|occupational\s+therapy|therapy|services|sessions|minutes|consult(?:ation)?|treatment)\b"
    r"|^(?:be\s+provided|be\s+given|have\s+access\s+to|be\s+offered)\b",
    re.I,
)
DEVICE = re.compile(
    r"^(?:wear|use|sit\s+on|tolerate|keep\s+on|utilize)\s+(?:a\s+|an\s+|the\s+|his\s+|her\s+|their\s+)?"
    r"(?:(?:wobble|wiggle|air|foam|adapted|own|new)\s+)?(?:weighted\s+\w+|compression\s+\w+|sensory\s+diet|brush(?:ing)?|fidgets?|wiggle\s+(?:cushion|seat)|"
    r"ball\s+chair|therapy\s+ball|headphones|ear\s*muffs|slant\s+board|pencil\s+grips?|vest|cushion|"
    r"sensory\s+(?:tools?|supports?|items?|strategies)|assistive\s+technology|at\s+devices?|chewy\s+\w+)\b"
    r"(?![^.]*\b(?:to|while|during|when|for)\s+(?:complete|write|copy|type|finish|stay|remain|"
    r"participate\s+in\s+\w+|read|cut|eat|sit|follow|listen|take|do)\b)",
    re.I,
)
DEAD_MAN = re.compile(
    r"^(?:not|never|refrain|avoid|stop|cease|no\s+longer|have\s+(?:no|zero|fewer)|decrease|reduce|"
    r"eliminate|display\s+no|exhibit\s+(?:no|fewer)|show\s+no|be\s+free\s+of)\b",
    re.I,
)
JARGON = {
    "proprioceptive": "body-position (heavy work)",
    "vestibular": "movement",
    "praxis": "planning new movements",
    "ideation": "coming up with ideas for play",
    "kinesthetic": "movement sense",
    "graphomotor": "handwriting",
    "somatosensory": "touch",
    "in-hand manipulation": "moving small objects within one hand",
    "bilateral integration": "using both hands together",
    "oculomotor": "eye movement",
    "dyspraxia": "difficulty planning movements",
    "tactile defensiveness": "discomfort with touch",
    "proximal stability": "steady trunk and shoulders",
    "modulation": "matching energy to the task",
    "midline": "the middle of the body",
    "visual closure": "recognizing partly shown shapes",
}
_SAME_SKILL_PAIRS = {
    ("open", "close"),
    ("button", "unbutton"),
    ("zip", "unzip"),
    ("fasten", "unfasten"),
    ("pack", "unpack"),
    ("put", "take"),
    ("wash", "dry"),
    ("read", "sign"),
}


def _observable(p: GoalParts) -> tuple[bool, str]:
    if not p.behavior or not p.verb:
        return False, "No behavior: write what the student will do after 'will' (write, open, type, complete...)."
    lowered = f" {p.behavior.lower()} "
    vague = next((v for v in VAGUE_PHRASES if f" {v} " in f" {p.verb} " or lowered.startswith(f" {v} ")), None)
    vague_demo = (
        r"\s*(?:demonstrate|display|show|exhibit)\s+(?:an?\s+)?(?:understanding|knowledge|awareness|improved|better|"
    )
    vague_demo += r"appropriate|age[- ]appropriate|good|proper|functional|increased)"
    if vague or re.match(vague_demo, lowered):
        return False, f"'{vague or 'demonstrate understanding'}' cannot be seen or counted; name the action instead."
    if p.verb in NEEDS_NUMBER_VERBS and not p.criterion:
        return False, f"'{p.verb}' needs a number that says how much; name the action and its amount."
    if p.verb in OBSERVABLE_VERBS or p.verb in NEEDS_NUMBER_VERBS:
        return True, f"Observable action: '{p.verb}'."
    if p.verb == "not" and _negated_action(p.behavior):
        return True, "A countable action, though stated as what the student will not do (see 'Stated positively')."
    return False, f"'{p.verb}' is not an action a substitute could count; start with a verb such as write, open, type."


_NOT_A_ROUTINE = re.compile(
    r"\b(?:school\s+year|(?:ot|pt|therapy|treatment|pull[- ]out)\s+(?:sessions?|room|gym|clinic)|"
    r"(?:during|in)\s+(?:ot|therapy)\b)",
    re.I,
)


def _negated_action(behavior: str) -> bool:
    """'not poke his classmates', 'not run out of the cafeteria': the action after 'not' can still be counted."""
    from assistant.skill import base_verb, student_verbs

    words = behavior.lower().split()
    after = words[1] if len(words) > 1 and words[0] == "not" else None
    return bool(after) and (base_verb(after) is not None or after in student_verbs() or after in OBSERVABLE_VERBS)


def _relevance(p: GoalParts) -> tuple[bool, str]:
    """A goal is educational when it names a school task or routine; the school year of its timeframe and a
    therapy session are neither ("during OT sessions" is the clinic's context, not the school day's)."""
    if p.behavior and BODY_FUNCTION.search(p.behavior):
        return False, "Body function only: tie it to a school task (e.g. 'write 3 sentences', 'open lunch containers')."
    if SCHOOL_CONTEXT.search(_NOT_A_ROUTINE.sub(" ", p.text)):
        return True, "Linked to a school task or routine."
    if _NOT_A_ROUTINE.search(p.text) and re.search(r"\b(?:ot|therapy|treatment|pull[- ]out)\b", p.text, re.I):
        return False, "Only a therapy session is named; say the class routine where the skill is used."
    return False, "No school task or routine named; say where at school this matters (class, lunch, recess, bus...)."


def _service(p: GoalParts) -> tuple[bool, str]:
    behavior = p.behavior or ""
    if SERVICE.search(behavior):
        return False, "This describes a service, not a skill; write what the student will do."
    if DEVICE.search(behavior):
        return False, "A device is a support, not a goal; write the task the device helps with (accommodation list)."
    return True, "States a student skill, not a service or a device."


def _one_skill(p: GoalParts) -> tuple[bool, str]:
    behavior = (p.behavior or "").lower()
    for match in re.finditer(r"\b(?:and|and/or|as\s+well\s+as|then)\s+([a-z-]+)", behavior):
        second = match.group(1)
        if second in OBSERVABLE_VERBS and second != p.verb and (p.verb, second) not in _SAME_SKILL_PAIRS:
            return False, f"Two skills ('{p.verb}' and '{second}'): write one goal for each."
    return True, "One skill."


def _plain(p: GoalParts) -> tuple[bool, str]:
    found = [term for term in JARGON if term in p.text.lower()]
    if found:
        return False, "Jargon a substitute may not know: " + "; ".join(f"'{t}' -> '{JARGON[t]}'" for t in found)
    return True, "Plain words."


def _present(value: str | None, ok: str, missing: str) -> tuple[bool, str]:
    return (True, f"{ok}: '{value}'.") if value else (False, missing)


def _baseline(p: GoalParts) -> tuple[bool, str]:
    if not p.baseline:
        return False, "No baseline: add the current level in the same unit as the target (measure it; never guess)."
    if "[" in p.baseline:
        return False, "Baseline still to be measured: fill in the bracketed current level before the meeting."
    return True, f"Baseline given: '{p.baseline}'."


CHECKS: list[tuple[str, str, Severity, Callable[[GoalParts], tuple[bool, str]]]] = [
    ("observable_behavior", "Observable behavior", "critical", _observable),
    (
        "criterion",
        "Criterion",
        "critical",
        lambda p: _present(
            p.criterion, "Criterion", "No criterion: say how much or how well (%, x of y, count, time, rate)."
        ),
    ),
    (
        "mastery",
        "Mastery",
        "critical",
        lambda p: _present(
            p.mastery, "Consistency", "No mastery rule: say over how many trials, days or probes (e.g. 4 of 5 trials)."
        ),
    ),
    (
        "timeframe",
        "Timeframe",
        "critical",
        lambda p: _present(
            p.timeframe, "Timeframe", "No timeframe: start with 'By the annual IEP review' or a date within 12 months."
        ),
    ),
    (
        "measurement",
        "Measurement method",
        "critical",
        lambda p: _present(
            p.measurement,
            "Method",
            "No measurement method: add 'as measured by' work samples, a data sheet, a probe...",
        ),
    ),
    ("educational_relevance", "Educational relevance", "critical", _relevance),
    ("skill_not_service", "Skill, not a service or device", "critical", _service),
    (
        "condition",
        "Condition",
        "major",
        lambda p: _present(
            p.condition, "Condition", "No condition: say what is given or where (during journal time, given a model)."
        ),
    ),
    ("baseline", "Baseline", "major", _baseline),
    (
        "prompt_level",
        "Prompt level",
        "major",
        lambda p: _present(
            p.prompting, "Support", "No prompt level: say 'independently' or how many cues (with 1 visual cue)."
        ),
    ),
    ("one_skill", "One skill", "major", _one_skill),
    (
        "dead_man",
        "Stated positively",
        "major",
        lambda p: (
            (False, "Says only what the student will not do (dead-man test): name what the student will do instead.")
            if p.behavior and DEAD_MAN.search(p.behavior)
            else (True, "States what the student will do.")
        ),
    ),
    ("plain_words", "Plain words", "minor", _plain),
]
CHECK_IDS = [c[0] for c in CHECKS]


def run_rubric(text: str, parts: GoalParts | None = None) -> list[Check]:
    """Every check on a goal text, in rubric order."""
    parts = parts or extract_parts(text)
    results = []
    for check_id, name, severity, fn in CHECKS:
        passed, message = fn(parts)
        results.append(Check(id=check_id, name=name, passed=passed, severity=severity, message=message))
    return results


def is_measurable(checks: list[Check]) -> bool:
    """Measurable when every critical check passes."""
    return all(c.passed for c in checks if c.severity == "critical")
