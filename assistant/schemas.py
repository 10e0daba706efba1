"""Pydantic contracts shared across capabilities (CONTRACT.md shapes)."""

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field

from assistant.vocab import Domain, GradeBand, Kind, Pathway, SupportLevel


class Citation(BaseModel):
    """A corpus source behind an answer; source_id always exists in the corpus."""

    source_id: str
    title: str
    excerpt: str


class Passage(BaseModel):
    """A retrieved chunk with its fused score."""

    chunk_id: str = Field(description="source_id#section")
    source_id: str
    title: str
    text: str
    kind: str
    domains: list[str] = Field(default_factory=list)
    score: float = Field(description="Reciprocal-rank-fusion score; higher is better.")

    def citation(self, excerpt_chars: int = 280) -> Citation:
        text = " ".join(self.text.split())
        excerpt = text if len(text) <= excerpt_chars else text[: excerpt_chars - 1].rsplit(" ", 1)[0] + "…"
        return Citation(source_id=self.source_id, title=self.title, excerpt=excerpt)


class SearchFilters(BaseModel):
    """Metadata filters for retrieval; None means any."""

    kind: Kind | None = None
    domain: Domain | None = None
    grade_band: GradeBand | None = None


class Check(BaseModel):
    """One rubric line of a review."""

    id: str
    name: str
    passed: bool
    severity: Literal["critical", "major", "minor"]
    message: str


class Review(BaseModel):
    """The rubric verdict on a goal (CONTRACT.md REVIEW)."""

    measurable: bool = Field(description="True when every critical check passes.")
    domain: Domain | None
    checks: list[Check]
    suggested_rewrite: str | None = Field(description="A version that passes; [brackets] mark facts to fill in.")
    anti_patterns: list[str] = Field(default_factory=list, description="Named defects, e.g. vague verb.")


class Components(BaseModel):
    timeframe: str
    condition: str
    behavior: str
    criterion: str
    mastery: str
    measurement: str
    baseline: str | None
    target: str


class Objective(BaseModel):
    period: str
    text: str
    value: float | None = Field(None, description="The criterion number of this benchmark, in the goal's unit.")


class FitAlternative(BaseModel):
    source_id: str
    goal_text: str
    score: float


class Fit(BaseModel):
    """How well the drafted goal answers the request (CONTRACT.md FIT)."""

    score: float
    status: Literal["good", "partial", "none"]
    reasons: list[str]
    alternatives: list[FitAlternative] = Field(default_factory=list)


Grade = Literal["prek", "k", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "18-21"]
BaselineUnit = Literal["percent", "of", "count", "per_minute", "minutes", "seconds", "level"]
Support = Literal["independent", "verbal", "visual", "gestural", "model", "partial_physical", "full_physical"]
# The prompt hierarchy of DOMAIN.md, most support first.
SUPPORT_ORDER: tuple[str, ...] = (
    "full_physical", "partial_physical", "model", "gestural", "visual", "verbal", "independent"
)  # fmt: skip


class Baseline(BaseModel):
    """One present level the request states, in its own words and unit (never converted)."""

    text: str = Field(description="The request's own words for it.")
    value: float | None = None
    value_max: float | None = Field(None, description="The high end of a range ('6-8 times'), else None.")
    unit: BaselineUnit | None = None
    out_of: float | None = Field(None, description="y of 'x of y' (unit 'of') or of a rubric level.")
    counts: str | None = Field(None, description="What was counted or timed, in the request's words.")
    conflict: bool = Field(False, description="Another report of the same measure disagrees with this one.")


class Case(BaseModel):
    """What the assistant understood from a request (CONTRACT.md CASE); every fact carries its evidence."""

    request: str = Field("", description="The request as cleaned, for retrieval; not shown back.")
    student: str | None = Field(None, description="The student's first name as written.")
    grade: Grade | None = None
    age: int | None = None
    grade_band: GradeBand | None = None
    plan: Literal["iep", "504", "mtss", "none"] | None = None
    routine: str | None = Field(None, description="The school routine id (assistant/data/routines.yaml).")
    routines: list[str] = Field(default_factory=list, description="Every routine named, strongest first.")
    setting: str | None = None
    skill: str | None = Field(None, description="The need the OT named, in the request's words.")
    baselines: list[Baseline] = Field(default_factory=list)
    support: Support | None = Field(None, description="The most support the student needs now.")
    communication: Literal["verbal", "nonverbal", "aac"] | None = None
    access: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list, description="Interests in the request's words.")
    themes: list[str] = Field(default_factory=list, description="Interest themes from the vocabulary.")
    team: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list, description="Tools and accommodations the request names.")
    support_level: SupportLevel | None = Field(None, description="A goal variant asked for ('more support').")
    pronoun: Literal["he", "she", "they"] | None = None
    evidence: dict[str, str] = Field(default_factory=dict, description="Field -> the words it came from.")
    conflicts: list[str] = Field(default_factory=list, description="Reports that disagree, in plain words.")

    @property
    def name(self) -> str:
        """The student's name for a goal sentence, or 'the student'."""
        return self.student[:1].upper() + self.student[1:] if self.student else "the student"

    @property
    def baseline(self) -> Baseline | None:
        """The present level a goal starts from: of the levels stated, the one whose words share the most with
        the skill asked for ("initiated an interaction with a peer 0 times" for a peer-play goal, not "combines
        two symbols"); the first one stated when none shares more."""
        if len(self.baselines) < 2 or not self.skill:
            return self.baselines[0] if self.baselines else None
        return self.baselines[_skill_level(self.request, self.skill, tuple(b.text for b in self.baselines[:12]))]


class Goal(BaseModel):
    """A drafted goal (CONTRACT.md goal)."""

    goal_text: str
    domain: Domain
    student: str
    case: Case | None = Field(None, description="What the assistant understood from the request.")
    components: Components
    objectives: list[Objective]
    educational_relevance: str
    missing_information: list[str]
    citations: list[Citation]
    review: Review
    template_id: str = Field(description="The goal-bank entry it was built from.")
    support_level: SupportLevel
    grade_band: GradeBand | None = None
    variants: dict[str, str] = Field(default_factory=dict, description="Support level -> goal text.")
    notes: list[str] = Field(default_factory=list, description="Visible notes, e.g. that the offline draft was used.")
    fit: Fit | None = None
    finished: bool = Field(True, description="False for a frame with [slots] or a draft that failed a content check.")
    routines: list[str] = Field(default_factory=list, description="The routines the goal itself is about.")
    baseline_unit: str | None = Field(None, description="The unit the goal counts in (the template's).")
    baseline_value: float | None = Field(None, description="The request's baseline in the goal's unit, when usable.")
    target_value: float | None = None
    prompting: str | None = Field(None, description="The goal's prompt phrase as its text writes it.")
    more_goals: list["Goal"] = Field(default_factory=list, description="One goal for each further need asked for.")


class ScopeAnswer(BaseModel):
    """A scope verdict (CONTRACT.md scope)."""

    kind: Literal["decision", "information"] = Field(
        "decision", description="A question about a student gets a verdict; a general or procedure question an answer."
    )
    answer: str = Field("", description="The answer in a few sentences: the verdict's guidance, or the library's.")
    verdict: Literal["in_scope", "out_of_scope", "depends"] | None = None
    pathways: list[Pathway]
    rationale: str
    follow_up_questions: list[str]
    citations: list[Citation]
    deciding_factor: str = ""
    in_scope_path: str | None = Field(None, description="What school OT can do when the request as asked is not.")
    procedures: list[str] = Field(
        default_factory=list,
        description="The procedures the answer names (assistant/data/scope_words.yaml), first leads.",
    )
    signals: dict[str, bool] = Field(default_factory=dict, description="What the question said that decided it.")


class PlannedActivity(BaseModel):
    """One timed part of a session (CONTRACT.md plan.activities)."""

    name: str
    minutes: int
    purpose: str
    goal_ref: int = Field(description="Index (from 0) of the goal in the request that this activity serves.")
    materials: list[str]
    easier: str
    harder: str
    phase: str
    steps: list[str] = Field(default_factory=list)
    source_id: str = Field(description="The activity-bank entry it comes from ('' for the OT's own part).")
    classroom_routine: str | None = None
    students: list[str] = Field(default_factory=list, description="Who takes part (CONTRACT.md groups).")
    with_adults: bool = Field(False, description="The OT works with the adults here, not with the student.")


class SessionPlan(BaseModel):
    """A session plan (CONTRACT.md plan)."""

    model: Literal["push-in", "pull-out", "consult"]
    minutes: int
    activities: list[PlannedActivity]
    data_collection: list[str]
    carryover: list[str]
    materials: list[str]
    citations: list[Citation]
    rationale: str = ""
    domains: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    group: bool = Field(False, description="A group of students, each with their own goal.")


class ServiceAdvice(BaseModel):
    """A service-model mix with minutes per week, least restrictive first."""

    mix: list[dict]
    total_minutes_per_week: int
    rationale: str


@lru_cache(maxsize=512)
def _skill_level(request: str, skill: str, levels: tuple[str, ...]) -> int:
    """Which stated level shares the most words with the skill: read once per request (a fit reads the
    baseline for every bank goal it scores)."""
    wanted = _stems(skill)
    shared = [len(wanted & _stems(_around(request, text))) for text in levels]
    return shared.index(max(shared))


def _around(text: str, words: str) -> str:
    """The words of a baseline with the sentence part around it (60 characters before, 30 after)."""
    at = text.find(words)
    if at < 0:
        return words
    start = max(text.rfind(".", 0, at) + 1, at - 60)
    return text[start : at + len(words) + 30]


def _stems(text: str) -> set[str]:
    """The content words of a phrase by their first five letters ("interactions" ~ "interaction")."""
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower())}
