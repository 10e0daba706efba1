"""The shipped corpus: minimum counts, contract vocabularies, grade coverage, measurable goals, own words."""

import re
from collections import Counter

from assistant.goalbank import render_template
from assistant.rubric import run_rubric
from assistant.settings import PROJECT_ROOT
from assistant.vocab import DOMAINS, GRADE_BANDS, PATHWAYS
from evals.retrieval import load_retrieval_cases
from tools.provenance import copied_runs

PLAUSIBLE_BANDS = {domain: set(GRADE_BANDS) for domain in DOMAINS} | {"transition": {"6_8", "9_12", "transition_18_21"}}


def test_minimum_counts(corpus):
    assert len(corpus.primer) >= 25
    assert len(corpus.scope) >= 150
    assert len(corpus.goals) >= 420
    assert len(corpus.activities) >= 220
    verdicts = Counter(c.verdict for c in corpus.scope)
    assert verdicts["in_scope"] >= 50 and verdicts["out_of_scope"] >= 40 and verdicts["depends"] >= 40


def test_every_domain_has_its_own_primer_goals_activities_and_scope_cases(corpus):
    primer_domains = {d for doc in corpus.primer for d in doc.domains}
    goals = Counter(g.domain for g in corpus.goals)
    activities = Counter(d for a in corpus.activities for d in a.domains)
    scope = Counter(c.domain for c in corpus.scope)
    for domain in DOMAINS:
        assert domain in primer_domains, domain
        assert goals[domain] >= 30, domain
        assert activities[domain] >= 10, domain
        assert scope[domain] >= 5, domain


def test_every_id_and_vocabulary_value_is_from_the_contract(corpus):
    for case in corpus.scope:
        assert set(case.pathways) <= set(PATHWAYS)
        assert case.domain in DOMAINS and set(case.grade_bands) <= set(GRADE_BANDS)
    for record in (*corpus.goals, *corpus.activities, *corpus.primer):
        domains = getattr(record, "domains", None) or [getattr(record, "domain", DOMAINS[0])]
        assert set(domains) <= set(DOMAINS) and set(record.grade_bands) <= set(GRADE_BANDS)


def test_each_domain_has_goals_in_each_plausible_grade_band(corpus):
    covered = {(g.domain, band) for g in corpus.goals for band in g.grade_bands}
    missing = [(d, b) for d, bands in PLAUSIBLE_BANDS.items() for b in bands if (d, b) not in covered]
    assert missing == []


def test_each_skill_comes_in_three_support_levels(corpus):
    levels: dict[tuple[str, str], set[str]] = {}
    for goal in corpus.goals:
        levels.setdefault((goal.domain, goal.skill), set()).add(goal.support_level)
    incomplete = [key for key, found in levels.items() if found != {"more_support", "standard", "more_independent"}]
    assert incomplete == []


def test_scope_cases_cover_ages_plans_and_verdicts_in_every_domain(corpus):
    assert {b for c in corpus.scope for b in c.grade_bands} == set(GRADE_BANDS)
    assert {c.plan for c in corpus.scope} >= {"iep", "section_504", "mtss", "none"}
    assert all(c.follow_up_questions for c in corpus.scope if c.verdict == "depends")
    out = [c for c in corpus.scope if c.verdict == "out_of_scope"]
    assert sum("refer_outside_school" in c.pathways for c in out) >= len(out) // 2


def test_activities_have_every_phase_and_setting_and_adapt_to_interests(corpus):
    assert {a.phase for a in corpus.activities} == {"preparatory", "core", "wrap_up"}
    assert {a.setting for a in corpus.activities} == {"push-in", "pull-out", "both"}
    themed = [a for a in corpus.activities if a.themes]
    assert len(themed) >= len(corpus.activities) // 2
    assert all("{theme}" in a.theme_hint for a in themed if a.theme_hint)


def test_every_rendered_goal_passes_every_measurability_check(corpus):
    failures = []
    for goal in corpus.goals:
        baseline = goal.default_target / 2 if goal.higher_is_better else goal.default_target * 2
        text = render_template(goal, student="Maya", baseline=baseline)
        failures += [f"{goal.id} {c.id}: {c.message}" for c in run_rubric(text) if not c.passed]
    assert failures == []


def test_the_provenance_check_finds_a_run_copied_from_a_seed_and_nothing_else(tmp_path):
    """The check itself (tools/provenance.py, our pre-commit hook) runs on a seed the test writes: the
    real seed lives beside the repository on the team's machines only."""
    page = next((PROJECT_ROOT / "corpus" / "primer").glob("*.md")).read_text(encoding="utf-8")
    run = " ".join(re.findall(r"[a-z']+", page.lower())[40:52])
    seed = tmp_path / "seed.txt"
    seed.write_text(f"Some other words first. {run}. More words after.", encoding="utf-8")
    assert copied_runs(seed)
    seed.write_text("A seed that shares no run of ten words with the corpus at all, none whatsoever.")
    assert copied_runs(seed) == {}


def test_the_labeled_retrieval_set_spans_every_domain_and_kind():
    cases = load_retrieval_cases()
    assert len(cases) >= 80
    assert {c.tags.get("domain") for c in cases} >= set(DOMAINS)
    assert {c.tags.get("kind") for c in cases} >= {"primer", "goal", "activity", "scope"}
