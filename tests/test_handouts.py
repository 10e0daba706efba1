"""Present levels, data sheet, carryover handout and DOCX export."""

import io

from docx import Document as DocxDocument

from assistant.case import read_case
from assistant.export import bundle_markdown, save, to_docx
from assistant.goals import draft_goal
from assistant.handouts import carryover_handout, data_sheet, present_levels

REQUEST = "3rd grader Leo, strong reader and loves soccer, copies from the board with 40% of words correct"


def _goal(services):
    goal = draft_goal(REQUEST, services)
    template = next(g for g in services.corpus.goals if g.id == goal.template_id)
    return goal, template


def test_present_levels_start_with_strengths_and_flag_what_is_missing(services):
    goal, template = _goal(services)
    text = present_levels(read_case(REQUEST), goal, template).markdown
    assert text.index("Strengths") < text.index("Concern")
    assert "strong reader" in text and "40%" in text
    bare = present_levels(read_case("needs help with scissors"), goal, template)
    assert "Strengths: none were given." in bare.missing and any("Baseline" in m for m in bare.missing)


def test_the_data_sheet_follows_the_goals_mastery_rule(services):
    goal, _ = _goal(services)
    sheet = data_sheet(goal).markdown
    assert goal.components.mastery in sheet and "Prompt codes" in sheet
    trials = int(__import__("re").search(r"(\d+)\s*(?:of|out of)\s*(\d+)", goal.components.mastery).group(2))
    assert f"Trial {trials} |" in sheet and f"Trial {trials + 1} |" not in sheet


def test_the_handout_has_three_to_six_plain_strategies_from_the_corpus(services):
    goal, _ = _goal(services)
    handout = carryover_handout(goal, services)
    bullets = [line for line in handout.markdown.splitlines() if line.startswith("- ")]
    assert 3 <= len(bullets) <= 6
    assert all(c.source_id in services.corpus.by_id() for c in handout.citations)


def test_docx_export_contains_the_goal_and_the_grid(services, tmp_path):
    goal, _ = _goal(services)
    markdown = bundle_markdown(goal, [data_sheet(goal), carryover_handout(goal, services)])
    document = DocxDocument(io.BytesIO(to_docx(markdown)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert goal.goal_text in text and document.tables
    path = save(markdown, tmp_path / "out" / "goal.md")
    assert path.read_text().startswith("# IEP goal")
