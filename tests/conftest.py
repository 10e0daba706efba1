"""Shared fixtures: the network guard, the real model once per session, real Chroma in temp dirs."""

import os
import shutil
import sys
from pathlib import Path

import pytest

GUARD_DIR = Path(__file__).parent / "guard"
sys.path.insert(0, str(GUARD_DIR))
import sitecustomize as netguard  # noqa: E402  (our guard module, also loaded by subprocesses)

# The whole suite, and every Python subprocess it starts, refuses non-loopback connections.
os.environ["SCHOOLOT_NET_GUARD"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD_DIR), os.environ.get("PYTHONPATH")]))
netguard.install()

from assistant.corpus import load_corpus  # noqa: E402
from assistant.embeddings import Embedder, force_offline  # noqa: E402
from assistant.index import open_collection, refresh_index  # noqa: E402
from assistant.retrieval import HybridSearcher  # noqa: E402
from assistant.services import Services  # noqa: E402
from assistant.settings import PROJECT_ROOT, Settings, bundled_model_path  # noqa: E402

force_offline()
CORPUS = PROJECT_ROOT / "corpus"


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings that ignore any .env and the caller's SCHOOLOT_* variables."""
    return Settings(_env_file=None, data_dir=data_dir, **overrides)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    model = Embedder(bundled_model_path())
    model.load()
    return model


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory, embedder, corpus) -> Settings:
    """A full index of the real corpus, built once for the session."""
    settings = make_settings(tmp_path_factory.mktemp("data"))
    refresh_index(settings, embedder, corpus)
    return settings


@pytest.fixture(scope="session")
def services(index_settings, embedder, corpus) -> Services:
    collection = open_collection(index_settings, embedder)
    return Services(index_settings, corpus, embedder, HybridSearcher(collection, embedder), None)


@pytest.fixture
def mini_corpus(tmp_path) -> Path:
    """A small copy of the real corpus: two primer documents and one file of each other kind."""
    root = tmp_path / "corpus"
    primer = sorted((CORPUS / "primer").glob("*.md"))[:2]
    kinds = ("goals", "activities", "scope")
    picks = primer + [f for kind in kinds for f in sorted((CORPUS / kind).glob("*.yaml"))[:1]]
    for source in picks:
        target = root / source.relative_to(CORPUS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return root


def criteria_of(services: Services, case_file: str) -> tuple[int, dict]:
    """(number of cases, pass rate per criterion) for one shipped case file, scored by the evals runner."""
    from evals.cases import load_case_file
    from evals.run import DEFAULT_CASES
    from evals.runner import run_cases, summarize, task_functions

    cases = load_case_file(DEFAULT_CASES[0] / case_file)
    summary = summarize(run_cases(cases, task_functions(services)))
    return len(cases), {name: row["pass_rate"] for name, row in summary["per_criterion"].items()}
