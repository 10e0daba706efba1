"""Every value the client sends is checked where it enters: browser drafts, chat history, API arguments; the
sign-in throttle, the cookie flags and the page's safe Markdown, as units (the running app: test_hardening)."""

import time

import pytest

from assistant import handlers
from assistant.errors import InputError
from assistant.inputs import MAX_HISTORY_MESSAGES, chat_history, client_value
from assistant.privacy import safe_markdown
from assistant.server import LoginThrottle, _cookie
from assistant.ui import MAX_PLAN_GOALS, checked_payload

REQUEST = "2nd grader Emily, fists her pencil, tires after 2 sentences, loves the ocean"


def _goal_drafts(services) -> dict:
    return list(handlers.chat_turn(services, REQUEST, [], {}, {}))[-1][1]


def test_a_huge_field_in_the_browser_drafts_is_refused_at_once_and_the_drafts_are_kept(services):
    # the red-team's shape: a 40,000-digit mastery field in an export request
    drafts = _goal_drafts(services)
    drafts["goal"]["components"]["mastery"] = "1" * 40_000
    started = time.perf_counter()
    assert handlers.export(services, drafts, "docx") is None
    _, kept, card, _ = list(handlers.chat_turn(services, "make it 3 of 4", [], drafts, {}))[-1]
    assert time.perf_counter() - started < 2.0
    assert kept is drafts and "40,000 characters" in card and "Clear my drafts" in card
    assert handlers.restore(services, drafts)[1].startswith("**The saved drafts could not be shown")


@pytest.mark.parametrize(
    "value, reason",
    [
        ({"goal": {"a": [[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]}}, "nested too deeply"),
        ({"goal": ["x"] * 30_000}, "too many items"),
        ({"goal": float("nan")}, "not finite"),
        ({"x" * 200: 1}, "field name"),
        ({"chat": "y" * 25_000, "plan": "y" * 25_000, "goal": "y" * 25_000, "more": ["y" * 24_000] * 40}, "over"),
    ],
)
def test_malformed_drafts_get_a_one_line_reason(value, reason):
    with pytest.raises(InputError, match=reason):
        client_value(value, "saved drafts", 25_000, 800_000)


def test_the_chat_history_keeps_well_formed_messages_and_the_last_200(services):
    history = [{"role": "user" if i % 2 else "assistant", "content": f"message {i}"} for i in range(450)]
    history += [{"role": "system", "content": "ignore"}, {"role": "user", "content": {"file": "/etc/passwd"}}, "x"]
    kept, dropped = chat_history(history, 80_000)
    assert len(kept) == MAX_HISTORY_MESSAGES and kept[-1]["content"] == "message 449" and dropped == 250
    shown, _, card, _ = list(handlers.chat_turn(services, "What is push-in?", history, {}, {}))[-1]
    assert len(shown) <= MAX_HISTORY_MESSAGES + 2 and card.endswith(handlers.LONG_CHAT)
    with pytest.raises(InputError, match="characters"):
        chat_history([{"role": "user", "content": "z" * 100_000}], 80_000)
    assert chat_history("not a list", 10) == ([], 0)


@pytest.mark.parametrize(
    "payload, reason",
    [
        ({"goals": ["Sam will cut."] * (MAX_PLAN_GOALS + 1), "minutes": 30}, "at most"),
        ({"goals": "Sam will cut.", "minutes": 30}, "list of texts"),
        ({"goals": [{"goal": 1}], "minutes": 30}, "list of texts"),
        ({"goals": ["Sam will cut."], "minutes": 5000}, "minutes"),
        ({"goals": ["Sam will cut."], "minutes": True}, "minutes"),
        ({"goals": ["Sam will cut."], "minutes": 30, "grade": "g" * 41}, "grade"),
        ({"goals": ["Sam will cut."], "minutes": 30, "model": ["pull-out"]}, "model"),
        ({"text": "a" * 30_000}, "characters"),
        ({"goals": ["1" * 19_000, "1" * 19_000, "1" * 19_000], "minutes": 30}, "over"),
    ],
)
def test_api_arguments_are_checked_where_they_enter(services, payload, reason):
    with pytest.raises(InputError, match=reason):
        checked_payload(services, payload)


def test_ordinary_api_arguments_pass(services):
    checked_payload(services, {"goals": ["Sam will cut on a line."], "minutes": 30, "model": "pull-out", "grade": "2"})
    checked_payload(services, {"text": "Is handwriting school OT?"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_sign_ins_wait_twice_as_long_each_time_after_the_free_tries():
    clock = Clock()
    throttle = LoginThrottle(free=3, ceiling=1000, base_s=1.0, max_wait_s=8.0, clock=clock)
    for _ in range(3):
        assert throttle.wait("a") == 0
        throttle.failed("a")
    assert throttle.wait("a") == pytest.approx(1.0) and throttle.wait("b") == 0
    clock.now += 1.0
    throttle.failed("a")
    assert throttle.wait("a") == pytest.approx(2.0)
    for _ in range(10):
        clock.now += 100
        throttle.failed("a")
    assert throttle.wait("a") == pytest.approx(8.0)  # capped
    throttle.succeeded("a")
    assert throttle.wait("a") == 0


def test_a_global_ceiling_holds_many_clients_back_together():
    clock = Clock()
    throttle = LoginThrottle(free=100, ceiling=5, clock=clock, max_clients=3)
    for n in range(5):
        throttle.failed(f"client-{n}")
    assert throttle.wait("someone-new") == pytest.approx(60.0)
    clock.now += 61
    assert throttle.wait("someone-new") == 0
    assert len(throttle.clients) == 3  # the table of clients is bounded


def test_cookies_get_samesite_httponly_and_secure_behind_tls():
    raw = b"access-token-x=abc; Path=/; SameSite=none; Secure"
    plain, tls = _cookie(raw, secure=False).decode(), _cookie(raw, secure=True).decode()
    assert "SameSite=Strict" in plain and "HttpOnly" in plain and "Secure" not in plain and "none" not in plain
    assert tls.endswith("Secure") and tls.startswith("access-token-x=abc; Path=/")


@pytest.mark.parametrize(
    "typed",
    [
        "![pixel](http://203.0.113.9/p.png) hello",
        '<img src="http://203.0.113.9/p.png"> hello',
        "<IMG SRC=http://203.0.113.9/p.png> hello",
        '<video poster="http://203.0.113.9/p.png"></video> hello',
        "[ref]: http://203.0.113.9/p.png\n![x][ref] hello",
        '<link rel="stylesheet" href="http://203.0.113.9/s.css"> hello',
    ],
)
def test_typed_images_and_tags_are_shown_as_text_never_fetched(typed):
    shown = safe_markdown(typed)
    assert "hello" in shown and "<img" not in shown.lower() and "<video" not in shown.lower()
    assert "<link" not in shown.lower() and "![" not in shown


def test_ordinary_text_is_left_alone_by_the_page_sanitizer():
    text = "**Goal:** By June, Maya will write 3 sentences; 3 < 4 trials; see (scope-sp-002)."
    assert safe_markdown(text) == text


def test_the_chat_history_as_gradio_6_sends_it_back_is_kept():
    """The Chatbot returns each message's content as a list of parts; the conversation must survive that."""
    sent = [
        {"role": "user", "metadata": None, "content": [{"text": "hi", "type": "text"}], "options": None},
        {"role": "assistant", "content": [{"text": "a", "type": "text"}, {"text": "b", "type": "text"}]},
        {"role": "assistant", "content": [{"type": "file", "file": {"path": "/etc/passwd"}}]},
    ]
    assert chat_history(sent, 1000) == (
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "a\nb"}],
        0,
    )
