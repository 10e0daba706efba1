"""Load and validate the corpus files into typed records."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, Field, StringConstraints, ValidationError, field_validator, model_validator

from assistant.errors import CorpusError
from assistant.vocab import (
    GRADE_BANDS,
    OBSERVABLE_VERBS,
    VAGUE_PHRASES,
    Domain,
    GradeBand,
    Ladder,
    Pathway,
    Phase,
    Setting,
    SupportLevel,
    Theme,
    Unit,
    Verdict,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
RecordId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
_BAND_ORDER = {band: i for i, band in enumerate(GRADE_BANDS)}


def _no_vague_verbs(text: str) -> str:
    lowered = f" {text.lower()} "
    for phrase in VAGUE_PHRASES:
        if f" {phrase} " in lowered:
            raise ValueError(f"uses the unobservable phrase '{phrase}'")
    return text


class Record(BaseModel, extra="forbid"):
    """Fields every corpus record has."""

    id: RecordId = Field(description="Stable id, lower-case words joined by hyphens.")
    sources: list[Text] = Field(min_length=1, description="Where the facts come from, by name.")


class PrimerSection(BaseModel):
    """One headed section of a primer document."""

    heading: Text
    slug: str
    text: Text


class PrimerDoc(Record):
    """A primer document: Markdown with YAML front matter and '## ' headed sections."""

    title: Text
    domains: list[Domain] = Field(default_factory=list, description="Domains it covers; [] for general topics.")
    grade_bands: list[GradeBand] = Field(default_factory=lambda: list(GRADE_BANDS))
    summary: Text = Field(description="One or two sentences on what the document covers.")
    questions: list[Text] = Field(
        default_factory=list, description="Questions the document answers, as a school OT would ask them."
    )
    sections: list[PrimerSection] = Field(min_length=2, description="Parsed from the body.")


class ScopeCase(Record):
    """A worked scope question: is this in school-OT scope, and by which vehicle."""

    scenario: Text = Field(description="The question or situation as an OT would meet it.")
    verdict: Verdict
    pathways: list[Pathway] = Field(min_length=1)
    domain: Domain
    grade_bands: list[GradeBand] = Field(min_length=1)
    plan: str = Field(pattern="^(iep|section_504|mtss|none|unknown)$", description="The student's current plan.")
    deciding_factor: Text = Field(description="The one fact the verdict turns on.")
    rationale: Text
    in_scope_path: str | None = Field(None, description="What school OT can do when the request is not.")
    follow_up_questions: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _depends_asks(self) -> "ScopeCase":
        if self.verdict == "depends" and not self.follow_up_questions:
            raise ValueError("a 'depends' case needs follow_up_questions")
        return self


class GoalTemplate(Record):
    """A goal-bank entry that renders into a measurable annual goal."""

    domain: Domain
    skill: Text
    grade_bands: list[GradeBand] = Field(min_length=1)
    support_level: SupportLevel
    condition: Text = Field(description="Given what, or where: 'during journal writing, given lined paper'.")
    behavior: Text = Field(description="Starts with an observable verb: 'write a 3-sentence journal entry'.")
    criterion: Text = Field(description="How much, with {target}: 'with at least {target} of letters on the line'.")
    unit: Unit
    default_target: float = Field(gt=0, description="Target used when no baseline is given.")
    higher_is_better: bool = True
    prompt_level: Text = Field(description="'independently' or 'with no more than 1 verbal prompt'.")
    mastery: Text = Field(description="Consistency: 'in 4 of 5 trials across 3 consecutive weeks'.")
    measurement: Text = Field(description="How data are taken: 'work samples scored with a legibility rubric'.")
    baseline_unit: Text = Field(description="What a baseline is counted in, same unit as the criterion.")
    educational_relevance: Text
    ladder: Ladder
    ladder_prompts: list[Text] = Field(default_factory=list, description="Support faded across periods.")
    concerns: list[Text] = Field(
        default_factory=list, description="How teachers and OTs describe the problem this goal answers, in their words."
    )

    @field_validator("behavior")
    @classmethod
    def _observable(cls, value: str) -> str:
        verb = value.split()[0].lower()
        if verb not in OBSERVABLE_VERBS:
            raise ValueError(f"behavior must start with an observable verb, not '{verb}'")
        return _no_vague_verbs(value)

    @field_validator("criterion")
    @classmethod
    def _has_target(cls, value: str) -> str:
        if "{target}" not in value:
            raise ValueError("criterion must contain {target}")
        return value

    @field_validator("mastery")
    @classmethod
    def _mastery_counts(cls, value: str) -> str:
        if not re.search(r"\d|consecutive", value):
            raise ValueError("mastery must say over how many trials, sessions, days or probes")
        return value

    @model_validator(mode="after")
    def _fading_has_prompts(self) -> "GoalTemplate":
        if self.ladder == "fading_prompts" and len(self.ladder_prompts) < 2:
            raise ValueError("a fading_prompts ladder needs at least 2 ladder_prompts")
        if self.unit == "percent" and self.default_target > 100:
            raise ValueError("a percent target cannot exceed 100")
        return self


class Activity(Record):
    """An activity-bank entry a session plan can use."""

    name: Text
    domains: list[Domain] = Field(min_length=1)
    skills: list[Text] = Field(min_length=1)
    setting: Setting
    phase: Phase = Field(description="preparatory, core (the real school task) or wrap_up.")
    grade_bands: list[GradeBand] = Field(min_length=1)
    minutes: int = Field(ge=2, le=45)
    materials: list[Text] = Field(min_length=1)
    steps: list[Text] = Field(min_length=2)
    easier: Text
    harder: Text
    themes: list[Theme] = Field(default_factory=list, description="Interest themes it adapts to.")
    theme_hint: str | None = Field(None, description="How to weave a theme in, with {theme}.")
    classroom_routine: str | None = Field(None, description="The real routine a push-in version sits in.")
    evidence: Text
    concerns: list[Text] = Field(
        default_factory=list, description="How teachers and OTs describe the need this activity serves."
    )


class Corpus(BaseModel):
    """Every record of the corpus, validated."""

    primer: list[PrimerDoc] = Field(default_factory=list)
    scope: list[ScopeCase] = Field(default_factory=list)
    goals: list[GoalTemplate] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    files: dict[str, list[str]] = Field(default_factory=dict, description="Relative file -> record ids.")

    def section_texts(self) -> dict[str, str]:
        """Primer section text by chunk id (doc-id#section-slug), without the chunk's added context."""
        return {f"{d.id}#{s.slug}": s.text for d in self.primer for s in d.sections}

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in (*self.primer, *self.scope, *self.goals, *self.activities)}


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads 3_5 as a string: YAML 1.1 would make grade bands integers."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(0|[1-9][0-9]*)$"), list("-+0123456789"))


def load_yaml(text: str) -> Any:
    """Parse YAML with the corpus's rules (no underscore integers)."""
    return yaml.load(text, Loader=_Loader)


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)
_YAML_KINDS = {"scope": ScopeCase, "goals": GoalTemplate, "activities": Activity}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def parse_sections(body: str) -> list[dict[str, str]]:
    """Split a Markdown body on '## ' headings; text before the first heading is dropped."""
    sections: list[dict[str, str]] = []
    for block in re.split(r"^## +", body, flags=re.M)[1:]:
        heading, _, text = block.partition("\n")
        slug = base = slugify(heading)
        n = 2
        while any(s["slug"] == slug for s in sections):
            slug, n = f"{base}-{n}", n + 1
        sections.append({"heading": heading.strip(), "slug": slug, "text": text.strip()})
    return sections


def _primer_doc(path: Path) -> PrimerDoc:
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        raise CorpusError(f"{path}: no YAML front matter between '---' lines")
    meta = load_yaml(match.group(1)) or {}
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: front matter is not a mapping")
    return _validate(PrimerDoc, {**meta, "sections": parse_sections(match.group(2))}, path, meta.get("id"))


def _validate(model: type[BaseModel], data: Any, path: Path, label: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise CorpusError(f"{path}: record {label}: {where}: {first['msg']}") from None


def _yaml_records(path: Path, model: type[BaseModel]) -> Iterator[Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise CorpusError(f"{path}:{line} is not valid YAML") from None
    if not isinstance(data, list):
        raise CorpusError(f"{path}: expected a list of records")
    for i, item in enumerate(data):
        label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        yield _validate(model, item, path, label)


def load_corpus(root: Path) -> Corpus:
    """Read every corpus file under root; raise CorpusError naming the file, record and reason."""
    if not root.is_dir():
        raise CorpusError(f"corpus folder not found: {root}")
    corpus = Corpus()
    seen: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        kind = path.relative_to(root).parts[0]
        if path.suffix == ".md" and kind == "primer":
            records = [_primer_doc(path)]
            corpus.primer.extend(records)
        elif path.suffix in {".yaml", ".yml"} and kind in _YAML_KINDS:
            records = list(_yaml_records(path, _YAML_KINDS[kind]))
            getattr(corpus, kind).extend(records)
        else:
            continue
        for record in records:
            if record.id in seen:
                raise CorpusError(f"{path}: record {record.id}: id already used in {seen[record.id]}")
            seen[record.id] = path
        corpus.files[str(path.relative_to(root))] = [r.id for r in records]
    return corpus


def band_sort(bands: list[str]) -> list[str]:
    return sorted(set(bands), key=_BAND_ORDER.__getitem__)
