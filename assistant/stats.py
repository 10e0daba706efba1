"""Corpus statistics: counts per kind x domain x grade band."""

from collections import Counter

from assistant.corpus import Corpus
from assistant.vocab import DOMAINS, GRADE_BANDS

KINDS = ("primer", "scope", "goals", "activities")


def _records(corpus: Corpus, kind: str) -> list[tuple[list[str], list[str]]]:
    """(domains, grade bands) of each record of a kind."""
    out = []
    for record in getattr(corpus, kind):
        domains = getattr(record, "domains", None)
        if domains is None:
            domains = [record.domain]
        out.append((list(domains) or ["general"], list(record.grade_bands)))
    return out


def corpus_stats(corpus: Corpus) -> dict:
    """Totals per kind, and per kind x domain x grade band (a record counts in every cell it names)."""
    table: dict[str, dict[str, dict[str, int]]] = {}
    totals = {}
    for kind in KINDS:
        records = _records(corpus, kind)
        totals[kind] = len(records)
        cells: dict[str, Counter] = {}
        for domains, bands in records:
            for domain in domains:
                cells.setdefault(domain, Counter()).update(bands)
        table[kind] = {d: dict(c) for d, c in sorted(cells.items())}
    verdicts = Counter(case.verdict for case in corpus.scope)
    return {"totals": totals, "by_kind_domain_band": table, "scope_verdicts": dict(verdicts)}


def stats_markdown(stats: dict) -> str:
    """A Markdown table per kind: domains as rows, grade bands as columns."""
    lines = [
        " | ".join(f"{k}: {v}" for k, v in stats["totals"].items()),
        "scope verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(stats["scope_verdicts"].items())),
    ]
    for kind, cells in stats["by_kind_domain_band"].items():
        lines += ["", f"{kind}", "| domain | " + " | ".join(GRADE_BANDS) + " |", "|---|" + "---|" * len(GRADE_BANDS)]
        for domain in (*DOMAINS, "general"):
            if domain in cells:
                row = cells[domain]
                lines.append(f"| {domain} | " + " | ".join(str(row.get(b, 0)) for b in GRADE_BANDS) + " |")
    return "\n".join(lines)
