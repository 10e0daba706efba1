"""The command line: JSON output, batch mode, and one-line errors with exit code 2."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS


def run_cli(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=stdin,
        timeout=240,
    )


@pytest.fixture(scope="module")
def index_env(index_settings) -> dict:
    return {"SCHOOLOT_DATA_DIR": str(index_settings.data_dir)}


def test_search_json_returns_passages_with_sources(index_env):
    result = run_cli("search", "pencil grip for a kindergartner", "--json", "--k", "3", "--kind", "goal", env=index_env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert len(payload["passages"]) == 3
    assert all(p["kind"] == "goal" and p["source_id"].startswith("g-") for p in payload["passages"])


def test_batch_mode_answers_each_line_in_order_and_survives_bad_lines(index_env, tmp_path):
    batch = tmp_path / "queries.jsonl"
    batch.write_text('{"text": "scissors skills"}\nnot json\n{"text": ""}\n{"text": "shoe tying", "kind": "scope"}\n')
    result = run_cli("search", "--jsonl", str(batch), env=index_env)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert lines[0]["passages"] and "error" in lines[1] and "empty" in lines[2]["error"]
    assert all(p["kind"] == "scope" for p in lines[3]["passages"])


def test_index_reports_zero_embedded_on_a_second_run(index_env):
    result = run_cli("index", "--json", env=index_env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["embedded"] == 0 and report["unchanged"] == report["total"] > 0


def test_corpus_stats_counts_every_kind():
    result = run_cli("corpus-stats", "--json")
    stats = json.loads(result.stdout)
    assert all(stats["totals"][kind] > 0 for kind in ("primer", "scope", "goals", "activities"))


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_a_bad_argument_is_one_line_and_exit_2():
    assert_one_line_error(run_cli("search", "x", "--domain", "penmanship"), "invalid choice")


def test_a_missing_model_path_is_named(tmp_path):
    result = run_cli("index", env={"SCHOOLOT_DATA_DIR": str(tmp_path), "SCHOOLOT_EMBEDDING_MODEL_PATH": "/no/model"})
    assert_one_line_error(result, "embedding model not found", "/no/model")


def test_a_bad_corpus_record_is_named(tmp_path):
    bad = tmp_path / "corpus" / "goals"
    bad.mkdir(parents=True)
    (bad / "x.yaml").write_text(
        (CORPUS / "goals" / sorted(os.listdir(CORPUS / "goals"))[0])
        .read_text()
        .replace("support_level: standard", "support_level: lots", 1)
    )
    result = run_cli("corpus-stats", env={"SCHOOLOT_CORPUS_DIR": str(tmp_path / "corpus")})
    assert_one_line_error(result, "x.yaml", "support_level")


def test_an_unreachable_chroma_server_is_named(tmp_path):
    env = {"SCHOOLOT_DATA_DIR": str(tmp_path), "SCHOOLOT_CHROMA_MODE": "server", "SCHOOLOT_CHROMA_PORT": "9"}
    assert_one_line_error(run_cli("index", env=env), "Chroma server at http://127.0.0.1:9 is not reachable")


def test_a_bad_setting_value_is_one_line():
    assert_one_line_error(run_cli("corpus-stats", env={"SCHOOLOT_RETRIEVAL_K": "many"}), "retrieval_k")


def test_goal_and_review_json_follow_the_contract(index_env, tmp_path):
    batch = tmp_path / "goals.jsonl"
    batch.write_text('{"text": "2nd grader, fists her pencil, tires after 2 sentences"}\n{"text": ""}\n')
    result = run_cli("goal", "--jsonl", str(batch), env=index_env)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert {
        "goal_text",
        "domain",
        "student",
        "components",
        "objectives",
        "educational_relevance",
        "missing_information",
        "citations",
        "review",
    } <= set(first)
    assert set(first["components"]) == {
        "timeframe",
        "condition",
        "behavior",
        "criterion",
        "mastery",
        "measurement",
        "baseline",
        "target",
    }
    assert "error" in second
    review = run_cli("review", "Student will improve handwriting.", "--json", env=index_env)
    payload = json.loads(review.stdout)
    assert payload["measurable"] is False and payload["suggested_rewrite"]
    assert {"id", "name", "passed", "severity", "message"} == set(payload["checks"][0])


def test_scope_plan_and_ask_json_follow_the_contract(index_env, tmp_path):
    scope = json.loads(run_cli("scope", "Can I work on shoe tying at school?", "--json", env=index_env).stdout)
    assert {"verdict", "pathways", "rationale", "follow_up_questions", "citations"} <= set(scope)
    batch = tmp_path / "plans.jsonl"
    goal = (
        "By the annual IEP review, during journal writing, Maya will write 3 sentences with 80% of letters on "
        "the line in 4 of 5 weekly samples, as measured by work samples."
    )
    batch.write_text(
        json.dumps({"goals": [goal], "minutes": 25, "model": "push-in", "interests": "space"})
        + "\n"
        + json.dumps({"goals": [goal], "minutes": 25, "model": "teleport"})
        + "\n"
    )
    plans = run_cli("plan", "--jsonl", str(batch), env=index_env)
    first, second = (json.loads(line) for line in plans.stdout.splitlines())
    assert {"model", "minutes", "activities", "data_collection", "carryover", "materials", "citations"} <= set(first)
    assert sum(a["minutes"] for a in first["activities"]) == 25 and "model must be one of" in second["error"]
    ask = json.loads(run_cli("ask", "what is a related service?", "--json", env=index_env).stdout)
    assert ask["intent"] == "question" and ask["answer"] and ask["citations"]
    assert set(ask) == {"intent", "answer", "result", "citations", "case", "changes"}
