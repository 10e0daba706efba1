"""Worst-case time of every parser of user text on 20,000-character adversarial input.

A pattern that backtracks is quadratic or worse on a long run of what it half-matches (digits, quotes,
"per x ", "12 Main St " + letters ...). Each parser gets each input in a child process with a time cap, so
a slow one is reported (as over the cap) instead of stalling the bench.
"""

import multiprocessing as mp
import random
import time
from collections.abc import Callable

SIZE = 20_000
CAP_S = 10.0


def _repeat(piece: str, size: int = SIZE) -> str:
    return (piece * (size // len(piece) + 1))[:size]


def adversarial_inputs(size: int = SIZE) -> dict[str, str]:
    """Named inputs of the given size, each a shape that makes naive patterns backtrack."""
    rng = random.Random(12)
    mixed = "".join(rng.choice("0123456789 .,:;/%-'\"()[]abcXYZ") for _ in range(size))
    shapes = {
        "digits": "1" * size,
        "straight quotes": '"' * size,
        "typographic quotes": "“" * size,
        "apostrophes": "'" * size,
        "colons": ":" * size,
        "brackets": "[" * size,
        "bracket pairs": _repeat("[]", size),
        "parentheses": "(" * size,
        "per x": _repeat("per x ", size),
        "according to x": _repeat("according to x ", size),
        "street then letters": "12 Main St " + "a" * (size - 11),
        "one-dash runs": _repeat("1-", size),
        "slash runs": _repeat("1/", size),
        "x of y runs": _repeat("1 of ", size),
        "percent runs": _repeat("1% ", size),
        "mastery runs": _repeat("in 1 of 2 trials ", size),
        "word runs": _repeat("a ", size),
        "will runs": _repeat("will ", size),
        "by runs": _repeat("By ", size),
        "name runs": _repeat("Maya ", size),
        "comma runs": _repeat(", ", size),
        "prompt runs": _repeat("hand over hand ", size),
        "title runs": _repeat("Mr. ", size),
        "capitals": "A" * size,
        "letters": "a" * size,
        "at the runs": _repeat("at the ", size),
        "speech runs": _repeat("he keeps saying and ", size),
        "negated talk runs": _repeat("she doesn't really talk, ", size),
        "quoted runs": _repeat("'I did it' ", size),
        "doer runs": _repeat("we peers 3 times ", size),
        "done-for runs": _repeat("needs it opened for her ", size),
        "dash runs": _repeat(" - Maya ", size),
        "elongated runs": "Hi" + "i" * (size - 2),
        "adult help runs": _repeat("I did it for him ", size),
        "mixed": mixed,
        "spaced digits": _repeat("1 ", size),
        "room runs": _repeat("room 1", size),
        "list leads": _repeat("- Maya (", size),
        "line leads": _repeat("\nMaya – ", size),
        "nickname runs": _repeat('Maya "', size),
    }
    return {name: text[:size] for name, text in shapes.items()}


def parsers() -> dict[str, Callable[[str], object]]:
    """Every function that scans user text, by name (imported here so a child process builds its own)."""
    from assistant.case import read_case
    from assistant.chat import pasted_goal
    from assistant.domains import cue_scores
    from assistant.edits import read_edit
    from assistant.goal_parts import extract_parts
    from assistant.intent import intent_features
    from assistant.privacy import safe_markdown, sanitize_output
    from assistant.redact import RedactionFailed, Redactor
    from assistant.router import route
    from assistant.rubric import run_rubric
    from assistant.schemas import Case, Components, Goal
    from assistant.scope import read_signals
    from assistant.sessions import goal_clauses

    def redact(text: str) -> object:
        try:
            return Redactor(known_names=["Maya"]).redact(text)
        except RedactionFailed:
            return None

    goal = Goal.model_construct(
        student="Maya",
        case=Case(),
        components=Components(
            timeframe="By the annual IEP review",
            condition="during journal writing",
            behavior="write 3 sentences",
            criterion="with at least 80% of letters on the line",
            mastery="in 4 of 5 weekly writing samples",
            measurement="work samples",
            baseline=None,
            target="80%",
        ),
        goal_text="By the annual IEP review, during journal writing, Maya will write 3 sentences.",
    )

    return {
        "case reader": read_case,
        "edit reader": lambda text: read_edit(text, goal, Case()),
        "intent cues": intent_features,
        "plan goal reader": goal_clauses,
        "goal parts": extract_parts,
        "router": route,
        "rubric": run_rubric,
        "redactor": redact,
        "output sanitizer": sanitize_output,
        "page markdown": safe_markdown,
        "scope signals": read_signals,
        "domain cues": cue_scores,
        "pasted goal": pasted_goal,
    }


def _worker(name: str, inputs: list[tuple[str, str]], out: "mp.Queue", runs: int = 3) -> None:
    """The median of a few runs per input, so that one pause of the machine is not reported as the parser's."""
    fn = parsers()[name]
    fn("warm-up: 2nd grader, 40% legible")
    for label, text in inputs:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn(text)
            times.append(time.perf_counter() - start)
        out.put((label, sorted(times)[len(times) // 2]))


def time_parser(name: str, inputs: dict[str, str], cap_s: float = CAP_S) -> dict[str, float]:
    """Seconds per input for one parser; an input that runs past the cap is reported as the cap."""
    ctx = mp.get_context("spawn")  # a fresh interpreter: the bench process has model threads running
    pending = list(inputs.items())
    times: dict[str, float] = {}
    while pending:
        queue = ctx.Queue()
        proc = ctx.Process(target=_worker, args=(name, pending, queue), daemon=True)
        proc.start()
        try:
            while pending:
                label, seconds = queue.get(timeout=3 * cap_s + 30.0)
                times[label] = seconds
                pending = [p for p in pending if p[0] != label]
        except Exception:  # the next input ran past the cap: record it and go on without it
            label = pending[0][0]
            times[label] = cap_s
            pending = pending[1:]
        finally:
            proc.kill()
            proc.join()
    return times


def adversarial_bench(size: int = SIZE, cap_s: float = CAP_S) -> dict[str, dict]:
    """{parser: {"worst_ms": ..., "worst_input": ...}} over every adversarial input."""
    inputs = adversarial_inputs(size)
    report = {}
    for name in parsers():
        times = time_parser(name, inputs, cap_s)
        worst = max(times, key=times.get)
        report[name] = {
            "worst_ms": round(1000 * times[worst], 1),
            "worst_input": worst,
            "capped": times[worst] >= cap_s,
        }
    return report
