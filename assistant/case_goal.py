"""The parts of a goal built from the request's own words, for a request no bank goal answers.

Every number comes from the request's baseline or from these documented rules (words in
assistant/data/case_goal.yaml):
- The criterion is in the baseline's own unit: "x of y" stays out of y, a percent stays a percent, a count
  a count, a rate a rate, a duration a duration.
- Its direction follows what the baseline measures: a problem (its clause names errors, prompts, leaving
  the room, tantrums) or the time a task takes shrinks; a skill, or the time the student keeps at
  something, grows.
- Targets: x of y grows to 80% of y (at least x + 1, at most y) or shrinks to 20% of y (at most x - 1);
  a percent grows by 20 to 40 points toward 80% (at most 100) or shrinks by 20 points; a count or a rate
  grows to 1.5 x (at least + 1) or halves; a duration grows to 1.5 x or halves (at least 1).
- With no usable baseline the criterion is "in 4 of 5 opportunities" and the baseline is left to measure.
- The baseline is quoted as the request gave it: the clause it stands in, not a fragment of it.
"""

import math
import re
from dataclasses import dataclass, replace
from functools import cache

from assistant.lexicon import case_words, fold, load_words
from assistant.schemas import Baseline, Case
from assistant.settings import PROJECT_ROOT
from assistant.skill import base_verb

_WORDS = PROJECT_ROOT / "assistant" / "data" / "case_goal.yaml"
_CLAUSE_END = re.compile(r"[.;:!?\n]|\s[-–—]\s")
_MAX_QUOTE_WORDS = 24
_JOINS = re.compile(r",|\s(?:with|and|at|but)\s")


def _second_measure(text: str, start: int, end: int) -> int | None:
    """Where a second measure joins the clause (a comma, "with", "and", "at" or "but" with a number in the
    next six words), or None. Each join is checked on at most 6 words (split, bounded): linear."""
    for join in _JOINS.finditer(text, start, end):
        words = text[join.end() : min(end, join.end() + 120)].split()[:6]
        if any(ch.isdigit() for w in words for ch in w[:12]):
            return join.start()
    return None


def _first_measure_start(text: str, start: int, at: int) -> int | None:
    """Where the baseline's own part of the clause starts when another measure comes before it in the clause:
    just after the last join (a comma, "with", "and", "at", "but") that follows the other measure's number."""
    before = text[start:at]
    digits = [k for k, ch in enumerate(before[-400:]) if ch.isdigit()]
    if not digits:
        return None
    offset = start + max(0, len(before) - 400)
    last_digit = offset + digits[-1]
    joins = [m.end() for m in _JOINS.finditer(text, last_digit, at)]
    return joins[-1] if joins else None


@cache
def words() -> dict:
    return load_words(_WORDS)


@dataclass(frozen=True)
class Criterion:
    text: str  # with {target}
    unit: str  # percent | count | per_minute | minutes | seconds (goalbank units)
    higher_is_better: bool
    target: float
    baseline: float | None
    mastery: str
    measurement: str


def baseline_clause(case: Case, baseline: Baseline | None = None, own_part: bool = False) -> str | None:
    """The clause of the request the baseline stands in (_clause); quoted (own_part), it ends on a content
    word."""
    clause = _clause(case, baseline, own_part)
    return _no_dangling(clause) if own_part and clause else clause


def _clause(case: Case, baseline: Baseline | None = None, own_part: bool = False) -> str | None:
    """The clause of the request the baseline stands in, as written (at most 24 words around the number). With
    own_part (for quoting), a measure before the baseline in the clause is left out as one after it is."""
    baseline = baseline or case.baseline
    if baseline is None:
        return None
    text = case.request
    at = text.find(baseline.text)
    if at < 0:
        return baseline.text
    start = 0
    for match in _CLAUSE_END.finditer(text, 0, at):
        start = match.end()
    end_match = _CLAUSE_END.search(text, at + len(baseline.text))
    end = end_match.start() if end_match else len(text)
    digits = [k for k, ch in enumerate(baseline.text[:200]) if ch.isdigit()]
    measured = at + (digits[-1] + 1 if digits else len(baseline.text))  # a second measure may follow its words
    second = _second_measure(text, measured, end)
    if second is not None:
        end = second  # ", about 1 selection per minute", "with 85% accuracy": another measure
    first = _first_measure_start(text, start, at) if own_part else None
    if first is not None:
        start = first  # "..., 5 errors per 3-line copy, needs 12 min": the measure before is another one
    clause = text[start:end].strip(" ,\"'“”")
    tokens = clause.split()
    if len(tokens) > _MAX_QUOTE_WORDS:
        # the part of the clause the number stands in: from the last comma before it, else the words nearest it
        comma = text.rfind(",", start, at)
        if comma > start and len(text[comma + 1 : end].split()) <= _MAX_QUOTE_WORDS:
            return text[comma + 1 : end].strip(" ,")
        offset = len(text[start:at].split())
        first = max(0, offset - 12)
        clause = ("..." if first else "") + " ".join(tokens[first : first + _MAX_QUOTE_WORDS])
    return clause or baseline.text


def support_clause(case: Case) -> str | None:
    """The clause that says how much help the student needs now ("he pulls his pants up only w hand over hand
    every time"), quoted as the present level when the request gives no number; None when the request names no
    support, or its clause holds a number (that would read as a measure)."""
    words = case.evidence.get("support")
    if case.support is None or not words:
        return None
    clause = baseline_clause(case, Baseline(text=words))
    return None if clause is None or re.search(r"\d", clause) else clause


def one_measure_quote(case: Case, baseline: Baseline | None = None) -> str | None:
    """The baseline (the case's main one unless given) as the request gave it: its whole clause when the
    clause holds no other number (so no second measure is quoted beside it), else the baseline's own words."""
    b = baseline or case.baseline
    if b is None:
        return None
    clause = baseline_clause(case, b) or b.text
    others = re.sub(re.escape(b.text), " ", clause)
    return _no_dangling(b.text) if re.search(r"\d", others) else _no_dangling(clause)


def _no_dangling(quote: str) -> str:
    """A quote cut before a second measure ends on a content word ("copies 4 of 10 words legibly", not "...
    legibly from")."""
    dangling = {fold(str(w)) for w in words()["dangling_words"]}
    tokens = quote.rstrip(" ,;:-").split(" ")
    while len(tokens) > 1 and fold(tokens[-1].strip(",;:")) in dangling:
        tokens.pop()
    return " ".join(tokens).rstrip(" ,;:-")


def _before_and_through(case: Case, baseline: Baseline) -> str:
    """The words of the baseline's clause up to and including the baseline (what comes after it, "before
    her head drops", says something else)."""
    clause = baseline_clause(case, baseline) or baseline.text
    at = clause.find(baseline.text)
    return clause[: at + len(baseline.text)] if at >= 0 else clause


def _is_problem(case: Case, baseline: Baseline) -> bool:
    """The baseline counts a problem: what it counts is adult help or errors, or its clause names a problem
    before the number or in the three words after it ("reversed b/d in 7 of 15"; not "copied 2 of 6 forms
    and reversed b/d", where the problem is another measure)."""
    counted = {w for w in re.findall(r"[a-z]+", fold(baseline.counts or ""))}
    if counted & {fold(str(w)) for w in words()["problem_counts"]}:
        return True
    through = _before_and_through(case, baseline)
    number = re.search(rf"(?<![\d.]){re.escape(f'{baseline.value:g}')}(?![\d])", through) if baseline.value else None
    if number:
        after = through[number.end() :].split()
        through = through[: number.end()] + " " + " ".join(after[:3])
    return _has_any(_without_aimed_acts(through), words()["problem_words"])


def _without_aimed_acts(text: str) -> str:
    """A problem verb aimed at what the task aims at is the skill, not a problem: "hits her target button",
    "kicks the ball" (case_goal.yaml aimed_verbs, aim_nouns); "hits peers" stays a problem."""
    verbs = {fold(str(w)) for w in words()["aimed_verbs"]}
    aims = {fold(str(w)) for w in words()["aim_nouns"]}
    tokens = re.findall(r"[a-z0-9']+|[^a-z0-9'\s]", fold(text))
    kept = [t for k, t in enumerate(tokens) if not (t in verbs and any(w in aims for w in tokens[k + 1 : k + 4]))]
    return " ".join(kept)


def _base(word: str) -> str | None:
    """A task verb's base form from its base, -s, -ing, -ed or irregular past form."""
    found = base_verb(word, third_person=True)
    if found:
        return found
    problems = {fold(str(w)) for w in words()["problem_words"]} - {fold(str(w)) for w in words()["problem_nouns"]}
    for stem in (word, word[:-1], word[:-2], word[:-3] + "y"):
        if len(stem) > 2 and stem in problems and word.endswith("s") and word != stem:
            return stem  # "bumps into peers": a problem the student does is a verb too
    past = words()["irregular_past"]
    if word in past:
        return str(past[word])
    if word.endswith("ed") and len(word) >= 4:
        stem = word[:-2]
        for candidate in (stem, stem + "e", word[:-1], stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else "",
                          word[:-3] + "y" if word.endswith("ied") else ""):  # fmt: skip
            if candidate and base_verb(candidate):
                return base_verb(candidate)
    return None


def task_in_clause(case: Case) -> str | None:
    """The task an -ing phrase names in the baseline's clause, before its problem verb ("copying notes from the
    projector, omits 3-4 words per line" -> "copy notes from the projector"); None when it names none."""
    clause = (baseline_clause(case) or "").removeprefix("...")
    for phrase in re.split(r",\s*", clause):
        words = phrase.split()
        if words and words[0].lower().endswith("ing") and base_verb(words[0].lower()):
            return " ".join([str(base_verb(words[0].lower())), *words[1:9]])
    return None


def problem_state(case: Case) -> str | None:
    """What a count of a problem counts when the request says it as a state, not a verb: "she's out of her
    seat 6-8x" -> "out of her seat", "he is off task 5 times" -> "off task"; None otherwise."""
    b = case.baseline
    if b is None or b.value is None:
        return None
    clause = baseline_clause(case) or ""
    at = clause.find(b.text)
    number = re.search(rf"(?<![\d.]){re.escape(f'{b.value:g}')}(?![\d])", b.text)
    if at < 0 or number is None:
        return None
    head = clause[: at + number.start()]
    subjects = "|".join(["he", "she", "they", *([re.escape(case.student)] if case.student else [])])
    found = re.search(rf"\b(?:{subjects})(?:'s|’s| is| was| are| were)\s+(.+)$", head, re.IGNORECASE)
    if found is None:
        return None
    phrase = found.group(1).strip(" ,")
    return phrase if 1 <= len(phrase.split()) <= 6 and not re.search(r"\d", phrase) else None


def _past_descriptors(tokens: list[str]) -> int | None:
    """Where a note-style clause's verb is: the first token when it is a verb, or the first verb after only the
    student's descriptors (grade, age, diagnosis: numbers, capitalized words, "gr", commas), else None."""
    descriptors = {fold(str(w)) for w in words()["note_descriptors"]}
    for k, token in enumerate(tokens[:10]):
        if token[0].isalpha() and _base(token.lower()):
            return k
        named = token[0].isupper() and k > 0  # "ADHD", "CP"; a first word is capitalized as the sentence's
        if not (token[0].isdigit() or named or fold(token) in descriptors or not token[0].isalnum()):
            return None
    return None


def measured_behavior(case: Case) -> tuple[str, bool] | None:
    """What the baseline measures the student doing: the student's verb before the baseline's number in its
    clause, with the words between ("catches a playground ball tossed from 5 feet in 2 of 10 trials" ->
    "catch a playground ball tossed from 5 feet"). The flag says the number is the verb's own object
    ("copies 1 of 4 shapes": "copy 3 of 4 shapes")."""
    b = case.baseline
    if b is None or b.value is None:
        return None
    clause = (baseline_clause(case) or "").removeprefix("...")  # a long clause is quoted from its middle
    at = clause.find(b.text)
    number = re.search(rf"(?<![\d.]){re.escape(f'{b.value:g}')}(?![\d])", b.text)
    if at < 0 or number is None:
        return None
    head = clause[: at + number.start()]
    tokens = re.findall(r"[A-Za-z][A-Za-z'/+-]*|\d+|[^\sA-Za-z\d]", head)
    subjects = {"he", "she", "they", *([fold(case.student)] if case.student else [])}
    last_subject = max((k for k, t in enumerate(tokens) if fold(t) in subjects), default=-1)
    adults = {"i", "we", "you"} | {fold(str(w)) for w in case_words()["adult_subjects"]}
    last_adult = max((k for k, t in enumerate(tokens) if fold(t) in adults), default=-1)
    if last_adult > last_subject:
        return None  # "Brandon is out of his seat, I counted 14 times": the verb is the adult's
    glue = {fold(str(w)) for w in words()["measure_glue"]}
    if last_subject < 0:
        opening = _past_descriptors(tokens)
        if opening is None:
            return None  # no student subject, and no note-style verb opening the clause ("Copies 1 of 4 shapes")
        last_subject = opening - 1  # "9th gr, ADHD, writes hw in his planner...": the note's verb
    verbs = [(k, _base(t.lower())) for k, t in enumerate(tokens) if k > last_subject and t[0].isalpha()]
    verbs = [(k, v) for k, v in verbs if v is not None]
    if not verbs:
        return None
    weak = set(case_words()["skill_weak_verbs"])
    present = [(k, v) for k, v in verbs if tokens[k].lower().endswith("s") and tokens[k].lower() != v]
    strong = [(k, v) for k, v in present if v not in weak]
    # "uses a picture sequence and completes 3 of 8": the last verb is the one measured; when that verb says
    # little ("grasps a brush and makes marks for 5 seconds") the phrase starts at the first strong one
    k, verb = present[-1] if present else verbs[0]
    if verb in weak and strong:
        k, verb = strong[0]
    if verb in words()["duration_verbs"]:
        return _timed_task(tokens[:k], clause[at + number.end() :])
    if verb in weak:
        return None  # "gets 2 of 4": the verb names no task
    rest = tokens[k + 1 :]
    if {fold(t) for t in rest[:3]} & {"goal", "goals", "objective", "objectives", "iep"}:
        return None  # "Write a goal for a 2nd grader who tires after 2 sentences": the OT's verb
    if any(fold(t) in _TURNS for t in rest):
        return None  # "imitates lines but did not imitate a circle in 0 of 4": the number measures the other
    while rest and fold(rest[-1]) in glue:
        rest = rest[:-1]
    if any(fold(t) in _POINTERS for t in rest) or any(t in ",;:()" for t in rest):
        return None  # "activates it": the object is named elsewhere
    rest = [(_base(t.lower()) or t) if k2 and fold(rest[k2 - 1]) == "and" else t for k2, t in enumerate(rest)]
    return " ".join([verb, *rest]), not rest


def _timed_task(before: list[str], after: str) -> tuple[str, bool] | None:
    """The task a duration is the time of: "changing for PE takes her 12 min" -> "change for PE"; "takes
    15 minutes to get his snow pants on" -> "get his snow pants on"."""
    words = after[:300].split()
    to = next((k for k, w in enumerate(words[:3]) if w.lower() == "to"), None)
    verb = base_verb(words[to + 1].lower().strip(",.")) if to is not None and to + 1 < len(words) else None
    if verb:
        tail: list[str] = []
        for w in words[to + 2 : to + 16]:
            if w.lower() in ("so", "but", "because", "and") and tail and tail[-1].endswith(","):
                break  # ", and recess is only 20 minutes": the next clause
            if w.lower() in ("so", "but", "because"):
                break
            tail.append(w)
            if w.endswith((".", ";", "!", "?")):
                break
        return " ".join([verb, *tail]).strip(" ,.;!?"), False
    for k, token in enumerate(before):
        if token.lower().endswith("ing") and base_verb(token.lower()):
            rest = [t for t in before[k + 1 :] if fold(t) not in {"her", "him", "them"}]
            return " ".join([str(base_verb(token.lower())), *rest]), False
    return None


_POINTERS = frozenset({"it", "them", "this", "that", "these", "those"})
_TIME_WORDS = frozenset({"min", "mins", "minutes", "sec", "secs", "seconds"})
_TURNS = frozenset({"but", "not", "didn't", "doesn't", "don't", "never", "without", "although", "though", "yet"})


def _has_any(text: str, phrases: list) -> bool:
    """A phrase of the list is in the text, possessives aside ("out of his seat" is "out of seat")."""
    low = " " + re.sub(r"[^a-z0-9' ]+", " ", fold(text)) + " "
    low = re.sub(r" (?:his|her|their|my|the) ", " ", low)
    return any(f" {fold(str(p))} " in low for p in phrases)


def _noun(baseline: Baseline, kind: str) -> str:
    """What the baseline counts, in the request's words: the plural right after its number ("11 letters per
    minute", "4/10 words legible"), else in what it counts ("top buttons", "spelling words"), else the
    default."""
    stops = {fold(str(w)) for w in words()["count_stops"]}
    after = re.search(r"\d(?:[\d.]*)(?:\s*(?:/|of|out of)\s*\d+)?\s+([A-Za-z][a-z-]*s)\b", baseline.text)
    if after and fold(after.group(1)) not in stops and len(after.group(1)) > 3 and not after.group(1).endswith("ss"):
        return after.group(1).lower()
    tokens = [t for t in re.findall(r"[A-Za-z][A-Za-z'-]*", baseline.counts or "")]
    for k, token in enumerate(tokens):
        low = token.lower()
        if low in stops or len(low) < 4 or not low.endswith("s") or low.endswith(("ss", "us", "is")):
            continue
        before = tokens[k - 1].lower() if k else ""
        return f"{before} {low}" if before and before not in stops and len(before) > 2 else low
    if baseline.value == 1 and kind in ("count_more", "count_less", "of"):
        named = [t.lower() for t in tokens if t.lower() not in stops and len(t) > 2]
        if named:  # "strings 1 large bead": the thing counted, in the plural
            return " ".join([*named[:-1][-1:], _plural(named[-1])])
    return str(words()["default_nouns"].get(kind, "opportunities"))


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def _per(clause: str) -> str:
    """The period a count is taken over: the request's own "per step", else the first period word named."""
    periods = words()["periods"]
    own = re.search(r"\bper ([a-z]+)", fold(clause))
    if own and own.group(1) not in {fold(str(w)) for w in words()["count_stops"]}:
        return f"per {own.group(1)}"
    for word in re.findall(r"[a-z]+", fold(clause)):
        if word in periods:
            return str(periods[word])
    return "per session"


def _by_noun(rule: "Criterion", noun: str) -> "Criterion":
    """The measurement and mastery for what the baseline counts (case_goal.yaml by_noun), else the unit's."""
    counted = set(noun.lower().split())
    for entry in words()["by_noun"]:
        if counted & {fold(str(w)) for w in entry["words"]}:
            return Criterion(rule.text, rule.unit, rule.higher_is_better, rule.target, rule.baseline,
                             str(entry["mastery"]), str(entry["measurement"]))  # fmt: skip
    return rule


def criterion(case: Case, problem: bool | None = None) -> Criterion:
    """The criterion of a goal built from the request (rules in the module docstring); `problem` says the
    baseline counts a problem when the caller knows it (the request asks the student to stop something). A
    target the request states in the same measure ("the supervisor wants around 15", "goal is 8/10") is
    the goal's target when it lies on the goal's side of the baseline."""
    rule = _criterion(case, problem)
    stated = stated_target(case)
    b = case.baseline
    total = b.out_of if b is not None and b.unit == "of" else 100.0 if rule.unit == "percent" else None
    aimed = stated is not None and rule.baseline is not None and (stated > rule.baseline) == rule.higher_is_better
    if aimed and (total is None or stated <= total):  # "supervisor wants 20" is no target for "1 of 5 days"
        rule = replace(rule, target=stated)
    if rule.baseline is None or b is None or b.unit in ("minutes", "seconds", "per_minute"):
        return rule
    return _by_noun(rule, f"{_noun(b, 'of')} {b.counts or ''}")


def stated_target(case: Case) -> float | None:
    """The number a target cue ("wants", "expects", "goal is", "aiming for") names within 4 words, in the
    baseline's sentence or the next, when the number is written bare or with the baseline's own unit or
    noun ("15", "15 towels", "8/10"); None otherwise. One pass over the cues: linear."""
    b = case.baseline
    if b is None or b.value is None:
        return None
    from assistant.lexicon import lexicon
    from assistant.reader import Reader

    reader = Reader(case.request)
    tokens = reader.tokens
    own = set(re.findall(r"[a-z]+", fold(f"{b.counts or ''} {b.text}"))) | {b.unit or ""}
    for cue in lexicon("target_cues").find(tokens):
        for j in range(cue.end, min(len(tokens), cue.end + 4)):
            token = tokens[j]
            if token.text in ".;!?":
                break
            if token.kind != "n":
                continue
            value = (
                float(token.text.replace(",", "")) if token.text.replace(",", "").replace(".", "").isdigit() else None
            )
            after = tokens[j + 1].low if j + 1 < len(tokens) else ""
            if value is None or value == b.value:
                break
            if after in ("/", "of", "out") and b.unit == "of":
                return value  # "goal is 8/10"
            unitish = after.rstrip("s") in {w.rstrip("s") for w in own} or after in _TIME_WORDS
            if not after or tokens[j + 1].kind != "w" or unitish:
                return value
            break
    return None


def _criterion(case: Case, problem: bool | None = None) -> Criterion:
    """The criterion of a goal built from the request (rules in the module docstring); `problem` says the
    baseline counts a problem when the caller knows it (the request asks the student to stop something)."""
    table, mastery, measured = words()["criteria"], words()["mastery"], words()["measurement"]
    b = case.baseline
    if b is None or b.value is None or b.unit not in ("of", "percent", "count", "per_minute", "minutes", "seconds"):
        return Criterion(table["none"], "count", True, 4, None, mastery["default"], measured["of"])
    clause = baseline_clause(case) or b.text
    problem = _is_problem(case, b) if problem is None else problem
    value = b.value
    if b.unit == "of" and b.out_of:
        total = b.out_of
        higher = not problem
        target = (
            min(total, max(value + 1, round(0.8 * total))) if higher else max(0, min(value - 1, round(0.2 * total)))
        )
        text = table["of"] if higher else "with no more than {target} of {total} {noun}"
        text = text.replace("{total}", f"{total:g}").replace("{noun}", _noun(b, "of"))
        return Criterion(text, "count", higher, target, value, mastery["default"], measured["of"])
    if b.unit == "percent":
        higher = not problem
        if higher:
            target = min(100.0, 5 * math.ceil(max(value + 20, min(80, value + 40)) / 5))
            text = table["percent"]
        else:
            target = max(0.0, 5 * math.floor((value - 20) / 5))
            text = "in no more than {target}% of {noun}"
        text = text.replace("{noun}", _noun(b, "percent")).replace("{target}%", "{target}")
        return Criterion(text, "percent", higher, target, value, mastery["default"], measured["percent"])
    if b.unit in ("count", "per_minute"):
        higher = b.unit == "per_minute" or not problem
        target = max(value + 1, math.ceil(value * 1.5)) if higher else max(0, math.floor(value / 2))
        key = "per_minute" if b.unit == "per_minute" else "count_more" if higher else "count_less"
        noun = _noun(b, key)
        text = table[key].replace("{noun}", noun).replace("{per}", _per(clause))
        if not higher and set(noun.split()) & {fold(str(w)) for w in words()["problem_counts"]}:
            text = f"with {text}"  # "with no more than 1 verbal cue per trip": help, counted
        return Criterion(text, b.unit if b.unit == "per_minute" else "count", higher, target, value,
                         mastery["default"], measured["per_minute" if b.unit == "per_minute" else "count"])  # fmt: skip
    higher = not (problem or _has_any(_before_and_through(case, b), words()["completion_words"]))
    target = max(value + 1, math.ceil(value * 1.5)) if higher else max(1, math.floor(value / 2))
    text = table[f"{b.unit}_{'more' if higher else 'less'}"]
    return Criterion(text, b.unit, higher, target, value, mastery[b.unit], measured[b.unit])
