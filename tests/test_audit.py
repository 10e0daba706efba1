"""The audit log: metadata only, one file a day, old files deleted after the retention setting."""

import json
import os
import time

from assistant.audit import AuditLog, log_path, prune
from assistant.handlers import capped, chat_turn, mode_banner
from assistant.server import launch_options
from tests.conftest import make_settings


def test_entries_have_only_metadata_fields(tmp_path):
    log = AuditLog(make_settings(tmp_path))
    with log.request("abc123", "chat") as record:
        record.update(intent="scope", sources=["scope-sp-002", "scope-sp-002"], redactions=0)
    log.close()
    entry = json.loads(log_path(make_settings(tmp_path)).read_text())
    assert entry["intent"] == "scope" and entry["sources"] == ["scope-sp-002"] and entry["outcome"] == "ok"
    assert entry["mode"] == "offline" and entry["endpoint_host"] is None and entry["session"] == "abc123"


def test_an_error_is_logged_by_its_class_name_only(tmp_path):
    log = AuditLog(make_settings(tmp_path))
    try:
        with log.request("s", "goal"):
            raise ValueError("Maya Lopez's goal failed")
    except ValueError:
        pass
    log.close()
    text = log_path(make_settings(tmp_path)).read_text()
    assert json.loads(text)["outcome"] == "ValueError" and "Maya" not in text


def test_rotated_files_older_than_the_retention_are_deleted(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    now = time.time()
    for days in (1, 5, 40, 400):
        path = folder / f"audit.jsonl.{days}"
        path.write_text("{}\n")
        os.utime(path, (now - days * 86400, now - days * 86400))
    (folder / "audit.jsonl").write_text("{}\n")
    assert prune(folder, retention_days=30, now=now) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.5"]


def test_the_log_rotates_daily_and_keeps_retention_days_of_files(tmp_path):
    log = AuditLog(make_settings(tmp_path, audit_retention_days=7))
    handler = log.handler
    assert handler.when == "MIDNIGHT" and handler.backupCount == 7
    log.close()


def test_the_log_can_be_turned_off(tmp_path):
    log = AuditLog(make_settings(tmp_path, audit_log=False))
    with log.request("s", "goal"):
        pass
    assert not log_path(make_settings(tmp_path)).exists()


def test_the_chat_writes_one_line_per_turn_with_its_sources(services, tmp_path):
    audit = AuditLog(make_settings(tmp_path))
    traced = services._replace(audit=audit)
    list(chat_turn(traced, "Is handwriting in school OT scope for Maya Lopez?", [], {}, {}, session="s1"))
    audit.close()
    text = log_path(make_settings(tmp_path)).read_text()
    entry = json.loads(text)
    assert entry["intent"] == "scope" and entry["sources"] and "Maya" not in text


def test_overlong_input_gets_a_one_line_limit_message(services):
    outputs = list(chat_turn(services, "pencil " * 5000, [], {}, {}))
    answer = outputs[-1][0][-1]["content"]
    assert "limit is 20,000" in answer and "\n" not in answer
    assert capped(services, "short", "message") == "short"


def test_the_remote_banner_says_what_leaves_the_machine(tmp_path):
    settings = make_settings(
        tmp_path, llm_backend="openai", llm_base_url="https://llm.example.org/v1", llm_allow_remote=True
    )
    assert "REMOTE" in mode_banner(settings) and "placeholders" in mode_banner(settings)
    assert "nothing you type leaves it" in mode_banner(make_settings(tmp_path))


def test_a_configured_sign_in_is_passed_to_gradio(tmp_path):
    settings = make_settings(tmp_path, auth_username="ot", auth_password="a long passphrase")
    assert launch_options(settings, tmp_path)["auth"] == ("ot", "a long passphrase")
