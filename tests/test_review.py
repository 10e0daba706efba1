"""Goal review: verdict, named defects, and a rewrite that keeps the OT's words and passes review itself."""

from assistant.review import review_goal
from assistant.rubric import is_measurable, run_rubric
from tests.conftest import criteria_of


def test_a_vague_goal_gets_named_defects_and_a_passing_rewrite(services):
    review = review_goal("Student will improve fine motor skills.", services)
    assert not review.measurable
    assert "vague verb" in review.anti_patterns or "body function only" in review.anti_patterns
    assert review.suggested_rewrite and is_measurable(run_rubric(review.suggested_rewrite))
    assert "[" in review.suggested_rewrite  # suggestions to confirm are marked


def test_the_rewrite_keeps_the_ots_own_content(services):
    goal = (
        "During lunch, Omar will open his milk carton and thermos independently in 4 of 5 lunches, "
        "as measured by a data sheet."
    )
    review = review_goal(goal, services)
    assert "timeframe" in {c.id for c in review.checks if not c.passed}
    rewrite = review.suggested_rewrite
    assert "Omar" in rewrite and "milk carton" in rewrite and "in 4 of 5 lunches" in rewrite
    assert rewrite.startswith("By the annual IEP review")


def test_a_missing_baseline_is_a_placeholder_not_a_number(services):
    goal = (
        "By the annual IEP review, during PE, Ava will catch a playground ball tossed from 10 feet in 8 of 10 "
        "trials with 1 verbal cue, as measured by a PE data sheet."
    )
    review = review_goal(goal, services)
    assert review.measurable
    assert "[to be measured:" in review.suggested_rewrite


def test_the_labeled_review_set_meets_the_acceptance_figures(services):
    count, rates = criteria_of(services, "review.yaml")
    assert count >= 80
    assert rates["review.measurable"] >= 0.95
    assert rates["review.defect_flagged"] >= 0.90
    assert rates["review.rewrite_passes"] == 1.0
