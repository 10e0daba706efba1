"""The rubric's checks, one defect at a time, in words an OT understands."""

import pytest

from assistant.goal_parts import extract_parts
from assistant.rubric import CHECK_IDS, is_measurable, run_rubric

GOOD = (
    "By the annual IEP review, during journal writing, given lined paper, Maya will write 3 sentences with at "
    "least 80% of letters on the line with no more than 1 verbal cue in 4 of 5 weekly samples, as measured by "
    "work samples scored with a legibility checklist. Baseline: 40% of letters on the line."
)


def failed(text: str) -> set[str]:
    return {c.id for c in run_rubric(text) if not c.passed}


def test_a_complete_goal_passes_every_check():
    assert failed(GOOD) == set()
    assert is_measurable(run_rubric(GOOD))


def test_every_check_has_an_id_a_name_a_severity_and_a_message():
    checks = run_rubric(GOOD)
    assert [c.id for c in checks] == CHECK_IDS
    severities = {c.id: c.severity for c in checks}
    assert {i for i, s in severities.items() if s == "critical"} == {
        "observable_behavior",
        "criterion",
        "mastery",
        "timeframe",
        "measurement",
        "educational_relevance",
        "skill_not_service",
    }
    assert severities["plain_words"] == "minor"
    assert all(c.message for c in checks)


@pytest.mark.parametrize(
    ("change", "defect"),
    [
        (("will write 3 sentences", "will understand how to write sentences"), "observable_behavior"),
        (
            (
                "write 3 sentences with at least 80% of letters on the line with no more than 1 verbal cue "
                "in 4 of 5 weekly",
                "write sentences with no more than 1 verbal cue across 3 consecutive weekly",
            ),
            "criterion",
        ),
        ((" in 4 of 5 weekly samples", ""), "mastery"),
        (("By the annual IEP review, ", ""), "timeframe"),
        ((", as measured by work samples scored with a legibility checklist", ""), "measurement"),
        (
            (
                "during journal writing, given lined paper, Maya will write 3 sentences",
                "Maya will write 3 journal sentences",
            ),
            "condition",
        ),
        ((" Baseline: 40% of letters on the line.", ""), "baseline"),
        (("with no more than 1 verbal cue ", ""), "prompt_level"),
        (("write 3 sentences", "write 3 sentences and cut out a circle"), "one_skill"),
        (("write 3 sentences", "write 3 sentences using proprioceptive input"), "plain_words"),
    ],
)
def test_removing_a_component_fails_exactly_its_check(change, defect):
    assert failed(GOOD.replace(*change)) == {defect}


@pytest.mark.parametrize(
    ("goal", "defect"),
    [
        (
            "By June 2027, Sam will increase grip strength to 10 pounds in 4 of 5 trials, "
            "as measured by a dynamometer.",
            "educational_relevance",
        ),
        (
            "By the annual review, Sam will receive OT services 2 times a week in class, "
            "as measured by logs in 4 of 5 weeks.",
            "skill_not_service",
        ),
        (
            "By the annual review, during class, Sam will wear a weighted vest for 20 minutes in 4 of 5 days, as "
            "measured by a log.",
            "skill_not_service",
        ),
        (
            "By the annual review, during recess, Sam will not hit peers in 4 of 5 recesses, as measured by a log.",
            "dead_man",
        ),
        ("Student will improve fine motor skills.", "observable_behavior"),
    ],
)
def test_named_anti_patterns_are_caught(goal, defect):
    assert defect in failed(goal)


def test_components_are_extracted_from_free_text():
    parts = extract_parts(GOOD)
    assert parts.timeframe == "By the annual IEP review"
    assert parts.student == "Maya" and parts.verb == "write"
    assert parts.mastery == "in 4 of 5 weekly samples"
    assert parts.criterion == "3 sentences"  # the first amount named; "80%" is a second one
    assert parts.measurement.startswith("as measured by work samples")
    assert parts.baseline.startswith("Baseline: 40%")
