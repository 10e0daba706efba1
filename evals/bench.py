"""Benchmarks: index build and refresh, warm retrieval latency against a plain langchain-chroma search."""

import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.corpus import load_corpus
from assistant.embeddings import Embedder, open_chroma
from assistant.index import open_collection, refresh_index
from assistant.retrieval import HybridSearcher
from assistant.services import Services
from assistant.settings import Settings
from evals.adversarial import adversarial_bench
from evals.retrieval import compare_modes, load_retrieval_cases
from evals.scale import cold_start, http_adversarial, scale_curve

REPORTS = Path(__file__).parent / "reports"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2), "n": len(ordered)}


def time_calls(fn: Callable[[str], Any], queries: list[str], rounds: int, embedder: Embedder) -> dict[str, float]:
    """Latency per call with the query-embedding cache cleared first, so every call embeds its query."""
    fn(queries[0])  # warm-up
    samples = []
    for _ in range(rounds):
        for query in queries:
            embedder.clear_cache()
            start = time.perf_counter()
            fn(query)
            samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


class _LangchainEmbeddings:
    """The same MiniLM behind langchain's Embeddings interface, for the baseline."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)


def retrieval_bench(rounds: int = 3, quick: bool = False) -> dict[str, Any]:
    """Build a fresh index in a temp dir and measure it; returns the figures."""
    from langchain_chroma import Chroma

    base = Settings(_env_file=None)
    started = time.perf_counter()
    embedder = Embedder(base.embedding_model_path, base.embedding_batch_size)
    embedder.load()
    model_load_s = time.perf_counter() - started
    corpus = load_corpus(base.corpus_dir)
    cases = load_retrieval_cases()
    queries = [c.input for c in cases]
    with tempfile.TemporaryDirectory(prefix="schoolot-bench-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))
        build = refresh_index(settings, embedder, corpus)
        refresh = refresh_index(settings, embedder, corpus)
        collection = open_collection(settings, embedder)
        searcher = HybridSearcher(collection, embedder, k=5)
        baseline = Chroma(
            client=open_chroma(settings),
            collection_name=settings.collection,
            embedding_function=_LangchainEmbeddings(embedder),
        )
        recall = {mode: r.model_dump() for mode, r in compare_modes(searcher, cases).items()}
        figures = {
            "chunks": build.total,
            "model_load_s": round(model_load_s, 2),
            "index_build_s": round(build.seconds, 2),
            "no_change_refresh_s": round(refresh.seconds, 3),
            "no_change_refresh_embedded": refresh.embedded,
            "hybrid_query": time_calls(lambda q: searcher.search(q, k=5), queries, rounds, embedder),
            "dense_only_query": time_calls(lambda q: searcher.search(q, k=5, mode="dense"), queries, rounds, embedder),
            "bm25_only_query": time_calls(lambda q: searcher.search(q, k=5, mode="bm25"), queries, rounds, embedder),
            "langchain_chroma_similarity_search": time_calls(
                lambda q: baseline.similarity_search(q, k=5), queries, rounds, embedder
            ),
            "recall_at_5": {mode: r["recall"] for mode, r in recall.items()},
            "recall_at_5_per_domain": {mode: r["per_domain"] for mode, r in recall.items()},
            "labeled_queries": len(cases),
        }
        figures["capabilities"] = capability_latency(Services(settings, corpus, embedder, searcher, None))
        figures["capabilities"]["redact_prompt"] = redaction_latency()
        figures["capabilities"]["read_case"] = case_latency()
        figures["adversarial_20k"] = adversarial_bench()
        figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        figures.update(cold_start(settings.data_dir, then=http_adversarial))
        factors = (1, 10) if quick else (1, 10, 100)
        figures["scale_curve"] = scale_curve(collection, embedder, queries[:40], factors)
        figures["peak_rss_with_scale_curve_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def capability_latency(services: Services) -> dict[str, dict[str, float]]:
    """Warm p50/p95 per capability over its labeled cases (each text seen once; the model already loaded)."""
    from assistant.chat import ChatState, respond
    from evals.cases import load_cases
    from evals.run import DEFAULT_CASES
    from evals.runner import run_cases, task_functions

    draft_goal_warmup(services)
    tasks = task_functions(services)
    cases = [c for c in load_cases(DEFAULT_CASES) if c.task in ("goal", "review", "scope", "plan", "route")]
    tasks["route"] = lambda text: respond(text, ChatState(), services)[0].model_dump()  # a whole ask turn
    by_task: dict[str, list[float]] = {}
    for result in run_cases(cases, tasks):
        by_task.setdefault("ask" if result.task == "route" else result.task, []).append(result.ms)
    return {name: percentiles(ms) for name, ms in by_task.items()}


def redaction_latency() -> dict[str, float]:
    """Redacting a goal prompt (template goal, passages and a snippet with identifiers), per labeled snippet."""
    from assistant.llm import load_prompt
    from assistant.redact import Redactor
    from evals.redaction import load_set

    samples = []
    for snippet in load_set("dev"):
        prompt = load_prompt("goal", request=snippet.text, template_goal="By the annual IEP review, ...",
                             passages="A passage. " * 120, student="the student")  # fmt: skip
        started = time.perf_counter()
        Redactor(known_names=snippet.known_names).redact(prompt)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def case_latency() -> dict[str, float]:
    """Reading one request into a Case, over every labeled request of evals/understanding."""
    from assistant.case import read_case
    from evals.understanding import SET_NAMES, SETS, load_set

    paths = [SETS / f"{name}.yaml" for name in SET_NAMES if (SETS / f"{name}.yaml").is_file()]
    texts = [record["text"] for path in paths for record in load_set(path)]
    read_case(texts[0])
    samples = []
    for text in texts:
        started = time.perf_counter()
        read_case(text)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def draft_goal_warmup(services: Services) -> None:
    """One throw-away call so lazy imports and first-call costs are not counted as latency."""
    from assistant.goals import draft_goal

    draft_goal("warm-up: 2nd grader, messy handwriting", services)


def bench_markdown(figures: dict[str, Any]) -> str:
    rows = [
        ("chunks indexed", figures["chunks"]),
        ("model load", f"{figures['model_load_s']} s"),
        ("full index build (after model load)", f"{figures['index_build_s']} s"),
        ("no-change refresh", f"{figures['no_change_refresh_s']} s, {figures['no_change_refresh_embedded']} embedded"),
    ]
    for key in ("hybrid_query", "dense_only_query", "bm25_only_query", "langchain_chroma_similarity_search"):
        q = figures[key]
        rows.append((f"{key.replace('_', ' ')} p50 / p95", f"{q['p50_ms']} / {q['p95_ms']} ms (n={q['n']})"))
    for mode, value in figures["recall_at_5"].items():
        rows.append((f"recall@5 {mode} ({figures['labeled_queries']} queries)", value))
    for name, q in figures.get("capabilities", {}).items():
        rows.append((f"warm `{name}` p50 / p95", f"{q['p50_ms']} / {q['p95_ms']} ms (n={q['n']})"))
    for parser, worst in figures.get("adversarial_20k", {}).items():
        capped = " (stopped at the cap)" if worst["capped"] else ""
        shown = f"{worst['worst_ms']} ms ({worst['worst_input']}){capped}"
        rows.append((f"worst 20,000-char adversarial input: {parser}", shown))
    rows.append(("cold start (process start to page answering, index present)", f"{figures['cold_start_s']} s"))
    if "http_adversarial_worst_ms" in figures:
        rows.append(
            (
                "worst adversarial request at the cap over HTTP (/goal)",
                f"{figures['http_adversarial_worst_ms']} ms ({figures['http_adversarial_worst_shape']})",
            )
        )
        rows.append(
            ("another client's worst latency meanwhile (/scope)", f"{figures['http_other_client_worst_ms']} ms")
        )
    for factor, q in figures.get("scale_curve", {}).items():
        rows.append(
            (
                f"hybrid query at {factor} ({q['chunks']} chunks) p50 / p95",
                f"{q['p50_ms']} / {q['p95_ms']} ms (load {q['load_s']} s)",
            )
        )
    rows.append(("peak RSS (model, index, every capability run)", f"{figures['peak_rss_mb']} MB"))
    if "peak_rss_with_scale_curve_mb" in figures:
        rows.append(
            ("peak RSS including the scale curve's synthetic corpus", f"{figures['peak_rss_with_scale_curve_mb']} MB")
        )
    table = ["| measure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    domains = sorted(figures["recall_at_5_per_domain"]["hybrid"])
    table += ["", "| domain | " + " | ".join(figures["recall_at_5"]) + " |", "|---|---|---|---|"]
    for d in domains:
        table.append(
            f"| {d} | "
            + " | ".join(str(figures["recall_at_5_per_domain"][m][d]) for m in figures["recall_at_5"])
            + " |"
        )
    return "\n".join(table)


def write_report(figures: dict[str, Any], name: str = "bench") -> Path:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(figures, indent=2))
    path = REPORTS / f"{name}.md"
    path.write_text(f"# Benchmark\n\n{bench_markdown(figures)}\n")
    return path
