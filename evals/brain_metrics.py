"""Metrics for scope answers, session plans, the chat router and ask, over labeled cases."""

import time
from typing import Any

from pydantic import BaseModel

from assistant.chat import ChatState, respond
from assistant.router import route
from assistant.scope import answer_scope
from assistant.sessions import plan_session
from evals.goal_metrics import _share, latency


class ScopeMetrics(BaseModel):
    cases: int
    verdict_right: float
    clear_out_answered_in: int
    pathways_included: float
    p50_ms: float
    p95_ms: float
    wrong: list[str]


class PlanMetrics(BaseModel):
    cases: int
    minutes_add_up: float
    every_activity_serves_a_goal: float
    interests_woven_in: float
    data_for_every_goal: float
    p50_ms: float
    p95_ms: float
    failures: list[str]


class RouterMetrics(BaseModel):
    cases: int
    intent_right: float
    wrong: list[str]


def scope_metrics(services: Any, cases: list[dict]) -> ScopeMetrics:
    right = unsafe = pathways = 0
    times, wrong = [], []
    for case in cases:
        started = time.perf_counter()
        answer = answer_scope(case["input"], services)
        times.append((time.perf_counter() - started) * 1000)
        expected = case["expected"]
        right += answer.verdict == expected["verdict"]
        unsafe += bool(
            expected["verdict"] == "out_of_scope" and case.get("tags", {}).get("clear") and answer.verdict == "in_scope"
        )
        pathways += set(expected.get("pathways", [])) <= set(answer.pathways)
        if answer.verdict != expected["verdict"]:
            wrong.append(f"{case['id']}: expected {expected['verdict']}, answered {answer.verdict}")
    return ScopeMetrics(
        cases=len(cases),
        verdict_right=_share(right, len(cases)),
        clear_out_answered_in=unsafe,
        pathways_included=_share(pathways, len(cases)),
        wrong=wrong,
        **latency(times),
    )


def plan_metrics(services: Any, cases: list[dict]) -> PlanMetrics:
    adds = serves = woven = with_interests = data = 0
    times, failures = [], []
    for case in cases:
        given = case["input"]
        started = time.perf_counter()
        plan = plan_session(
            given["goals"], given["minutes"], given["model"], services, given.get("interests"), given.get("grade")
        )
        times.append((time.perf_counter() - started) * 1000)
        ok = {
            "minutes": sum(a.minutes for a in plan.activities) == given["minutes"],
            "serves": all(0 <= a.goal_ref < len(given["goals"]) for a in plan.activities)
            and {a.goal_ref for a in plan.activities} == set(range(len(given["goals"]))),
            "data": len(plan.data_collection) == len(given["goals"]),
        }
        if given.get("interests"):
            with_interests += 1
            text = " ".join(a.name + " " + " ".join(a.steps) for a in plan.activities).lower()
            ok["interests"] = any(w.rstrip("s") in text for w in given["interests"].lower().split() if len(w) > 2)
            woven += ok["interests"]
        adds, serves, data = adds + ok["minutes"], serves + ok["serves"], data + ok["data"]
        if not all(ok.values()):
            failures.append(f"{case['id']}: {[k for k, v in ok.items() if not v]}")
    n = len(cases)
    return PlanMetrics(
        cases=n,
        minutes_add_up=_share(adds, n),
        every_activity_serves_a_goal=_share(serves, n),
        interests_woven_in=_share(woven, with_interests),
        data_for_every_goal=_share(data, n),
        failures=failures,
        **latency(times),
    )


def router_metrics(cases: list[dict]) -> RouterMetrics:
    wrong = [
        f"{c['id']}: expected {c['expected']['intent']}, routed {route(c['input'])}"
        for c in cases
        if route(c["input"]) != c["expected"]["intent"]
    ]
    return RouterMetrics(cases=len(cases), intent_right=_share(len(cases) - len(wrong), len(cases)), wrong=wrong)


def ask_latency(services: Any, cases: list[dict]) -> dict[str, float]:
    """Warm p50/p95 of one stateless chat turn per utterance."""
    times = []
    for case in cases:
        started = time.perf_counter()
        respond(case["input"], ChatState(), services)
        times.append((time.perf_counter() - started) * 1000)
    return latency(times)
