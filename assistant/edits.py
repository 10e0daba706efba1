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
    named: bool = False  # the message names the criterion or target ("target 25 wpm")


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


@cache
def _words_set(key: str) -> frozenset[str]:
    return frozenset(fold(str(w)) for w in words()[key])


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
    before = [t.low for t in tokens[max(0, first - 4) : first] if t.kind != "p"]
    for size in (2, 1):  # "a couple of versions", "3 different versions": a count word shortly before the noun
        for j in range(len(before) - size, -1, -1):
            key = " ".join(before[j : j + size])
            if key in counts:
                return min(4, counts[key])
    if any(w in ("some", "few", "more") for w in before[-3:]) or tokens[first].low == "options":
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
    stops = {fold(w) for w in words()["phrase_stops"]} | {
        "with",
        "and",
        "in",
        "on",
        "at",
        "during",
        "by",
        "per",
        "to",
        "from",
        "of",
        "or",
        "than",
    }
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
                    criterion_asked,
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
                ops.append(EditOp("criterion", f"{value:g}%", value, criterion_asked))
                continue
            if nxt in ("st", "nd", "rd", "th") or (i and tokens[i - 1].low in ("grade", "gr")):
                continue  # a grade, read by the grade reader
            if (i and tokens[i - 1].low in _words_set("not_counts_before")) or nxt in _words_set("not_counts_after"):
                continue  # "pre-K 4 room", "period 3": a place, not a target
            noun = _noun_after(tokens, i + 1, limit=2)
            if noun and not _lex("prompt_nouns").find(tokenize(noun)):
                used.update(range(i, i + 1 + len(noun.split())))
                ops.append(EditOp("target", f"{value:g} {noun}", value, criterion_asked))
    ops += _prompting_ops(tokens, skip, message_case)
    name = _new_name(tokens, skip, goal, text)
    if name:
        ops.append(EditOp("name", name))
    grade, age, _band = Reader(_without(text, tokens, skip)).grade_and_age()
    grade = grade or _bare_ordinal(tokens, skip)
    if grade is None and age is not None and goal.case is not None and age != goal.case.age:
        grade = "18-21" if age >= 18 else None
        ops.append(EditOp("age", str(age), float(age)))
    if grade and goal.case is not None and grade != goal.case.grade:
        ops.append(EditOp("grade", grade))
    accommodation = _accommodation(tokens, message_case)
    phrase = _named_setting(text, tokens, skip)
    if not phrase and message_case.routine and message_case.evidence.get("routine"):
        phrase = _setting_phrase(text, tokens, message_case.evidence["routine"])
    if (
        phrase
        and accommodation
        and not message_case.tools
        and set(fold(phrase).split()) & set(fold(accommodation).split())
    ):
        accommodation = None  # "use art center instead": a setting, not a tool
    if phrase and not accommodation:
        ops.append(EditOp("setting", phrase))
    if accommodation and name and not message_case.tools:
        accommodation = None  # "use Nora's brother Eli instead": a name, not a tool
    corrects = bool(skip) or _has("change_cues", tokens)
    if (
        message_case.plan
        and goal.case is not None
        and goal.case.plan
        and message_case.plan != goal.case.plan
        and corrects
    ):
        ops.append(EditOp("plan", message_case.plan))
    if message_case.access and goal.case is not None and set(message_case.access) - set(goal.case.access):
        ops.append(EditOp("facts", "access"))
    prompted = any(o.field == "prompting" for o in ops)
    for fact in ("communication", "baselines"):
        if fact == "communication" and prompted:
            continue  # "fade to gestural not verbal" names prompts, not how the student communicates
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
    """A prompt level asked for ('no more than 1 verbal prompt', 'fade it to partial physical'); or the support the
    student needs now ('she needs hand-over-hand'), a fact that redrafts the goal. The new level is the last one
    named that is not the old one ('from hand over hand to a model'); a count keeps the OT's own words."""
    found = [m for m in _lex("prompt_levels").find(tokens) if m.start not in skip]
    if not found:
        return []
    span = [found[-1]]  # adjacent prompt words are one phrase: "visual" + "reminder" is a visual reminder
    for m in reversed(found[:-1]):
        if m.end != span[0].start:
            break
        span.insert(0, m)
    label = next((m.label for m in span if m.label != "verbal"), span[0].label)
    match = type(span[0])(label, span[0].start, span[-1].end)
    now = _lex("support_now").find(tokens[max(0, match.start - 4) : match.start])
    if now and message_case.support:
        return [EditOp("facts", "support")]
    limits = _lex("prompt_limits")
    start = match.start
    while (
        start > 0
        and match.start - start < 5
        and (
            tokens[start - 1].kind == "n"
            or tokens[start - 1].low
            in {
                "no",
                "more",
                "than",
                "fewer",
                "less",
                "up",
                "to",
                "at",
                "most",
                "only",
                "just",
                "max",
                "maximum",
                "one",
                "two",
                "three",
            }
        )
    ):
        start -= 1
    counted = any(t.kind == "n" or t.low in ("one", "two", "three") for t in tokens[start : match.start])
    if counted:
        while start < match.start and not limits.find(tokens[start : match.start]) and tokens[start].kind != "n":
            start += 1  # "to no more than 2": the words from the limit or the number on
        said = " ".join(t.text for t in tokens[start : match.end])
        return [EditOp("prompting", said, None)]
    return [EditOp("prompting", f"level:{match.label}", None)]


def new_name(text: str, old: str | None = None) -> str | None:
    """A given name the message introduces (see _new_name)."""
    tokens = tokenize(text)
    return _new_name(tokens, _negated(tokens), old, text)


def _new_name(tokens: list[Token], skip: set[int], goal: Goal | str | None, text: str = "") -> str | None:
    """A given name the message introduces that is not the student's now and not someone's ("Nora's brother
    Eli" -> Eli): a given name, capitalized when it is also a word (Will, Grace) unless a name cue comes
    before it ("call him will"); an unknown capitalized word only after a name cue."""
    names, word_names = given_names()
    old = fold((goal.student if isinstance(goal, Goal) else goal) or "")
    cue_ends = {m.end for m in _lex("name_cues").find(tokens)}
    best = None
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if text and nxt and token.cap and nxt.cap and text[token.end : nxt.start] == "-" and i not in skip:
            joined = text[token.start : nxt.end]  # "Hazel-Marie": one name
            if fold(joined) != old and (token.low in names or nxt.low in names):
                best = joined
                continue
        if i and text and tokens[i - 1].cap and text[tokens[i - 1].end : token.start] == "-":
            continue  # the second half of a hyphenated name, read with the first
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
    """The setting named outright: a message that is only a place or time ("at his locker between classes",
    "during writer's workshop"), or the words after a setting cue ("change the setting to morning meeting")."""
    preps = {fold(w) for w in words()["setting_prepositions"]} - {"for", "when", "while"}
    plain = [t for t in tokens if t.kind == "w"]
    if tokens and tokens[0].low in preps and len(plain) <= 9 and not any(t.kind == "n" for t in tokens):
        stops = {fold(w) for w in words()["phrase_stops"]} - {"for"}
        body = [t.text for t in tokens[1:] if t.kind == "w" or t.text in ("'", "-")]
        while body and fold(body[-1]) in stops:
            body.pop()
        return f"{tokens[0].low} {' '.join(body)}".replace(" ' ", "'").strip() if body else None
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
    cues = [
        m
        for m in _lex("accommodation_cues").find(tokens)
        if (m.start <= 3 or message_case.tools)
        and (tokens[m.start].low != "with" or m.start == 0 or tokens[m.start - 1].low in ("better", "easier", "help"))
    ]
    words_said = [t for t in tokens if t.kind == "w"]
    if not cues and message_case.tools and len(words_said) <= 4:
        return " ".join(t.text for t in tokens if t.kind == "w" or t.text == "-") or message_case.tools[0]  # bare tool
    if not cues:
        return None
    tool = message_case.tools[0] if message_case.tools else None
    stops = {fold(w) for w in words()["setting_prepositions"] + words()["phrase_stops"]}
    stops |= {
        "to",
        "inside",
        "into",
        "onto",
        "so",
        "that",
        "which",
        "taped",
        "placed",
        "kept",
        "by",
        "from",
        "of",
        "instead",
        "at",
        "on",
        "in",
        "during",
        "for",
    }
    determiners = {fold(w) for w in words()["determiners"]}
    j = cues[0].end
    while j < len(tokens) and tokens[j].low in determiners:
        j += 1
    phrase = []
    while j < len(tokens) and len(phrase) < 5 and tokens[j].kind == "w" and tokens[j].low not in stops:
        phrase.append(tokens[j].text)
        j += 1
    said = " ".join(phrase)
    if tool and fold(tool) in fold(said):
        return said  # the OT's own words for the tool: "noise cancelling headphones"
    if tool:
        return tool
    if not phrase or phrase[0].lower() in ("it", "that", "this", "more", "another", "one"):
        return None
    return said


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


def _rewritten(goal: Goal, rep: Any, objectives: bool = True) -> Goal:
    """The goal with rep applied to every text it holds (text, components, objectives, variants)."""
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


def _swap(goal: Goal, old: str, new: str, objectives: bool = True) -> Goal:
    """The goal with one phrase replaced wherever it stands."""
    if not old or old == new:
        return goal
    return _rewritten(goal, lambda s: s.replace(old, new) if s else s, objectives)


def _word_swap(goal: Goal, old: str, new: str) -> Goal:
    """The goal with one whole word (a name) replaced wherever it stands."""
    pattern = re.compile(rf"\b{re.escape(old)}\b")
    return _rewritten(goal, lambda s: pattern.sub(new, s) if s else s)


_XY = re.compile(r"\b(\d+)\s+(?:out\s+)?of\s+(\d+)\b")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def _mastery(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    old = goal.components.mastery
    if " consecutive " in op.value:
        span = re.search(
            r"\[?(?:across|over|on|in|for)?\s*\d+ consecutive [a-z ]+?\]?(?=,|$| as | with |\s*\[)", old or ""
        )
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


def _fmt(value: float, whole: bool = False) -> str:
    return f"{round(value):d}" if whole or value >= 10 or value == round(value) else f"{value:.1f}"


def _number_in(text: str, value: float | None) -> re.Match | None:
    """The number in the text equal to value (the target), else the first number."""
    numbers = list(_NUM.finditer(text or ""))
    same = [m for m in numbers if value is not None and abs(float(m.group(0)) - value) < 1e-9]
    return (same or numbers or [None])[0]


def _restated(goal: Goal, new_at: Any, new_target: float, whole: bool = False) -> Goal:
    """The goal with its criterion restated: new_at(value) writes the criterion at a value; each objective's
    criterion (the goal's at the objective's own step) moves to the same share of the new target."""
    crit = goal.components.criterion
    old_target = goal.target_value
    at = _number_in(crit, old_target)
    if old_target is None and at is not None:
        old_target = float(at.group(0))
    objectives = []
    for o in goal.objectives:
        if o.value is None or at is None or not old_target:
            objectives.append(o)
            continue
        old_text = crit[: at.start()] + _fmt(o.value) + crit[at.end() :]
        value = o.value * new_target / old_target
        value = round(value) if whole else value
        new_text = new_at(value)
        text = o.text.replace(old_text, new_text, 1) if old_text in o.text else o.text
        objectives.append(o.model_copy(update={"text": text, "value": float(_fmt(value, whole))}))
    changed = _swap(goal, crit, new_at(new_target), objectives=False)
    target = _fmt(new_target, whole) + ("%" if "%" in (goal.components.target or "") else "")
    comps = changed.components.model_copy(update={"target": target})
    return changed.model_copy(update={"objectives": objectives, "target_value": new_target, "components": comps})


def _criterion(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    crit = goal.components.criterion
    found = re.search(r"(\d+(?:\.\d+)?)\s?%", crit)
    xy = _XY.search(crit)
    if not found and xy and int(xy.group(2)) > 0:
        y = int(xy.group(2))
        right = round(y * float(op.number or 0) / 100)
        limit = _lex("prompt_limits").find(tokenize(crit[: xy.start()]))
        x = max(0, y - right) if limit else max(1, min(y, right))  # "no more than 2 of 10" counts errors
        return _target(
            goal.model_copy(update={"target_value": float(xy.group(1))}),
            EditOp("target", f"{x} of {y}", float(x)),
            asked=True,
        )
    scaled = re.search(r"\b(?:level|rubric|scale|score|rating)\b", crit or "", re.I)
    if not found and op.named and crit and crit in goal.goal_text and _kind(crit) in ("rate", "count") and not scaled:
        new_crit = f"{crit} with at least {op.number:g}% accuracy"
        changed = _swap(goal, crit, new_crit, objectives=False)
        objectives = list(changed.objectives)
        if objectives:
            objectives[-1] = objectives[-1].model_copy(update={"text": objectives[-1].text.replace(crit, new_crit)})
        return changed.model_copy(update={"objectives": objectives}), None
    if not found:
        return (
            goal,
            f"the goal's criterion counts {crit or 'something else'}, not a percent; say the new number in its terms",
        )
    if goal.target_value is None or abs(goal.target_value - float(found.group(1))) > 1e-9:
        goal = goal.model_copy(update={"target_value": float(found.group(1))})
    new = float(op.number or 0)
    if not 0 < new <= 100:
        return goal, "a percent criterion is between 1% and 100%"
    at = found.start(1), found.end(1)
    return _restated(goal, lambda v: crit[: at[0]] + _fmt(min(v, 100), True) + crit[at[1] :], new, whole=True), None


def _kind(text: str) -> str:
    """What a criterion counts: a proportion, a rate, a duration or a count."""
    low = fold(text)
    if "%" in low or _XY.search(low) or " percent" in low:
        return "proportion"
    if re.search(r"\bper\b", low):
        return "rate"
    if re.search(r"\b(?:minutes?|seconds?|hours?)\b", low):
        return "duration"
    return "count"


def _expanded(noun: str) -> str:
    aliases = {fold(str(k)): v for k, v in words()["unit_aliases"].items()}
    return " ".join(aliases.get(fold(w), w) for w in noun.split())


def _target(goal: Goal, op: EditOp, asked: bool = False) -> tuple[Goal, str | None]:
    """'4 sentences': the number before the same noun in the goal changes; a number in the criterion moves the
    objectives' steps with it, a number in the behavior changes everywhere. A target the criterion does not count
    in its own words restates the criterion in the OT's words when both count the same kind of thing."""
    crit = goal.components.criterion
    if " of " in op.value:
        x, _, rest = op.value.partition(" of ")
        y, _, noun = rest.partition(" ")
        found = _XY.search(crit)
        if found and (not noun or int(found.group(2)) == int(y) or noun.split()[0][:5] in fold(crit)):
            goal = goal.model_copy(update={"target_value": float(found.group(1))})
            head, tail = crit[: found.start()], crit[found.end() :]
            if noun and noun.split()[0][:5] not in fold(tail):
                tail = f" {noun}" + re.sub(r"^\s*[a-z' -]+?(?=,| with| as| in | on |$)", "", tail)
            whole = lambda v: head + f"{max(0, min(int(y), round(v)))} of {y}" + tail  # noqa: E731
            return _restated(goal, whole, float(x), whole=True), None
        return _restate(goal, float(x), f"{x} of {y}" + (f" {noun}" if noun else ""), "proportion", asked or op.named)
    value, _, noun = op.value.partition(" ")
    noun = _expanded(noun)
    value, noun = _in_goal_units(goal, value, noun)
    stem = fold(noun.split()[0]).rstrip("s")[:6] if noun else ""
    if not stem:
        return goal, "the message gives a number without saying what it counts"
    pattern = re.compile(rf"\b(\d+(?:\.\d+)?)\s+(?:[a-z]+\s+)?{re.escape(stem)}\w*", re.I)
    for part in ("criterion", "behavior", "condition"):
        text = getattr(goal.components, part)
        found = pattern.search(text or "")
        if not found:
            continue
        of_y = re.search(r"\b(\d+)\s+(?:out\s+)?of\s+$", text[: found.start(1)])
        if part == "criterion" and of_y:  # "8 blocks" for "8 of 10 blocks": the count, x, changes; y stays
            y = found.group(1)
            return _target(goal, EditOp("target", f"{value} of {y} {noun}", float(value)), asked=True)
        if part == "criterion":
            goal = goal.model_copy(update={"target_value": float(found.group(1))})
            a, b = found.start(1), found.end(1)
            return _restated(goal, lambda v, t=text, a=a, b=b: t[:a] + _fmt(v) + t[b:], float(value)), None
        return _swap(goal, text, text[: found.start(1)] + value + text[found.end(1) :]), None
    return _restate(goal, float(value), f"{value} {noun}", _kind(noun), asked or op.named)


_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def _in_goal_units(goal: Goal, value: str, noun: str) -> tuple[str, str]:
    """A duration in the unit the goal's criterion counts ('2 minutes' for a goal in seconds -> '120 seconds')."""
    unit = fold(noun.split()[0]).rstrip("s") if noun else ""
    crit = fold(goal.components.criterion)
    if unit not in _SECONDS or re.search(rf"\b{unit}s?\b", crit):
        return value, noun
    for other, size in _SECONDS.items():
        if other != unit and re.search(rf"\d\s+{other}s?\b", crit):
            converted = float(value) * _SECONDS[unit] / size
            return _fmt(converted), f"{other}s" if converted != 1 else other
    return value, noun


def _restate(goal: Goal, number: float, phrase: str, kind: str, asked: bool) -> tuple[Goal, str | None]:
    """The criterion in the OT's words ('6 of 8 steps', '25 words per minute') after the goal's own lead words
    ('for at least', 'at a rate of at least'), when the old criterion counts the same kind of thing or the new
    unit is one the goal already names."""
    crit = goal.components.criterion
    noun = re.sub(r"^[\d.]+(?: of \d+)?\s*", "", phrase)
    parts = " ".join(v for k, v in goal.components.model_dump().items() if v and k != "baseline")
    named = bool(noun) and noun.split()[0][:5].lower() in fold(parts)
    if not asked and not named:
        return goal, f"the goal does not count {noun or 'that'}; its criterion is '{crit}'"
    if not crit or (_kind(crit) != kind and not named):
        return goal, f"the goal's criterion ('{crit}') does not count {noun or 'that'}; say the change in its terms"
    at = _number_in(crit, goal.target_value)
    if at is None:
        return goal, f"the goal's criterion ('{crit}') has no number to change"
    lead = crit[: at.start()].rstrip()
    if kind == "proportion" and " of " in phrase:
        y = phrase.split(" of ")[1].split()[0]
        writer = lambda v: f"{lead} {max(1, min(int(y), round(v)))} of {y} {noun}".strip()  # noqa: E731
        return _restated(goal, writer, number, whole=True), None
    return _restated(goal, lambda v: f"{lead} {_fmt(v)} {noun}".strip(), number), None


def _own_prompting(goal: Goal) -> str | None:
    """The goal's prompt phrase as its text writes it: the composed one, else a prompts.yaml phrase in the text."""
    from assistant.faithful import prompt_words

    if goal.prompting and goal.prompting in goal.goal_text:
        return goal.prompting
    table = prompt_words()
    phrases = [*table["phrases"].values(), *table["nonverbal"].values(), *table["low_vision"].values()]
    found = [p for p in phrases if p in goal.goal_text]
    if found:
        return max(found, key=len)
    counted = _COUNTED_PROMPTS.search(goal.goal_text)
    return counted.group(0) if counted else None


_COUNTED_PROMPTS = re.compile(
    r"\b(?:with\s+)?(?:no more than|fewer than|up to|at most)\s+\d+\s+[a-z -]{0,40}?"
    r"\b(?:prompts?|cues?|reminders?|redirections?)(?:\s+per\s+[a-z]+)?|\bindependently\b",
    re.I,
)


def _prompting(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    old = _own_prompting(goal)
    if op.value.startswith("level:"):
        from assistant.faithful import prompt_phrase

        op = op._replace(value=prompt_phrase(goal.case or Case(), op.value.split(":", 1)[1]))
    if not old:
        return goal, "I could not find the goal's prompt level in its text"
    keeps = ("with", "independ", "without", "after", "given", "using", "when", "if")
    new = op.value if op.value.lower().startswith(keeps) else f"with {op.value}"
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
    behavior = fold(goal.components.behavior + " " + goal.components.criterion)
    acts = next((a for tool, a in words()["replaces_act"].items() if fold(str(tool)) in fold(op.value)), [])
    if any(re.search(rf"\b{re.escape(fold(str(act)))}", behavior) for act in acts):
        note = (
            f"Accommodation: {op.value}. It would do the act this goal measures, so it is listed with the IEP's "
            "accommodations and not put into the goal's condition; if the goal should be about using it, say so."
        )
        return goal.model_copy(update={"notes": [*goal.notes, note]}), None
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


_PLAN_REVIEW = {
    "iep": "the annual IEP review",
    "504": "the annual 504 plan review",
    "mtss": "the end of the intervention cycle",
}


def _plan(goal: Goal, op: EditOp) -> tuple[Goal, str | None]:
    """A corrected plan (a 504, not an IEP): the timeframe names that plan's review, and a note says what differs."""
    new = _PLAN_REVIEW.get(op.value)
    if new is None:
        return goal, f"the goal keeps its timeframe for a student on '{op.value}'"
    found = next((m for v in _PLAN_REVIEW.values() if (m := re.search(re.escape(v), goal.goal_text, re.I))), None)
    changed = _swap(goal, found.group(0), new) if found else goal
    case = changed.case.model_copy(update={"plan": op.value}) if changed.case else None
    notes = list(changed.notes)
    if op.value == "504":
        notes.append(
            "A 504 plan need not carry annual goals: keep this as the target the accommodations aim at if your "
            "district writes one, and list the accommodations (and any OT service) in the plan itself."
        )
    return changed.model_copy(update={"case": case, "notes": notes}), None


_TEXT_OPS = {
    "plan": _plan,
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
            update.update(grade=op.value, grade_band=grade_band(op.value, update.get("age")))
            update.setdefault("age", None)
        if op.field == "age":
            age = int(op.number or 0)
            update.update(age=age, grade_band=grade_band(case.grade if age < 18 else "18-21", age))
        if op.field == "facts" and op.value == "support":
            update["support"] = message_case.support
        if op.field == "facts" and op.value == "communication":
            update.update(communication=message_case.communication, access=message_case.access or case.access)
        if op.field == "facts" and op.value == "access":
            update["access"] = list(dict.fromkeys([*message_case.access]))
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
    facts = [o for o in ops if o.field in ("grade", "age", "facts")]
    current = goal
    if facts and goal.case is not None:
        case = merged_case(goal.case, message_case, ops)
        redrafted = draft_goal(case.request, services, student=goal.student, domain=goal.domain, case=case)
        for op in facts:
            if op.field == "grade":
                before = grade_phrase(goal.case.grade, goal.case.age) or "not given"
                outcome.changes.append(describe("grade", before, grade_phrase(op.value) or op.value))
            elif op.field == "age":
                before = f"{goal.case.age} years old" if goal.case.age is not None else "not given"
                outcome.changes.append(describe("age", before, f"{op.value} years old"))
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
            outcome.failed.append(f"{op.field}: the goal already says {op.value}")
            continue
        outcome.changes.append(_change_line(op, current, changed))
        current = changed
    if current is not goal:
        current = check_goal(current)
        outcome.case = current.case or outcome.case
    outcome.goal = current
    return outcome


_FACT_NAMES = {"support": "support now", "communication": "communication", "baselines": "baseline", "access": "access"}


def _fact_text(case: Case, fact: str) -> str:
    if fact == "baselines":
        return "; ".join(b.text for b in case.baselines) or "not given"
    if fact == "access":
        return ", ".join(case.access) or "not given"
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
    if op.field == "plan":
        return describe("plan", (before.case.plan if before.case else None) or "not given", op.value)
    if op.field == "prompting":
        return describe("prompting", _own_prompting(before) or "none stated", after.prompting or op.value)
    if op.field == "target" and before.components.behavior != after.components.behavior:
        part = "behavior"
    old, new = getattr(before.components, part), getattr(after.components, part)
    if op.field == "accommodation":
        return f"accommodation: added {op.value}" + (" (in the condition and as a note)" if old != new else " (note)")
    return describe(part, old, new)
