"""The goal bank: render a template, use a baseline in its own unit, set a target, ladder objectives.

Which template answers a request is decided by assistant/fit.py.

Every number in a drafted goal comes from the request or from the documented defaults below:
- timeframe: "By the annual IEP review";
- target, when a baseline is given in the goal's unit (a meaningful gain in the same unit):
  percent: baseline + 20 points (at least the template's target), rounded up to 5, at most 100;
  counts, steps, rates and levels: at least baseline + 1 and 1.5 x baseline (at least the template's target),
  never above the template's own total ("of 6 steps");
  durations to stretch (minutes on task): 1.5 x baseline; latencies to shrink (seconds to start): half;
- target with no baseline: the template's default target;
- objective ladder (criterion_steps): even steps from the baseline to the target over the reporting periods,
  rounded toward the target and never back past the baseline; with no baseline the first step starts from
  half the target (percent: 30 points below), marked as a placeholder until the baseline is measured;
- objective ladder (fading_prompts): the student's support fading toward the goal's own (assistant/faithful.py),
  or the template's prompts when the request gives no support level;
- a benchmark the same as the one before it (same number, same support) is left out, the later period keeping
  it: no two objectives read alike.
"""

import math
import re
from functools import lru_cache

from assistant.corpus import GoalTemplate
from assistant.lexicon import word_set
from assistant.schemas import Baseline, Case, Objective

DEFAULT_TIMEFRAME = "By the annual IEP review"


_UNIT_FAMILY = {
    "percent": "percent",
    "count": "count",
    "steps": "count",
    "level": "count",
    "per_minute": "per_minute",
    "minutes": "time",
    "seconds": "time",
}


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
    baseline: float | str | None = None,
) -> str:
    """One goal sentence: timeframe, condition, student, behavior, criterion, prompting, mastery, method."""
    value = template.default_target if target is None else target
    criterion = template.criterion.replace("{target}", format_target(value, template.unit))
    prompting = template.prompt_level if prompt_level is None else prompt_level
    sentence = (
        f"{timeframe}, {template.condition}, {student} will {template.behavior} {criterion} "
        f"{prompting} {template.mastery}, as measured by {template.measurement}."
    )
    if baseline is None:
        return sentence
    shown = baseline if isinstance(baseline, str) else format_target(baseline, template.unit)
    return f"{sentence} Baseline: {shown} ({template.baseline_unit})."


def template_total(template: GoalTemplate) -> float | None:
    """The fixed total a count criterion is out of ("{target} of 6 steps", "4-level rubric")."""
    match = re.search(r"\{target\}\s+(?:of|out of)\s+(\d+)", template.criterion) or re.search(
        r"(\d+)-(?:level|point)", template.criterion
    )
    return float(match.group(1)) if match else None


_GENERIC_WORDS = {
    "percent",
    "minutes",
    "minute",
    "seconds",
    "second",
    "times",
    "about",
    "only",
    "correct",
    "words",
    "steps",
    "items",
    "trials",
}


def _same_thing(baseline: Baseline, template: GoalTemplate) -> bool:
    """The baseline counts what the goal counts: its nouns appear in the goal, or it names none; occasions
    (tries, attempts, trials, opportunities) are one thing when the goal counts occasions too."""
    return _counts_alike(
        f"{baseline.counts or ''} {baseline.text}", f"{template.criterion} {template.baseline_unit} {template.behavior}"
    )


@lru_cache(maxsize=65536)
def _counts_alike(counted: str, goal_text: str) -> bool:
    """_same_thing on the words alone: read once per baseline and template wording (a fit scores every bank
    goal against every stated level)."""
    words = {w for w in re.findall(r"[a-z]+", counted.lower()) if len(w) > 3}
    text = goal_text.lower()
    nouns = {w for w in words - _GENERIC_WORDS if not w.endswith("ly")}  # "correctly": how, not what
    occasions = word_set("occasion_nouns")
    if nouns & occasions and set(re.findall(r"[a-z]+", text)) & occasions:
        nouns -= occasions
        if not nouns:
            return True
    return not nouns or any(n.rstrip("s") in text for n in nouns)


def goal_level(case: Case, template: GoalTemplate) -> Baseline | None:
    """The stated level a bank goal starts from: the request's main one (Case.baseline) when it is in the goal's
    unit, else, when the main one counts the same thing in another measure, another stated level that is in
    the unit ("ties 2 of 5 attempts" for a trials goal when the main one is "comes untied 4 times a day"); the
    main one when none is (it is then quoted, not used)."""
    main = case.baseline
    if main is None or _in_unit(main, template) is not None or _in_unit(main, template, nouns=False) is not None:
        return main  # a main level in the goal's measure that counts other things says the goal does not fit
    return next((b for b in case.baselines if not b.conflict and _in_unit(b, template) is not None), main)


def own_total(template: GoalTemplate, level: Baseline | None) -> GoalTemplate:
    """The bank goal counted out of the request's own total: "completes 5 of 12 steps" on the student's own
    12-step list makes a 6-step template's criterion "{target} of 12 steps" (and its data sheet 12-step), when
    the request counts the same things the template does; the template's list of its own steps goes."""
    total = template_total(template)
    if level is None or level.unit != "of" or not level.out_of or total is None or level.out_of == total:
        return template
    mine = int(level.out_of) if level.out_of == int(level.out_of) else None
    match = re.search(r"\{target\}\s+(?:of|out of)\s+\d+\s+([a-z-]+(?:\s+[a-z-]+)?)", template.criterion)
    if mine is None or match is None:
        return template
    counted = {w.rstrip("s") for w in match.group(1).lower().split()}
    said = {w.rstrip("s") for w in re.findall(r"[a-z]+", f"{level.text} {level.counts or ''}".lower())}
    if not counted & said:
        return template
    old = int(total)
    criterion = re.sub(rf"(\{{target\}}\s+(?:of|out of)\s+){old}\b", rf"\g<1>{mine}", template.criterion)
    criterion = re.sub(r"\s*\([^()]*\)", "", criterion)  # the template's own 6 steps named one by one
    return template.model_copy(
        update={
            "criterion": criterion,
            "measurement": _article(re.sub(rf"\b{old}-step\b", f"{mine}-step", template.measurement)),
            "baseline_unit": re.sub(rf"\b{old}\b", str(mine), template.baseline_unit),
            "default_target": min(template.default_target, mine),
        }
    )


def _article(text: str) -> str:
    """ "a 12-step", "an 8-step", "an 11-step": the article as the number is said."""

    def fix(m: re.Match) -> str:
        vowel = m.group(2).startswith("8") or m.group(2) in ("11", "18")
        return f"{m.group(1)[0]}{'n' if vowel else ''} {m.group(2)}"

    return re.sub(r"\b([Aa]n?) (\d+)(?=-)", fix, text)


def baseline_in_unit(case: Case, template: GoalTemplate) -> float | None:
    """The request's baseline (goal_level) in the template's unit, or None when it counts something else."""
    level = goal_level(case, template)
    return _in_unit(level, template) if level is not None else None


def _in_unit(baseline: Baseline, template: GoalTemplate, nouns: bool = True) -> float | None:
    """One stated level in the template's unit, or None when it counts something else.

    Only the same measure passes: x of y is a count out of a total (or its percent when the goal is a
    percent of the same items); minutes and seconds are one duration; a count of occasions with no total
    ("comes untied 4 times a day") is how often, not x of y. Without `nouns`, only the measure is compared."""
    if baseline.value is None or baseline.unit is None or (nouns and not _same_thing(baseline, template)):
        return None
    have, want = baseline.unit, template.unit
    if have in ("minutes", "seconds") and want in ("minutes", "seconds"):
        if have == want:
            return baseline.value
        return baseline.value * 60 if have == "minutes" else baseline.value / 60
    if have == "of" and want == "percent" and baseline.out_of:
        return round(100 * baseline.value / baseline.out_of)
    if (have == "level") != (want == "level"):
        return None  # a rubric level is only ever a level: "4 of 12 words" is no "level 4"
    if have == "of" and want == "steps" and _counts_occasions(baseline):
        return None  # "washed hands 0 of 5 days" counts days, not the routine's steps
    if have == "count" and (want == "of" or template_total(template)) and _counts_occasions(baseline):
        return None
    family = {"of": "count", "count": "count", "level": "level", "steps": "count"}
    if family.get(have, have) == family.get(want, want):
        return baseline.value
    return None


def _counts_occasions(baseline: Baseline) -> bool:
    """An x of y baseline whose total counts occasions (days, trials), not parts of a task."""
    words = re.findall(r"[a-z]+", f"{baseline.text} {baseline.counts or ''}".lower())
    return any(w in word_set("occasion_nouns") for w in words)


def choose_target(template: GoalTemplate, baseline: float | None) -> float:
    """A meaningful gain over the baseline in the goal's unit (rules in the module docstring)."""
    default = template.default_target
    if baseline is None:
        return default
    total = template_total(template)
    if template.unit == "percent":
        if not template.higher_is_better:
            return max(0.0, min(default, baseline - 20))
        return min(100.0, max(default, 5 * math.ceil((baseline + 20) / 5)))
    if not template.higher_is_better:
        return max(1.0, min(default, math.floor(baseline / 2)))
    if template.unit in ("minutes", "seconds"):
        target = max(default, math.ceil(baseline * 1.5))
    else:
        target = max(default, baseline + 1, math.ceil(baseline * 1.5))
    return min(target, total) if total else target


def _toward(value: float, unit: str, rising: bool) -> float:
    """A benchmark rounded toward the target, so the first one is already past the baseline."""
    step = 5.0 if unit == "percent" else 1.0
    return max(step if unit != "percent" else 0.0, (math.ceil if rising else math.floor)(value / step) * step)


def _support_fades(steps: list[tuple[float, str]], goal_prompt: str) -> list[tuple[float, str]]:
    """Support only fades across the year: a benchmark never asks for less help than a later one (a template's
    own ladder can end at a visual cue while this student's goal keeps one verbal prompt); such a step
    takes the goal's own prompt."""
    from assistant.faithful import prompt_level
    from assistant.schemas import SUPPORT_ORDER

    def rank(prompt: str) -> int | None:
        level = prompt_level(f"will do it {prompt}")
        return SUPPORT_ORDER.index(level) if level else None

    goal = rank(goal_prompt)
    if goal is None:
        return steps
    return [(v, p if (rank(p) is None or rank(p) <= goal) else goal_prompt) for v, p in steps]


def period_names(periods: int) -> list[str]:
    return [f"{'Quarter' if periods == 4 else 'Trimester'} {i}" for i in range(1, periods + 1)]


def ladder_steps(
    template: GoalTemplate,
    target: float,
    baseline: float | None,
    periods: int,
    prompts: list[str] | None = None,
    prompting: str | None = None,
) -> list[tuple[str, float, str]]:
    """The benchmarks over the reporting periods as (period, value, prompt): the criterion steps from the
    baseline toward the target (never back past the baseline) while the support fades from the student's
    level now (`prompts`, most help first: the first period's) to the goal's; the last period is the goal
    itself, and a benchmark the same as the one before it is left out, so no two read alike."""
    names = period_names(periods)
    goal_prompt = prompting or template.prompt_level
    if template.ladder == "fading_prompts":
        fading = prompts or [*template.ladder_prompts[:-1], goal_prompt]
    else:
        fading = prompts or [goal_prompt]
    counted = template.higher_is_better and template_total(template) and template.unit != "percent"
    if template.ladder == "fading_prompts" and (baseline == target or (baseline is None and not counted)):
        values = [target] * periods  # the support is what steps
    else:
        if baseline is not None:
            start = baseline
        elif counted:
            start = 0.0  # x of a fixed total from an unknown level: one more each period, not a skipped period
        elif template.unit == "percent":
            start = max(10.0, target - 30) if template.higher_is_better else min(100.0, target + 30)
        else:
            start = target / 2 if template.higher_is_better else target * 2
        rising = target >= start
        values = [_toward(start + (target - start) * (i + 1) / periods, template.unit, rising) for i in range(periods)]
        values[-1] = target
        for i in range(1, len(values)):  # rounding must not step back
            values[i] = max(values[i], values[i - 1]) if rising else min(values[i], values[i - 1])
        if baseline is not None:
            values = [max(v, baseline) if rising else min(v, baseline) for v in values]
    fading = fading[-periods:]
    last = len(fading) - 1
    # the help now is the first period's; each later period is a step nearer the goal's (never back)
    spread = [fading[min(last, math.ceil(i * last / max(1, periods - 1)))] for i in range(periods)]
    spread[-1] = goal_prompt
    steps = _support_fades(list(zip(values, spread, strict=True)), goal_prompt)
    out: list[tuple[str, float, str]] = []
    for k, (name, (value, prompt)) in enumerate(zip(names, steps, strict=True)):
        if out and out[-1][1:] == (value, prompt):
            if k < periods - 1:
                continue  # the earlier period keeps a benchmark the same as the next one...
            out.pop()  # ...but the goal itself is the last period's
        out.append((name, value, prompt))
    return out


def objective_ladder(
    template: GoalTemplate,
    student: str,
    target: float,
    baseline: float | None,
    periods: int,
    prompts: list[str] | None = None,
    prompting: str | None = None,
) -> list[Objective]:
    """The benchmarks of a bank goal (ladder_steps) written out as objectives."""
    objectives: list[Objective] = []
    for name, value, prompt in ladder_steps(template, target, baseline, periods, prompts, prompting):
        criterion = template.criterion.replace("{target}", format_target(value, template.unit))
        text = (
            f"By the end of {name}, {template.condition}, {student} will {template.behavior} {criterion} "
            f"{prompt} {template.mastery}."
        )
        objectives.append(Objective(period=name, text=text, value=value))
    return objectives
