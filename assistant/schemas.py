"""Pydantic contracts shared across capabilities (CONTRACT.md shapes)."""

from pydantic import BaseModel, Field

from assistant.vocab import Domain, GradeBand, Kind


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
