"""The intent of a chat message: goal, scope, procedure, question, plan, review, edit or unclear.

A softmax model over the message's MiniLM embedding and its wording cues (the router's ordered principles,
the edit words, how much of it is words the library knows). `python -m evals fit-intent` fits it on the dev
utterances only and writes assistant/data/intent_model.json. Without an embedder (or the model file) the
router's wording principles decide alone. Whether an edit has a draft to change is the chat's business.
"""

import json
import math
from functools import lru_cache
from typing import Any

from assistant import router
from assistant.edits import is_change, wants_another, wants_options
from assistant.lexicon import DATA, tokenize, vocabulary
from assistant.scope import facet_lexicon

INTENTS = ("goal", "scope", "procedure", "question", "plan", "review", "edit", "unclear")
MODEL = DATA / "intent_model.json"
_ROUTED = ("goal", "scope", "plan", "review", "question")
# Scope-question facets (assistant/data/scope_words.yaml) that mark a professional or procedure question.
_FACETS = (
    "team_words",
    "decide_ask",
    "verdict_ask",
    "general_ask",
    "change",
    "alone",
    "discontinue",
    "evaluation",
    "refusal",
    "summer",
    "outside_rx",
    "private_school",
    "asker_principal",
    "asker_parent",
    "consult_ask",
    "health",
    "clinical",
    "billing",
    "home",
)


def intent_features(text: str) -> list[float]:
    """The wording cues: the router's choice and each of its cues, edit words, numbers, a question mark, and how
    much of the message is known words (keyboard mash and off-topic chat know few)."""
    tokens = tokenize(text)
    words = [t for t in tokens if t.kind == "w"]
    known = sum(1 for t in words if t.low in vocabulary()) / len(words) if words else 0.0
    routed = router.route(text)
    cues = [
        router.GOAL_CUE.search(text),
        router.SCOPE_CUE.search(text),
        router.SESSION_CUE.search(text),
        router.REVIEW_CUE.search(text),
        router.DEFINITION.search(text.strip()),
        router.QUOTED_GOAL.search(text),
        router.STUDENT_DESCRIPTION.search(text),
        router.GOAL_STATEMENT.search(text),
    ]
    return [
        *(1.0 if routed == name else 0.0 for name in _ROUTED),
        *(1.0 if cue else 0.0 for cue in cues),
        1.0 if is_change(tokens) else 0.0,
        1.0 if wants_another(tokens) or wants_options(tokens) else 0.0,
        1.0 if any(t.kind == "n" for t in tokens) else 0.0,
        1.0 if "?" in text else 0.0,
        known,
        min(1.0, math.log1p(len(words)) / 4),
        1.0 if len(words) <= 2 else 0.0,
        *(1.0 if facet_lexicon(name).find(tokens) else 0.0 for name in _FACETS),
    ]


@lru_cache(maxsize=1)
def _model() -> tuple[Any, Any] | None:
    if not MODEL.is_file():
        return None
    import numpy as np

    data = json.loads(MODEL.read_text())
    return np.asarray(data["weights"], dtype=float), np.asarray(data["bias"], dtype=float)


def intent_vector(text: str, embedder: Any) -> Any:
    import numpy as np

    return np.asarray([*embedder.embed_query(" ".join(text.split())), *intent_features(text)], dtype=float)


def ranked(text: str, embedder: Any = None) -> list[tuple[str, float]]:
    """Every intent with its probability, best first. The router alone (probability 1.0) without a model or an
    embedder."""
    model = _model()
    if model is None or embedder is None:
        return [(router.route(text), 1.0)]
    import numpy as np

    weights, bias = model
    vector = intent_vector(text, embedder)
    if vector.shape[0] != weights.shape[0]:
        return [(router.route(text), 1.0)]
    logits = vector @ weights + bias
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return [(INTENTS[i], round(float(p[i]), 3)) for i in np.argsort(-p)]


def classify(text: str, embedder: Any = None) -> tuple[str, float]:
    """(intent, its probability)."""
    return ranked(text, embedder)[0]
