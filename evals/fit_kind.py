"""Fit the scope question-kind model (information or decision) on the dev questions and write its weights to
assistant/data/scope_kind.json: `python -m evals fit-kind`.

Examples: the questions each primer page lists (each labeled by kind in evals/scope/primer_kinds.yaml), the scope
cases' situations (decisions), the
project's own scope cases (decisions) and the dev sets' questions (dev, dev2). The blind set
(evals/scope/blind.yaml) is never read here.
"""

import json

import numpy as np
import yaml

from assistant.lexicon import DATA
from assistant.scope import kind_features
from evals.scope_answers import SETS, load_set

MODEL = DATA / "scope_kind.json"


def examples(corpus) -> list[tuple[str, int]]:
    """(question, 1 for information / 0 for decision) from the dev sources only."""
    labeled = {row["question"]: row["kind"] for row in yaml.safe_load((SETS / "primer_kinds.yaml").read_text())}
    rows = [(q, int(labeled.get(q, "information") == "information")) for doc in corpus.primer for q in doc.questions]
    rows += [(case.scenario, 0) for case in corpus.scope]  # worked student situations: each gets a verdict
    for name in ("cases", "holdout", "dev", "dev2"):
        rows += [(item["input"], int(item["kind"] == "information")) for item in load_set(name)]
    return rows


def fit(vectors: np.ndarray, labels: np.ndarray, l2: float = 0.03, steps: int = 3000, rate: float = 0.5):
    """L2-regularized logistic regression by gradient descent, classes weighted to balance."""
    n, d = vectors.shape
    weights, bias = np.zeros(d), 0.0
    balance = np.where(labels == 1, n / (2 * labels.sum()), n / (2 * (n - labels.sum())))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(vectors @ weights + bias)))
        error = (p - labels) * balance
        weights -= rate * (vectors.T @ error / n + l2 * weights / n)
        bias -= rate * error.mean()
    return weights, bias


def cross_validate(vectors: np.ndarray, labels: np.ndarray, folds: int = 5) -> float:
    order = np.random.default_rng(0).permutation(len(labels))
    right = 0
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        w, b = fit(vectors[train], labels[train])
        right += int(((vectors[test] @ w + b > 0).astype(int) == labels[test]).sum())
    return right / len(labels)


def main() -> None:
    from assistant.settings import Settings
    from evals.run import temp_services

    services, folder = temp_services(Settings(_env_file=None))
    try:
        rows = examples(services.corpus)
        embedded = services.searcher.embedder.embed([" ".join(q.split()) for q, _ in rows])
        vectors = np.asarray([[*v, *kind_features(q)] for v, (q, _) in zip(embedded, rows, strict=True)])
    finally:
        folder.cleanup()
    labels = np.asarray([y for _, y in rows], dtype=float)
    accuracy = cross_validate(vectors, labels)
    weights, bias = fit(vectors, labels)
    MODEL.write_text(
        json.dumps(
            {
                "about": "scope question kind: a logistic model over the MiniLM question embedding and the wording "
                "facets of assistant.scope.KIND_FEATURES (evals/fit_kind.py)",
                "examples": {"information": int(labels.sum()), "decision": int(len(labels) - labels.sum())},
                "cross_validated_accuracy": round(accuracy, 3),
                "bias": round(float(bias), 6),
                "weights": [round(float(w), 6) for w in weights],
            }
        )
        + "\n"
    )
    print(f"{len(rows)} examples, 5-fold accuracy {accuracy:.3f}; wrote {MODEL}")


if __name__ == "__main__":
    main()
