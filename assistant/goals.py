"""Goal drafting as a langchain chain: request -> retrieve (domain, templates) -> compose -> check.

Numbers and defaults are documented in goalbank.py. With a language model configured, it rewords the
offline draft; output that fails validation or the rubric after one retry is replaced by the offline draft.
"""

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, Field

from assistant.case import case_questions, read_case, routine_label
from assistant.case_goal import (
    Criterion,
    baseline_clause,
    measured_behavior,
    one_measure_quote,
    problem_state,
    support_clause,
    task_in_clause,
)
from assistant.case_goal import criterion as case_criterion
from assistant.case_goal import words as case_goal_words
from assistant.corpus import GoalTemplate
from assistant.domains import classify_domain
from assistant.faithful import age_misfits, faithful_checks, prompt_phrase, prompt_words, target_support
from assistant.fit import Fitter, alternatives, need_text, own_skill
from assistant.goalbank import (
    DEFAULT_TIMEFRAME,
    baseline_in_unit,
    choose_target,
    format_target,
    goal_level,
    ladder_steps,
    objective_ladder,
    own_total,
    render_template,
)
from assistant.inputs import clean_text
from assistant.lexicon import case_words, fold, routine_lexicon, routines, word_set
from assistant.llm import LLMUnavailable, ask, load_prompt, parse_json
from assistant.reader import Reader
from assistant.rubric import DEVICE, is_measurable, run_rubric
from assistant.schemas import (
    SUPPORT_ORDER,
    Case,
    Citation,
    Components,
    Fit,
    Goal,
    Objective,
    Review,
    SearchFilters,
)
from assistant.skill import base_verb, gerund, skills, topic


def _citations(services: Any, case: Case, domain: str, template: GoalTemplate) -> list[Citation]:
    bank = Citation(
        source_id=template.id, title=f"Goal bank: {template.skill}", excerpt=render_template(template)[:280]
    )
    primer = services.searcher.search(case.request, k=2, filters=SearchFilters(kind="primer", domain=domain))
    return [bank, *(p.citation() for p in primer)]


def missing_information(case: Case, template: GoalTemplate, baseline: float | None) -> list[str]:
    """What the OT still has to supply, as plain questions; nothing here is filled in by guessing."""
    who = case.name if case.student else (case.pronoun or "the student")
    missing = []
    if case.baseline is None:
        missing.append(
            f"Baseline: what does {who} do now, in numbers ({template.baseline_unit})? The request gave none."
        )
    elif baseline is None:
        missing.append(
            f"Baseline in the goal's unit ({template.baseline_unit}): the request gave "
            f"'{case.baseline.text}', which counts something else. What is it in {template.baseline_unit}?"
        )
    if case.grade_band is None:
        missing.append("Grade or age: what grade is the student in? (It sets age-fitting tasks and wording.)")
    if case.student is None:
        missing.append("Student's first name: the goal says 'the student'.")
    return missing


def _prompting(case: Case, template: GoalTemplate) -> tuple[str, list[str] | None]:
    """The goal's prompt phrase and, when the student's support is known, the objectives' fading prompts: from
    the support now toward one step less (DOMAIN.md), in prompts the student can take in."""
    aim = target_support(case)
    if aim is None:
        phrase = template.prompt_level
        if case.communication in ("nonverbal", "aac") and "verbal" in phrase:
            phrase = prompt_phrase(case, "verbal")  # the verbal step, for a student who does not use speech
        return phrase, None
    now = SUPPORT_ORDER.index(case.support)
    levels = list(SUPPORT_ORDER[now : SUPPORT_ORDER.index(aim) + 1]) or [aim]
    return prompt_phrase(case, aim), [prompt_phrase(case, level) for level in levels]


def humanize(text: str) -> str:
    """Durations and counts as an IEP writes them: "26 minutes" not "1586 seconds", "1 time" not "1 times"."""

    def seconds(match: re.Match) -> str:
        n = int(match.group(1))
        if n < 120:
            return match.group(0)
        minutes, rest = divmod(n, 60)
        return f"{minutes} minutes" + (f" {rest} seconds" if rest else "")

    text = _SECONDS.sub(seconds, text)
    singular = prompt_words()["singular"]
    return _ONE.sub(lambda m: f"{m.group(1)} {singular.get(m.group(2).lower(), m.group(2))}", text)


_SECONDS = re.compile(r"\b(\d{3,6}) seconds\b")
_ONE = re.compile(r"\b(1|one) ([a-z]+s)\b")


def compose_goal(services: Any, case: Case, domain: str, template: GoalTemplate, fit: Fit | None = None) -> Goal:
    """Fill one template with the request's facts: the baseline quoted as given and used in its own unit, the
    prompting from the student's support and communication; the review is attached by the check step."""
    periods = services.settings.reporting_periods
    level = goal_level(case, template)
    template = own_total(template, level)
    baseline = baseline_in_unit(case, template)
    target = choose_target(template, baseline)
    shown_baseline = one_measure_quote(case, level)  # the request's own clause, unless it holds a second measure
    name = case.name
    prompting, fading = _prompting(case, template)
    text = render_template(template, student=name, target=target, prompt_level=prompting)
    if shown_baseline and baseline is not None:
        text += f" Baseline: {shown_baseline}."
    elif shown_baseline:
        text += f" Baseline: {shown_baseline} as reported; [to be measured: {template.baseline_unit}]."
    elif helped := support_clause(case):
        text += f" Baseline: {helped} (the support now); [to be measured: {template.baseline_unit}]."
    else:
        text += f" Baseline: [to be measured: {template.baseline_unit}]."
    criterion = template.criterion.replace("{target}", format_target(target, template.unit))
    siblings = [g for g in services.corpus.goals if g.domain == template.domain and g.skill == template.skill]
    variants = {
        g.support_level: humanize(
            render_template(g, student=name, target=choose_target(g, baseline_in_unit(case, g)), prompt_level=prompting)
        )
        for g in (own_total(s, goal_level(case, s)) for s in siblings)
    }
    objectives = objective_ladder(template, name, target, baseline, periods, prompts=fading, prompting=prompting)
    return Goal(
        goal_text=humanize(text),
        domain=template.domain,
        student=name,
        case=case,
        components=Components(
            timeframe=DEFAULT_TIMEFRAME,
            condition=template.condition,
            behavior=template.behavior.rstrip(" ,"),
            criterion=humanize(criterion),
            mastery=template.mastery,
            measurement=template.measurement,
            baseline=shown_baseline,
            target=format_target(target, template.unit),
        ),
        objectives=[o.model_copy(update={"text": humanize(o.text)}) for o in objectives],
        educational_relevance=template.educational_relevance,
        missing_information=missing_information(case, template, baseline),
        citations=_citations(services, case, template.domain, template),
        review=Review(measurable=False, domain=template.domain, checks=[], suggested_rewrite=None),
        template_id=template.id,
        support_level=template.support_level,
        grade_band=case.grade_band,
        variants=variants,
        fit=fit,
        routines=list(_fitter(services).facts[template.id].routines),
        baseline_unit=template.unit,
        baseline_value=baseline,
        target_value=target,
        prompting=prompting if prompting in text else None,
    )


def frame_goal(services: Any, case: Case, domain: str, fit: Fit) -> Goal:
    """No bank goal answers the request: a goal built from the OT's own words (assistant/case_goal.py), with
    [brackets] only where the request leaves a fact out (the behavior, the routine)."""
    name = case.name
    routine = routine_label(case.routine)
    condition = own_condition(case) or (routines()[case.routine]["condition"] if routine else None)
    if condition and age_misfits(condition, case.grade_band):
        routine = case.evidence.get("routine")  # the OT's own words ("morning meeting", not "circle time")
        condition = f"during {routine}" if routine else None
    during = condition or "[during which school routine]"
    behavior, rule = _frame_behavior(case)
    # [brackets] mark what the frame assumed: the consistency rule always, the criterion with no baseline to
    # step from, the support when the request does not say how much help the student needs now
    rule = replace(rule, mastery=f"[{rule.mastery}]")
    behavior = _without_the_routine(behavior, during)
    if rule.baseline is None:
        rule = replace(rule, text=f"[{rule.text}]")
    need = need_text(case)
    verb = not behavior.startswith("[")
    aim = target_support(case)
    support = prompt_phrase(case, aim or "verbal")  # the verbal step reads as gestural for a nonspeaking student
    support = support if aim else f"[{support}]"
    if _counts_help(rule.text):
        support = ""  # "no more than 1 verbal cue per trip": the criterion is the support
    template = GoalTemplate.model_construct(
        id="frame", domain=domain, skill=need or "", grade_bands=[], support_level="standard",
        condition=during, behavior=behavior, criterion=rule.text, unit=rule.unit, default_target=rule.target,
        higher_is_better=rule.higher_is_better, prompt_level=support, mastery=rule.mastery,
        measurement=rule.measurement, baseline_unit=rule.text.replace("{target}", "how many"),
        educational_relevance="", ladder="criterion_steps", ladder_prompts=[], concerns=[],
    )  # fmt: skip
    criterion = _criterion_at(rule, rule.target)
    quoted = baseline_clause(case, own_part=True)  # one measure: the one the goal starts from
    text = (
        f"{DEFAULT_TIMEFRAME}, {during}, {name} will {behavior} {criterion} {support} {rule.mastery}, "
        f"as measured by {rule.measurement}."
    ).replace("  ", " ")
    helped = None if quoted else support_clause(case)
    if quoted:
        text += f" Baseline: {quoted}."
    elif helped:
        text += f" Baseline: {helped} (the support now); [how often: to be measured]."
    else:
        text += " Baseline: [to be measured]."
    objectives = _frame_objectives(template, case, rule, services.settings.reporting_periods)
    missing = [
        "No goal in the bank is a close fit for this request, so this is a frame built from your words; [brackets] "
        "mark what it assumed. Check the behavior, the target and the support, or pick one of the nearest bank "
        "goals below.",
    ]
    if not verb:
        missing.append(
            f"What will {name} do, observably? The request says: '{need}'." if need else
            f"What will {name} do, observably? Say it as an action (open, write, stay, ask)."
        )  # fmt: skip
    if case.baseline is None:
        missing.append(
            f"Baseline: no number for what {name} does now was found in the request; add it, or measure it, "
            "before the goal is final."
            + (f" The request gives the support now ('{helped}'); the objectives fade it." if helped else "")
        )
    elif rule.baseline is None:
        missing.append(
            f"Baseline: the request gave '{case.baseline.text}', which is not a count, percent, rate or time "
            "this goal can step from. What does the student do now, in numbers?"
        )
    if aim is None and support:
        missing.append(
            f"Support: the request does not say how much help {name} needs now; the goal assumes one prompt."
        )
    missing += case_questions(case)
    relevance = f"So that {name} can take part in {routine or 'the school routine'} alongside classmates."
    return Goal(
        goal_text=humanize(text),
        domain=domain,
        student=name,
        case=case,
        components=Components(
            timeframe=DEFAULT_TIMEFRAME,
            condition=during,
            behavior=behavior,
            criterion=humanize(criterion),
            mastery=rule.mastery,
            measurement=rule.measurement,
            baseline=quoted,
            target=format_target(rule.target, rule.unit),
        ),
        objectives=[o.model_copy(update={"text": humanize(o.text)}) for o in objectives],
        educational_relevance=relevance,
        missing_information=missing,
        citations=_frame_citations(services, case, domain, fit),
        review=Review(measurable=False, domain=domain, checks=[], suggested_rewrite=None),
        template_id="frame",
        support_level="standard",
        grade_band=case.grade_band,
        fit=fit,
        finished=False,
        routines=[case.routine] if case.routine else [],
        baseline_unit=rule.unit if rule.baseline is not None else None,
        baseline_value=rule.baseline,
        target_value=rule.target,
    )


_TAIL_PLACE = re.compile(r"\s+(?:at|during|in|for)\s+(?:the\s+)?([a-z][a-z' -]*)$", re.IGNORECASE)


def _without_the_routine(behavior: str, condition: str) -> str:
    """ "open his thermos at lunch" during lunch: the place already in the condition is not said twice."""
    tail = _TAIL_PLACE.search(behavior)
    if tail and set(tail.group(1).lower().split()) <= set(condition.lower().split()) and tail.start() > 0:
        return behavior[: tail.start()]
    return behavior


_WHEN = frozenset({"during", "at", "after", "before", "in", "when"})
_OWNERS = frozenset({"the", "his", "her", "their", "our", "a", "my", "each", "every"})


def _a_length(tokens: Any, k: int) -> bool:
    """Token k is part of a length written before a period ("20", "min", "20-minute")."""
    token = tokens[k]
    return token.kind == "n" or (token.low in word_set("length_words") and k > 0 and tokens[k - 1].kind == "n")


def own_condition(case: Case) -> str | None:
    """Where and when, in the request's own words: the first school routine the request marks with a
    preposition ("during class", "after recess", "at snack"), with the words between; None when it marks
    none (the routine's own condition is used then)."""
    reader = Reader(case.request)
    tokens = reader.tokens
    for match in routine_lexicon().find(tokens):
        if match.label == "_none" or match.label not in (case.routines or [case.routine]):
            continue
        k = match.start - 1
        while k >= 0 and match.start - k <= 5 and (tokens[k].low in _OWNERS or _a_length(tokens, k)):
            k -= 1  # "during a 20 min math block": the period's own length is part of it
        if k >= 0 and tokens[k].low in _WHEN and (tokens[k].low != "in" or k < match.start - 1):  # "in the gym"
            end = match.end
            if end < len(tokens) and tokens[end].low in word_set("period_name_ends"):
                end += 1  # "math block", "science period": the period named in full
            words = case.request[tokens[k].start : tokens[end - 1].end]
            return re.sub(r"\b(?:my|our)\b", "the", words)  # "in my class" -> "in the class"
    return None


def _criterion_at(rule: Criterion, value: float) -> str:
    """The criterion at one number, its nouns in the singular after 1 ("no more than 1 verbal cue per trip")."""
    if value == 0 and "no more than {target}" in rule.text:
        return rule.text.replace("no more than {target}", "no")  # "with no verbal cues per step"
    text = rule.text.replace("{target}", format_target(value, rule.unit))
    if value != 1:
        return text
    singular = prompt_words()["singular"]
    head, _, tail = text.partition(format_target(value, rule.unit))
    tail = re.sub(r"[a-z]+", lambda m: singular.get(m.group(0), m.group(0)), tail)
    return head + format_target(value, rule.unit) + tail


def _counts_help(criterion: str) -> bool:
    words = set(re.findall(r"[a-z]+", criterion.lower()))
    helps = {fold(str(w)) for w in case_goal_words()["problem_counts"]} - {"error", "errors", "mistake", "mistakes"}
    return bool(words & helps)


def _names_a_body_function(case: Case) -> bool:
    words = re.findall(r"[a-z]+(?: [a-z]+)?", fold(f"{case.skill or ''} {topic(Reader(case.request)) or ''}"))
    text = " " + " ".join(words) + " "
    return any(f" {fold(str(w))} " in text for w in case_words()["body_functions"])


def _frame_objectives(template: GoalTemplate, case: Case, rule: Criterion, periods: int) -> list[Objective]:
    """Benchmarks of a frame (goalbank.ladder_steps): the criterion steps from the baseline while the support
    fades from the student's level now toward the goal's."""
    _, fading = _prompting(case, template)
    out: list[Objective] = []
    steps = ladder_steps(template, rule.target, rule.baseline, periods, fading, template.prompt_level)
    for period, value, prompt in steps:
        text = (
            f"By the end of {period}, {template.condition}, {case.name} will {template.behavior} "
            f"{_criterion_at(rule, value)} {prompt} {template.mastery}."
        ).replace("  ", " ")
        out.append(Objective(period=period, text=text, value=value))
    return out


def _frame_behavior(case: Case) -> tuple[str, Criterion]:
    """The behavior and criterion of a frame: the skill the request asks for (assistant/skill.py), or what its
    baseline measures the student doing when the request states no aim ("catches a ball in 2 of 10 trials");
    a baseline that is the verb's own object makes the criterion the object ("copy 3 of 4 shapes")."""
    rule = case_criterion(case)
    found = [s for s in skills(Reader(case.request)) if not s.points_back]
    skill = own_skill(case)
    best = found[0] if found and skill and found[0].behavior == skill else None
    measured = measured_behavior(case) if rule.baseline is not None else None
    if measured and best is not None and not rule.higher_is_better and not measured[1]:
        # the request asks for a skill and counts the problem it replaces: "use an oral sensory tool,
        # reducing chewing on his shirt collar to no more than 6 times per lesson"
        return f"{skill}, reducing {gerund(measured[0])} to", rule
    problem_verbs = {fold(str(w)) for w in case_goal_words()["problem_words"]}
    if measured and best is None and not rule.higher_is_better and measured[0].split()[0] in problem_verbs:
        task = task_in_clause(case)
        if task:  # "copy notes from the projector, omitting no more than 1 word per line": the task, not the slip
            return f"{task}, {gerund(measured[0])}", rule
    state = problem_state(case) if best is not None and not rule.higher_is_better else None
    if state and not _counts_help(rule.text):
        return f"{skill}, being {state}", rule  # "stay seated, being out of her seat no more than 3 times"
    if measured and (best is None or best.strength < 3):
        phrase, as_object = measured
        if as_object and rule.text.startswith("in "):
            rule = replace(rule, text=rule.text[3:])
        return phrase, rule
    if best is not None and DEVICE.search(skill):
        device = DEVICE.search(skill).group(0).split(" ", 1)[-1]
        return f"[the school task the {device.removeprefix('a ').removeprefix('the ')} is meant to help with]", rule
    if best is not None and skill.split()[0].lower() in word_set("skill_stop_verbs"):
        rest = skill.split(" ", 1)[1] if " " in skill else "the behavior"
        rule = case_criterion(case, problem=True)  # what the baseline counts is what is to stop
        if rule.baseline is not None and not rule.higher_is_better:
            return f"[what {case.name} will do in place of {rest}], reducing it to", rule
        return f"[what {case.name} will do in place of {rest}]", rule  # a goal says what the student will do
    if best is not None:
        return skill, rule
    area = topic(Reader(case.request)) or skill  # the need in the OT's words ("legible notes"), not a verb
    if not area:
        return "[do what, observably]", rule
    doing = _doing_in(area)
    if doing:
        return doing, rule  # "her morning job delivering attendance to the front office": deliver attendance...
    return f"[do what, observably, toward the {area}{'' if 'goal' in area.lower() else ' goal'}]", rule


def _doing_in(area: str) -> str | None:
    """A task verb's -ing form right after a noun inside the area asked for names the behavior ("her morning
    job delivering attendance to the office" -> "deliver attendance to the office"); not after a linking word
    ("navigation while carrying his books")."""
    words = area.split()
    if not words or base_verb(words[0].lower().strip(",.")):
        return None  # a phrase that opens with its verb was the reader's to find
    linking = word_set("skill_stops") | {"of", "for", "by", "with", "in", "on", "about", "and", "or"}
    for k in range(2, len(words)):  # a noun phrase of two words or more before it: not "voice typing"
        word = words[k].lower().strip(",.")
        if word.endswith("ing") and base_verb(word) and words[k - 1].lower() not in linking:
            rest = re.split(r",|\s[-–—]\s", " ".join(words[k + 1 :]))[0].strip()
            return f"{base_verb(word)} {rest}".strip() if rest else None
    return None


def _frame_citations(services: Any, case: Case, domain: str, fit: Fit) -> list[Citation]:
    """The nearest bank goals offered, and the primer passages on the domain."""
    by_id = {g.id: g for g in services.corpus.goals}
    bank = [
        Citation(source_id=a.source_id, title=f"Goal bank: {by_id[a.source_id].skill}", excerpt=a.goal_text[:280])
        for a in fit.alternatives
        if a.source_id in by_id
    ]
    primer = services.searcher.search(case.request, k=2, filters=SearchFilters(kind="primer", domain=domain))
    return [*bank, *(p.citation() for p in primer)]


def check_goal(goal: Goal) -> Goal:
    """Attach the rubric review and the content checks against the Case; a goal shown as finished passes
    every critical check of both."""
    checks = run_rubric(goal.goal_text)
    if goal.case is not None and goal.finished:
        checks += faithful_checks(goal, goal.case)
    return goal.model_copy(
        update={
            "review": Review(
                measurable=is_measurable(checks),
                domain=goal.domain,
                checks=checks,
                suggested_rewrite=None,
                anti_patterns=[c.name for c in checks if not c.passed and c.id != "baseline"],
            ),
            "finished": goal.finished and is_measurable(checks),
        }
    )


_FITTERS: dict[int, Fitter] = {}
# Fits drafted as finished goals; any other fit gets a frame in the OT's words with the nearest bank goals.
COMPOSED = ("good",)
# The classified domain's edge in the fit ranking: it decides near-ties, never over a clearly better fit.
DOMAIN_BONUS = 0.08


def _fitter(services: Any) -> Fitter:
    """The bank's fit scorer, built once per corpus."""
    key = id(services.corpus)
    if key not in _FITTERS:
        _FITTERS[key] = Fitter(list(services.corpus.goals), services.searcher)
    return _FITTERS[key]


def _retrieve(services: Any) -> RunnableLambda:
    def step(payload: dict) -> dict:
        case = payload.get("case") or read_case(payload["request"])
        if payload.get("support_level"):
            case = case.model_copy(update={"support_level": payload["support_level"]})
        if payload.get("student"):
            case = case.model_copy(update={"student": payload["student"]})
        domain = payload.get("domain") or classify_domain(case.request, services.searcher)[0]
        ranked = _ranked(services, case, domain, pinned=bool(payload.get("domain")))
        return {**payload, "case": case, "domain": domain, "ranked": ranked}

    return RunnableLambda(step, name="retrieve")


def _ranked(services: Any, case: Case, domain: str, pinned: bool) -> list:
    """Templates by fit; the classified domain breaks near-ties (DOMAIN_BONUS), and an asked-for domain is kept to."""
    ranked = _fitter(services).ranked(case, {domain: DOMAIN_BONUS})
    if pinned:
        ranked = [r for r in ranked if r[1].domain == domain]
    return ranked


def _compose_and_check(services: Any) -> RunnableLambda:
    def step(state: dict) -> Goal:
        case, ranked = state["case"], state["ranked"]
        for _, template, fit in ranked[:8]:
            if fit.status not in COMPOSED:
                continue  # the best-scored template may be a partial fit while a close second fits well
            fit = fit.model_copy(update={"alternatives": alternatives(ranked, template.skill, case.name)})
            goal = check_goal(compose_goal(services, case, state["domain"], template, fit))
            if goal.finished:
                return goal
        best = ranked[0][2] if ranked else Fit(score=0.0, status="none", reasons=["the goal bank is empty"])
        none = best.model_copy(update={"status": "none", "alternatives": alternatives(ranked, "", case.name)})
        return frame_goal(services, case, state["domain"], none)

    return RunnableLambda(step, name="compose_check")


class GoalDraft(BaseModel):
    """What the language model must return for a goal."""

    goal_text: str = Field(min_length=40)
    condition: str
    behavior: str
    criterion: str
    mastery: str
    measurement: str
    educational_relevance: str


def _draft_problems(draft: GoalDraft, case: Case) -> list[str]:
    checks = run_rubric(draft.goal_text)
    problems = [f"{c.name}: {c.message}" for c in checks if not c.passed and c.severity == "critical"]
    baseline = case.baseline
    if (
        baseline is not None
        and baseline.value is not None
        and format_target(baseline.value, "count") not in draft.goal_text
    ):
        problems.append(f"keep the baseline from the request ({baseline.text}) in the goal")
    return problems


def _llm_compose_and_check(services: Any) -> RunnableLambda:
    """The model rewords the offline draft; invalid or unmeasurable output is re-asked once, then not used."""
    offline = _compose_and_check(services)

    def step(state: dict) -> Goal:
        fallback = offline.invoke(state)
        case = state["case"]
        if not fallback.finished:
            return fallback  # no faithful bank goal: the model must not turn the frame into a confident goal
        passages = "\n".join(c.excerpt for c in fallback.citations[1:])
        prompt = load_prompt(
            "goal",
            request=case.request,
            template_goal=fallback.goal_text,
            passages=passages,
            student=case.name,
        )
        history: list[tuple[str, str]] = []
        message = prompt
        for _attempt in range(2):
            try:
                reply = ask(services.llm, message, history)
            except LLMUnavailable as exc:
                return _noted(fallback, f"{exc}; this is the offline draft.")
            worded = None
            try:
                draft = parse_json(reply, GoalDraft)
                worded = _from_draft(fallback, draft)
                failed = [c for c in worded.review.checks if not c.passed and c.severity == "critical"]
                problems = list(
                    dict.fromkeys([*_draft_problems(draft, case), *(f"{c.name}: {c.message}" for c in failed)])
                )
            except ValueError as exc:
                problems = [str(exc)]
            if worded is not None and worded.finished and not problems:
                return worded  # it passed the rubric and the content checks against the Case
            history += [("human", message), ("ai", reply)]
            message = load_prompt("reask", errors="; ".join(problems))
        return _noted(
            fallback, "The language model's draft did not pass the rubric after one retry; this is the offline draft."
        )

    return RunnableLambda(step, name="llm_compose_check")


def _noted(goal: Goal, note: str) -> Goal:
    return goal.model_copy(update={"notes": [*goal.notes, note]})


def _from_draft(fallback: Goal, draft: GoalDraft) -> Goal:
    components = fallback.components.model_copy(
        update={
            "condition": draft.condition,
            "behavior": draft.behavior,
            "criterion": draft.criterion,
            "mastery": draft.mastery,
            "measurement": draft.measurement,
        }
    )
    goal = fallback.model_copy(
        update={
            "goal_text": draft.goal_text,
            "routines": read_case(draft.goal_text).routines,  # what the model's own wording is about
            "components": components,
            "educational_relevance": draft.educational_relevance,
            "notes": [*fallback.notes, "Worded by the language model; checked against the rubric."],
        }
    )
    return check_goal(goal)


def goal_chain(services: Any) -> Runnable:
    """retrieve -> compose -> check; with a language model configured, it composes in place of the offline step."""
    composer = _llm_compose_and_check(services) if getattr(services, "llm", None) else _compose_and_check(services)
    return _retrieve(services) | composer


# "1) ... 2) ...", "(a) ... (b) ...", "1. ... 2. ..." at a line start, "First ... Second ...": one need each
_ONE_FOR = re.compile(r"\bone(?: goal)? (?:for|on|about|targeting|to address|addressing)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.?!;](?:\s|$)")


@dataclass(frozen=True)
class _Asks:
    second: re.Pattern  # "a 2nd goal for", "also need a goal for"
    ask: re.Pattern  # an ask word ending within 40 characters of the ask ("I need ...")
    each: re.Pattern  # "2 goals, one for each"


@cache
def _asks() -> _Asks:
    """The two-goal asks of case_goal.yaml as patterns of plain alternatives (linear scans)."""
    spec = case_goal_words()["two_goal_asks"]

    def one_of(key: str) -> str:
        return "(?:" + "|".join(re.escape(str(w)) for w in sorted(spec[key], key=len, reverse=True)) + ")"

    ordinal = rf"\b{one_of('ordinals')} {one_of('nouns')} {one_of('preps')}\b"
    also = rf"\b{one_of('also')} {one_of('also_nouns')} {one_of('preps')}\b"
    each = rf"\b{one_of('each_counts')} {one_of('each_nouns')},? (?:one )?{one_of('each_preps')} each\b"
    return _Asks(
        second=re.compile(f"{ordinal}|{also}", re.IGNORECASE),
        ask=re.compile(rf"\b{one_of('ask_words')}\b[^.?!]{{0,30}}$", re.IGNORECASE),
        each=re.compile(each, re.IGNORECASE),
    )


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding position `at` starts (0 for the first)."""
    return max((m.end() for m in _SENTENCE_END.finditer(text, 0, at)), default=0)


_ANOTHER_FOR = re.compile(
    r"(?:\band|,|;)\s+(?:one|another|the other|the second|a second)(?: one| goal)? "
    r"(?:for|on|about|targeting|to address)\b",
    re.IGNORECASE,
)


def _one_and_another(text: str, embed: Any = None) -> list[str] | None:
    """ "two goals: one for self-feeding at lunch and one for opening his containers. He spills 60% of bites,
    and he can't open his milk carton": each need is the words after its "one for", with the details before
    and after the list where they name the need's own words (a detail naming neither goes with neither: no
    baseline is lent to the wrong goal). Each pattern is scanned once: linear."""
    first = _ONE_FOR.search(text)
    second = _ANOTHER_FOR.search(text, first.end()) if first else None
    if not first or not second:
        return None
    rest = text[second.end() :]
    end = _SENTENCE_END.search(rest)
    needs = [text[first.end() : second.start()], rest[: end.start()] if end else rest]
    needs = [n.strip(" ,;:-\n") for n in needs]
    if not all(needs):
        return None
    opening = _sentence_start(text, first.start())
    before = text[:opening]  # "Carrying his tray he spills 3 of 5 days. ... 2 goals, one for the tray and ...":
    details = f"{before} {rest[end.end() :] if end else ''}"  # details come before the list as well as after it
    parts = [[n] for n in needs]
    clauses = [c.strip() for c in re.split(r"(?<=[.;!?])\s+|,\s+(?:and|but|so)\s+", details)[:12] if c.strip()]
    for clause, home in zip(clauses, _homes(needs, clauses, embed), strict=True):
        if home is not None:
            parts[home].append(clause)
    return [". ".join(c.rstrip(" .;") for c in p) + "." for p in parts]


def _and_a_second(text: str) -> list[str] | None:
    """ "...gets it 1 of 5 tries. also his binder is a disaster, so I need a 2nd goal for filing papers": the
    sentence that asks for a second goal is the second need, and what comes before it the first (when the ask
    opens the request, the words before and after it)."""
    ask = _asks().second.search(text)
    also = ask is not None and ask.group(0).lower().startswith("also")
    if ask is None or not (also or _asks().ask.search(text[max(0, ask.start() - 40) : ask.start()])):
        return None  # "she already has another goal for handwriting": not an ask
    opening = _sentence_start(text, ask.start())
    first, second = (text[:opening], text[opening:]) if opening else (text[: ask.start()], text[ask.end() :])
    first, second = first.strip(" ,;:-\n"), second.strip(" ,;:-\n")
    if len(first.split()) < 3 or len(second.split()) < 3:
        return None
    head = re.search(r"[a-z]{4,}", text[ask.end() : ask.end() + 60].lower())
    if head and head.group(0)[:3] in {w[:3] for w in re.findall(r"[a-z]{3,}", first.lower())}:
        return None  # "cuts 2 of 5 shapes. Also need a goal for cutting...": the same need, asked again
    return [first, second]


def _one_each(text: str) -> list[str] | None:
    """ "writes her name w/ 3 of 7 letters legible, cuts a circle for 25% of the perimeter. please draft 2
    goals, one for each": the two clauses before the ask that say what the student does are the needs."""
    ask = _asks().each.search(text)
    if ask is None:
        return None
    opening = _sentence_start(text, ask.start())
    before = text[:opening] if opening else text[: ask.start()]  # the ask's own sentence is no need
    # clauses end at commas, "and", semicolons and sentence ends ("1/4 in. for about 25%" goes on)
    clauses = [c.strip() for c in re.split(r"[.!?]\s+(?=[A-Z])|;\s+|,\s+(?:and\s+)?|\s+and\s+", before) if c.strip()]
    doing = [c for c in clauses if _says_a_doing(c)]
    return doing if len(doing) == 2 else None


def _says_a_doing(clause: str) -> bool:
    from assistant.skill import base_verb

    return any(base_verb(w, True) for w in re.findall(r"[a-z]+", clause.lower())[:3])


def _homes(needs: list[str], clauses: list[str], embed: Any) -> list[int | None]:
    """Which need each detail clause is about: the need closest in meaning by a clear margin (with the
    embedder), else the one need it shares a word with; None when it is about neither or both."""
    if not clauses:
        return []
    if embed is not None:
        vectors = embed([*needs, *clauses])
        heads, tails = vectors[: len(needs)], vectors[len(needs) :]
        homes: list[int | None] = []
        for vector in tails:
            sims = [sum(a * b for a, b in zip(vector, head, strict=True)) for head in heads]
            best = max(range(len(sims)), key=sims.__getitem__)
            margin = sims[best] - max(s for k, s in enumerate(sims) if k != best)
            homes.append(best if margin >= _CLEAR_MARGIN else None)
        return homes
    stems = [{w[:4] for w in re.findall(r"[a-z]{3,}", n.lower())} - _SHARED_WORDS for n in needs]
    out: list[int | None] = []
    for clause in clauses:
        words = {w[:4] for w in re.findall(r"[a-z]{3,}", clause.lower())}
        shared = [len(words & s) for s in stems]
        out.append(shared.index(max(shared)) if max(shared) > 0 and shared.count(max(shared)) == 1 else None)
    return out


_CLEAR_MARGIN = 0.1


_SHARED_WORDS = frozenset({"the", "and", "his", "her", "for", "with", "goal", "goals", "their", "she", "him"})


_MARKER = re.compile(
    r"(?:(?<=\s)|^)(?:\(?[1-4a-d]\)|[1-4]\.(?=\s)|(?:first|second|third)(?:ly)?\b"
    r"(?!\s*(?:grade|grader|graders|gr\b|time|year|period|day|week|floor|place|half|quarter|semester|lunch|recess"
    r"|class|hour|shift|thing I|of all)),?)",  # an ordinal that starts a need, not "second grade"
    re.IGNORECASE,
)


def split_needs(text: str, embed: Any = None) -> list[str]:
    """The separate needs of a request that asks for several goals, each with the request's opening (which
    names the student); [text] when it asks for one. A marker must come at a word start, and the markers must
    count up (1 then 2, a then b): a pattern with no nested repeats, so the scan is linear."""
    paired = _one_and_another(text[:20000], embed) or _and_a_second(text[:20000]) or _one_each(text[:20000])
    if paired:
        return paired
    marks = [m for m in _MARKER.finditer(text[:20000])]
    picked: list[re.Match] = []
    for m in marks:
        key = m.group(0).strip("(),. ").lower()[:1]
        order = "1234" if key.isdigit() else "abcd" if key in "abcd" and len(m.group(0).strip("(),. ")) == 1 else "fst"
        if not picked:
            if key in ("1", "a", "f"):
                picked.append(m)
            continue
        last = picked[-1].group(0).strip("(),. ").lower()[:1]
        if order.find(key) == order.find(last) + 1 and order.find(last) >= 0:
            picked.append(m)
    if len(picked) < 2:
        return [text]
    parts = []
    for m, nxt in zip(picked, [*picked[1:], None], strict=True):
        part = text[m.end() : nxt.start() if nxt else len(text)].strip(" ,;:-\n")
        if part:
            parts.append(part)
    return parts if len(parts) >= 2 else [text]


def draft_goal(
    request: str,
    services: Any,
    support_level: str | None = None,
    student: str | None = None,
    domain: str | None = None,
    case: Case | None = None,
) -> Goal:
    """A measurable goal with objectives, variants and citations for a free-text request; a Case already
    read from the request (the chat's, or one the OT corrected) is used as it is."""
    text = request if case is not None else clean_text(request, "request")
    needs = split_needs(text, services.embedder.embed) if case is None else [text]
    payload = {"request": needs[0], "support_level": support_level, "student": student, "domain": domain, "case": case}
    if len(needs) == 1:
        return goal_chain(services).invoke(payload)
    whole = read_case(text)  # the student's facts, wherever in the request they are
    goals = []
    for need in needs:
        part = read_case(need)  # the need's own routine, skill, baseline and support
        if part.skill is None:
            part = part.model_copy(update={"skill": " ".join(need.split()[:16])})
        facts = {k: getattr(whole, k) for k in ("student", "grade", "age", "grade_band", "plan", "pronoun")}
        facts.update({k: getattr(whole, k) for k in ("communication", "access") if not getattr(part, k)})
        part = part.model_copy(update={k: v for k, v in facts.items() if v is not None or k == "student"})
        goals.append(goal_chain(services).invoke({**payload, "request": need, "case": part}))
    first = goals[0]
    return first.model_copy(update={"more_goals": goals[1:], "case": whole.model_copy(update={"request": text})})


def other_goals(goal: Goal, services: Any, count: int, exclude: set[str] | None = None) -> list[Goal]:
    """Up to `count` more finished goals for the same request from the next well-fitting bank goals (not the
    ones already shown); fewer, or none, when the bank has no other good fit."""
    if goal.case is None:
        return []
    shown = {goal.template_id, *(exclude or set())}
    ranked = _ranked(services, goal.case, goal.domain, pinned=False)
    found: list[Goal] = []
    for _, template, fit in ranked[:12]:
        if len(found) >= count:
            break
        if template.id in shown or fit.status not in COMPOSED:
            continue
        shown.add(template.id)
        fit = fit.model_copy(update={"alternatives": alternatives(ranked, template.skill, goal.case.name)})
        drafted = check_goal(compose_goal(services, goal.case, goal.domain, template, fit))
        if drafted.finished and drafted.goal_text != goal.goal_text:
            found.append(drafted)
    return found


LEVELS = ("more_support", "standard", "more_independent")


def variant_goal(goal: Goal, services: Any, direction: str) -> Goal | None:
    """The same goal one support step over ('more_support' or 'more_independent'): the bank goal for the same
    skill at the next level, composed for the same Case; None when the goal is already at that end or has no
    bank sibling (a frame)."""
    if goal.case is None or goal.support_level not in LEVELS:
        return None
    template = next((t for t in services.corpus.goals if t.id == goal.template_id), None)
    if template is None:
        return None
    step = -1 if direction == "more_support" else 1
    at = LEVELS.index(goal.support_level) + step
    if not 0 <= at < len(LEVELS):
        return None
    sibling = next(
        (
            g
            for g in services.corpus.goals
            if g.skill == template.skill and g.domain == template.domain and g.support_level == LEVELS[at]
        ),
        None,
    )
    if sibling is None:
        return None
    drafted = check_goal(compose_goal(services, goal.case, goal.domain, sibling, goal.fit))
    return drafted if drafted.finished else None
