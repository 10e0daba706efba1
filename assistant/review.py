"""Goal review: run the rubric on an OT's goal, name its defects, and rewrite it keeping the OT's own content."""

import re
from typing import Any

from assistant.case import read_case
from assistant.corpus import GoalTemplate
from assistant.domains import classify_domain
from assistant.goal_parts import CONDITION, GoalParts, extract_parts, modal_will
from assistant.goalbank import DEFAULT_TIMEFRAME, format_target
from assistant.inputs import clean_text
from assistant.rubric import BODY_FUNCTION, JARGON, is_measurable, run_rubric
from assistant.schemas import Case, Check, Review, SearchFilters

ANTI_PATTERNS = {
    "observable_behavior": "vague verb",
    "criterion": "no criterion",
    "mastery": "no mastery rule",
    "timeframe": "no timeframe",
    "measurement": "no measurement method",
    "educational_relevance": "no school context",
    "skill_not_service": "service or device as the goal",
    "condition": "no condition",
    "baseline": "no baseline",
    "prompt_level": "no prompt level",
    "one_skill": "bundled skills",
    "dead_man": "absence of behavior (dead-man test)",
    "plain_words": "jargon",
}
_KEEP_BEHAVIOR_UNLESS = {"observable_behavior", "skill_not_service", "dead_man"}


def name_anti_patterns(checks: list[Check], parts: GoalParts) -> list[str]:
    """The defect names an OT recognises, most serious first."""
    names = []
    for check in checks:
        if check.passed:
            continue
        name = ANTI_PATTERNS[check.id]
        if check.id == "educational_relevance" and parts.behavior and BODY_FUNCTION.search(parts.behavior):
            name = "body function only"
        names.append(name)
    return names


def _bank_template(services: Any, text: str, domain: str, band: str | None, case: Case | None = None) -> GoalTemplate:
    """The bank goal that fits the goal's own situation best (its routine, task words, unit and the student's
    grade band), so a rewrite's suggestions stay in the goal's setting; the nearest of the domain by search
    when nothing fits."""
    if case is not None:
        from assistant.goals import _fitter

        ranked = _fitter(services).ranked(case, {domain: 0.05})
        fitting = [t for _, t, fit in ranked if fit.status != "none"]
        if fitting:
            return fitting[0]
    found = services.searcher.search(text, k=8, filters=SearchFilters(kind="goal", domain=domain))
    by_id = {g.id: g for g in services.corpus.goals}
    nearest = [by_id[p.source_id] for p in found if p.source_id in by_id]
    nearest = nearest or [g for g in services.corpus.goals if g.domain == domain]
    wanted = {band} if band else {"k2", "3_5"}
    return next((g for g in nearest if wanted & set(g.grade_bands)), nearest[0])


def _lead(parts: GoalParts) -> tuple[str, str]:
    """(condition clause, student) from the words before 'will', without the timeframe."""
    will = modal_will(parts.text)
    head = parts.text[: will.start()] if will else parts.text
    if parts.timeframe:
        head = head.replace(parts.timeframe, " ")
    pieces = [p.strip(" ,.") for p in re.split(r",", head) if p.strip(" ,.")]
    student = pieces.pop() if pieces else ""
    words = student.split()
    if len(words) > 1 and CONDITION.search(student):  # "During lunch Maya" -> condition + name
        pieces.append(" ".join(words[:-1]))
        student = words[-1]
    lowered = student.lower()
    if (
        not student
        or lowered in {"student", "the student", "he", "she", "they"}
        or lowered.startswith(("my ", "our ", "this ", "a "))
        or "grader" in lowered
    ):
        student = "the student"
    condition = ", ".join(p for p in pieces if CONDITION.search(p))
    return condition, student


def _core(parts: GoalParts, checks: dict[str, Check], template: GoalTemplate) -> str:
    """The OT's own 'will ...' words, unless they are the defect; then a bank behavior to confirm."""
    behavior = (parts.behavior or "").strip(" ,.")
    body_only = not checks["educational_relevance"].passed and bool(BODY_FUNCTION.search(behavior))
    if any(not checks[c].passed for c in _KEEP_BEHAVIOR_UNLESS) or body_only or not behavior:
        return f"[{template.behavior.rstrip(' ,')}]"
    if not checks["one_skill"].passed:
        verb = re.search(r"\b(?:and|and/or|as\s+well\s+as|then)\s+[a-z-]+", behavior, re.I)
        behavior = behavior[: verb.start()].rstrip(" ,") if verb else behavior
    if parts.mastery and parts.mastery in behavior:
        behavior = behavior.replace(parts.mastery, "").strip(" ,")
    return behavior


def rewrite_goal(text: str, parts: GoalParts, checks: list[Check], template: GoalTemplate) -> str:
    """A version that passes: the OT's content kept, [bracketed] suggestions where facts are missing."""
    by_id = {c.id: c for c in checks}
    condition, student = _lead(parts)
    if not condition or not by_id["educational_relevance"].passed:
        condition = f"[{template.condition}]"
    timeframe = parts.timeframe[0].upper() + parts.timeframe[1:] if parts.timeframe else DEFAULT_TIMEFRAME
    core = _core(parts, by_id, template)
    extra = []
    if not by_id["criterion"].passed or core.startswith("["):
        extra.append(
            template.criterion.replace("{target}", f"[{format_target(template.default_target, template.unit)}]")
        )
    if not by_id["prompt_level"].passed:
        extra.append(f"[{template.prompt_level}]")
    mastery = parts.mastery if parts.mastery else f"[{template.mastery}]"
    measured = parts.measurement if parts.measurement and by_id["measurement"].passed else None
    measurement = re.sub(r"^(?:as\s+)?", "as ", measured) if measured else f"as measured by [{template.measurement}]"
    sentence = f"{timeframe}, {condition}, {student} will {' '.join([core, *extra])} {mastery}, {measurement}."
    baseline = parts.baseline if parts.baseline and by_id["baseline"].passed else None
    baseline = re.sub(r"^baseline\s*:?\s*", "", baseline, flags=re.I) if baseline else None
    sentence += f" Baseline: {baseline}." if baseline else f" Baseline: [to be measured: {template.baseline_unit}]."
    for term, plain in JARGON.items():
        sentence = re.sub(re.escape(term), plain, sentence, flags=re.I)
    return re.sub(r"\s+", " ", sentence).replace(" ,", ",")


def review_goal(text: str, services: Any, case: Case | None = None) -> Review:
    """The rubric verdict, the named defects and a rewrite that passes review itself; the grade band comes
    from the Case of the message the goal came in (read here when the goal came alone)."""
    goal = clean_text(text, "goal", limit=5000)
    parts = extract_parts(goal)
    checks = run_rubric(goal, parts)
    domain, _ = classify_domain(goal, services.searcher)
    needs_rewrite = any(not c.passed and c.severity != "minor" for c in checks) or not checks[-1].passed
    rewrite = None
    if needs_rewrite:
        own = case or read_case(goal)  # the message's reading (read once per turn), or the goal's own
        rewrite = rewrite_goal(goal, parts, checks, _bank_template(services, goal, domain, own.grade_band, own))
    return Review(
        measurable=is_measurable(checks),
        domain=domain,
        checks=checks,
        suggested_rewrite=rewrite,
        anti_patterns=name_anti_patterns(checks, parts),
    )
