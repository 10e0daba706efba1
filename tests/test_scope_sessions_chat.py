"""Scope answers, session plans, service-model advice and the chat, against the labeled sets."""

import re

import pytest

from assistant.chat import ChatState, respond
from assistant.errors import InputError
from assistant.router import route
from assistant.scope import answer_scope
from assistant.sessions import advise_service_model, plan_session
from evals.cases import load_case_file
from evals.run import DEFAULT_CASES
from tests.conftest import criteria_of

GOAL = (
    "By the annual IEP review, during journal writing, given lined paper, Maya will write 3 sentences with at "
    "least 80% of letters on the line with no more than 1 verbal cue in 4 of 5 weekly samples, as measured by "
    "work samples scored with a legibility checklist."
)


def test_scope_questions_meet_the_acceptance_figures(services):
    count, rates = criteria_of(services, "scope.yaml")
    assert count >= 150
    assert rates["scope.verdict"] >= 0.90
    assert rates["scope.clear_out_not_in_scope"] == 1.0


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("Can you tell me whether my son has dyspraxia?", "out_of_scope"),
        ("Can I just stop his OT myself without going back to the IEP team?", "out_of_scope"),
        ("Mom wants help with bedtime routines at home, nothing at school.", "out_of_scope"),
        ("A 2nd grader with an IEP can't open his lunch containers and misses half of lunch. Can OT help?", "in_scope"),
    ],
)
def test_scope_rules_hold(services, question, verdict):
    answer = answer_scope(question, services)
    assert answer.verdict == verdict
    assert "diagnose" not in answer.rationale.lower() or "not diagnose" in answer.rationale.lower()
    assert answer.citations


def test_a_depends_answer_asks_follow_up_questions_and_offers_the_in_scope_path(services):
    answer = answer_scope("Should I work on shoe tying with a kindergartner?", services)
    assert answer.verdict == "depends" and len(answer.follow_up_questions) >= 2
    assert all(c.source_id in services.corpus.by_id() for c in answer.citations)


def test_plan_requests_meet_the_acceptance_figures(services):
    count, rates = criteria_of(services, "plan.yaml")
    assert count >= 40
    assert rates["plan.minutes_add_up"] == 1.0
    assert rates["plan.every_activity_serves_a_goal"] == 1.0
    assert rates["plan.interests_woven_in"] == 1.0
    assert rates["plan.data_for_every_goal"] == 1.0


def test_push_in_plans_sit_in_a_classroom_routine_and_pull_out_plans_give_a_reason(services):
    push = plan_session([GOAL], 30, "push-in", services, grade="3_5")
    assert any(a.classroom_routine for a in push.activities if a.phase == "core")
    pull = plan_session([GOAL], 30, "pull-out", services, interests="dinosaurs")
    assert "Pull-out" in pull.rationale and "least restrictive" in pull.rationale
    phases = [a.phase for a in pull.activities]
    assert phases[0] == "preparatory" and phases[-1] == "wrap_up" and set(phases[1:-1]) == {"core"}
    assert any(a.name.startswith("The real task") for a in pull.activities)
    assert all(a.easier and a.harder for a in pull.activities if a.source_id)  # bank parts carry their variations
    assert all(not a.with_adults for a in pull.activities if a.phase == "core")


@pytest.mark.parametrize(
    ("goals", "minutes", "model"),
    [([], 30, "pull-out"), ([GOAL], 5, "pull-out"), ([GOAL], 30, "telepathy"), ([GOAL] * 4, 30, "push-in")],
)
def test_bad_plan_requests_get_a_clear_message(services, goals, minutes, model):
    with pytest.raises(InputError):
        plan_session(goals, minutes, model, services)


def test_service_advice_starts_least_restrictive(services):
    advice = advise_service_model([GOAL], services)
    assert [m["model"] for m in advice.mix] == ["consult", "push-in"]
    private = advise_service_model(
        [
            "By the annual IEP review, during toileting at school, Sam will complete 6 "
            "of 6 steps in 4 of 5 days, as measured by a checklist."
        ],
        services,
    )
    assert "pull-out" in [m["model"] for m in private.mix] and "privacy" in private.rationale


def test_the_router_is_right_on_the_labeled_utterances():
    cases = load_case_file(DEFAULT_CASES[0] / "router.yaml")
    assert len(cases) >= 100
    right = sum(route(c.input) == c.expected["intent"] for c in cases)
    assert right / len(cases) >= 0.95


def test_a_six_turn_conversation_with_follow_up_edits(services):
    state = ChatState()
    reply, state = respond(
        "Write a goal for a 2nd grader who tires after 2 sentences; she loves the ocean", state, services
    )
    assert reply.intent == "goal" and "Baseline: tires after 2 sentences." in reply.answer
    reply, state = respond("make it 3 of 4 weekly writing samples", state, services)
    assert "in 3 of 4 weekly writing samples" in state.last_goal.goal_text and state.last_goal.review.measurable
    reply, state = respond("use Emily instead", state, services)
    assert state.last_goal.student == "Emily" and "Emily will" in state.last_goal.goal_text
    reply, state = respond("plan a 30-minute pull-out session for that goal", state, services)
    assert reply.intent == "plan" and state.last_plan.minutes == 30 and state.last_plan.model == "pull-out"
    assert re.search(r"ocean", " ".join(" ".join([a.name, *a.steps]) for a in state.last_plan.activities))
    reply, state = respond("is shoe tying something I should be working on at school?", state, services)
    assert reply.intent == "scope" and reply.result["verdict"] in ("depends", "in_scope", "out_of_scope")
    reply, state = respond("what is the difference between push-in and pull-out?", state, services)
    assert reply.intent == "question" and "pull-out" in reply.answer.lower() and reply.citations
    assert state.last_goal.student == "Emily" and state.turns == 6
