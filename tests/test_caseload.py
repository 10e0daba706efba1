"""The caseload kept in the browser, as plain functions: every goal and plan of a student kept, students filed
and switched with nothing lost and nothing leaking, exports of the whole session, inputs that come back."""

import io
from pathlib import Path

from docx import Document as DocxDocument

from assistant import caseload, handlers

EMILY = "Write a goal for Emily, a 2nd grader who tires after 2 sentences of journal writing"
MARCO = "Write a goal for Marco, a 5th grader who cannot open his lunch containers; he opens 1 of 4"


def turn(services, message, drafts, filed=None):
    return list(handlers.chat_turn(services, message, [], drafts, {}, filed=filed))[-1]


def test_a_revision_replaces_the_goal_and_a_new_goal_is_added():
    drafts = caseload.kept(caseload.empty(), "goal", {"goal_text": "A"}, revises=False)
    drafts = caseload.kept(drafts, "goal", {"goal_text": "A2"}, revises=True)
    assert [g["goal_text"] for g in drafts["goals"]] == ["A2"]
    drafts = caseload.kept(drafts, "goal", {"goal_text": "B"}, revises=False)
    drafts = caseload.kept(drafts, "goal", {"goal_text": "B"}, revises=False)  # the same text is kept once
    assert [g["goal_text"] for g in drafts["goals"]] == ["A2", "B"] and drafts["goal"]["goal_text"] == "B"
    for i in range(20):
        drafts = caseload.kept(drafts, "goal", {"goal_text": str(i)}, revises=False)
    assert len(drafts["goals"]) == caseload.MAX_KEPT and drafts["goals"][-1]["goal_text"] == "19"


def test_old_drafts_without_the_lists_still_export_their_goal():
    drafts = caseload.normal({"goal": {"goal_text": "A", "student": "Ava"}, "plan": None})
    assert drafts["goals"] == [{"goal_text": "A", "student": "Ava"}] and drafts["plans"] == []
    assert caseload.label(drafts, "x") == "Ava"
    assert caseload.normal("not a dict") == caseload.empty()


def test_switching_students_files_the_one_on_screen_and_loses_nothing():
    ana = {**caseload.empty(), "goal": {"student": "Ana", "goal_text": "a"}, "goals": [{"goal_text": "a"}]}
    ben = {**caseload.empty(), "goal": {"student": "Ben", "goal_text": "b"}, "goals": [{"goal_text": "b"}]}
    fresh, filed = caseload.new_student(ana, {"students": []})
    assert fresh == caseload.empty() and [caseload.label(d, "?") for d in filed["students"]] == ["Ana"]
    shown, filed = caseload.switch("0", ben, filed)
    assert caseload.label(shown, "?") == "Ana" and [caseload.label(d, "?") for d in filed["students"]] == ["Ben"]
    assert caseload.choices(shown, filed) == [("Ana (on screen)", "current"), ("Ben", "0")]
    again, same = caseload.switch("7", shown, filed)  # a choice that is not there changes nothing
    assert caseload.label(again, "?") == "Ana" and same == filed
    empty_fresh, kept = caseload.new_student(caseload.empty(), filed)  # an empty page is not filed
    assert kept == filed and empty_fresh == caseload.empty()


def test_a_chat_message_about_another_student_files_the_last_one(services):
    _, emily, _, _, filed = turn(services, EMILY, {}, {"students": []})
    assert filed == {"students": []} and emily["goal"]["student"] == "Emily"
    history, marco, card, _, filed = turn(services, MARCO, emily, filed)
    assert marco["goal"]["student"] == "Marco" and [g["student"] for g in marco["goals"]] == ["Marco"]
    assert "Emily" not in str(history) + card and [caseload.label(d, "?") for d in filed["students"]] == ["Emily"]
    assert filed["students"][0]["goals"][0]["student"] == "Emily"  # Emily's goal is kept, whole


def test_the_export_holds_every_goal_and_plan_of_the_student(services):
    _, drafts, _, _ = list(handlers.chat_turn(services, EMILY, [], {}, {}))[-1]
    _, drafts, _, _ = list(
        handlers.chat_turn(services, "Plan a 30-minute pull-out session for that goal", [], drafts, {})
    )[-1]
    _, drafts, _, _ = list(handlers.chat_turn(services, "now a 20-minute push-in plan for it", [], drafts, {}))[-1]
    *_, drafts, _, _ = handlers.write_goal(
        services, "Emily cuts 2 of 5 shapes on the line with scissors", "", "", drafts
    )
    assert len(drafts["goals"]) == 2 and len(drafts["plans"]) == 2
    path = handlers.export(services, drafts, "docx")
    assert path.endswith("school-ot-Emily.docx")
    with open(path, "rb") as handle:
        text = "\n".join(p.text for p in DocxDocument(io.BytesIO(handle.read())).paragraphs)
    assert text.count("IEP goal: Emily") == 2 and "pull-out session, 30 minutes" in text
    assert "push-in session, 20 minutes" in text
    page = Path(handlers.export(services, drafts, "html")).read_text(encoding="utf-8")
    assert "@media print" in page and "<script" not in page and page.count("IEP goal: Emily") == 2
    assert handlers.export(services, drafts, "exe") is None


def test_the_printable_page_shows_typed_html_as_text(services):
    from assistant.export import to_html

    page = to_html('# Goal\n\n<script>alert(1)</script> <img src="http://x/y.png">', "t")
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<img" not in page


def test_the_page_view_brings_back_fields_and_drafts_and_a_damaged_copy_is_a_message(services):
    _, drafts, _, _ = list(handlers.chat_turn(services, EMILY, [], {}, {"interests": "the ocean"}))[-1]
    inputs = handlers.kept_inputs(services, {"writer_request": "Emily, gr 2", "plan_minutes": 500, "x": "y"})
    assert inputs == {"writer_request": "Emily, gr 2", "plan_minutes": 120}
    view = handlers.page_view(services, drafts, inputs, {"students": []})
    assert view["writer_request"] == "Emily, gr 2" and view["plan_minutes"] == 120
    assert "Objectives" in view["card"] and view["profile:interests"] == "the ocean"
    assert view["switcher"][0] == ("Emily (on screen)", "current")
    broken = handlers.page_view(services, {"goal": "x" * 100_000}, {}, {})
    assert broken["card"].startswith("**The saved drafts could not be shown") and broken["history"] == []
