"""Fit the chat's intent model on the dev utterances and write its weights to assistant/data/intent_model.json:
`python -m evals fit-intent`.

Examples: the router cases (evals/cases/router.yaml), the dev utterances and the turns of the dev conversations
(evals/conversation/dev.jsonl, dev_utterances.jsonl). The blind sets are never read here.
"""

import json
from pathlib import Path

import numpy as np
import yaml

from assistant.intent import INTENTS, MODEL, intent_features

ROOT = Path(__file__).resolve().parent
DEV_NAMES = ("dev", "dev2", "dev3")  # evals/conversation/NAME.jsonl and NAME_utterances.jsonl; never blind/


def examples() -> list[tuple[str, int]]:
    rows = [(c["input"], c["expected"]["intent"]) for c in yaml.safe_load((ROOT / "cases" / "router.yaml").read_text())]
    paths = [ROOT / "conversation" / f"{n}{tail}.jsonl" for n in DEV_NAMES for tail in ("", "_utterances")]
    for path in (p for p in paths if p.is_file()):
        rows += [(r["text"], r["intent"]) for r in map(json.loads, path.read_text().splitlines()) if r.get("text")]
    return [(text, INTENTS.index(label)) for text, label in rows]


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.05, steps: int = 1500, rate: float = 1.0):
    """L2-regularized softmax regression by gradient descent, classes weighted to balance."""
    n, d = x.shape
    k = len(INTENTS)
    w, b = np.zeros((d, k)), np.zeros(k)
    onehot = np.eye(k)[y]
    counts = np.bincount(y, minlength=k).astype(float)
    balance = (n / (k * np.maximum(counts, 1)))[y][:, None]
    for _ in range(steps):
        logits = x @ w + b
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        error = (p - onehot) * balance
        w -= rate * (x.T @ error / n + l2 * w / n)
        b -= rate * error.mean(axis=0)
    return w, b


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int = 5) -> float:
    order = np.random.default_rng(0).permutation(len(y))
    right = 0
    for f in range(folds):
        test = order[f::folds]
        train = np.setdiff1d(order, test)
        w, b = fit(x[train], y[train])
        right += int(((x[test] @ w + b).argmax(axis=1) == y[test]).sum())
    return right / len(y)


def main() -> None:
    from assistant.embeddings import Embedder
    from assistant.settings import Settings

    rows = examples()
    settings = Settings(_env_file=None)
    embedder = Embedder(settings.embedding_model_path, settings.embedding_batch_size)
    embedded = embedder.embed([" ".join(t.split()) for t, _ in rows])
    x = np.asarray([[*v, *intent_features(t)] for v, (t, _) in zip(embedded, rows, strict=True)])
    y = np.asarray([label for _, label in rows])
    accuracy = cross_validate(x, y)
    w, b = fit(x, y)
    MODEL.write_text(
        json.dumps(
            {
                "about": "chat intent: a softmax model over the MiniLM message embedding and the wording cues of "
                "assistant.intent.intent_features (evals/fit_intent.py)",
                "intents": list(INTENTS),
                "examples": {name: int((y == i).sum()) for i, name in enumerate(INTENTS)},
                "cross_validated_accuracy": round(accuracy, 3),
                "bias": [round(float(v), 6) for v in b],
                "weights": [[round(float(v), 6) for v in row] for row in w],
            }
        )
        + "\n"
    )
    print(f"{len(rows)} examples, 5-fold accuracy {accuracy:.3f}; wrote {MODEL}")


if __name__ == "__main__":
    main()
