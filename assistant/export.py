"""Export documents as Markdown or DOCX (python-docx); written only where the user asks."""

import io
import re
from pathlib import Path

from assistant.handouts import Document
from assistant.schemas import Goal


def goal_markdown(goal: Goal) -> str:
    """The goal, its objectives, what is missing and its sources, as Markdown."""
    lines = [f"# IEP goal: {goal.student}", "", goal.goal_text, "", "## Objectives"]
    lines += [f"- **{o.period}:** {o.text}" for o in goal.objectives]
    lines += ["", f"**Educational relevance:** {goal.educational_relevance}"]
    if goal.missing_information:
        lines += ["", "## Still needed", *(f"- {m}" for m in goal.missing_information)]
    lines += ["", "## Sources", *(f"- `{c.source_id}`: {c.title}" for c in goal.citations)]
    return "\n".join(lines)


def bundle_markdown(goal: Goal, documents: list[Document]) -> str:
    return "\n\n---\n\n".join([goal_markdown(goal), *(d.markdown for d in documents)])


def _add_markdown(doc: object, markdown: str) -> None:
    """A small Markdown subset: headings, bullets, tables, bold runs, paragraphs."""
    table_rows: list[list[str]] = []

    def flush_table() -> None:
        if not table_rows:
            return
        table = doc.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(table_rows):
            for c, cell in enumerate(row[: len(table_rows[0])]):
                table.cell(r, c).text = cell
        table_rows.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(re.fullmatch(r"-+", c) for c in cells):
                table_rows.append(cells)
            continue
        flush_table()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            doc.add_heading(line.lstrip("# ").strip(), level=min(level, 3))
        elif line.startswith("- "):
            _runs(doc.add_paragraph(style="List Bullet"), line[2:])
        elif line.strip() and line.strip() != "---":
            _runs(doc.add_paragraph(), line)
    flush_table()


def _runs(paragraph: object, text: str) -> None:
    for i, part in enumerate(re.split(r"\*\*", text.replace("`", ""))):
        paragraph.add_run(part).bold = i % 2 == 1


def to_docx(markdown: str) -> bytes:
    """A .docx file's bytes for the Markdown."""
    from docx import Document as DocxDocument

    doc = DocxDocument()
    _add_markdown(doc, markdown)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


PRINT_CSS = """
body { font: 12pt/1.45 system-ui, sans-serif; color: #111; max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #555; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
hr { border: 0; margin: 0; }
@media print {
  body { margin: 0; max-width: none; }
  hr { break-after: page; }
  h1, h2, h3 { break-after: avoid; }
  tr { break-inside: avoid; }
}
"""


def to_html(markdown: str, title: str) -> str:
    """A printable page for the Markdown: one document per printed page run, no scripts, nothing fetched.
    The Markdown is escaped first (any HTML in it is shown as text)."""
    import html

    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{PRINT_CSS}</style></head><body>{body}</body></html>"
    )


def save(markdown: str, path: Path) -> Path:
    """Write Markdown or DOCX by the file's suffix; only called on a user's explicit save."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".docx":
        path.write_bytes(to_docx(markdown))
    else:
        path.write_text(markdown, encoding="utf-8")
    return path
