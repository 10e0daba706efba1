"""Cold start and the scale curve: query latency with the corpus at 1x, 10x and 100x (synthetic chunks)."""

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embeddings import Embedder, chroma_embedding_function
from assistant.index import get_all
from assistant.retrieval import HybridSearcher
from assistant.settings import PROJECT_ROOT


def http_adversarial(url: str) -> dict[str, Any]:
    """Each adversarial shape at the size cap sent to /goal of the running app, while another client asks a scope
    question: the worst adversarial request's own time and the other client's worst latency meanwhile."""
    import threading

    from gradio_client import Client

    from evals.adversarial import adversarial_inputs
    from evals.load import ADVERSARIAL_SHAPES

    hostile = adversarial_inputs(19_990)
    attacker, neighbour = Client(url, verbose=False), Client(url, verbose=False)
    attacker.predict("warm up", api_name="/goal")
    worst_attack, worst_other, worst_shape = 0.0, 0.0, ""
    for shape in ADVERSARIAL_SHAPES:
        took: list[float] = []

        def attack(text: str = hostile[shape], took: list[float] = took) -> None:
            started = time.perf_counter()
            attacker.predict(text, api_name="/goal")
            took.append((time.perf_counter() - started) * 1000)

        thread = threading.Thread(target=attack)
        thread.start()
        time.sleep(0.02)
        started = time.perf_counter()
        neighbour.predict("Is handwriting in scope for a 2nd grader with an IEP?", api_name="/scope")
        other = (time.perf_counter() - started) * 1000
        thread.join()
        worst_other = max(worst_other, other)
        if took and took[0] > worst_attack:
            worst_attack, worst_shape = took[0], shape
    return {
        "http_adversarial_worst_ms": round(worst_attack, 1),
        "http_adversarial_worst_shape": worst_shape,
        "http_other_client_worst_ms": round(worst_other, 1),
    }


def cold_start(data_dir: Path, timeout: float = 180.0, then: Any = None) -> dict[str, Any]:
    """Seconds from starting `python app.py` (index present) until the page answers HTTP 200; then, while the
    app is up, then(url) adds its own figures (the HTTP-level adversarial run)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SCHOOLOT_DATA_DIR": str(data_dir), "SCHOOLOT_PORT": str(port)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while time.perf_counter() - started < timeout and process.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                figures = {"cold_start_s": round(time.perf_counter() - started, 2)}
                return {**figures, **(then(f"http://127.0.0.1:{port}/") if then else {})}
            except OSError:
                time.sleep(0.2)
        return {"cold_start_s": -1.0}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a server busy at shutdown must not fail the benchmark run
            process.kill()
            process.wait(timeout=20)


def _synthetic(stored: dict, factor: int, rng: random.Random) -> tuple[list, list, list, list]:
    """(factor - 1) copies of the corpus: shuffled words of a real chunk, and its vector with noise."""
    ids, docs, metas, vectors = [], [], [], []
    base = np.asarray(stored["embeddings"], dtype=np.float32)
    for copy in range(1, factor):
        noise = np.random.default_rng(copy).normal(0, 0.05, base.shape).astype(np.float32)
        moved = base + noise
        moved /= np.linalg.norm(moved, axis=1, keepdims=True)
        for i, (doc, meta) in enumerate(zip(stored["documents"], stored["metadatas"], strict=True)):
            words = doc.split()
            rng.shuffle(words)
            ids.append(f"synthetic-{copy}-{i}")
            docs.append(" ".join(words))
            metas.append({**(meta or {}), "source_id": f"synthetic-{copy}-{i}", "family": ""})
            vectors.append(moved[i].tolist())
    return ids, docs, metas, vectors


def scale_curve(collection: Any, embedder: Embedder, queries: list[str], factors: tuple[int, ...]) -> dict:
    """Hybrid query p50/p95 (embedding included) with the corpus copied up to each factor."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    stored = get_all(collection, ["documents", "metadatas", "embeddings"])
    curve = {}
    for factor in factors:
        with tempfile.TemporaryDirectory(prefix="schoolot-scale-") as folder:
            client = chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False))
            target = client.create_collection(
                "scale",
                embedding_function=chroma_embedding_function(embedder),
                configuration={"hnsw": {"space": "cosine"}},
            )
            extra = _synthetic(stored, factor, random.Random(factor))
            all_ids = list(stored["ids"]) + extra[0]
            all_docs = list(stored["documents"]) + extra[1]
            all_metas = [m or {} for m in stored["metadatas"]] + extra[2]
            all_vectors = [list(v) for v in stored["embeddings"]] + extra[3]
            started = time.perf_counter()
            for start in range(0, len(all_ids), 4000):
                end = start + 4000
                target.add(
                    ids=all_ids[start:end],
                    documents=all_docs[start:end],
                    metadatas=all_metas[start:end],
                    embeddings=all_vectors[start:end],
                )
            load_s = time.perf_counter() - started
            searcher = HybridSearcher(target, embedder, k=5)
            samples = []
            for query in queries:
                embedder.clear_cache()
                begin = time.perf_counter()
                searcher.search(query, k=5)
                samples.append((time.perf_counter() - begin) * 1000)
            samples.sort()
            curve[f"{factor}x"] = {
                "chunks": len(all_ids),
                "load_s": round(load_s, 1),
                "p50_ms": round(samples[len(samples) // 2], 2),
                "p95_ms": round(samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))], 2),
            }
    return curve
