"""The page's handlers as plain functions: cards, drafts kept as JSON, export, library filters."""

import io
import json

from docx import Document as DocxDocument

from assistant import handlers

REQUEST = "2nd grader Emily, fists her pencil, tires after 2 sentences, loves the ocean"


def run_chat(services, message, drafts=None):
    steps = list(handlers.chat_turn(services, message, [], drafts or {}, {}))
    return steps[-1]


def test_a_chat_turn_gives_a_card_sources_and_json_drafts(services):
    history, drafts, card, sources = run_chat(services, REQUEST)
    assert history[-1]["role"] == "assistant" and "Objectives" in card and "| Component |" in card
    assert "g-hfm" in sources
    assert json.loads(json.dumps(drafts))["goal"]["student"] == "Emily"
    history, drafts, card, _ = run_chat(services, "make it 3 of 4 weekly writing samples", drafts)
    changed, goal = card.split("Objectives")[0].split("| Component |", 1)
    assert "mastery: in 4 of 5 weekly" in changed and "-> in 3 of 4 weekly writing samples" in changed
    assert "in 3 of 4 weekly" in goal and "in 4 of 5 weekly" not in goal.split("_Changed")[0]
    assert drafts["goal"]["components"]["mastery"] == "in 3 of 4 weekly writing samples"


def test_the_profile_panel_feeds_the_chat(services):
    profile = {"grade": "grade 7", "baseline": "2 of 6 classes", "interests": "soccer"}
    assert handlers.with_profile("write a goal for planner use", profile).endswith(
        "(grade: grade 7; baseline: 2 of 6 classes; interests: soccer)"
    )
    _, drafts, card, _ = list(
        handlers.chat_turn(services, "write a goal for recording homework in a planner", [], {}, profile)
    )[-1]
    assert drafts["goal"]["grade_band"] == "6_8" and "2 of 6" in card


def test_bad_input_in_the_chat_is_a_message_not_a_crash(services):
    history, _, _, _ = run_chat(services, "   ")
    assert history[-1]["content"].startswith("Sorry:")


def test_scope_card_has_a_verdict_badge_pathways_and_questions(services):
    card, sources = handlers.scope_form(services, "Should I work on shoe tying with a kindergartner?")
    assert card.startswith("### Verdict: IT DEPENDS") and "**Pathways:**" in card and "To decide" in card
    assert "(`" in sources  # the sources the answer rests on, by id


def test_export_writes_a_docx_with_the_goal_and_restore_brings_it_back(services):
    _, drafts, _, _ = run_chat(services, REQUEST)
    path = handlers.export(services, drafts, "docx")
    with open(path, "rb") as handle:
        text = "\n".join(p.text for p in DocxDocument(io.BytesIO(handle.read())).paragraphs)
    assert drafts["goal"]["goal_text"] in text
    history, card = handlers.restore(services, drafts)
    assert history and "Objectives" in card
    assert handlers.export(services, dict(handlers.EMPTY_DRAFTS), "md") is None


def test_the_library_filters_activities_by_setting(services):
    text = handlers.library(services, "scissors", "", "handwriting_fine_motor", "", "pull-out")
    ids = [line.split("`")[1] for line in text.splitlines() if line.startswith("**")]
    settings = {a.id: a.setting for a in services.corpus.activities}
    assert ids and all(settings[i] in ("pull-out", "both") for i in ids)


def test_the_live_rubric_table_rechecks_an_edit():
    table = handlers.rubric_table("Student will improve handwriting.")
    assert table.startswith("**Not measurable**") and "| FAIL | Criterion |" in table


def test_a_pasted_evaluation_is_read_as_a_request_for_its_goals(services):
    """A whole evaluation summary is not routed by one line of its background (an early-intervention history,
    a scope word): it is a document about a student, and the chat drafts from it."""
    from pathlib import Path

    from assistant.chat import pasted_document, read_turn

    summary = (Path(__file__).parent / "data" / "evaluation_summary.txt").read_text()
    history = "He received early intervention OT at age 2 and 3 for feeding and play skills. "
    turn = read_turn(history + summary, services)
    assert turn.intent == "goal" and pasted_document(turn.text, turn.case)
    _, drafts, card, _ = run_chat(services, history + summary)
    assert drafts["goal"]["student"] == "Jordan" and "What I understood" in card
    asked = read_turn(summary + " Is keyboarding something the school OT should teach him?", services)
    assert not pasted_document(asked.text, asked.case)  # a document that ends in a question is a question
    assert not pasted_document("Is handwriting school OT?", read_turn("Is handwriting school OT?", services).case)
