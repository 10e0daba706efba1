"""Session plans and service-model advice, built around each goal's own task.

Every plan starts from the goals: each goal is read once into its task (what the student will do, where, to
what criterion and mastery, with which prompts). The core of the session is that task as the goal states it;
activity-bank entries are chosen by their fit to the task and its routine, for the preparatory work and the
adaptations. The service model shapes the session (DOMAIN.md): push-in works inside the class routine with no
drills in front of peers; pull-out practises, then does the real task and plans the way back to class; consult
is the OT's time with the adults (review data, model, coach, set up, write the carryover); a group shares one
activity in which each student works on their own target, with data for each. Minutes add up exactly.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from assistant.case import read_case, routine_label
from assistant.corpus import Activity
from assistant.domains import classify_with
from assistant.errors import InputError
from assistant.goal_parts import extract_parts
from assistant.handouts import strategy_sentences
from assistant.inputs import clean_text
from assistant.lexicon import DATA, Lexicon, common_words, fold, lexicon, load_words, tokenize
from assistant.schemas import Case, Citation, PlannedActivity, SearchFilters, ServiceAdvice, SessionPlan
from assistant.vocab import GRADE_BANDS

MODELS = ("push-in", "pull-out", "consult")
_SETTINGS = {"push-in": {"push-in", "both"}, "pull-out": {"pull-out", "both"}, "consult": {"push-in", "both"}}


@cache
def plan_words() -> dict:
    return load_words(DATA / "plan_words.yaml")


@cache
def _lex(key: str) -> Lexicon:
    entry = plan_words()[key]
    return Lexicon(entry if isinstance(entry, dict) else {key: entry})


# --- reading a goal into its task ----------------------------------------------------------------------------

_BASELINE = re.compile(r"\(\s*baseline[^)]{0,600}\)|\bBaseline:[^\n]{0,600}$", re.I)
_WILL = re.compile(r"\b([A-Z][\w'-]{1,30}|[Tt]he student)\s+will\s+")
_TIMEFRAME = re.compile(
    r"^(?:by|within|in|at the end of|over|before|during the next|after)\b[^,]{0,80}?"
    r"(?:review|year|weeks?|months?|semester|quarter|june|may|date|\d{4}|period)\b[^,]{0,20},\s*",
    re.I,
)
_TASK_END = re.compile(
    r",\s|\s(?:with at least|with no more than|with fewer than|with an accuracy|with \d|at least|no more than|"
    r"within \d|in \d+ (?:out )?of|on \d+ (?:out )?of|for \d+ (?:out )?of|for at least|across \d|at a rate|"
    r"as measured|measured by|independently|at \d|on \d+ consecutive|in under \d|"
    r"for \d+ (?:minutes?|seconds?)|in \d+ (?:minutes?|seconds?)|\()",
    re.I,
)
_CRITERION = re.compile(
    r"(?:with at least|at least|with no more than|no more than|with fewer than|within \d|at a rate of|for at least|"
    r"with \d+%|\d+ (?:out )?of \d+|\d+%)[^,.;(]{0,120}",
    re.I,
)
_MASTERY = re.compile(
    r"\b(?:in|on|across|for|over)\s+\d+\s+(?:out\s+)?(?:of\s+\d+\s+)?(?:consecutive\s+)?[a-z][a-z -]{2,40}", re.I
)
_MEASURE_END = re.compile(
    r"\s*,?\s*(?:as measured|measured by|recorded on|recorded in|as recorded|scored (?:on|with|by)|"
    r"documented (?:on|in)|tracked (?:on|in)|checked against|verified by|as shown by)\b|\s*\(\s*baseline",
    re.I,
)
_RECORDED = re.compile(r"(?:recorded|documented|tracked|scored)\s+(?:on|in|with|by)\s+([^.(;]{3,160})", re.I)
_MEASURED = re.compile(r"(?:as\s+)?measured\s+by\s+([^.(;]{3,160})", re.I)


@dataclass(frozen=True)
class GoalTask:
    """One goal read once: who, where, the task as written, its criterion, mastery, measurement and prompts."""

    index: int
    student: str
    text: str
    condition: str
    task: str
    criterion: str | None
    mastery: str | None
    measurement: str | None
    prompting: str | None
    case: Case
    domain: str
    measure: str = ""  # the goal's measurable clause in its own words, from 'will' to its measurement
    given: str | None = None  # the condition's "given ..." part (what the goal provides)

    @property
    def routine(self) -> str:
        """Where the task happens, in words: the condition's place, else the routine read, else 'class'."""
        label = routine_label(self.case.routine)
        place = re.match(r"(?:during|at|in|on|when|while|after|before)\b[^,]{2,80}", self.condition or "", re.I)
        return place.group(0) if place else (f"during {label}" if label else "in class")


_PROMPT_WORD = re.compile(r"prompt|cue|remind|assist|independ|model|gestur|physical|hand.over.hand|help", re.I)
_MASTERY_STOP = re.compile(r"\s(?:in|on|at|during|with|as|measured|by|per|and|when|while|using|given|from)\b.*$", re.I)


_COUNTED = re.compile(
    r"\b(?:with\s+)?(?:no more than|fewer than|up to|at most)\s+(?:\d+|one|two|three)\s+[a-z -]{0,40}?\b"
    r"(?:prompts?|cues?|reminders?|redirections?|models?)(?:\s+per\s+[a-z]+)?",
    re.I,
)


def _goal_prompting(bare: str, found: str | None) -> str | None:
    """The help the goal allows: a counted prompt ('no more than 1 verbal prompt') wins over 'independently' read
    elsewhere in the sentence; only prompt words count."""
    counted = _COUNTED.search(bare)
    if counted:
        return counted.group(0).strip()
    return found if found and _PROMPT_WORD.search(found) else None


def _trim_mastery(text: str) -> str:
    """'in 4 of 5 trials in PE' -> 'in 4 of 5 trials'; 'on 4 of 5 days across 3 consecutive weeks' stays."""
    head = re.match(r"(?:in|on|across|for|over)\s+", text, re.I)
    lead, rest = (head.group(0), text[head.end() :]) if head else ("", text)
    return (lead + _MASTERY_STOP.sub("", rest)).strip()


def _query(task: str, condition: str, case: Case) -> str:
    """The one search text for a goal (its task, where it happens, its skill): embedded once, used for the domain
    and for the activity ranking."""
    return " ".join(f"{task} {condition} {case.skill or ''}".split())


def goal_clauses(goal: str) -> dict[str, Any]:
    """The goal's clauses by its wording, in linear time: who, the condition, the task as written, its criterion,
    mastery, measurement, the measurable clause, what the goal gives and the help it allows (not the baseline's)."""
    text = " ".join(goal.replace("[", "").replace("]", "").split())  # a frame's [slots] read as plain words
    bare = _BASELINE.sub("", text).strip()
    will = _WILL.search(bare)
    name = will.group(1) if will and will.group(1).lower() != "the student" else None
    before, after = (bare[: will.start()], bare[will.end() :]) if will else ("", bare)
    condition = _TIMEFRAME.sub("", before.strip()).strip(" ,;")
    end = _TASK_END.search(after)
    words = (after[: end.start()] if end else after).split()[:22]
    dangling = {fold(str(w)) for w in plan_words()["dangling_words"]}
    while len(words) > 2 and fold(words[-1].strip(" ,;.")) in dangling:
        words.pop()
    task = " ".join(words).strip(" ,;.")
    rest = after[len(task) :] if task else after
    criterion = _CRITERION.search(rest)
    mastery_at = [m for m in _MASTERY.finditer(rest) if not re.search(r"\bsteps?\b|\binch|%", m.group(0))]
    mastery = [m.group(0).strip() for m in mastery_at]
    crit = criterion.group(0) if criterion else None
    if criterion and mastery_at:
        last = mastery_at[-1]
        if last.start() <= criterion.start():
            crit = None  # the only number is the mastery rule ("on 4 of 5 days"): the task itself is the criterion
        elif last.start() < criterion.end():
            crit = rest[criterion.start() : last.start()]
    measured = _MEASURED.search(bare) or _RECORDED.search(bare)
    measure_end = _MEASURE_END.search(after)
    given = re.search(r"\bgiven\b[^,]{3,160}", condition)
    parts = extract_parts(bare)  # the goal's own prompting, never the baseline's ("needs hand-over-hand now")
    return {
        "text": text,
        "name": name,
        "condition": condition,
        "task": task or "the task the goal names",
        "criterion": re.sub(r"^with\s+", "", crit.strip(" ,;")) if crit and crit.strip(" ,;") else None,
        "mastery": _trim_mastery(mastery[-1]) if mastery else parts.mastery,
        "measurement": measured.group(1).strip(" ,") if measured else None,
        "prompting": _goal_prompting(bare, parts.prompting),
        "measure": " ".join((after[: measure_end.start()] if measure_end else after).split()).strip(" ,;."),
        "given": given.group(0) if given else None,
    }


# An OT plans sessions for the same goals week after week: a goal's reading (its clauses, Case and domain) and its
# activity ranking are kept per process for the most recent goals (memory only, never on disk or in a log).
_READ: OrderedDict[tuple[int, str], tuple[dict, Case, str]] = OrderedDict()
_RANKED: OrderedDict[tuple[int, str, str | None], list[str]] = OrderedDict()
_KEEP = 256


_LOCK = threading.Lock()  # the page serves several OTs at once


def _remember(store: OrderedDict, key: Any, value: Any) -> Any:
    with _LOCK:
        store[key] = value
        store.move_to_end(key)
        while len(store) > _KEEP:
            store.popitem(last=False)
    return value


def _recall(store: OrderedDict, key: Any) -> Any:
    with _LOCK:
        value = store.get(key)
        if value is not None:
            store.move_to_end(key)
        return value


def read_goal(index: int, goal: str, student: str | None, services: Any) -> GoalTask:
    """One goal read once into its task (goal_clauses), its Case and its domain."""
    key = (id(services.searcher), goal)
    known = _recall(_READ, key)
    if known is not None:
        clauses, case, domain = dict(known[0]), known[1], known[2]
    else:
        clauses = goal_clauses(goal)
        case = read_case(clauses["text"])
        query = _query(clauses["task"], clauses["condition"], case)
        filters = SearchFilters(kind="activity", grade_band=case.grade_band)
        hits = services.searcher.search(query, k=30, filters=filters)  # one search: the domain and the activities
        _remember(_RANKED, (id(services.searcher), query, case.grade_band), [p.source_id for p in hits])
        domain = classify_with(query, hits)[0]
        _remember(_READ, key, (dict(clauses), case, domain))
    name = student or clauses.pop("name") or "the student"
    clauses.pop("name", None)
    return GoalTask(index=index, student=name, case=case, domain=domain, **clauses)


_OCCASION = re.compile(
    r"\b\d+\s+(?:out\s+)?of\s+(?:the\s+)?(?:next\s+)?\d+\s+((?:consecutive\s+|weekly\s+|daily\s+|observed\s+)?"
    r"[a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)|\b\d+\s+consecutive\s+((?:weekly\s+|daily\s+)?[a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)",
    re.I,
)
_NOT_OCCASION = {
    "across",
    "with",
    "as",
    "in",
    "on",
    "at",
    "during",
    "for",
    "per",
    "and",
    "when",
    "while",
    "using",
    "of",
    "measured",
    "by",
    "within",
    "without",
    "from",
    "to",
    "the",
    "a",
}


def _occasion(text: str | None) -> str:
    """What the goal is counted on: 'in 4 of 5 weekly work samples' -> 'work sample'; 'on 4 of 5 school days' ->
    'school day'; '3 consecutive weekly probes' -> 'probe'; else 'session'."""
    found = list(_OCCASION.finditer(text or ""))
    if not found:
        return "session"
    words = [
        w
        for w in (found[-1].group(1) or found[-1].group(2)).split()
        if w.lower() not in ("consecutive", "weekly", "daily", "observed")
    ]
    cut = next((i for i, w in enumerate(words) if w.lower() in _NOT_OCCASION), len(words))
    words = words[:cut]
    if not words:
        return "session"
    last = words[-1]
    if last.endswith("ies"):
        singular = last[:-3] + "y"
    elif last.endswith(("sses", "ches", "shes", "xes")):
        singular = last[:-2]
    else:
        singular = last[:-1] if last.endswith("s") and not last.endswith("ss") else last
    return " ".join([*words[:-1], singular])


# --- interests ------------------------------------------------------------------------------------------------


def _interests(interests: str | None, students: list[str]) -> dict[str, str]:
    """The interest for each student ('Ava: unicorns; Noah: trucks'), or one for everyone under ''."""
    text = " ".join((interests or "").split())[:200]
    if not text:
        return {}
    out: dict[str, str] = {}
    for part in re.split(r"[;|]", text):
        name, colon, value = part.partition(":")
        if colon and fold(name.strip()) in {fold(s) for s in students}:
            key = next(s for s in students if fold(s) == fold(name.strip()))
            out[key] = value.strip(" ,.")
        elif part.strip():
            out.setdefault("", part.strip(" ,."))
    return out


def _theme_of(words: str) -> str | None:
    tokens = tokenize(words)
    found = lexicon("themes").find(tokens)
    return found[0].label if found else None


# --- choosing bank activities ---------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    """The content words of a text by their first five letters (common and generic words left out)."""
    generic = _generic()
    return frozenset(
        t.low[:5]
        for t in tokenize(text)
        if t.kind == "w" and len(t.low) > 3 and t.low not in common_words() and t.low not in generic
    )


@cache
def _generic() -> frozenset[str]:
    return frozenset(fold(str(w)) for w in plan_words()["generic_words"])


class _Picker:
    """Bank activities ranked by their fit to a goal's task and routine; no activity twice in one plan."""

    def __init__(self, services: Any, model: str, grade: str | None) -> None:
        self.services, self.model, self.grade = services, model, grade
        self.by_id = {a.id: a for a in services.corpus.activities}
        self.used: set[str] = set()
        self._ranked: dict[int, list[Activity]] = {}

    def ranked(self, goal: GoalTask) -> list[Activity]:
        """By retrieval on the task and its routine; the goal's domain and a matching classroom routine first
        (searched once per goal)."""
        if goal.index not in self._ranked:
            self._ranked[goal.index] = self._rank(goal)
        return self._ranked[goal.index]

    def _rank(self, goal: GoalTask) -> list[Activity]:
        query = _query(goal.task, goal.condition, goal.case)
        band = goal.case.grade_band  # the goal's reading searched this; a plan's grade is checked by fits()
        key = (id(self.services.searcher), query, band)
        ids = _recall(_RANKED, key)
        if ids is None:
            filters = SearchFilters(kind="activity", grade_band=band)
            hits = self.services.searcher.search(query, k=30, filters=filters)
            ids = _remember(_RANKED, key, [p.source_id for p in hits])
        found = [self.by_id[i] for i in ids if i in self.by_id]
        routine_words = {t.low for t in tokenize(goal.routine) if len(t.low) > 3}

        def score(pair: tuple[int, Activity]) -> float:
            rank, activity = pair
            fit = 1.0 / (rank + 3)
            if goal.domain in activity.domains:
                fit += 0.25
            if activity.classroom_routine and routine_words & {t.low for t in tokenize(activity.classroom_routine)}:
                fit += 0.15
            return fit

        return [a for _, a in sorted(enumerate(found), key=score, reverse=True)]

    def pick(self, goal: GoalTask, phase: str, top: int = 12) -> Activity | None:
        """The best fitting unused activity of the phase among the nearest `top` that shares the task's own words
        (a pencil-grasp goal gets no scissors craft); None when none fits."""
        stems = _stems(f"{goal.task} {goal.case.skill or ''}")
        for activity in self.ranked(goal)[:top]:
            about = _stems(" ".join([activity.name, *activity.skills, *activity.concerns]))
            shared = stems & about
            if (
                len(shared) >= 2
                and activity.phase == phase
                and activity.setting in _SETTINGS[self.model]
                and activity.id not in self.used
                and (self.grade is None or self.grade in activity.grade_bands)
            ):
                self.used.add(activity.id)
                return activity
        return None


# --- the plan's parts -----------------------------------------------------------------------------------------


def _interest_step(goal: GoalTask, interest: str | None) -> list[str]:
    """The interest inside the task: by the task's own verb first ('cut' -> cut out its pictures), else by domain."""
    if not interest:
        return []
    task = fold(goal.task)
    by_verb = plan_words()["interest_by_verb"]
    template = next((t for verb, t in by_verb.items() if " " in verb and task.startswith(verb)), None)
    first = task.split()[0] if task.split() else ""
    template = template or next((t for verb, t in by_verb.items() if first.startswith(verb)), None)
    template = template or plan_words()["interest_in_task"].get(goal.domain)
    older = goal.case.grade_band in ("6_8", "9_12", "transition_18_21") or (goal.case.age or 0) >= 12
    vision = bool({"cvi", "low_vision", "blind"} & set(goal.case.access))
    if (older or vision) and template and re.search(r"sticker|picture", template):
        template = plan_words()["interest_older" if older else "interest_vision"]
    return [template.replace("{interest}", interest)] if template else [f"Use {interest} in the materials."]


@cache
def _adult_patterns() -> list[tuple[str, re.Pattern]]:
    return [
        (adult, re.compile(r"\b(?:" + "|".join(re.escape(fold(str(w))) for w in words) + r")\b"))
        for adult, words in plan_words()["adults"].items()
    ]


def _adult(goal: GoalTask) -> str:
    """The adult who is there in the goal's routine (the first whose words the routine names)."""
    text = fold(f"{goal.routine} {goal.condition}")
    return next((adult for adult, pattern in _adult_patterns() if pattern.search(text)), "the classroom teacher")


def _criterion_words(goal: GoalTask, with_mastery: bool = False) -> str:
    """The goal's target in its own words: its measurable clause after the task (never cut short); without its
    mastery rule, which is judged over the data sheet, not on one try."""
    rest = goal.measure[len(goal.task) :].strip(" ,;") if goal.measure.startswith(goal.task) else ""
    if rest and not with_mastery and goal.mastery and goal.mastery in rest:
        rest = rest[: rest.index(goal.mastery)].strip(" ,;")
    if rest and not with_mastery and re.match(r"(?:in|on|across|over|for)\s+\d+\s+(?:out\s+)?of\b", rest, re.I):
        rest = ""  # only the mastery window is left: each try is scored on the task as the goal states it
    return rest or goal.criterion or f"the task as the goal states it ({goal.task})"


def _in(where: str) -> str:
    """'during journal writing' stays; a bare place gets 'in'."""
    return where if re.match(r"(?:during|at|in|on|when|while|after|before)\b", where, re.I) else f"in {where}"


def _own_task(goal: GoalTask, model: str, minutes: int, bank: Activity | None, interest: str | None) -> PlannedActivity:
    """The goal's own task, as the goal states it, in the model's form."""
    who, task, where = goal.student, goal.task, goal.routine
    adult = _adult(goal)
    adapt = bank.easier if bank else None
    prompts = f" ({goal.prompting})" if goal.prompting else ""
    if model == "push-in":
        rehearse = _lex("unscheduled").find(tokenize(f"{where} {goal.condition}"))
        first_step = (
            f"This routine cannot be booked: plan a practice run {_in(where)} with {adult} (a rehearsal the class "
            f"does together), and {who} does the task in it: {task}. Use the real event when it comes."
            if rehearse
            else f"Be there {_in(where)} as it happens; {who} does the task alongside the others: {task}."
        )
        steps = [
            first_step,
            *([f"Adapt in place, not apart: {adapt}"] if adapt else []),
            f"Coach {adult} on the prompt level the goal allows{prompts}, then step back.",
            f"Score each try: {_criterion_words(goal)}.",
        ]
        name = f"{_cap(task)} {_in(where)}"
        purpose = f"Embedded practice of goal {goal.index + 1} in the real routine, with the class."
    elif model == "consult":
        steps = [
            f"Watch {adult} run the routine {_in(where)} with {who}; note where the task breaks down: {task}.",
            (
                f"Model the strategy for {adult} once: {adapt}"
                if adapt
                else f"Model the task for {adult} once with the support the goal allows{prompts}."
            ),
            f"Coach {adult} while they prompt{prompts} and fade; agree what counts toward {_criterion_words(goal)}.",
        ]
        name = f"Model and coach {adult}: {task}"
        purpose = f"{adult.capitalize()} learns to run goal {goal.index + 1} every day, not only when the OT is there."
    else:
        steps = [
            (
                f"Set up what the goal gives: {goal.given}."
                if goal.given
                else f"Bring the real materials used {_in(where)}."
            ),
            f"{_cap(who)} does the real task: {task}.",
            f"Score it as the goal does: {_criterion_words(goal)}; note every prompt given{prompts}.",
            f"Plan the way back: agree with {adult} when {who} does it {_in(where)} this week.",
        ]
        name = f"The real task: {task}"
        purpose = f"Goal {goal.index + 1} as written, then its way back to class ({_in(where)})."
    liked = _interest_step(goal, interest)
    if model == "consult":  # the OT's time is with the adults: the interest is theirs to use
        liked = [f"Show {adult} how to use the interest: {step[:1].lower()}{step[1:]}" for step in liked]
    steps[1:1] = liked
    return PlannedActivity(
        name=name,
        minutes=minutes,
        purpose=purpose,
        goal_ref=goal.index,
        materials=list(bank.materials) if bank else [],
        easier=bank.easier if bank else "",
        harder=bank.harder if bank else "",
        phase="core",
        steps=steps,
        source_id=bank.id if bank else "",
        classroom_routine=where,
        students=[goal.student],
        with_adults=model == "consult",
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _banked(activity: Activity, minutes: int, goal: GoalTask, purpose: str, interest: str | None) -> PlannedActivity:
    steps = list(activity.steps)
    name = activity.name
    if interest and activity.theme_hint:
        steps.append(activity.theme_hint.replace("{theme}", interest))
        name = f"{activity.name} with {interest}"
    return PlannedActivity(
        name=name,
        minutes=minutes,
        purpose=purpose,
        goal_ref=goal.index,
        materials=list(activity.materials),
        easier=activity.easier,
        harder=activity.harder,
        phase=activity.phase,
        steps=steps,
        source_id=activity.id,
        classroom_routine=activity.classroom_routine,
        students=[goal.student],
    )


def _adult_part(
    name: str,
    minutes: int,
    goal_ref: int,
    purpose: str,
    steps: list[str],
    phase: str,
    students: list[str],
    source: str = "",
) -> PlannedActivity:
    return PlannedActivity(
        name=name,
        minutes=minutes,
        purpose=purpose,
        goal_ref=goal_ref,
        materials=[],
        easier="",
        harder="",
        phase=phase,
        steps=steps,
        source_id=source,
        students=students,
        with_adults=True,
    )


def _split(total: int, shares: list[float]) -> list[int]:
    """Whole minutes in the given proportions, adding up exactly to total (each at least 1)."""
    raw = [total * s / sum(shares) for s in shares]
    out = [max(1, int(r)) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(out) < total:
        out[order[i % len(out)]] += 1
        i += 1
    while sum(out) > total:
        j = max(range(len(out)), key=lambda k: out[k])
        out[j] -= 1
    return out


_LEADING_PREP = re.compile(r"^(?:in|on|over|for)\s+")


def _data_line(goal: GoalTask, label: str) -> str:
    """The goal's data in plain words: each occasion the goal counts, scored against the goal as written."""
    occasion = _occasion(goal.measure or goal.mastery)
    line = (
        f'{label}: after each {occasion}, score it against the goal as written ("{goal.student} will {goal.measure}")'
    )
    line += f"; each time, record {_criterion_words(goal)}, the prompts given and the date"
    if goal.mastery:
        line += f"; mastery ({_LEADING_PREP.sub('', goal.mastery)}) is judged across the sheet, not on one day"
    if goal.measurement:
        line += f"; record it on {goal.measurement}"
    return line + "."


_GROUP_GOAL = re.compile(r"^\s*([A-Z][\w'-]{1,30}):\s+(\S.*)$", re.S)


def group_items(goals: list) -> list:
    """Goals written 'Ana: By the annual review, ... Ana will ...' are a group's (CONTRACT.md groups): the name
    before the colon is the goal's own student ('Goal: ...' and other labels stay plain text)."""
    out = []
    for goal in goals:
        found = _GROUP_GOAL.match(goal) if isinstance(goal, str) else None
        if found and re.search(rf"\b{re.escape(found.group(1))}\s+will\b", found.group(2)):
            out.append({"student": found.group(1), "goal": found.group(2)})
        else:
            out.append(goal)
    if any(isinstance(g, dict) for g in out):
        out = [g if isinstance(g, dict) else {"student": "", "goal": g} for g in out]
    return out


def _validate(goals: list, minutes: Any, model: str, grade: str | None) -> list[tuple[str | None, str]]:
    if not isinstance(goals, list) or not goals:
        raise InputError("give at least one goal for the session")
    if len(goals) > 3:
        raise InputError(f"a session plan takes 1 to 3 goals (or a group of 2 to 3 students); {len(goals)} were given")
    if model not in MODELS:
        raise InputError(f"model must be one of {', '.join(MODELS)}, not '{model}'")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 10 <= minutes <= 120:
        raise InputError("minutes must be a whole number from 10 to 120")
    if grade is not None and grade not in GRADE_BANDS:
        raise InputError(f"grade must be a grade band ({', '.join(GRADE_BANDS)}), not '{grade}'")
    out: list[tuple[str | None, str]] = []
    for item in goals:
        if isinstance(item, dict):
            student = item.get("student")
            if not isinstance(student, str) or not student.strip() or len(student) > 40:
                raise InputError("each group goal needs a student's first name (up to 40 characters)")
            out.append((" ".join(student.split()), clean_text(item.get("goal"), "goal", limit=5000)))
        else:
            out.append((None, clean_text(item, "goal", limit=5000)))
    return out


def plan_session(
    goals: list, minutes: int, model: str, services: Any, interests: str | None = None, grade: str | None = None
) -> SessionPlan:
    """A timed plan around each goal's own task, shaped by the service model; minutes add up exactly. Goals may be
    texts, or {student, goal} objects for a group (CONTRACT.md groups)."""
    items = _validate(goals, minutes, model, grade or None)
    grade = grade or None
    group = any(student for student, _ in items)
    services.embedder.warm([g for _, g in items])
    tasks = [read_goal(i, g, s, services) for i, (s, g) in enumerate(items)]
    students = list(dict.fromkeys(t.student for t in tasks))
    liked = _interests(interests, students)
    picker = _Picker(services, model, grade)
    if group and len(students) > 1:
        activities = _group_plan(tasks, minutes, model, picker, liked)
    else:
        activities = _solo_plan(tasks, minutes, model, picker, liked)
    by_id = picker.by_id
    citations = [
        Citation(
            source_id=a.source_id,
            title=f"Activity: {by_id[a.source_id].name}",
            excerpt=by_id[a.source_id].evidence[:280],
        )
        for a in activities
        if a.source_id in by_id
    ]
    citations = list({c.source_id: c for c in citations}.values())
    labels = [f"{t.student} (goal {t.index + 1})" if group else f"Goal {t.index + 1}" for t in tasks]
    return SessionPlan(
        model=model,
        minutes=minutes,
        activities=activities,
        data_collection=[_data_line(t, label) for t, label in zip(tasks, labels, strict=True)],
        carryover=[_carryover(t, services, label) for t, label in zip(tasks, labels, strict=True)],
        materials=sorted({m for a in activities for m in a.materials}),
        citations=citations,
        rationale=_rationale(tasks, model, group),
        domains=[t.domain for t in tasks],
        interests=list(liked.values()),
        group=group and len(students) > 1,
    )


def _interest(liked: dict[str, str], goal: GoalTask) -> str | None:
    return liked.get(goal.student) or liked.get("")


def _solo_plan(tasks: list[GoalTask], minutes: int, model: str, picker: _Picker, liked: dict) -> list:
    first = tasks[0]
    out: list[PlannedActivity] = []
    if model == "consult":
        setup, coach, wrap = _split(minutes, [0.2, 0.6, 0.2])
        out.append(
            _adult_part(
                f"Review the data with {_adult(first)}",
                setup,
                0,
                "Start from what the data shows, goal by goal.",
                [
                    f"Look over the last data on each goal with {_adult(first)}: what works, where prompts are still "
                    "needed.",
                    "Agree on the one change to try this week.",
                ],
                "preparatory",
                list(dict.fromkeys(t.student for t in tasks)),
            )
        )
        for t, share in zip(tasks, _split(coach, [1.0] * len(tasks)), strict=True):
            bank = picker.pick(t, "core") or picker.pick(t, "preparatory")
            out.append(_own_task(t, "consult", share, bank, _interest(liked, t)))
        out.append(
            _adult_part(
                "Set up and write the carryover plan",
                wrap,
                0,
                "The adults leave with what to do until the next visit.",
                [
                    "Set up the materials or the space the strategy needs, where the routine happens.",
                    "Write the carryover plan: when, who prompts, how to fade, what to record.",
                    "Agree when the OT checks the data again.",
                ],
                "wrap_up",
                list(dict.fromkeys(t.student for t in tasks)),
            )
        )
        return out
    if model == "push-in":
        setup, core, wrap = _split(minutes, [0.1, 0.78, 0.12])
        out.append(
            _adult_part(
                f"Set up with {_adult(first)} before the activity",
                setup,
                0,
                "Agree the goal's target and prompts, and place the adapted materials, before the class begins.",
                [
                    f"Agree with {_adult(first)} what counts for each goal today and how much to prompt.",
                    "Place the adapted materials where the student works, so nothing singles them out.",
                ],
                "preparatory",
                list(dict.fromkeys(t.student for t in tasks)),
            )
        )
        for t, share in zip(tasks, _split(core, [1.0] * len(tasks)), strict=True):
            bank = picker.pick(t, "core")
            out.append(_own_task(t, "push-in", share, bank, _interest(liked, t)))
        out.append(
            _adult_part(
                "Data and a word with the teacher",
                wrap,
                0,
                "Record each goal and hand the strategy over.",
                [
                    "Record each goal's data from today's tries.",
                    f"Tell {_adult(first)} the one strategy to keep using until the next session.",
                ],
                "wrap_up",
                list(dict.fromkeys(t.student for t in tasks)),
            )
        )
        return out
    prep, core, wrap = _split(minutes, [0.18, 0.67, 0.15])
    warm = picker.pick(first, "preparatory")
    if warm is not None:
        out.append(
            _banked(
                warm,
                prep,
                first,
                f"Readies {first.student} for the task of goal 1: {first.task}.",
                _interest(liked, first),
            )
        )
    else:
        out.append(
            _adult_part(
                "Preview the task",
                prep,
                0,
                "The student sees the task and its first step before trying it.",
                [
                    f"Show {first.student} the task and the materials: {first.task}.",
                    "Model it once, naming the first step.",
                ],
                "preparatory",
                [first.student],
            )
        )
        out[-1] = out[-1].model_copy(update={"with_adults": False})
    for t, share in zip(tasks, _split(core, [1.0] * len(tasks)), strict=True):
        bank = picker.pick(t, "core")
        practice, real = _split(share, [0.4, 0.6]) if bank and share >= 8 else (0, share)
        if practice:
            out.append(
                _banked(bank, practice, t, f"Skill practice for goal {t.index + 1}: {t.task}.", _interest(liked, t))
            )
        out.append(_own_task(t, "pull-out", real, bank, _interest(liked, t)))
    out.append(
        _adult_part(
            "Data and the way back to class",
            wrap,
            0,
            "Record each goal and send the strategy back to the classroom.",
            [
                "Record each goal's data with the student: how many, with which prompts.",
                f"Send {_adult(first)} the strategy and when to use it this week.",
            ],
            "wrap_up",
            list(dict.fromkeys(t.student for t in tasks)),
        )
    )
    out[-1] = out[-1].model_copy(update={"with_adults": False})
    return out


def _group_plan(tasks: list[GoalTask], minutes: int, model: str, picker: _Picker, liked: dict) -> list:
    """One shared activity in which each student works on their own target, with data for each."""
    students = list(dict.fromkeys(t.student for t in tasks))
    own = []
    for t in tasks:
        liked_step = _interest_step(t, liked.get(t.student) or liked.get(""))
        themed = f" {liked_step[0]}" if liked_step else ""
        own.append(f"{t.student}'s turn: {t.task} (target: {_criterion_words(t)}).{themed}")
    bank = next((a for a in (picker.pick(t, "core") for t in tasks) if a is not None), None)
    shared_name = (
        bank.name
        if bank
        else "side by side at one table, each student on their own task, then checking each other's work"
    )
    interest = liked.get("") or ", ".join(f"{k}: {v}" for k, v in liked.items() if k)
    if model == "consult":
        setup, coach, wrap = _split(minutes, [0.2, 0.6, 0.2])
        return [
            _adult_part(
                "Review each student's data with the staff",
                setup,
                0,
                "One look at each student's data.",
                [f"Go over the last data for {', '.join(students)}, one student at a time."],
                "preparatory",
                students,
            ),
            _adult_part(
                f"Model and coach the group activity: {shared_name}",
                coach,
                0,
                "The adults learn to run one activity in which each student works on their own target.",
                [
                    "Model for the adult how to run it so that each student has a turn at their own target.",
                    *(f"Coach the adult through {line}" for line in own),
                    *(
                        [f"Show the adult how to build it around the students' interests ({interest})."]
                        if interest
                        else []
                    ),
                    "Agree with the adult the prompt level for each student.",
                ],
                "core",
                students,
                bank.id if bank else "",
            ),
            _adult_part(
                "Write the group carryover plan",
                wrap,
                0,
                "What each adult does until the next visit.",
                ["Write down for each student what they work on, who prompts, and what to record."],
                "wrap_up",
                students,
            ),
        ]
    warm_share, core, wrap = _split(minutes, [0.15, 0.7, 0.15])
    warm = picker.pick(tasks[0], "preparatory") if model == "pull-out" else None
    out: list[PlannedActivity] = []
    if warm is not None:
        out.append(
            _banked(warm, warm_share, tasks[0], "A shared warm-up for the group.", liked.get("")).model_copy(
                update={"students": students}
            )
        )
    else:
        out.append(
            _adult_part(
                "Set up the shared activity",
                warm_share,
                0,
                "Roles and materials ready so each student starts at once.",
                [
                    "Give each student their role and materials for the shared activity.",
                    "Say each student's target in a word or a picture.",
                ],
                "preparatory",
                students,
            )
        )
    steps = ["Everyone works on the same activity; each student's turn is their own target:", *own]
    if interest:
        steps.append(f"Build the activity around the group's interests ({interest}).")
    if bank is not None:
        steps.append(f"Adapt for each student: easier, {bank.easier.lower()} Harder, {bank.harder.lower()}")
    where = tasks[0].routine
    out.append(
        PlannedActivity(
            name=f"Shared activity: {shared_name}" + (f" ({where})" if model == "push-in" else ""),
            minutes=core,
            purpose="One activity for the group, each student practising their own goal, with data for each.",
            goal_ref=0,
            materials=list(bank.materials) if bank else [],
            easier=bank.easier if bank else "Shorter turns with a model.",
            harder=bank.harder if bank else "Longer turns with fewer prompts.",
            phase="core",
            steps=steps,
            source_id=bank.id if bank else "",
            classroom_routine=where if model == "push-in" else None,
            students=students,
        )
    )
    out.append(
        _adult_part(
            "Data for each student",
            wrap,
            0,
            "Each student's data on their own goal.",
            [f"Record {t.student}'s data on goal {t.index + 1}." for t in tasks],
            "wrap_up",
            students,
        )
    )
    out[-1] = out[-1].model_copy(update={"with_adults": False})
    return out


def _carryover(goal: GoalTask, services: Any, label: str) -> str:
    """What the adult does between sessions, from the goal itself; a primer strategy only when it is about this task."""
    prompts = f" ({goal.prompting})" if goal.prompting else ""
    line = (
        f"{label}: {_cap(_adult(goal))} gives {goal.student} the chance to {goal.task} {_in(goal.routine)} each time "
        f"it comes up, with no more help than the goal allows{prompts}, and notes how it went."
    )
    sentences, _ = strategy_sentences(services, goal.domain)
    task = _stems(goal.task)
    fitting = [s for s in sentences if len(task & _stems(s)) >= 2]
    return f"{line} {fitting[0]}" if fitting else line


def _private(goal: GoalTask) -> bool:
    return bool(_lex("private_routines").find(tokenize(f"{goal.task} {goal.condition}")))


def _rationale(tasks: list[GoalTask], model: str, group: bool) -> str:
    first = tasks[0]
    where = first.routine
    if group and len({t.student for t in tasks}) > 1:
        places = "; ".join(f"{t.student}'s {_in(t.routine)}" for t in tasks)
        shape = {
            "push-in": "inside the class activity, one shared activity in which each student works on their own target",
            "pull-out": "a small group: one shared activity, each student on their own target, then each goes back "
            "to their own routine",
            "consult": "with the adults who run each student's routine",
        }[model]
        return f"A {model} group ({shape}). Where each goal is used: {places}; each student has their own data."
    if model == "push-in":
        return (
            f"Push-in: {first.student}'s goal is used {where}, so practice happens there with the class and "
            f"{_adult(first)}; the OT adapts the task in place, with no drills that single {first.student} out."
        )
    if model == "consult":
        return (
            f"Consultation: {_adult(first)} is there {_in(where)} every time it happens, so the OT's time goes to "
            "reviewing data, modelling, coaching and setting up; the practice happens every time, not only on "
            "OT days."
        )
    if any(_private(t) for t in tasks):
        why = "privacy: a personal-care routine is practised in a private space"
    else:
        why = "focused practice of a skill that is still new, with fewer distractions"
    who = "the group" if group else first.student
    return (
        f"Pull-out for {why}; the session ends with the real task and a plan for {who} to use it {where}, "
        "since the least restrictive setting comes first."
    )


# --- service-model advice -------------------------------------------------------------------------------------

_NEW_SKILL = re.compile(r"new skill|just starting|emerging|not yet|can't yet|has never|distract|noisy", re.I)


def _gap(text: str) -> float | None:
    """How far the baseline is from the goal's target, 0 (there) to 1 (not started), when both are numbers of the
    same kind (percent, or x of y)."""
    base = re.search(r"baseline[^)]{0,200}", text, re.I)
    if not base:
        return None

    def share(s: str) -> float | None:
        pct = re.search(r"(\d+(?:\.\d+)?)\s*%", s)
        if pct:
            return float(pct.group(1)) / 100
        xy = re.search(r"\b(\d+)\s+(?:out\s+)?of\s+(\d+)\b", s)
        return int(xy.group(1)) / int(xy.group(2)) if xy and int(xy.group(2)) else None

    now, target = share(base.group(0)), share(text[: base.start()])
    if now is None or not target:
        return None
    return max(0.0, min(1.0, (target - now) / target))


def advise_service_model(goals: list[str], services: Any, context: str = "") -> ServiceAdvice:
    """A consult / push-in / pull-out mix with minutes per week, least restrictive first, reasoned from the goals:
    where each is used, whether it needs privacy, how new the skill is, and whether the adults carry it."""
    goals = [clean_text(g, "goal", limit=5000) for g in goals] if goals else []
    if not goals:
        raise InputError("give at least one goal")
    consult, push, pull = 15, 0, 0
    reasons: list[str] = []
    for i, text in enumerate(goals):
        task = read_goal(i, text, None, services)
        gap = _gap(text)
        new = (gap is not None and gap >= 0.6) or bool(_NEW_SKILL.search(context))
        private = _private(task) or bool(_lex("private_routines").find(tokenize(context)))
        adult = task.domain in plan_words()["adult_carried"]
        base = 20 if gap is None else round(10 + 20 * gap)
        if private:
            pull += base
            reasons.append(
                f"goal {i + 1} ({task.task}) is a personal-care routine that needs privacy: practice in a private "
                f"space, {base} min"
            )
        elif new:
            pull += round(base * 0.5)
            push += base - round(base * 0.5)
            reasons.append(
                f"goal {i + 1} is a new skill (the baseline is far from the target): some pull-out "
                f"practice first, then {task.routine}"
            )
        else:
            push += base
            reasons.append(f"goal {i + 1} is practised {task.routine}, where it is used")
        if adult:
            consult += 10
            reasons.append(f"goal {i + 1} rests on what the adults do every day ({_adult(task)}): more consultation")
    mix = [
        {
            "model": "consult",
            "minutes_per_week": consult,
            "purpose": "Coach the teacher and aides, set up the supports, review the data.",
        }
    ]
    if push:
        mix.append({"model": "push-in", "minutes_per_week": push, "purpose": "Practice inside the class routines."})
    if pull:
        mix.append(
            {
                "model": "pull-out",
                "minutes_per_week": pull,
                "purpose": "Private or focused practice the classroom cannot offer yet.",
            }
        )
    reason = "Least restrictive first: " + "; ".join(reasons) + "."
    return ServiceAdvice(mix=mix, total_minutes_per_week=sum(m["minutes_per_week"] for m in mix), rationale=reason)
