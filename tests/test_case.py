"""Understanding the request: one Case of the student's facts, read once, with the words each came from."""

import pytest

from assistant import chat, goals, handlers, review, scope
from assistant.case import read_case
from assistant.goals import draft_goal


@pytest.mark.parametrize(
    "text",
    [
        "Parent will record posted assignments in the planner",
        "Speech will play out the pretend routine with him",
        "Monday will copy the paragraph from the board",
        "Teacher will begin seatwork after the warm-up",
        "Hi, I need a goal for copying from the board, 3rd grade",
    ],
)
def test_role_greeting_and_weekday_words_are_never_the_students_name(text):
    assert read_case(text).student is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, my son Liam is in 2nd grade and his handwriting is hard to read", "Liam"),
        ("Marcus has trouble with his locker combination, 7th grade", "Marcus"),
        ("Can you help with Sofia's goal? She fists her crayon.", "Sofia"),
        ("goal for jaylen 5th gr, can't stay seated in math", "jaylen"),
        ("Will is a 3rd grader who tires after 2 sentences", "Will"),
        ("Summer, a kindergartner, cannot open her milk carton", "Summer"),
        ("Hello Ms. Ortiz, my daughter Hope uses an AAC device", "Hope"),
        ("Dear OT, his brother Eli says Mateo won't zip his coat", "Mateo"),
    ],
)
def test_the_students_name_is_read_from_its_cues_and_never_anothers(text, name):
    case = read_case(text)
    assert case.student == name
    assert name.lower() in case.evidence["student"].lower()


@pytest.mark.parametrize(
    ("text", "grade", "age", "band"),
    [
        ("1st gr. student, fisted grasp", "1", None, "k2"),
        ("gr 4, copies slowly", "4", None, "3_5"),
        ("grade four, keyboarding", "4", None, "3_5"),
        ("fourth grader who cannot cut", "4", None, "3_5"),
        ("K student who cannot open containers", "k", None, "k2"),
        ("kinder, scissors", "k", None, "k2"),
        ("PreK, circle time", "prek", None, "prek"),
        ("HS student, locker", None, None, "9_12"),
        ("freshman, note-taking", "9", None, "9_12"),
        ("16 yo, job site", None, 16, "9_12"),
        ("a 16-year-old who uses a power chair", None, 16, "9_12"),
        ("12 yo with DCD", None, 12, "6_8"),
        ("age 4, potty training", None, 4, "prek"),
        ("18-21 program, shelving at the job site", "18-21", None, "transition_18_21"),
    ],
)
def test_grade_and_age_are_read_in_every_common_form(text, grade, age, band):
    case = read_case(text)
    assert (case.grade, case.age, case.grade_band) == (grade, age, band)


def test_present_levels_keep_their_own_units_and_distractor_numbers_are_not_levels():
    copies = read_case("2nd grader, copies 6 words in 5 minutes with 3 omissions")
    assert [(b.value, b.unit) for b in copies.baselines] == [(6, "count"), (3, "count")]
    seat = read_case("leaves seat 6-8 times during a 20 minute work period")
    assert [(b.value, b.value_max, b.unit) for b in seat.baselines] == [(6, 8, "count")]
    coat = read_case("takes 12 minutes for coat and boots at dismissal")
    assert [(b.value, b.unit) for b in coat.baselines] == [(12, "minutes")]
    assert coat.baselines[0].text == "takes 12 minutes for coat and boots"
    lunch = read_case("CP, 35 minutes to eat a 25-minute lunch; OT 30 min/wk; VMI standard score 78")
    assert [(b.value, b.unit) for b in lunch.baselines] == [(35, "minutes")]
    target = read_case("currently 2 of 5 trials, we want 4 of 5")
    assert [(b.value, b.out_of) for b in target.baselines] == [(2, 5)]


def test_disagreeing_reports_are_both_kept_and_flagged():
    case = read_case("teacher says 40% of words are legible; mom says at home it's 80% of words")
    assert [b.value for b in case.baselines] == [40, 80]
    assert all(b.conflict for b in case.baselines) and case.conflicts


@pytest.mark.parametrize(
    ("text", "support", "communication", "access"),
    [
        ("needs hand-under-hand to bring the spoon to his mouth", "full_physical", None, []),
        ("full assist for pad changes", "full_physical", None, []),
        ("nonverbal, uses an AAC device to request", None, "aac", ["aac"]),
        ("nonverbal 3 y/o, no device yet", None, "nonverbal", []),
        ("uses eye gaze and a power chair; CVI", None, None, ["eye_gaze", "power_wheelchair", "cvi"]),
        ("I end up zipping it for him every day", "full_physical", None, []),
        ("needs verbal reminders to start, and we want him to start independently", "verbal", None, []),
    ],
)
def test_support_communication_and_access_are_read(text, support, communication, access):
    case = read_case(text)
    assert (case.support, case.communication, case.access) == (support, communication, access)


def test_the_skill_and_routine_are_the_need_the_ot_named():
    locker = read_case("7th grader who can't manage his locker combination between classes")
    assert locker.skill == "manage his locker combination between classes" and locker.routine == "locker"
    typing = read_case("5th grader needs to use speech-to-text and word prediction; completes 30% of written work")
    assert typing.skill.startswith("use speech-to-text") and typing.routine == "computer"


def test_a_student_named_will_gets_a_goal_in_his_own_name(services):
    goal = draft_goal("Will is a 3rd grader who tires after 2 sentences in journal writing", services)
    assert goal.student == "Will" and "Will will " in goal.goal_text and goal.case.grade == "3"
    parent = draft_goal("Parent will record posted assignments; 7th grade; forgets homework 4 of 5 days", services)
    assert parent.student == "the student" and "Parent will" not in parent.goal_text


def test_goal_json_carries_the_case_with_its_evidence(services):
    goal = draft_goal("gr 4, Sofia, copies from the board with 40% of words correct", services)
    case = goal.model_dump()["case"]
    assert case["student"] == "Sofia" and case["grade"] == "4" and case["baselines"][0]["unit"] == "percent"
    assert case["evidence"]["grade"] == "gr 4" and "40%" in case["baselines"][0]["text"]


@pytest.fixture
def counted(monkeypatch):
    """Count every reading of a message into a Case, and every routing, wherever it happens."""
    calls = {"read": 0, "route": 0}

    def reading(text):
        calls["read"] += 1
        return read_case(text)

    original_route = chat.ranked

    def routing(text, embedder=None):
        calls["route"] += 1
        return original_route(text, embedder)

    for module in (chat, goals, review, scope, handlers):
        monkeypatch.setattr(module, "read_case", reading)
    monkeypatch.setattr(chat, "ranked", routing)
    return calls


@pytest.mark.parametrize(
    "message",
    [
        "Write a goal for a 2nd grader who fists her pencil; 2 sentences before a break",
        "Is shoe tying something I should work on at school?",
        "Plan a 30-minute pull-out session for a 3rd grader who cannot cut on a line",
        "Check this goal: 'Maya will improve her handwriting.'",
        "What is the difference between push-in and pull-out?",
    ],
)
def test_a_chat_turn_reads_and_routes_the_message_once(services, counted, message):
    list(handlers.chat_turn(services, message, [], {}, {}))
    assert counted == {"read": 1, "route": 1}
