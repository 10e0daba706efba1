"""Follow-up edits on the last goal: read what the OT asked to change, change exactly that, and say what changed.

A message is read once into EditOps (mastery, criterion, target, prompting, setting, name, grade, facts,
an accommodation, a support variant, another draft, options) over its tokens with the word lists in
assistant/data/edit_words.yaml, so it runs in linear time. Each op is applied to the goal's parts (the text,
the objectives, the components and the variants); facts about the student (grade, support now, baseline,
communication) redraft the goal from the corrected Case. An op is kept only when the new text shows it:
`changes` never claims an edit the text does not carry, and an op that could not be applied says why.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from assistant.lexicon import DATA, Lexicon, Token, common_words, fold, given_names, load_words, tokenize
from assistant.reader import Reader, grade_band, grade_phrase
from assistant.schemas import Case, Goal

__all__ = ["EditOp", "EditOutcome", "apply_edits", "read_edit", "wants_another", "wants_options"]


class EditOp(NamedTuple):
    field: str  # mastery | criterion | target | prompting | setting | name | grade | facts | accommodation | variant
    value: str
    number: float | None = None


@dataclass
class EditOutcome:
    goal: Goal
    changes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    case: Case | None = None


@cache
def words() -> dict:
    return load_words(DATA / "edit_words.yaml")


@cache
def _lex(key: str) -> Lexicon:
    entry = words()[key]
    return Lexicon(entry if isinstance(entry, dict) else {key: entry})


def _has(key: str, tokens: list[Token]) -> bool:
    return bool(_lex(key).find(tokens))


def _negated(tokens: list[Token]) -> set[int]:
    """Token places that name the old value ("not 5th", "instead of 3 of 5"): up to the next punctuation."""
    out: set[int] = set()
    for match in _lex("negators").find(tokens):
        j = match.end
        while j < len(tokens) and j < match.end + 5 and tokens[j].kind != "p" and tokens[j].low not in ("but", "it's"):
            out.add(j)
            j += 1
    return out


def edit_words_found(key: str, tokens: list[Token]) -> bool:
    """Does a word list of edit_words.yaml occur in the message?"""
    return _has(key, tokens)


def is_change(tokens: list[Token]) -> bool:
    """Does the message ask to change something (a change word, or words pointing back at the draft)?"""
    return _has("change_cues", tokens) or _has("refers_back", tokens)


def wants_another(tokens: list[Token]) -> bool:
    return _has("another", tokens)


def wants_options(tokens: list[Token]) -> int | None:
    """How many options the message asks for ("give me 3 options", "a couple of versions"), or None."""
    nouns = _lex("options_nouns").find(tokens)
    if not nouns:
        return None
    counts = {fold(str(k)): v for k, v in words()["option_counts"].items()}
    first = nouns[0].start
    for j in range(max(0, first - 4), first):
        phrase = " ".join(t.low for t in tokens[j:first] if t.kind != "p")
        for size in (2, 1):
            key = " ".join(phrase.split()[-size:])
            if key in counts:
                return min(4, counts[key])
    if (
        any(t.low in ("some", "few", "more") for t in tokens[max(0, first - 3) : first])
        or tokens[first].low == "options"
    ):
        return 3
    return None


def _number(token: Token) -> float | None:
    try:
        return float(token.text.replace(",", "."))
    except ValueError:
        return None


def _x_of_y(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """(end token, y) when tokens[i] starts 'x of y', 'x out of y' or 'x/y'."""
    if tokens[i].kind != "n":
        return None
    j = i + 1
    if j < len(tokens) and tokens[j].low == "out":
        j += 1
    if j + 1 < len(tokens) and tokens[j].low in ("of", "/") and tokens[j + 1].kind == "n":
        return j + 2, int(_number(tokens[j + 1]) or 0)
    return None


def _noun_after(tokens: list[Token], j: int, limit: int = 4) -> str:
    """The words after a number up to punctuation or a stop word: 'trials', 'weekly writing samples'."""
    stops = {fold(w) for w in words()["phrase_stops"]} | {"with", "and", "in", "on", "at", "during", "by", "per"}
    out = []
    while j < len(tokens) and len(out) < limit and tokens[j].kind == "w" and tokens[j].low not in stops:
        out.append(tokens[j].text)
        j += 1
    return " ".join(out)


def _x_of_y_field(noun: str, goal: Goal, mastery_asked: bool, criterion_asked: bool) -> str:
    """'x of y' is the mastery rule when the message says mastery or counts occasions (trials, days) the
    criterion does not count; the criterion (target) when it says criterion or counts what the criterion counts."""
    if mastery_asked and not criterion_asked:
        return "mastery"
    if criterion_asked and not mastery_asked:
        return "target"
    words_ = [fold(w).rstrip("s") for w in noun.split()]
    crit = fold(goal.components.criterion)
    in_criterion = bool(words_) and all(re.search(rf"\b{re.escape(w)}", crit) for w in words_)
    if in_criterion and not re.search(r"\b" + re.escape(words_[-1]), fold(goal.components.mastery)):
        return "target"
    return "mastery"


def read_edit(text: str, goal: Goal, message_case: Case) -> list[EditOp]:
    """The changes a follow-up message asks for, each once, in the goal's own terms."""
    tokens = tokenize(text)
    skip = _negated(tokens)
    ops: list[EditOp] = []
    for label in ("more_support", "more_independent"):
        if any(m.label == label for m in _lex("variant").find(tokens)):
            ops.append(EditOp("variant", label))
    used: set[int] = set()
    criterion_asked = _has("criterion_words", tokens)
    mastery_asked = _has("mastery_words", tokens)
    for i in range(len(tokens)):
        if i in skip or i in used:
            continue
        xy = _x_of_y(tokens, i)
        if xy:
            end, y = xy
            noun = _noun_after(tokens, end)
            used.update(range(i, end))
            x = int(_number(tokens[i]) or 0)
            ops.append(
                EditOp(
                    _x_of_y_field(noun, goal, mastery_asked, criterion_asked),
                    f"{x} of {y}" + (f" {noun}" if noun else ""),
                    x,
                )
            )
            continue
        if tokens[i].kind == "n":
            value = _number(tokens[i])
            nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
            if nxt == "consecutive":
                noun = _noun_after(tokens, i + 2, limit=3)
                used.update(range(i, i + 2 + len(noun.split())))
                ops.append(EditOp("mastery", f"{value:g} consecutive {noun or 'sessions'}", value))
                continue
            if nxt in ("%", "percent"):
                used.update((i, i + 1))
                ops.append(EditOp("criterion", f"{value:g}%", value))
                continue
            if nxt in ("st", "nd", "rd", "th") or (i and tokens[i - 1].low in ("grade", "gr")):
                continue  # a grade, read by the grade reader
            noun = _noun_after(tokens, i + 1, limit=2)
            if noun and not _lex("prompt_nouns").find(tokenize(noun)):
                used.update(range(i, i + 1 + len(noun.split())))
                ops.append(EditOp("target", f"{value:g} {noun}", value))
    ops += _prompting_ops(tokens, skip, message_case)
    name = _new_name(tokens, skip, goal)
    if name:
        ops.append(EditOp("name", name))
    grade, _age, _band = Reader(_without(text, tokens, skip)).grade_and_age()
    grade = grade or _bare_ordinal(tokens, skip)
    if grade and goal.case is not None and grade != goal.case.grade:
        ops.append(EditOp("grade", grade))
    accommodation = _accommodation(tokens, message_case)
    phrase = _named_setting(text, tokens, skip)
    if not phrase and message_case.routine and message_case.evidence.get("routine") and not accommodation:
        phrase = _setting_phrase(text, tokens, message_case.evidence["routine"])
    if phrase and not accommodation:
        ops.append(EditOp("setting", phrase))
    for fact in ("communication", "baselines"):
        if getattr(message_case, fact) and fact not in {o.field for o in ops}:
            if fact == "baselines" and not re.search(r"\bbaseline|\bcurrently|\bright now|\bnow\b", text, re.I):
                continue
            ops.append(EditOp("facts", fact))
    if accommodation:
        ops.append(EditOp("accommodation", accommodation))
    return ops


def _bare_ordinal(tokens: list[Token], skip: set[int]) -> str | None:
    """In a correction a bare ordinal names the grade ("actually he's 7th not 8th")."""
    for i in range(len(tokens) - 1):
        if i in skip or tokens[i].kind != "n" or tokens[i + 1].low not in ("st", "nd", "rd", "th"):
            continue
        after = tokens[i + 2].low if i + 2 < len(tokens) else ""
        value = _number(tokens[i])
        if (
            value
            and 1 <= value <= 12
            and (after in ("", "grade", "gr", "grader", "not", "and", ",", ".", "!") or tokens[i + 2].kind == "p")
        ):
            return f"{value:g}"
    return None


def _without(text: str, tokens: list[Token], skip: set[int]) -> str:
    """The text with the negated old values blanked (the same length, so places stay)."""
    chars = list(text)
    for i in skip:
        for k in range(tokens[i].start, tokens[i].end):
            chars[k] = " "
    return "".join(chars)


def _prompting_ops(tokens: list[Token], skip: set[int], message_case: Case) -> list[EditOp]:
    """A prompt level asked for ('no more than 1 verbal prompt', 'independently'); or the support the
    student needs now ('she needs hand-over-hand'), a fact that redrafts the goal."""
    found = [m for m in _lex("prompt_levels").find(tokens) if m.start not in skip]
    if not found:
        return []
    match = max(found, key=lambda m: m.end - m.start)
    now = _lex("support_now").find(tokens[max(0, match.start - 4) : match.start])
    if now and message_case.support:
        return [EditOp("facts", "support")]
    start = match.start
    while start > 0 and (
        tokens[start - 1].kind == "n"
        or tokens[start - 1].low
        in (
            "no",
            "more",
            "than",
            "fewer",
            "up",
            "to",
            "at",
            "most",
            "only",
            "with",
            "less",
            "max",
            "maximum",
            "just",
            "a",
            "one",
            "two",
            "three",
        )
    ):
        start -= 1
        if match.start - start > 5:
            break
    words_said = " ".join(t.text for t in tokens[start : match.end]).replace(" ,", ",")
    return [EditOp("prompting", words_said, None)] if match.label else []


def _new_name(tokens: list[Token], skip: set[int], goal: Goal) -> str | None:
    """A given name the message introduces that is not the student's now and not someone's ("Nora's brother
    Eli" -> Eli): a given name, capitalized when it is also a word (Will, Grace) unless a name cue comes
    before it ("call him will"); an unknown capitalized word only after a name cue."""
    names, word_names = given_names()
    old = fold(goal.student or "")
    cue_ends = {m.end for m in _lex("name_cues").find(tokens)}
    best = None
    for i, token in enumerate(tokens):
        if token.kind != "w" or i in skip or token.low.endswith("'s") or token.low == old:
            continue
        after_cue = i in cue_ends
        plain = token.low in names and token.low not in word_names and token.low not in _common()
        worded = token.low in names and ((token.cap and i > 0) or after_cue)
        unknown = after_cue and token.cap and len(token.text) > 2 and token.low not in _common()
        if plain or worded or unknown:
            best = token.text[:1].upper() + token.text[1:]
    return best


def _common() -> frozenset[str]:
    return common_words()


def _setting_phrase(text: str, tokens: list[Token], evidence: str) -> str | None:
    """The new setting in the OT's words after the preposition the OT used ('in science lab', 'at lunch'); 'for'
    reads as 'during'. Routine words with no preposition before them name a thing, not a setting."""
    at = fold(text).find(fold(evidence))
    if at < 0:
        return None
    first = next((i for i, t in enumerate(tokens) if t.start >= at), None)
    if first is None:
        return None
    preps = {fold(w) for w in words()["setting_prepositions"]}
    determiners = {fold(w) for w in words()["determiners"]}
    j = first
    while j > 0 and first - j < 2 and tokens[j - 1].low in determiners:
        j -= 1
    if j == 0 or tokens[j - 1].low not in preps:
        return None
    prep = tokens[j - 1].low
    body = text[tokens[j].start : at + len(evidence)].strip()
    body = " ".join(w for w in body.split() if fold(w) not in {"her", "his", "their", "my"})
    return f"{'during' if prep == 'for' else prep} {body}"


def _named_setting(text: str, tokens: list[Token], skip: set[int]) -> str | None:
    """The setting named outright after a setting cue ("change the setting to morning meeting"), in its words."""
    cue = next((m for m in _lex("setting_cues").find(tokens) if m.start not in skip), None)
    if cue is None:
        return None
    stops = {fold(w) for w in words()["phrase_stops"]} | {"so", "because", "since", "they", "it", "he", "she"}
    preps = {fold(w) for w in words()["setting_prepositions"]}
    j = cue.end
    prep = tokens[cue.end - 1].low if tokens[cue.end - 1].low in preps else None
    if j < len(tokens) and tokens[j].low in preps:
        prep, j = tokens[j].low, j + 1
    body = []
    while j < len(tokens) and len(body) < 5 and tokens[j].kind == "w" and tokens[j].low not in stops:
        body.append(tokens[j].text)
        j += 1
    body = [w for w in body if fold(w) not in {"the", "her", "his", "their", "my"}] or body
    if not body:
        return None
    return f"{'during' if prep in (None, 'for') else prep} {' '.join(body)}"


def _accommodation(tokens: list[Token], message_case: Case) -> str | None:
    """A tool or support the message adds ('add a slant board', 'include a color coded combination card'): a
    tool the Case reader knows, else the words after the adding word up to a preposition or punctuation."""
    cues = [m for m in _lex("accommodation_cues").find(tokens) if m.start <= 3 and tokens[m.start].low != "with"]
    if not cues:
        return None
    if message_case.tools:
        return message_case.tools[0]
    stops = {fold(w) for w in words()["setting_prepositions"] + words()["phrase_stops"]}
    stops |= {"to", "inside", "into", "onto", "so", "that", "which", "taped", "placed", "kept", "by", "from", "of"}
    determiners = {fold(w) for w in words()["determiners"]}
    j = cues[0].end
    while j < len(tokens) and tokens[j].low in determiners:
        j += 1
    phrase = []
    while j < len(tokens) and len(phrase) < 5 and tokens[j].kind == "w" and tokens[j].low not in stops:
        phrase.append(tokens[j].text)
        j += 1
    if not phrase or phrase[0].lower() in ("it", "that", "this", "more", "another", "one"):
        return None
    return " ".join(phrase)


def shifted_prompting(goal: Goal, direction: str, steps: int = 1) -> EditOp:
    """The prompting op one support step over from the goal's own (prompts.yaml phrases, SUPPORT order)."""
    from assistant.faithful import prompt_words
    from assistant.schemas import SUPPORT_ORDER

    phrases = prompt_words()["phrases"]
    own = _own_prompting(goal)
    now = next((level for level, phrase in phrases.items() if phrase == own), "verbal")
    at = SUPPORT_ORDER.index(now) + (-steps if direction == "more_support" else steps)
    at = max(0, min(len(SUPPORT_ORDER) - 1, at))
    return EditOp("prompting", phrases[SUPPORT_ORDER[at]])


# --- applying ---------------------------------------------------------------------------------------------


def _swap(goal: Goal, old: str, new: str, objectives: bool = True) -> Goal:
    """The goal with one phrase replaced wherever it stands (text, components, objectives, variants)."""
    if not old or old == new:
        return goal
    rep = lambda s: s.replace(old, new) if s else s  # noqa: E731
    comps = goal.components.model_copy(update={k: rep(v) for k, v in goal.components.model_dump().items() if v})
    return goal.model_copy(
        update={
            "goal_text": rep(goal.goal_text),
            "components": comps,
            "objectives": [o.model_copy(update={"text": rep(o.text)}) for o in goal.objectives]
            if objectives
            else goal.objectives,
            "variants": {k: rep(v) for k, v in goal.variants.items()},
        }
    )


def _word_swap(goal: Goal, old: str, new: str) -> Goal:
    pattern = re.compile(rf"\b{re.escape(old)}\b")
    rep = lambda s: pattern.sub(new, s) if s else s  # noqa: E731
    comps = goal.components.model_copy(update={k: rep(v) for k, v in goal.components.model_dump().items() if v})
    return goal.model_copy(
        update={
            "goal_text": rep(goal.goal_text),
            "components": comps,
            "objectives": [o.model_copy(update={"text": rep(o.text)}) for o in goal.objectives],
            "variants": {k: rep(v) for k, v in goal.variants.items()},
        }
    )


_XY = re.compile(r"\b(\d+)\s+(?:out\s+)?of\s+(\d+)\b")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def _mastery(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    old = goal.components.mastery
    if " consecutive " in op.value:
        span = re.search(r"(?:across|over|on|in|for)?\s*\d+ consecutive [a-z ]+?(?=,|$| as | with )", old or "")
        new = f"across {op.value}"
        if span:
            joined = (old[: span.start()].rstrip() + " " + new + old[span.end() :]).strip()
            return _swap(goal, old, joined), None
        return _swap(goal, old, f"{old} {new}".strip() if old else new), None
    x, _, rest = op.value.partition(" of ")
    y, _, noun = rest.partition(" ")
    if not old:
        return goal, "the goal has no mastery rule to change"
    found = _XY.search(old)
    if found:
        new = old[: found.start()] + f"{x} of {y}" + old[found.end() :]
        if noun:
            tail = old[found.end() :]
            stop = re.search(r"\s(?:across|over|within|with|as)\b|,|$", tail)
            new = old[: found.start()] + f"{x} of {y} {noun}" + tail[stop.start() :]
    else:
        lead = "in" if not old.startswith("on") else "on"
        new = f"{lead} {x} of {y} {noun or 'trials'}"
    return _swap(goal, old, new), None


def _scaled_objectives(goal: Goal, old_value: float, new_value: float, unit: str) -> list:
    """The objectives' steps moved with the target: each step keeps its share of the way to the target."""
    out = []
    for o in goal.objectives:
        if o.value is None or not old_value:
            out.append(o)
            continue
        value = o.value * new_value / old_value
        value = min(value, 100.0) if unit == "%" else value
        new = f"{value:.0f}" if unit == "%" or value >= 10 else f"{value:g}" if value == int(value) else f"{value:.1f}"
        old = f"{o.value:g}"
        text = re.sub(
            rf"\b{re.escape(old)}{re.escape(unit) if unit == '%' else ''}",
            f"{new}{unit if unit == '%' else ''}",
            o.text,
            count=1,
        )
        out.append(o.model_copy(update={"text": text, "value": float(new)}))
    return out


def _criterion(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    crit = goal.components.criterion
    found = re.search(r"(\d+(?:\.\d+)?)\s?%", crit)
    if not found:
        return (
            goal,
            f"the goal's criterion counts {crit or 'something else'}, not a percent; say the new number in its terms",
        )
    old_value = float(found.group(1))
    new_crit = crit[: found.start(1)] + f"{op.number:g}" + crit[found.end(1) :]
    objectives = _scaled_objectives(goal, old_value, float(op.number or 0), "%")
    target = goal.components.target.replace(found.group(1), f"{op.number:g}")
    changed = _swap(goal, crit, new_crit, objectives=False)
    changed = changed.model_copy(
        update={
            "objectives": objectives,
            "components": changed.components.model_copy(update={"target": target}),
            "target_value": op.number,
        }
    )
    return changed, None


def _target(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    """'4 sentences': the number before the same noun in the goal changes; a criterion number moves the
    objectives' steps with it, a number in the behavior changes everywhere."""
    value, _, noun = op.value.partition(" ")
    if " of " in op.value:
        x, _, rest = op.value.partition(" of ")
        y, _, noun = rest.partition(" ")
        pattern = re.compile(r"\b(\d+) of (\d+)" + (rf"(?= {re.escape(noun.split()[0][:5])})" if noun else ""))
        found = pattern.search(goal.components.criterion)
        if not found:
            return goal, "the goal's criterion has no 'x of y' to change"
        crit = goal.components.criterion
        new_crit = crit[: found.start()] + f"{x} of {y}" + crit[found.end() :]
        objectives = _scaled_objectives(goal, float(found.group(1)), float(x), "")
        changed = _swap(goal, crit, new_crit, objectives=False)
        return changed.model_copy(update={"objectives": objectives, "target_value": float(x)}), None
    stem = fold(noun.split()[0]).rstrip("s")[:6] if noun else ""
    if not stem:
        return goal, "the message gives a number without saying what it counts"
    pattern = re.compile(rf"\b(\d+(?:\.\d+)?)\s+{re.escape(stem)}\w*", re.I)
    for part in ("criterion", "behavior", "condition"):
        text = getattr(goal.components, part)
        found = pattern.search(text or "")
        if not found:
            continue
        new_text = text[: found.start(1)] + value + text[found.end(1) :]
        if part == "criterion":
            changed = _swap(goal, text, new_text, objectives=False)
            objectives = _scaled_objectives(goal, float(found.group(1)), float(value), "")
            return changed.model_copy(update={"objectives": objectives, "target_value": float(value)}), None
        return _swap(goal, text, new_text), None
    return goal, f"the goal does not count {noun}; its criterion is '{goal.components.criterion}'"


def _own_prompting(goal: Goal) -> str | None:
    """The goal's prompt phrase as its text writes it: the composed one, else a prompts.yaml phrase in the text."""
    from assistant.faithful import prompt_words

    if goal.prompting and goal.prompting in goal.goal_text:
        return goal.prompting
    table = prompt_words()
    phrases = [*table["phrases"].values(), *table["nonverbal"].values(), *table["low_vision"].values()]
    found = [p for p in phrases if p in goal.goal_text]
    return max(found, key=len) if found else None


def _prompting(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    old = _own_prompting(goal)
    if not old:
        return goal, "I could not find the goal's prompt level in its text"
    new = op.value if op.value.lower().startswith(("with", "independ", "without")) else f"with {op.value}"
    if fold(new) == fold(old):
        return goal, f"the goal already says '{old}'"
    changed = _swap(goal, old, new, objectives=False)
    objectives = list(changed.objectives)
    if objectives:
        last = objectives[-1]
        objectives[-1] = last.model_copy(update={"text": last.text.replace(old, new)})
    return changed.model_copy(update={"objectives": objectives, "prompting": new}), None


_LEAD = re.compile(r"^(?:during|at|in|on|when|while|after|before|throughout|for)\b[^,]*")


def _setting(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    cond = goal.components.condition
    lead = _LEAD.match(cond or "")
    new_cond = (op.value + cond[lead.end() :]) if lead else (f"{op.value}, {cond}" if cond else op.value)
    if not cond or cond not in goal.goal_text:
        return goal, "I could not find the goal's condition in its text"
    return _swap(goal, cond, new_cond), None


def _accommodate(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    cond = goal.components.condition
    if fold(op.value) in fold(goal.goal_text):
        return goal, f"the goal already names the {op.value}"
    article = "an" if op.value[:1].lower() in "aeiou" else "a"
    new_cond = f"{cond} and {article} {op.value}" if "given " in cond else f"{cond}, given {article} {op.value}"
    changed = _swap(goal, cond, new_cond) if cond and cond in goal.goal_text else goal
    note = (
        f"Accommodation: {op.value}. List it with the IEP's accommodations too, so the student has it in every "
        "class, not only when this goal is measured."
    )
    return changed.model_copy(update={"notes": [*changed.notes, note]}), None


def _name(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    old = goal.student or "the student"
    if old.lower() == "the student":
        changed = _swap(_swap(goal, "The student", op.value), "the student", op.value)
    else:
        changed = _word_swap(goal, old, op.value)
    case = changed.case.model_copy(update={"student": op.value}) if changed.case else None
    return changed.model_copy(update={"student": op.value, "case": case}), None


_TEXT_OPS = {
    "mastery": _mastery,
    "criterion": _criterion,
    "target": _target,
    "prompting": _prompting,
    "setting": _setting,
    "accommodation": _accommodate,
    "name": _name,
}


def merged_case(case: Case, message_case: Case, ops: list[EditOp]) -> Case:
    """The Case with the facts the message corrects (grade, support now, communication, baseline)."""
    update: dict[str, Any] = {}
    fields = {o.field for o in ops}
    for op in ops:
        if op.field == "grade":
            update.update(grade=op.value, grade_band=grade_band(op.value, None), age=None)
        if op.field == "facts" and op.value == "support":
            update["support"] = message_case.support
        if op.field == "facts" and op.value == "communication":
            update.update(communication=message_case.communication, access=message_case.access or case.access)
        if op.field == "facts" and op.value == "baselines":
            update["baselines"] = message_case.baselines
    if "setting" in fields and message_case.routine:
        update.update(routine=message_case.routine, routines=[message_case.routine], setting=message_case.setting)
    evidence = {**case.evidence, **{k: "corrected by the OT" for k in update}}
    return case.model_copy(update={**update, "evidence": evidence})


def describe(field_name: str, old: str, new: str) -> str:
    return f"{field_name}: {old} -> {new}"


def apply_edits(goal: Goal, ops: list[EditOp], services: Any, message_case: Case) -> EditOutcome:
    """Apply each op to the goal; a fact about the student redrafts the goal from the corrected Case first."""
    from assistant.goals import check_goal, draft_goal

    outcome = EditOutcome(goal=goal, case=goal.case)
    facts = [o for o in ops if o.field in ("grade", "facts")]
    current = goal
    if facts and goal.case is not None:
        case = merged_case(goal.case, message_case, ops)
        redrafted = draft_goal(case.request, services, student=goal.student, domain=goal.domain, case=case)
        for op in facts:
            if op.field == "grade":
                before = grade_phrase(goal.case.grade, goal.case.age) or "not given"
                outcome.changes.append(describe("grade", before, grade_phrase(op.value) or op.value))
            else:
                before = _fact_text(goal.case, op.value)
                outcome.changes.append(describe(_FACT_NAMES[op.value], before, _fact_text(case, op.value)))
        if redrafted.goal_text != goal.goal_text:
            outcome.changes.append("goal: redrafted for the corrected facts")
        current, outcome.case = redrafted, case
    for op in ops:
        if op.field not in _TEXT_OPS:
            continue
        before_text = current.goal_text
        changed, why = _TEXT_OPS[op.field](current, op)
        if why:
            outcome.failed.append(f"{op.field}: {why}")
            continue
        if changed.goal_text == before_text and op.field != "accommodation":
            outcome.failed.append(f"{op.field}: the goal already reads that way")
            continue
        outcome.changes.append(_change_line(op, current, changed))
        current = changed
    if current is not goal:
        current = check_goal(current)
        outcome.case = current.case or outcome.case
    outcome.goal = current
    return outcome


_FACT_NAMES = {"support": "support now", "communication": "communication", "baselines": "baseline"}


def _fact_text(case: Case, fact: str) -> str:
    if fact == "baselines":
        return "; ".join(b.text for b in case.baselines) or "not given"
    value = getattr(case, fact)
    return str(value).replace("_", " ") if value else "not given"


def _change_line(op: EditOp, before: Goal, after: Goal) -> str:
    part = {
        "mastery": "mastery",
        "criterion": "criterion",
        "target": "criterion",
        "prompting": "prompting",
        "setting": "condition",
        "accommodation": "condition",
    }.get(op.field)
    if op.field == "name":
        return describe("name", before.student, after.student)
    if op.field == "prompting":
        return describe("prompting", before.prompting or "", after.prompting or op.value)
    if op.field == "target" and before.components.behavior != after.components.behavior:
        part = "behavior"
    old, new = getattr(before.components, part), getattr(after.components, part)
    if op.field == "accommodation":
        return f"accommodation: added {op.value}" + (" (in the condition and as a note)" if old != new else " (note)")
    return describe(part, old, new)
