"""Load in the default mode: 20 concurrent gradio_client sessions mixing every intent for a bounded time."""

import json

import pytest

from evals.load import MIX, run_load
from tests.apprunner import running_app
from tests.test_browser import ARTIFACTS

pytestmark = pytest.mark.slow
SESSIONS, SECONDS = 20, 20


def test_twenty_concurrent_sessions_mixing_every_intent_get_no_errors(tmp_path, index_settings):
    """With one adversarial session in the mix all along (each hostile shape at the size cap, to /goal and /chat):
    the red-team saw one 12,000-digit request cut throughput by 75% and cause 12 client timeouts."""
    env = {"SCHOOLOT_DATA_DIR": str(tmp_path / "data"), "SCHOOLOT_INDEX_DIR": str(index_settings.index_path)}
    with running_app(tmp_path, env) as app:
        result = run_load(app.url, sessions=SESSIONS, seconds=SECONDS, adversary=True)
        still_up = app.process.poll() is None
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(result, indent=2))
    print("load:", result)
    assert still_up
    assert result["errors"] == 0, result["error_examples"]
    assert result["requests"] >= SESSIONS * 3
    assert result["adversarial_requests"] >= 3 and result["p95_ms"] < 5000, result
    audit = (tmp_path / "data" / "logs" / "audit.jsonl").read_text().splitlines()
    assert len(audit) == result["requests"] + result["adversarial_requests"] + len(MIX)  # and the warm-up calls
