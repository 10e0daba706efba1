"""The corpus loader validates every record and names the file, record and reason on failure."""

from pathlib import Path

import pytest

from assistant.corpus import load_corpus, load_yaml
from assistant.errors import CorpusError
from assistant.vocab import DOMAINS, GRADE_BANDS

GOOD_GOAL = """
- id: g-test-001
  domain: handwriting_fine_motor
  skill: copying from the board
  grade_bands: [3_5, 6_8]
  support_level: standard
  condition: during math warm-up, given a problem written on the board
  behavior: copy 4 math problems onto graph paper
  criterion: with at least {target} of digits aligned in the correct column
  unit: percent
  default_target: 85
  prompt_level: independently
  mastery: in 4 of 5 consecutive school days
  measurement: work samples checked against a column-alignment checklist
  baseline_unit: percent of digits aligned in the correct column
  educational_relevance: Aligned digits let the student solve and check multi-digit math with the class.
  ladder: criterion_steps
  sources: ["AOTA school practice guidance"]
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_shipped_corpus_loads_with_unique_ids_from_the_contract(corpus):
    records = corpus.by_id()
    assert len(records) == sum(len(ids) for ids in corpus.files.values())
    for goal in corpus.goals:
        assert goal.domain in DOMAINS and set(goal.grade_bands) <= set(GRADE_BANDS)
    assert corpus.primer and all(len(doc.sections) >= 2 for doc in corpus.primer)


def test_grade_bands_with_underscores_stay_strings():
    assert load_yaml("bands: [3_5, 9_12]") == {"bands": ["3_5", "9_12"]}
    assert load_yaml("n: 12") == {"n": 12}


def test_a_valid_goal_file_loads(tmp_path):
    write(tmp_path, "goals/x.yaml", GOOD_GOAL)
    corpus = load_corpus(tmp_path)
    assert corpus.goals[0].grade_bands == ["3_5", "6_8"]
    assert corpus.files == {"goals/x.yaml": ["g-test-001"]}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("domain: handwriting_fine_motor", "domain: penmanship"), "domain"),
        (("behavior: copy", "behavior: understand how to copy"), "observable verb"),
        (("{target}", "80%"), "{target}"),
        (("mastery: in 4 of 5 consecutive school days", "mastery: most of the time"), "mastery"),
        (("grade_bands: [3_5, 6_8]", "grade_bands: [grade3]"), "grade_bands"),
    ],
)
def test_a_bad_goal_record_is_rejected_naming_file_record_and_reason(tmp_path, change, reason):
    write(tmp_path, "goals/bad.yaml", GOOD_GOAL.replace(*change))
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    message = str(caught.value)
    assert "goals/bad.yaml" in message and "g-test-001" in message and reason in message
    assert "\n" not in message


def test_invalid_yaml_names_the_line(tmp_path):
    write(tmp_path, "scope/broken.yaml", "- id: a\n  scenario: [unclosed\n")
    with pytest.raises(CorpusError, match=r"broken\.yaml: line \d+ is not valid YAML"):
        load_corpus(tmp_path)


def test_a_primer_without_front_matter_is_rejected(tmp_path):
    write(tmp_path, "primer/plain.md", "## Heading\nText only.\n")
    with pytest.raises(CorpusError, match=r"plain\.md: no YAML front matter"):
        load_corpus(tmp_path)


def test_a_depends_scope_case_must_ask_follow_up_questions(tmp_path):
    case = """
- id: scope-x-1
  scenario: Can I help a student with zipping his coat?
  verdict: depends
  pathways: [iep_related_service]
  domain: self_care
  grade_bands: [k2]
  plan: iep
  deciding_factor: Whether the coat routine delays recess or dismissal.
  rationale: It is school OT when it limits participation at school.
  sources: [x source]
"""
    write(tmp_path, "scope/x.yaml", case)
    with pytest.raises(CorpusError, match="follow_up_questions"):
        load_corpus(tmp_path)


def test_an_id_used_twice_is_rejected_with_both_files(tmp_path):
    write(tmp_path, "goals/a.yaml", GOOD_GOAL)
    write(tmp_path, "goals/b.yaml", GOOD_GOAL)
    with pytest.raises(CorpusError, match=r"already used in .*a\.yaml"):
        load_corpus(tmp_path)


def test_a_missing_corpus_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="corpus folder not found"):
        load_corpus(tmp_path / "nowhere")
