"""The audit log: metadata only, one file a day, old files deleted after the retention setting."""

import json
import os
import time
from types import SimpleNamespace

import pytest

from assistant.audit import AuditLog, log_path, prune
from assistant.errors import ConfigError
from assistant.handlers import admin_notice, capped, chat_turn, mode_banner
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
    # Retention is by age at each rollover (prune), not by the handler's count of names: a file whose name or date
    # is in the future would otherwise be kept forever and count against the real ones.
    assert handler.when == "MIDNIGHT" and handler.retention_days == 7 and handler.backupCount == 0
    log.close()


def test_a_failing_audit_write_is_said_once_on_the_console_and_shown_to_the_admin(tmp_path, capsys):
    """A full disk, for real: the day's file is /dev/full, where every write fails with ENOSPC."""
    settings = make_settings(tmp_path)
    path = log_path(settings)
    path.parent.mkdir(parents=True)
    path.symlink_to("/dev/full")
    log = AuditLog(settings)
    for _ in range(3):
        log.write("s", "goal")  # never raised into the request
    err = capsys.readouterr().err
    assert err.count("audit log: could not write") == 1 and "No space left on device" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "3 line(s) lost" in log.problem
    assert "administrator" in admin_notice(SimpleNamespace(audit=log))
    assert admin_notice(SimpleNamespace(audit=AuditLog(make_settings(tmp_path / "ok")))) == ""
    log.close()


def test_an_audit_path_that_cannot_be_opened_is_a_one_line_error(tmp_path):
    settings = make_settings(tmp_path)
    log_path(settings).mkdir(parents=True)  # the day's file is a directory
    with pytest.raises(ConfigError) as error:
        AuditLog(settings)
    assert "audit log" in str(error.value) and "\n" not in str(error.value) and "SCHOOLOT_AUDIT_LOG" in str(error.value)


def test_a_log_dated_in_the_future_still_rotates_and_ages(tmp_path):
    settings = make_settings(tmp_path, audit_retention_days=3)
    path = log_path(settings)
    path.parent.mkdir(parents=True)
    future = time.time() + 400 * 86400
    path.write_text("{}\n")
    old = path.parent / "audit.jsonl.2099-01-01"
    old.write_text("{}\n")
    for target in (path, old):
        os.utime(target, (future, future))
    log = AuditLog(settings)
    assert log.handler.rolloverAt <= time.time() + 86400 + 60  # the next midnight, not a year from now
    assert path.stat().st_mtime <= time.time() + 60 and old.exists()
    log.close()
    assert prune(path.parent, 3, now=time.time() + 4 * 86400) == 1 and not old.exists()


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
