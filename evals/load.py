"""Load: N concurrent gradio_client sessions mixing every intent against a running app for a bounded time."""

import statistics
import threading
import time
from contextlib import suppress
from typing import Any

# (api name, arguments): the chat endpoint with each intent, and the named endpoints.
MIX: list[tuple[str, tuple]] = [
    ("/chat", ("Write a goal for a 2nd grader who fists her pencil and tires after 2 sentences",)),
    ("/chat", ("Is shoe tying something I should work on at school?",)),
    ("/chat", ("Plan a 30-minute push-in session for copying from the board",)),
    ("/chat", ("Check this goal: 'Student will improve fine motor skills.'",)),
    ("/chat", ("What is the difference between push-in and pull-out?",)),
    ("/goal", ("5th grader, cannot open milk carton or zip coat, needs adult help every day",)),
    ("/scope", ("Can the school OT treat a child's torticollis?",)),
    ("/review", ("By June, Sam will cut on a line.",)),
    ("/plan", (["Student will write 3 sentences on the line in 4 of 5 trials."], 30, "pull-out", "trains", "")),
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


ADVERSARIAL_SHAPES = ("digits", "typographic quotes", "per x", "according to x", "street then letters",
                      "one-dash runs", "colons", "brackets", "spaced digits")  # fmt: skip


def run_load(url: str, sessions: int = 20, seconds: float = 20.0, adversary: bool = False) -> dict[str, Any]:
    """Every session loops over MIX (each from its own offset) until the time is up. With adversary, one more
    session sends adversarial requests at the size cap (each shape in turn, to /goal and /chat) all along; its
    own times are reported apart and its answers are not counted as the others' errors."""
    from gradio_client import Client

    from evals.adversarial import adversarial_inputs

    hostile = adversarial_inputs(19_990)
    warm = Client(url, verbose=False)  # first calls load data files and models: not what a load run measures
    for api, args in MIX:
        with suppress(Exception):
            warm.predict(*args, api_name=api)
    adversarial_ms: list[float] = []
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline_box: list[float] = [0.0, 0.0]  # [deadline, start], set when every session has connected

    def go() -> None:
        deadline_box[:] = [time.monotonic() + seconds, time.monotonic()]

    start_line = threading.Barrier(sessions + (1 if adversary else 0), action=go)

    def attacker() -> None:
        client = Client(url, verbose=False)
        start_line.wait()
        step = 0
        while time.monotonic() < deadline_box[0]:
            shape = ADVERSARIAL_SHAPES[step % len(ADVERSARIAL_SHAPES)]
            api = ("/goal", "/chat")[step % 2]
            step += 1
            started = time.perf_counter()
            with suppress(Exception):  # its own outcome is not the figure: the others' errors are
                client.predict(hostile[shape], api_name=api)
            with lock:
                adversarial_ms.append((time.perf_counter() - started) * 1000)

    def session(offset: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:
            with lock:
                errors.append(f"connect: {type(exc).__name__}")
            start_line.wait()
            return
        start_line.wait()
        step = offset
        while time.monotonic() < deadline_box[0]:
            api, args = MIX[step % len(MIX)]
            step += 1
            started = time.perf_counter()
            try:
                result = client.predict(*args, api_name=api)
                problem = result.get("error") if isinstance(result, dict) else "not a JSON object"
            except Exception as exc:  # counted, never raised: the figure is the error count
                problem = f"{type(exc).__name__}: {str(exc)[:120]}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(f"{api}: {problem}")

    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(sessions)]
    threads += [threading.Thread(target=attacker, daemon=True)] if adversary else []
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    wall = time.monotonic() - deadline_box[1]
    return {
        "sessions": sessions,
        "seconds": round(wall, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "error_examples": errors[:5],
        "throughput_per_s": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        **(
            {
                "adversarial_requests": len(adversarial_ms),
                "adversarial_max_ms": round(max(adversarial_ms), 1) if adversarial_ms else None,
            }
            if adversary
            else {}
        ),
    }
