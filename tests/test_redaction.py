"""Student details are replaced before a remote model call and put back in the answer; if redaction fails,
nothing is sent. The "remote" model here is a loopback stub that records every request body."""

import json

import pytest

from assistant.chat import ChatState, respond
from assistant.handlers import chat_turn, write_goal
from assistant.llm import build_chat_model
from assistant.redact import RedactionFailed, Redactor, StreamRestorer, lexicons
from evals.redaction import load_set, score
from tests.conftest import make_settings
from tests.llm_stub import StubLLMServer
from tests.test_llm import GOOD


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Email mom at jo.smith+ot@district.k12.example.us today", "jo.smith+ot@district.k12.example.us"),
        ("Call (555) 201-3344 ext. 12 after 3", "(555) 201-3344 ext. 12"),
        ("cell +1 555 201 3344", "+1 555 201 3344"),
        ("DOB: 3/14/2016, grade 3", "3/14/2016"),
        ("born March 14th, 2016 in", "March 14th, 2016"),
        ("seen on 2025-10-03 for", "2025-10-03"),
        ("meeting on 10/3 at noon", "10/3"),
        ("Student ID: 20481937", "20481937"),
        ("SID A1234567 in the file", "A1234567"),
        ("at 1842 Maple Ave, Apt 3B, Springfield, IL 62704 with", "1842 Maple Ave, Apt 3B, Springfield, IL 62704"),
        ("mail to PO Box 118, Dayton, OH 45401", "PO Box 118, Dayton, OH 45401"),
        ("a 2nd grader at Lincoln Elementary School who", "Lincoln Elementary School"),
        ("Ms. Ortiz says", "Ortiz"),
        ("Name: Xiomara Delgado-Reyes", "Xiomara Delgado-Reyes"),
        ("write a goal for Oluwaseun, who", "Oluwaseun"),
    ],
)
def test_each_kind_of_detail_is_replaced(text, detail):
    redactor = Redactor()
    redacted = redactor.redact(text)
    assert detail not in redacted
    assert redactor.restore(redacted) == text


def test_the_shipped_word_lists_are_there_and_sizable():
    names, word_names, vocabulary = lexicons()
    assert len(names) >= 2000 and len(word_names) >= 100 and len(vocabulary) >= 4000
    assert {"will", "grace", "hope"} <= word_names and {"maya", "oluwaseun", "priya"} <= names


def test_ordinary_ot_words_and_trial_counts_survive():
    text = "In 4 of 5 trials and 3/4 opportunities, with Velcro and a slant board, by the annual IEP review in March."
    assert Redactor().redact(text) == text


def test_a_known_name_is_replaced_in_any_case_and_its_possessive():
    redactor = Redactor(known_names=["Maya"])
    redacted = redactor.redact("maya and MAYA's pencil; Maya wrote")
    assert "maya" not in redacted.lower()


def test_a_name_that_survives_fails_closed():
    redactor = Redactor(known_names=["Mo"])
    with pytest.raises(RedactionFailed):
        redactor.verify("Mo wrote 3 sentences")


def test_placeholders_split_across_streamed_tokens_are_restored():
    redactor = Redactor(known_names=["Maya"])
    redactor.redact("Maya wrote")
    restorer = StreamRestorer(redactor)
    tokens = ["Goal: [NA", "ME_", "1] will", " write."]
    assert "".join(restorer.feed(t) for t in tokens) + restorer.flush() == "Goal: Maya will write."


@pytest.mark.parametrize(
    "text, known, gone, kept",
    [
        # the red-team's misses, each as a principle with wordings of its own
        ("Summer has trouble with the zipper. Summer's mom asked about it.", [], ["Summer"], ["zipper"]),
        ("Harmony needs a slant board. She also likes summer camp.", [], ["Harmony"], ["summer camp"]),
        ("Chase bolted from the line again today.", [], ["Chase"], ["from the line"]),
        ("chase stood near the slide; chase's para said it happens daily", ["Chase"], ["chase"], ["slide"]),
        (
            "Kacper Wiśniewski formed 8 of 10 letters. His mom, Mrs. Wiśniewska, called.",
            [],
            ["Kacper", "Wiśniewsk"],
            ["8 of 10 letters"],
        ),
        ("Zoë and Łukasz Nowak share a table; Łukasz cuts on the line.", [], ["Zoë", "Łukasz", "Nowak"], ["table"]),
        ('Alexandra "Sasha" Volkova goes by Sasha in class.', [], ["Alexandra", "Sasha", "Volkova"], ["in class"]),
        ("Dominique (DJ) Baptiste rode the bus. DJ located the stop.", [], ["Dominique", "DJ", "Baptiste"], ["bus"]),
        ("Her grandma, Ms. Petrov, picks her up.", [], ["Petrov"], ["picks her up"]),
        ("Call 555 0142 333 or 555 - 201 - 8890 or 5 5 5 2 0 1 3 3 4 4.", [], ["0142", "8890", "5 5 5"], ["Call"]),
        ("She works in Room 114 on Mondays and in rm 2B after lunch.", [], ["114", "2B"], ["Mondays", "after lunch"]),
        (
            "Reading screen:\n- Nia – b/d reversals\n- Ezekiel – slow\n- Lily – needs referral?",
            [],
            ["Nia", "Ezekiel", "Lily"],
            ["reversals", "referral"],
        ),
        ("The grip broke already. Could you send another?\nBest,\nMarguerite", [], ["Marguerite"], ["grip"]),
    ],
)
def test_names_rooms_and_spaced_numbers_are_replaced_by_principle(text, known, gone, kept):
    redacted = Redactor(known_names=known).redact(text)
    assert not [g for g in gone if g in redacted], redacted
    assert all(k in redacted for k in kept), redacted


@pytest.mark.parametrize("digits", ["555 0142 333", "5-5-5-2-0-1-3-3-4-4", "(555)2013344", "555 . 201 . 3344"])
def test_the_fail_closed_check_catches_seven_digits_however_spaced(digits):
    with pytest.raises(RedactionFailed):
        Redactor().verify(f"call me at {digits} tonight")
    Redactor().verify("scores 85, 90, 88 and 92; 4 of 5 trials; 10/12 sessions")  # not one run: nothing raised


def test_the_development_set_meets_the_recall_targets():
    result = score(load_set("dev"))
    assert result["snippets"] >= 100
    assert result["structured_recall"] >= 0.98, result["misses"]
    assert result["recall"]["name"] >= 0.90, result["misses"]
    assert result["keep_rate"] >= 0.90, result["over_redacted"]


def test_the_blind_held_out_set_is_scored():
    result = score(load_set("holdout"))
    assert result["snippets"] >= 50
    assert result["structured_recall"] >= 0.90, result["misses"]


SEEDED = {
    "first": "Quillon",
    "full": "Quillon Abernathy-Voss",
    "dob": "09/21/2015",
    "id": "60418822",
    "email": "avoss.family@example.net",
    "phone": "555-404-9911",
    "address": "77 Larkspur Lane, Millbrook, VT 05401",
    "school": "Birchwood Elementary School",
}
SEEDED_TEXT = (
    f"Write a goal for {SEEDED['full']} (DOB {SEEDED['dob']}, student ID {SEEDED['id']}) at {SEEDED['school']}, "
    f"{SEEDED['address']}; mom {SEEDED['email']}, {SEEDED['phone']}. 3rd grader, letters all over the line, "
    "about 40% of letters on the line in journal samples"
)


@pytest.fixture
def remote(services):
    """An openai-style stub treated as remote: redaction always on, every request body recorded."""
    with StubLLMServer("openai") as server:
        settings = make_settings(
            services.settings.data_dir,
            llm_backend="openai",
            llm_base_url=server.url,
            llm_model="stub",
            llm_redact="always",
            llm_timeout=10,
        )
        yield server, services._replace(settings=settings, llm=build_chat_model(settings))


def test_no_seeded_identifier_reaches_the_remote_model_and_the_answer_gets_them_back(remote):
    server, services = remote
    reply = {**GOOD, "goal_text": GOOD["goal_text"].replace("Maya", "[NAME_1]")}
    reply["educational_relevance"] = "Readable journals let [NAME_1] show learning."
    server.enqueue(json.dumps(reply))
    outputs = list(chat_turn(services, SEEDED_TEXT, [], {}, {"interests": "dinosaurs"}))
    bodies = json.dumps([r["body"] for r in server.requests])
    assert server.requests, "the model was not called"
    assert [k for k, v in SEEDED.items() if v in bodies] == []
    assert "[NAME_" in bodies and "[DATE_" in bodies
    card = outputs[-1][2]
    assert "Quillon" in card and "[NAME_" not in card


def test_a_question_streamed_from_the_remote_model_is_redacted_and_restored(remote):
    server, services = remote
    server.enqueue("Push-in for [NAME_1] happens in class; see https://evil.example/x.")
    question = f"What is push-in versus pull-out for {SEEDED['first']} at {SEEDED['school']}?"
    outputs = list(chat_turn(services, question, [], {}, {}))
    bodies = json.dumps([r["body"] for r in server.requests])
    assert SEEDED["first"] not in bodies and SEEDED["school"] not in bodies
    answer = outputs[-1][0][-1]["content"]
    assert "Quillon" in answer and "evil.example" not in answer


def test_when_redaction_fails_nothing_is_sent_and_the_offline_answer_is_used(remote, monkeypatch):
    server, services = remote
    monkeypatch.setattr(Redactor, "spans", lambda self, text: [])  # a recognizer that finds nothing
    goal_outputs = write_goal(services, SEEDED_TEXT, SEEDED["first"], "standard", {})
    assert server.requests == []
    assert "nothing was sent" in goal_outputs[0]
    reply, _ = respond(f"What is push-in? Ask {SEEDED['email']}", ChatState(), services)
    assert server.requests == [] and reply.answer


def test_remote_endpoints_redact_and_loopback_ones_do_not_by_default(tmp_path):
    local = make_settings(tmp_path, llm_backend="openai", llm_base_url="http://127.0.0.1:9/v1")
    assert build_chat_model(local).redact is False
    remote = make_settings(
        tmp_path, llm_backend="openai", llm_base_url="https://llm.district.example/v1", llm_allow_remote=True
    )
    model = build_chat_model(remote)
    assert model.redact is True and model.host == "llm.district.example"


def test_missing_word_lists_fail_closed_instead_of_redacting_less(remote, monkeypatch, tmp_path):
    from assistant import redact

    server, services = remote
    monkeypatch.setattr(redact, "DATA", tmp_path)  # an install that lost assistant/data
    redact.lexicons.cache_clear()
    try:
        reply, _ = respond("What is push-in versus pull-out for Quillon?", ChatState(), services)
    finally:
        monkeypatch.undo()
        redact.lexicons.cache_clear()
    assert server.requests == [] and "missing" in (reply.note or "")
