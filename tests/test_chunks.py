"""Chunks carry stable source_id#section ids and flat, filterable metadata."""

from assistant.chunks import chunk_corpus


def test_every_chunk_id_is_source_and_section_and_unique(corpus):
    chunks = chunk_corpus(corpus)
    ids = [c.id for c in chunks]
    assert len(ids) == len(set(ids))
    known = set(corpus.by_id())
    for chunk in chunks:
        assert chunk.id == f"{chunk.source_id}#{chunk.section}"
        assert chunk.source_id in known


def test_each_primer_section_is_its_own_chunk(corpus):
    doc = corpus.primer[0]
    chunks = [c for c in chunk_corpus(corpus) if c.source_id == doc.id]
    assert [c.section for c in chunks] == [s.slug for s in doc.sections]
    assert all(c.kind == "primer" and doc.title in c.title for c in chunks)


def test_metadata_has_one_flag_per_domain_and_grade_band(corpus):
    chunk = next(c for c in chunk_corpus(corpus) if c.kind == "goal")
    meta = chunk.metadata()
    assert meta["kind"] == "goal" and meta["source_id"] == chunk.source_id
    assert all(meta[f"d_{d}"] is True for d in chunk.domains)
    assert all(meta[f"g_{g}"] is True for g in chunk.grade_bands)
    assert all(isinstance(v, str | bool) for v in meta.values())


def test_the_content_hash_is_stable_and_follows_the_text(corpus):
    first, again = chunk_corpus(corpus)[0], chunk_corpus(corpus)[0]
    assert first.content_hash == again.content_hash
    assert first.model_copy(update={"text": first.text + " more"}).content_hash != first.content_hash
