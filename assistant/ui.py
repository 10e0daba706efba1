"""The Gradio page (gradio is imported here only); handlers are plain functions over Services."""

from typing import Any

from assistant.errors import AssistantError
from assistant.schemas import SearchFilters
from assistant.services import Services
from assistant.stats import corpus_stats
from assistant.vocab import DOMAINS, GRADE_BANDS

KINDS = ["primer", "goal", "activity", "scope"]


def stats_text(services: Services) -> str:
    """A one-paragraph overview of what the local library holds."""
    totals = corpus_stats(services.corpus)["totals"]
    return (
        f"Library: {totals['primer']} primer documents, {totals['goals']} goal templates, "
        f"{totals['activities']} activities, {totals['scope']} scope cases. "
        f"Everything runs on this computer; nothing you type leaves it."
    )


def search_markdown(
    services: Services, query: str, kind: str | None = None, domain: str | None = None, grade: str | None = None
) -> str:
    """Search results as Markdown with their sources, or a one-line reason."""
    try:
        filters = SearchFilters(kind=kind or None, domain=domain or None, grade_band=grade or None)
        passages = services.searcher.search(query or "", filters=filters)
    except AssistantError as exc:
        return f"**{exc}**"
    if not passages:
        return "No passages match those filters."
    blocks = []
    for p in passages:
        excerpt = p.citation(400).excerpt
        blocks.append(f"**{p.title}**  \n`{p.source_id}` · {p.kind}\n\n> {excerpt}")
    return "\n\n---\n\n".join(blocks)


def build(services: Services) -> Any:
    """The page: corpus statistics and a search box showing passages with their sources."""
    import gradio as gr

    with gr.Blocks(title="School OT Assistant", analytics_enabled=False) as demo:
        gr.Markdown("# School OT Assistant\n" + stats_text(services))
        with gr.Row():
            query = gr.Textbox(
                label="Search the library", placeholder="e.g. pull-out for scissors skills", scale=4, max_length=2000
            )
            button = gr.Button("Search", variant="primary", scale=1)
        with gr.Row():
            kind = gr.Dropdown(KINDS, label="Kind", value=None)
            domain = gr.Dropdown(list(DOMAINS), label="Domain", value=None)
            grade = gr.Dropdown(list(GRADE_BANDS), label="Grade band", value=None)
        results = gr.Markdown(elem_id="results")

        def on_search(text: str, kind_: str | None, domain_: str | None, grade_: str | None) -> str:
            return search_markdown(services, text, kind_, domain_, grade_)

        inputs = [query, kind, domain, grade]
        button.click(on_search, inputs, results, api_name="search")
        query.submit(on_search, inputs, results, api_name=False)
    return demo


def theme() -> Any:
    """System fonts only: the default theme would fetch web fonts from the internet."""
    import gradio as gr

    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
