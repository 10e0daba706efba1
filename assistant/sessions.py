"""Session plans and service-model advice, built from the activity bank around the student's goals."""

import re
from typing import Any

from assistant.corpus import Activity
from assistant.domains import classify_domain
from assistant.errors import InputError
from assistant.goal_parts import extract_parts
from assistant.handouts import strategy_sentences
from assistant.inputs import clean_text
from assistant.lexicon import lexicon, tokenize
from assistant.schemas import Citation, PlannedActivity, SearchFilters, ServiceAdvice, SessionPlan
from assistant.vocab import GRADE_BANDS

MODELS = ("push-in", "pull-out", "consult")
_SETTINGS = {"push-in": {"push-in", "both"}, "pull-out": {"pull-out", "both"}, "consult": {"push-in", "both"}}
PULL_OUT_REASON = (
    "Pull-out for focused practice of a new skill with fewer distractions; plan its return to class "
    "through the carryover strategy, since the least restrictive setting comes first."
)


def _themes(interests: str | None) -> list[tuple[str, str]]:
    """(theme, the student's own words) pairs; an interest outside the theme list keeps its words, theme ''."""
    text = " ".join((interests or "").split())[:80]
    tokens = tokenize(text)
    pairs = []
    for match in lexicon("themes").find(tokens):
        if match.label not in [t for t, _ in pairs]:
            pairs.append((match.label, text[tokens[match.start].start : tokens[match.end - 1].end].lower()))
    return pairs or ([("", text)] if text else [])


def _budget(minutes: int, goals: int) -> tuple[int, list[int], int]:
    """(preparatory, core minutes per goal, wrap-up): about 20% / 65% / 15%, adding up exactly."""
    prep = max(2, round(minutes * 0.2))
    wrap = max(2, round(minutes * 0.15))
    core = minutes - prep - wrap
    share = [core // goals + (1 if i < core % goals else 0) for i in range(goals)]
    return prep, share, wrap


class _Picker:
    """Chooses activities for one plan: one search per (goal, domain), no activity twice."""

    def __init__(self, services: Any, model: str, grade: str | None, themes: list[tuple[str, str]]) -> None:
        self.services, self.model, self.grade, self.themes = services, model, grade, themes
        self.by_id = {a.id: a for a in services.corpus.activities}
        self.used: set[str] = set()
        self.cache: dict[tuple[str, str], list[Activity]] = {}

    def ranked(self, text: str, domain: str) -> list[Activity]:
        if (text, domain) not in self.cache:
            filters = SearchFilters(kind="activity", domain=domain, grade_band=self.grade)
            found = [p.source_id for p in self.services.searcher.search(text, k=25, filters=filters)]
            found = [i for i in found if i in self.by_id]
            rest = [a.id for a in self.services.corpus.activities if domain in a.domains and a.id not in set(found)]
            self.cache[(text, domain)] = [self.by_id[i] for i in found + rest]
        return self.cache[(text, domain)]

    def fits(self, activity: Activity, phase: str) -> bool:
        return (
            activity.phase == phase
            and activity.setting in _SETTINGS[self.model]
            and activity.id not in self.used
            and (self.grade is None or self.grade in activity.grade_bands)
        )

    def pick(self, text: str, domains: list[str], phase: str) -> Activity:
        """The nearest fitting activity, preferring one that adapts to the student's interests."""
        wanted = {t for t, _ in self.themes if t}
        for domain in domains:
            fits = [a for a in self.ranked(text, domain) if self.fits(a, phase)]
            if self.model == "push-in" and phase == "core":
                fits = [a for a in fits if a.classroom_routine] or fits
            if fits:
                chosen = next((a for a in fits[:6] if wanted & set(a.themes)), fits[0])
                self.used.add(chosen.id)
                return chosen
        pool = [
            a
            for a in self.services.corpus.activities
            if a.phase == phase and a.id not in self.used and a.setting in _SETTINGS[self.model]
        ]
        if not pool:
            raise InputError(f"the activity bank has no {phase} activity for a {self.model} session")
        self.used.add(pool[0].id)
        return pool[0]


def _planned(
    activity: Activity, minutes: int, goal_ref: int, purpose: str, model: str, themes: list[tuple[str, str]]
) -> PlannedActivity:
    theme = next(((t, w) for t, w in themes if t and t in activity.themes), themes[0] if themes else None)
    name, steps = activity.name, list(activity.steps)
    if theme and activity.theme_hint:
        steps.append(activity.theme_hint.replace("{theme}", theme[1]))
        name = f"{activity.name} ({theme[1]} theme)"
    if model == "consult":
        steps = [f"Model for the teacher or aide, then coach them: {s}" for s in steps[:3]]
    return PlannedActivity(
        name=name,
        minutes=minutes,
        purpose=purpose,
        goal_ref=goal_ref,
        materials=list(activity.materials),
        easier=activity.easier,
        harder=activity.harder,
        phase=activity.phase,
        steps=steps,
        source_id=activity.id,
        classroom_routine=activity.classroom_routine,
    )


def _data_line(index: int, goal: str) -> str:
    parts = extract_parts(goal)
    criterion = parts.criterion or "the goal's criterion"
    method = re.sub(r"^(?:as\s+)?measured\s+by\s+", "", parts.measurement or "a data sheet")
    mastery = f"; mastery: {parts.mastery}" if parts.mastery else ""
    return f"Goal {index + 1}: record {criterion} with {method}{mastery}."


def _validate(goals: list[str], minutes: Any, model: str, grade: str | None) -> list[str]:
    if not isinstance(goals, list) or not goals:
        raise InputError("give at least one goal for the session")
    if len(goals) > 3:
        raise InputError(f"a session plan takes 1 to 3 goals; {len(goals)} were given")
    if model not in MODELS:
        raise InputError(f"model must be one of {', '.join(MODELS)}, not '{model}'")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 10 <= minutes <= 120:
        raise InputError("minutes must be a whole number from 10 to 120")
    if grade is not None and grade not in GRADE_BANDS:
        raise InputError(f"grade must be a grade band ({', '.join(GRADE_BANDS)}), not '{grade}'")
    return [clean_text(g, "goal", limit=5000) for g in goals]


def plan_session(
    goals: list[str], minutes: int, model: str, services: Any, interests: str | None = None, grade: str | None = None
) -> SessionPlan:
    """A timed plan: preparation, the real task for each goal, then data and carryover; minutes add up."""
    goals = _validate(goals, minutes, model, grade or None)
    grade = grade or None
    themes = _themes(interests)
    services.embedder.warm(goals)
    domains = [classify_domain(g, services.searcher)[0] for g in goals]
    prep, cores, wrap = _budget(minutes, len(goals))
    picker = _Picker(services, model, grade, themes)
    plan: list[PlannedActivity] = []
    first = picker.pick(goals[0], domains, "preparatory")
    plan.append(
        _planned(
            first, prep, 0, f"Warm-up that readies the body and attention for goal 1 ({domains[0]}).", model, themes
        )
    )
    for i, (goal, domain, core_minutes) in enumerate(zip(goals, domains, cores, strict=True)):
        activity = picker.pick(goal, [domain], "core")
        where = f" during {activity.classroom_routine}" if model == "push-in" and activity.classroom_routine else ""
        plan.append(
            _planned(activity, core_minutes, i, f"The real school task{where}, practising goal {i + 1}.", model, themes)
        )
    closing = picker.pick(goals[0], domains, "wrap_up")
    plan.append(
        _planned(closing, wrap, 0, "Take data on each goal and agree the carryover with the teacher.", model, themes)
    )
    routines = [a.classroom_routine for a in plan if a.phase == "core" and a.classroom_routine]
    rationale = {
        "push-in": f"Push-in: practice happens inside {routines[0] if routines else 'the class routine'}, with "
        "the teacher present, so the skill is learned where it is used.",
        "pull-out": PULL_OUT_REASON,
        "consult": "Consultation: the OT models and coaches the adults who run the routine every day.",
    }[model]
    carryover = [f"Goal {i + 1}: {services_strategy(services, d)}" for i, d in enumerate(domains)]
    materials = sorted({m for a in plan for m in a.materials})
    by_id = picker.by_id
    citations = [
        Citation(
            source_id=a.source_id,
            title=f"Activity: {by_id[a.source_id].name}",
            excerpt=by_id[a.source_id].evidence[:280],
        )
        for a in plan
    ]
    return SessionPlan(
        model=model,
        minutes=minutes,
        activities=plan,
        data_collection=[_data_line(i, g) for i, g in enumerate(goals)],
        carryover=carryover,
        materials=materials,
        citations=citations,
        rationale=rationale,
        domains=domains,
        interests=[w for _, w in themes],
    )


def services_strategy(services: Any, domain: str) -> str:
    """One plain carryover strategy for the domain, from its primer document."""
    sentences, _ = strategy_sentences(services, domain)
    return sentences[0] if sentences else "Practise the skill in the real routine each day and note what helps."


def advise_service_model(goals: list[str], services: Any, context: str = "") -> ServiceAdvice:
    """A push-in / pull-out / consultation mix with minutes per week, least restrictive first."""
    goals = [clean_text(g, "goal", limit=5000) for g in goals] if goals else []
    if not goals:
        raise InputError("give at least one goal")
    lowered = context.lower()
    private = re.search(
        r"toilet|hygiene|bathroom|restroom|changing|menstru|deodorant|dressing for pe",
        " ".join(goals).lower() + " " + lowered,
    )
    new_skill = re.search(r"new skill|just starting|emerging|not yet|can't yet|has never|distract|noisy", lowered)
    direct = 20 * len(goals)
    mix = [{"model": "consult", "minutes_per_week": 15, "purpose": "Coach the teacher and aides; adjust supports."}]
    if private or new_skill:
        pull, push = round(direct * 0.6), direct - round(direct * 0.6)
        mix.append(
            {
                "model": "pull-out",
                "minutes_per_week": pull,
                "purpose": "Private or distraction-free practice the classroom cannot offer yet.",
            }
        )
        mix.append({"model": "push-in", "minutes_per_week": push, "purpose": "Carry the skill into the routine."})
        why = "privacy for a personal-care routine" if private else "a new skill that needs focused practice first"
        reason = f"Start in class and with the teacher; add pull-out only for {why}, and move back in as it grows."
    else:
        mix.append(
            {
                "model": "push-in",
                "minutes_per_week": direct,
                "purpose": "Practice inside the class routines where the goals are used.",
            }
        )
        reason = "Least restrictive first: the goals are used in class routines, so practice happens there."
    return ServiceAdvice(mix=mix, total_minutes_per_week=sum(m["minutes_per_week"] for m in mix), rationale=reason)
