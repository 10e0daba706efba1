"""Follow-up edits in the chat: each asked change is in the new draft, `changes` says what changed, and nothing
is claimed that the text does not carry. Real model, real index, the real goal bank."""

import io
import json
from contextlib import redirect_stdout

import pytest

from assistant.chat import ChatState, respond
from assistant.intent import classify

WRITING = "Maya is in 5th grade and writes 2 sentences in journal writing before she stops; she needs 2 verbal prompts."
LUNCH = "Liam, 1st grade, opens 1 of 5 lunch containers at lunch; needs hand-over-hand for the milk carton."


@pytest.fixture(scope="module")
def writing(services):
    reply, state = respond(WRITING, ChatState(), services)
    assert reply.intent == "goal" and state.last_goal.student == "Maya"
    return state


def edit(services, state, text):
    reply, after = respond(text, state, services)
    return reply, after, state.last_goal, after.last_goal


def test_a_new_mastery_rule_is_in_the_goal_and_every_objective(services, writing):
    reply, _, old, new = edit(services, writing, "change the mastery to 3 out of 4 trials")
    assert reply.intent == "edit" and reply.changes and reply.changes[0].startswith("mastery: ")
    assert "3 of 4 trials" in new.goal_text and new.components.mastery.endswith("3 of 4 trials")
    assert old.components.mastery not in new.goal_text
    assert all("3 of 4 trials" in o.text for o in new.objectives)


def test_a_new_percent_moves_the_criterion_and_the_objectives_steps(services, writing):
    old = writing.last_goal
    assert "%" in old.components.criterion
    reply, _, _, new = edit(services, writing, "can we do 70% instead")
    assert reply.changes and "70%" in new.components.criterion and "70%" in new.goal_text
    assert "70%" in new.objectives[-1].text
    values = [o.value for o in new.objectives if o.value is not None]
    assert values == sorted(values) and values[-1] == 70
    reply, _, old, same = edit(services, writing, "make it 80%")
    assert same.goal_text == old.goal_text
    assert (
        reply.changes == [] and reply.answer.startswith("The goal is unchanged") and "already says 80%" in reply.answer
    )


def test_a_new_name_replaces_the_old_one_everywhere(services, writing):
    reply, after, _, new = edit(services, writing, "Use Nora's brother Eli instead")
    assert new.student == "Eli" and "Eli will" in new.goal_text and "Maya" not in new.goal_text
    assert "Nora" not in new.goal_text and reply.changes == ["name: Maya -> Eli"]
    assert all("Maya" not in o.text for o in new.objectives)
    _, _, _, again = edit(services, after, "sorry, call her will")  # a name that is also a word, after a cue
    assert again.student == "Will" and "Will will" in again.goal_text


def test_a_grade_correction_changes_the_case_and_says_so(services, writing):
    reply, after, _, _ = edit(services, writing, "actually she's 7th not 5th")
    assert after.case.grade == "7" and any(c.startswith("grade: ") for c in reply.changes)


def test_an_accommodation_is_a_note_and_a_condition_not_a_new_goal(services, writing):
    reply, _, old, new = edit(services, writing, "add a pencil grip")
    assert reply.intent == "edit" and new.template_id == old.template_id
    assert "pencil grip" in new.components.condition and any(
        n.startswith("Accommodation: pencil grip") for n in new.notes
    )


def test_a_prompt_level_and_a_setting_change_the_goal_text(services, writing):
    reply, after, _, new = edit(services, writing, "make it no more than 2 verbal prompts")
    assert reply.changes and "with no more than 2 verbal prompts" in new.goal_text
    reply, _, _, moved = edit(services, after, "use it in science lab instead")
    assert reply.changes and moved.components.condition.startswith("in science lab")
    assert "in science lab" in moved.goal_text


def test_no_edit_is_claimed_that_the_text_does_not_carry(services, writing):
    """Every reply that lists changes has a changed text or Case; every other reply says the goal is unchanged."""
    asks = [
        "make it better",
        "change the mastery to 4 of 5 weekly writing samples",
        "mastery 3 of 4 trials",
        "bump it to 4/5",
        "target 4 sentences",
        "criterion 90%",
        "call him Jon",
        "hmm not sure",
        "add it",
        "make it during lunch",
        "she is nonverbal and uses an AAC device",
        "more independent",
        "more support",
    ]
    state = writing
    for text in asks:
        reply, after = respond(text, state, services)
        before = state.last_goal
        if reply.changes:
            changed = (after.last_goal.goal_text, after.last_goal.notes) != (before.goal_text, before.notes)
            assert changed or after.case != state.case, text
        elif reply.intent == "edit":
            assert reply.answer.startswith("The goal is unchanged"), text
            assert after.last_goal.goal_text == before.goal_text, text
        state = after


def test_a_change_the_goal_cannot_take_is_refused_with_the_reason(services):
    _, state = respond(LUNCH, ChatState(), services)
    reply, after = respond("change the target to 25 words per minute", state, services)
    assert reply.intent == "edit" and reply.changes == [] and "does not count" in reply.answer
    assert after.last_goal.goal_text == state.last_goal.goal_text


def test_another_and_options_give_new_drafts_for_the_same_request(services, writing):
    reply, after = respond("give me 3 options", writing, services)
    goals = [after.last_goal, *after.last_goal.more_goals]
    assert reply.intent == "goal" and len(goals) >= 2
    texts = {g.goal_text for g in goals}
    assert len(texts) == len(goals) and writing.last_goal.goal_text not in texts
    assert all(g.student == "Maya" for g in goals)


def test_a_new_student_starts_clean(services, writing):
    reply, after = respond(
        "Now Marco, 4th grade: he can't open his lunch containers, opens 1 of 5 at lunch", writing, services
    )
    assert reply.intent == "goal" and after.last_goal.student == "Marco"
    assert "Maya" not in after.last_goal.goal_text and "2 sentences" not in after.last_goal.goal_text
    assert "new student" in (reply.note or "").lower() and after.case.student == "Marco"


@pytest.mark.parametrize("text", ["What's the weather?", "zzqxj", "lol", "write my sister's wedding toast"])
def test_input_the_assistant_cannot_use_is_unclear_with_what_it_can_do(services, text):
    reply, _ = respond(text, ChatState(), services)
    assert reply.intent == "unclear" and "I help school OTs" in reply.answer and not reply.citations


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        (
            "my principal wants me to cut my sessions to consult for all kids with fine motor goals, is that ok?",
            {"procedure", "scope"},
        ),
        ("what should I do if a parent disagrees with discontinuing OT?", {"procedure", "scope"}),
        ("plan a 30 minute push-in for that goal", {"plan"}),
    ],
)
def test_professional_questions_are_answers_not_plans(services, text, intents):
    assert classify(text, services.embedder)[0] in intents


def test_chat_jsonl_keeps_state_per_conversation(services, tmp_path, monkeypatch):
    from assistant import cli

    lines = [
        {"conversation": "a", "text": WRITING},
        {"conversation": "b", "text": LUNCH},
        {"conversation": "a", "text": "mastery 3 of 4 trials"},
        {"conversation": "b", "text": "use Sam instead"},
        {"conversation": "c", "text": "use Sam instead"},
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    monkeypatch.setattr(cli, "build_services", lambda *a, **k: services)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["chat", "--jsonl", str(path)]) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r.get("conversation") for r in rows[:5]] == ["a", "b", "a", "b", "c"]
    assert rows[2]["intent"] == "edit" and "3 of 4 trials" in rows[2]["result"]["goal_text"]
    assert "Maya" in rows[2]["result"]["goal_text"] and rows[3]["result"]["student"] == "Sam"
    assert "Liam" not in rows[3]["result"]["goal_text"] and rows[4]["changes"] == []  # c has no goal to change
    assert "error" in rows[5]
