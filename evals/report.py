"""Eval reports a person wants to read: results as JSONL, a summary as Markdown and HTML with a chart."""

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from evals.runner import CaseResult


def write_results(results: list[CaseResult], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(r.model_dump_json() + "\n" for r in results), encoding="utf-8")
    return path


def _table(title: str, rows: dict[str, dict[str, Any]], columns: list[str]) -> list[str]:
    lines = [f"## {title}", "", "| " + " | ".join(["", *columns]) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(str(v.get(c, "")) for c in columns) + " |" for name, v in rows.items()]
    return [*lines, ""]


def summary_markdown(summary: dict[str, Any], failures: list[str], backend: str) -> str:
    verdict = "FAILED" if failures else "passed"
    lines = [
        f"# Eval report ({backend} backend): {verdict}",
        "",
        f"{summary['passed']} of {summary['cases']} cases passed.",
        "",
    ]
    if failures:
        lines += ["## Below threshold", *(f"- {f}" for f in failures), ""]
    lines += _table("Per task", summary["per_task"], ["pass_rate", "n", "p95_ms"])
    lines += _table("Per criterion", summary["per_criterion"], ["pass_rate", "n"])
    lines += _table("Per domain", summary["per_domain"], ["pass_rate", "n"])
    if summary["failing"]:
        lines += ["## Failing cases (first 50)", *(f"- {f}" for f in summary["failing"]), ""]
    return "\n".join(lines)


def chart_png(summary: dict[str, Any]) -> bytes:
    """Two bar charts: pass rate per criterion and per domain."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    criteria, domains = summary["per_criterion"], summary["per_domain"]
    fig, axes = plt.subplots(1, 2, figsize=(13, max(4, 0.28 * max(len(criteria), len(domains)))))
    for ax, data, title in ((axes[0], criteria, "Pass rate per criterion"), (axes[1], domains, "Pass rate per domain")):
        names = list(data)
        ax.barh(names, [data[n]["pass_rate"] for n in names], color="#2f6f9f")
        ax.set_xlim(0, 1)
        ax.set_title(title)
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def summary_html(markdown: str, png: bytes) -> str:
    """A self-contained page: the Markdown as preformatted text and the chart inline (no external files)."""
    image = base64.b64encode(png).decode()
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Eval report</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem}"
        "pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem}</style></head><body>"
        f"<img alt='Pass rate per criterion and per domain' src='data:image/png;base64,{image}' "
        "style='max-width:100%'>"
        f"<pre>{html.escape(markdown)}</pre></body></html>"
    )


def write_report(summary: dict[str, Any], failures: list[str], folder: Path, backend: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    markdown = summary_markdown(summary, failures, backend)
    png = chart_png(summary)
    (folder / "report.md").write_text(markdown, encoding="utf-8")
    (folder / "chart.png").write_bytes(png)
    (folder / "report.html").write_text(summary_html(markdown, png), encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps({**summary, "threshold_failures": failures}, indent=2))
    return {"markdown": str(folder / "report.md"), "html": str(folder / "report.html")}


def print_misses(reports: list) -> None:
    """One line per missed record of each report: the set, the record id and what it got wrong."""
    for report in reports:
        for miss in report.misses:
            print(report.name, miss["id"], ", ".join(miss["wrong"]))
