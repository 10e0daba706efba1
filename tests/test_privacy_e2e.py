"""The running app in its default (offline) mode: every intent answers with nothing leaving the machine,
the audit log holds metadata only, and a seeded student never lands in logs, the index, temp or data."""

import json
import os
import urllib.request
from pathlib import Path

import pytest

from tests.apprunner import running_app

pytestmark = pytest.mark.slow
SEED = {
    "name": "Zephyrine Quillfeather",
    "first": "Zephyrine",
    "dob": "04/17/2016",
    "id": "77310452",
    "email": "quillfeather.family@example.org",
    "phone": "555-867-1234",
}
TURNS = {
    "goal": f"Write a goal for {SEED['name']} (DOB {SEED['dob']}, student ID {SEED['id']}), a 3rd grader whose "
    "letters float above the line; about 40% of letters are on the line",
    "scope": f"Is it in school OT scope to work on shoe tying with {SEED['first']} at home? Mom: {SEED['phone']}",
    "plan": f"Plan a 30-minute push-in session for {SEED['first']}, who needs to write 3 sentences on the line",
    "review": f"Check this goal: '{SEED['first']} will improve handwriting.'",
    "question": f"What is the difference between push-in and pull-out? Reply to {SEED['email']}",
}


@pytest.fixture(scope="module")
def app_run(tmp_path_factory, index_settings):
    """One app run under the network guard, with its own data and temp folders; yields after it stopped."""
    work = tmp_path_factory.mktemp("e2e")
    (work / "tmp").mkdir()
    env = {
        "SCHOOLOT_DATA_DIR": str(work / "data"),
        "SCHOOLOT_INDEX_DIR": str(index_settings.index_path),
        "SCHOOLOT_NET_GUARD_LOG": str(work / "egress.log"),
        "TMPDIR": str(work / "tmp"),
    }
    answers: dict[str, dict] = {}
    with running_app(work, env) as app:
        from gradio_client import Client

        client = Client(app.url, verbose=False)
        for intent, text in TURNS.items():
            answers[intent] = client.predict(text, api_name="/chat")
        answers["/goal"] = client.predict(TURNS["goal"], api_name="/goal")
        answers["/scope"] = client.predict(TURNS["scope"], api_name="/scope")
        answers["/review"] = client.predict(TURNS["review"], api_name="/review")
        answers["/plan"] = client.predict([answers["/goal"]["goal_text"]], 30, "push-in", "", "", api_name="/plan")
        answers["empty"] = client.predict("   ", api_name="/scope")
        with urllib.request.urlopen(app.url + "config", timeout=10) as response:
            answers["config"] = json.loads(response.read())
        pid = app.process.pid
    return {"work": work, "answers": answers, "log": app.log(), "pid": pid, "returncode": app.process.returncode}


def test_every_intent_answers_and_nothing_leaves_the_machine(app_run):
    answers = app_run["answers"]
    for intent in TURNS:
        assert answers[intent]["intent"] == intent, answers[intent]
        assert answers[intent]["answer"]
    assert answers["/goal"]["review"]["measurable"] and answers["/scope"]["verdict"] == "out_of_scope"
    assert sum(a["minutes"] for a in answers["/plan"]["activities"]) == 30
    egress = app_run["work"] / "egress.log"
    assert not egress.exists(), egress.read_text()


def test_bad_input_through_the_api_is_a_one_line_error(app_run):
    assert app_run["answers"]["empty"] == {"error": "the question is empty"}


def test_the_served_page_has_analytics_run_history_and_flagging_off(app_run):
    config = app_run["answers"]["config"]
    assert config["analytics_enabled"] is False and config["run_history"] is False
    assert "flag" not in json.dumps(config.get("components", [])).lower()
    assert config.get("mcp_server") in (False, None)


def test_the_app_stops_cleanly_on_sigterm_and_removes_its_temp_folder(app_run):
    assert app_run["returncode"] == 0, app_run["log"][-2000:]
    assert list((app_run["work"] / "tmp").iterdir()) == []


def test_the_audit_log_holds_metadata_only(app_run):
    lines = (app_run["work"] / "data" / "logs" / "audit.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 10
    assert {e["intent"] for e in entries} == {"goal", "scope", "plan", "review", "question"}
    assert [e["outcome"] for e in entries].count("InputError") == 1
    for entry in entries[:9]:
        assert set(entry) == {"time", "session", "intent", "mode", "endpoint_host", "redactions", "sources", "ms",
                              "outcome"}  # fmt: skip
        assert entry["mode"] == "offline" and entry["endpoint_host"] is None and entry["outcome"] == "ok"
    assert any(e["sources"] for e in entries)


def _files_under(folder: Path):
    for root, _, files in os.walk(folder):
        for name in files:
            yield Path(root) / name


def test_a_seeded_student_never_lands_in_logs_index_temp_or_data(app_run, index_settings):
    needles = [v.encode() for v in SEED.values()] + [SEED["name"].encode("utf-16-le")]
    # The app's working folder (data, logs, temp, anything Gradio writes) and the index it read.
    folders = [app_run["work"], index_settings.index_path]
    scanned = 0
    for folder in folders:
        for path in _files_under(folder):
            if path.name in {"app-output.log", "egress.log"}:
                continue
            scanned += 1
            blob = path.read_bytes()
            assert not [n for n in needles if n in blob], f"a student detail was written to {path}"
    assert scanned >= 3  # the audit log and the index files at least
    output = app_run["log"]
    assert not [v for v in SEED.values() if v in output], "a student detail reached the app's output"
    assert output.strip().splitlines()[0].startswith("School OT Assistant on http://127.0.0.1:")
    assert "share=True" not in output and "Traceback" not in output
