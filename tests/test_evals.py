"""The evals runner: cases as data, checks as functions, reports, thresholds and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import CorpusError
from evals.cases import load_case_file, load_cases
from evals.judge import judge_agreement, make_judge
from evals.run import DEFAULT_CASES, evaluate
from tests.llm_stub import StubLLMServer
from tests.test_llm import llm_services

EXTERNAL = """
- id: my-goal-1
  task: goal
  input: "4th grader, copies from the board with 50% of words correct"
  expected: {domain: visual_motor_perception, baseline: "50"}
  tags: {domain: visual_motor_perception}
- id: my-scope-1
  task: scope
  input: "Can the school OT diagnose my son with dyspraxia?"
  expected: {verdict: out_of_scope, pathways: [refer_outside_school]}
  tags: {domain: motor_coordination, clear: true}
- id: my-plan-1
  task: plan
  input:
    goals:
      - >-
        By the annual IEP review, during lunch, Sam will open 4 of 5 containers in 4 of 5 lunches,
        as measured by a data sheet.
    minutes: 20
    model: push-in
    interests: dinosaurs
  tags: {domain: self_care}
- id: my-route-1
  task: route
  input: "is shoe tying something school OT should work on?"
  expected: {intent: scope}
- id: my-review-1
  task: review
  input: "Student will improve fine motor skills."
  expected: {measurable: false, defects: [observable_behavior]}
  checks:
    - {id: measurable, type: equals, field: measurable, severity: critical}
    - {id: vague_verb, type: rubric, rubric_id: observable_behavior, severity: minor}
"""


def run_evals(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evals", "run", "--use-data-index", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


@pytest.fixture(scope="module")
def data_env(index_settings) -> dict:
    return {"SCHOOLOT_DATA_DIR": str(index_settings.data_dir)}


def test_every_shipped_case_file_validates():
    cases = load_cases(DEFAULT_CASES)
    assert {c.task for c in cases} == {"goal", "review", "scope", "plan", "route", "retrieval"}
    assert all(c.effective_checks() for c in cases)


def test_a_case_file_written_outside_the_project_runs_unchanged(tmp_path, data_env):
    cases = tmp_path / "mine.yaml"
    cases.write_text(EXTERNAL)
    result = run_evals("--cases", str(cases), "--out", str(tmp_path / "report"), env=data_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = (tmp_path / "report" / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        "my-goal-1",
        "my-scope-1",
        "my-plan-1",
        "my-route-1",
        "my-review-1",
    ]
    report = (tmp_path / "report" / "report.md").read_text()
    assert "Per criterion" in report and "review.vague_verb" in report
    assert (tmp_path / "report" / "report.html").read_text().count("data:image/png;base64,") == 1


def test_a_wrong_verdict_makes_the_runner_exit_non_zero_and_names_the_criterion(tmp_path, data_env):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("""
- id: wrong-1
  task: scope
  input: "Can the school OT diagnose my son with dyspraxia?"
  expected: {verdict: in_scope, pathways: [iep_related_service]}
""")
    result = run_evals("--cases", str(wrong), "--out", str(tmp_path / "r"), env=data_env)
    assert result.returncode == 1
    assert "scope.verdict" in result.stdout
    assert "criterion scope.verdict: pass rate 0.0 is below 0.9" in (tmp_path / "r" / "report.md").read_text()


def test_a_deliberately_bad_drafter_fails_the_gate_criteria(services, tmp_path):
    cases = [c for c in load_cases(DEFAULT_CASES) if c.task == "goal"][:6]

    def bad_drafter(text: str) -> dict:
        return {"goal_text": "Student will improve handwriting.", "domain": "self_care", "missing_information": []}

    summary, failures, paths = evaluate(cases, services, tmp_path, "none", tasks={"goal": bad_drafter})
    assert summary["per_task"]["goal"]["pass_rate"] == 0.0
    assert any("goal.critical_checks" in f for f in failures)
    assert "goal.critical_checks" in Path(paths["markdown"]).read_text()


def test_a_bad_case_file_is_rejected_with_file_case_and_reason(tmp_path, data_env):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  task: plan\n  input: 'not a dict'\n")
    with pytest.raises(CorpusError, match=r"bad\.yaml: case x: .*goals"):
        load_case_file(bad)
    result = run_evals("--cases", str(bad), env=data_env)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and "bad.yaml" in result.stderr


@pytest.mark.parametrize("kind", ["openai", "ollama"])
def test_the_llm_judge_reasons_then_decides_and_agreement_is_reported(services, kind):
    with StubLLMServer(kind) as stub:
        model = llm_services(services, kind, stub.url).llm
        stub.enqueue('{"reasoning": "No number says how much.", "verdict": "fail"}')
        case = load_case_file(DEFAULT_CASES[0] / "review.yaml")[0]
        check = case.effective_checks()[0].model_copy(update={"type": "llm_judge", "criterion": "stranger_test"})
        passed, why = make_judge(model)(check, case, {"goal_text": "Student will improve handwriting."})
        assert (passed, why) == (False, "No number says how much.")
        reviews = [c for c in load_case_file(DEFAULT_CASES[0] / "review.yaml")][:4]
        for c in reviews:
            stub.enqueue(json.dumps({"reasoning": "r", "verdict": "pass" if c.expected["measurable"] else "fail"}))
        assert judge_agreement(model, reviews) == {"judged": 4, "agreement": 1.0}
