"""Turn corpus records into retrievable chunks with stable ids (source_id#section) and flat metadata."""

import hashlib
import json

from pydantic import BaseModel, Field

from assistant.corpus import Activity, Corpus, GoalTemplate, PrimerDoc, ScopeCase, band_sort
from assistant.goalbank import render_template
from assistant.vocab import DOMAIN_TITLES, GRADE_BANDS

# Bump when chunk text changes shape, so every chunk is re-embedded once.
CHUNKER_VERSION = "4"
# Words people use for each grade band, so "7th grader" or "preschooler" finds records tagged 6_8 or prek.
BAND_WORDS = {
    "prek": "preschool pre-K preschooler age 3-5",
    "k2": "kindergarten first grade second grade early elementary",
    "3_5": "third grade fourth grade fifth grade upper elementary",
    "6_8": "middle school sixth grade seventh grade eighth grade middle schooler",
    "9_12": "high school ninth grade tenth grade eleventh grade twelfth grade teen",
    "transition_18_21": "transition program 18-21 young adult post-secondary",
}


def band_words(bands: list[str]) -> str:
    """A line naming the grades, unless the record spans every band (then it says nothing)."""
    if set(bands) >= set(GRADE_BANDS):
        return ""
    return "\nFor: " + "; ".join(BAND_WORDS[b] for b in band_sort(bands)) + "."


class Chunk(BaseModel):
    """One retrievable passage."""

    id: str = Field(description="source_id#section, stable across refreshes.")
    source_id: str
    section: str
    kind: str
    title: str
    text: str
    domains: list[str] = Field(default_factory=list)
    grade_bands: list[str] = Field(default_factory=list)
    extra: dict[str, str] = Field(default_factory=dict, description="Kind-specific metadata (verdict, setting...).")

    @property
    def content_hash(self) -> str:
        payload = json.dumps([CHUNKER_VERSION, self.model_dump()], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:20]

    def metadata(self) -> dict[str, str | bool]:
        """Chroma metadata: scalars only, so lists become joined strings plus one flag per value."""
        meta: dict[str, str | bool] = {
            "source_id": self.source_id,
            "section": self.section,
            "kind": self.kind,
            "title": self.title,
            "domains": "|".join(self.domains),
            "grade_bands": "|".join(self.grade_bands),
            "hash": self.content_hash,
            **self.extra,
        }
        meta.update({f"d_{d}": True for d in self.domains})
        meta.update({f"g_{g}": True for g in self.grade_bands})
        return meta


def _concerns(concerns: list[str]) -> str:
    return "\nWhen to use it: " + "; ".join(concerns) + "." if concerns else ""


def _questions(questions: list[str]) -> str:
    return "\nAnswers questions like: " + " ".join(questions) if questions else ""


def _primer_chunks(doc: PrimerDoc) -> list[Chunk]:
    return [
        Chunk(
            id=f"{doc.id}#{s.slug}",
            source_id=doc.id,
            section=s.slug,
            kind="primer",
            title=f"{doc.title}: {s.heading}",
            text=f"{doc.title}. {s.heading}.\n{s.text}\n({doc.summary}){_questions(doc.questions)}"
            f"{band_words(doc.grade_bands)}",
            domains=list(doc.domains),
            grade_bands=band_sort(doc.grade_bands or list(GRADE_BANDS)),
        )
        for s in doc.sections
    ]


def _goal_chunk(goal: GoalTemplate) -> Chunk:
    area = DOMAIN_TITLES[goal.domain]
    text = (
        f"Goal bank, {area}: {goal.skill} ({goal.support_level.replace('_', ' ')}).\n"
        f"{render_template(goal)}\nWhy it matters at school: {goal.educational_relevance}"
        f"{_concerns(goal.concerns)}{band_words(goal.grade_bands)}"
    )
    return Chunk(
        id=f"{goal.id}#goal",
        source_id=goal.id,
        section="goal",
        kind="goal",
        title=f"Goal bank: {goal.skill}",
        text=text,
        domains=[goal.domain],
        grade_bands=band_sort(goal.grade_bands),
        extra={"support_level": goal.support_level, "family": f"{goal.domain}:{goal.skill}"},
    )


def _activity_chunk(act: Activity) -> Chunk:
    text = (
        f"Activity: {act.name}. Skills: {', '.join(act.skills)}. Setting: {act.setting}; "
        f"{act.phase.replace('_', ' ')} part, about {act.minutes} minutes.\n"
        f"Steps: {' '.join(act.steps)}\nMaterials: {', '.join(act.materials)}.\n"
        f"Easier: {act.easier} Harder: {act.harder}\nEvidence: {act.evidence}"
    )
    if act.classroom_routine:
        text += f"\nClassroom routine: {act.classroom_routine}."
    text += _concerns(act.concerns) + band_words(act.grade_bands)
    return Chunk(
        id=f"{act.id}#activity",
        source_id=act.id,
        section="activity",
        kind="activity",
        title=f"Activity: {act.name}",
        text=text,
        domains=list(act.domains),
        grade_bands=band_sort(act.grade_bands),
        extra={"setting": act.setting, "phase": act.phase},
    )


def _scope_chunk(case: ScopeCase) -> Chunk:
    text = (
        f"Scope question: {case.scenario}\nVerdict: {case.verdict.replace('_', ' ')}. "
        f"Deciding factor: {case.deciding_factor}\n{case.rationale}"
    )
    if case.in_scope_path:
        text += f"\nWhat school OT can do: {case.in_scope_path}"
    text += band_words(case.grade_bands)
    return Chunk(
        id=f"{case.id}#case",
        source_id=case.id,
        section="case",
        kind="scope",
        title=f"Scope case: {case.scenario[:80]}",
        text=text,
        domains=[case.domain],
        grade_bands=band_sort(case.grade_bands),
        extra={"verdict": case.verdict},
    )


def chunk_corpus(corpus: Corpus) -> list[Chunk]:
    """Every chunk of the corpus, in a stable order."""
    chunks: list[Chunk] = []
    for doc in corpus.primer:
        chunks.extend(_primer_chunks(doc))
    chunks.extend(_goal_chunk(g) for g in corpus.goals)
    chunks.extend(_activity_chunk(a) for a in corpus.activities)
    chunks.extend(_scope_chunk(c) for c in corpus.scope)
    return chunks
