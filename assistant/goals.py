"""Goal drafting: turn a goal-bank template and the facts given into a measurable goal."""

from assistant.corpus import GoalTemplate

DEFAULT_TIMEFRAME = "By the annual IEP review"


def format_target(value: float, unit: str) -> str:
    """Write a criterion number the way an IEP would: 80%, 12, 3.5."""
    number = f"{value:g}" if value != int(value) else str(int(value))
    return f"{number}%" if unit == "percent" else number


def render_template(
    template: GoalTemplate,
    student: str = "the student",
    target: float | None = None,
    timeframe: str = DEFAULT_TIMEFRAME,
    prompt_level: str | None = None,
) -> str:
    """One goal sentence: timeframe, condition, student, behavior, criterion, prompting, mastery, method."""
    value = template.default_target if target is None else target
    criterion = template.criterion.replace("{target}", format_target(value, template.unit))
    prompting = template.prompt_level if prompt_level is None else prompt_level
    return (
        f"{timeframe}, {template.condition}, {student} will {template.behavior} {criterion} "
        f"{prompting} {template.mastery}, as measured by {template.measurement}."
    )
