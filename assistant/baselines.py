"""The present levels a request states: each number read with its unit, in the request's own words.

A number is a present level when it measures what the student does now. The principles, in order
(word lists in assistant/data/case_words.yaml):
1. Numbers that are part of a date, a time, a phone number, an age, a grade or a label (room 12) are not.
2. A standardized test result (a standard score, a percentile, a score on a named test) is not.
3. A number in a clause that states a hope, a goal, a target or peers' level is not, unless "from",
   "currently" or "baseline" puts it there ("from 2 of 5 to 4 of 5": the first is, the second is not).
4. A duration that names the length of a period, a class or a service ("a 25-minute lunch",
   "30 min/week") is not; a duration of what the student does ("35 minutes to eat") is.
5. What remains is read in the unit its words give: percent, x of y, a rate, minutes, seconds, a rubric
   level, or a count of the things the next words name. A number with no unit is not a measure.
The unit is never converted: "12 minutes for coat and boots" stays 12 minutes.
"""

from dataclasses import dataclass

from assistant.lexicon import Lexicon, Match, Token, case_words, fold, lexicon
from assistant.schemas import Baseline

_SKIP_WORDS = {"a couple of", "a couple", "a few", "half", "twice", "once", "none"}
_MONTH_WORDS = frozenset(fold(m) for m in case_words()["not_names"]["months"]) | {"may"}
_BOUNDARY = frozenset(".;!?")
_SOFT = frozenset({"with", "in", "at", "on", "for", "across", "over", "within", "and", "during"})
_PER_TIME = frozenset({"week", "weeks", "wk", "day", "days", "month", "months", "weekly", "daily", "monthly"})


@dataclass
class _Reading:
    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    out_of: float | None


def number_value(token: Token) -> float | None:
    """The value of a number token or a number word; None for anything else."""
    if token.kind == "n":
        try:
            return float(token.low.replace(",", "."))
        except ValueError:
            return None
    words = case_words()["number_words"]
    return float(words[token.low]) if token.low in words and token.low not in _SKIP_WORDS else None


def _clause_starts(text: str, tokens: list[Token]) -> list[int]:
    """For every token, the index where its clause starts (sentence ends, semicolons, line breaks, and
    commas not followed by a preposition that continues the clause)."""
    starts, current = [], 0
    for i, token in enumerate(tokens):
        if i and "\n" in text[tokens[i - 1].end : token.start]:
            current = i
        starts.append(current)
        if token.text in _BOUNDARY or (token.text == "," and i + 1 < len(tokens) and tokens[i + 1].low not in _SOFT):
            current = i + 1
    return starts


def _cue_marks(tokens: list[Token], clause: list[int]) -> list[str | None]:
    """For every token, the nearest target or from cue before it in its clause ("target", "from" or None)."""
    marks: dict[int, str] = {}
    for kind, name in (("target", "target_cues"), ("from", "from_cues")):
        for match in lexicon(name).find(tokens):
            marks[match.end - 1] = kind
    out: list[str | None] = []
    last: str | None = None
    for i in range(len(tokens)):
        if i == clause[i]:
            last = None
        out.append(last)
        last = marks.get(i, last)
    return out


def _near(lex: Lexicon, tokens: list[Token], start: int, end: int) -> bool:
    window = tokens[max(0, start) : max(0, end)]
    return bool(window) and bool(lex.find(window))


def _is_label(tokens: list[Token], i: int, text: str) -> bool:
    """Principle 1: part of a date, a time, a phone or id number, or a label ('room 12', 'grade 4')."""
    token = tokens[i]
    prev = tokens[i - 1] if i else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if token.kind == "n" and (len(token.low) > 4 or (len(token.low) > 1 and token.low[0] == "0")):
        return True
    if token.kind == "n" and len(token.low) == 4 and 1900 <= float(token.low) <= 2100:
        return True
    if prev is not None and (prev.low in _MONTH_WORDS or prev.text in {"#", "$", ":"} or prev.low in {"x"}):
        return True
    if nxt is not None and (nxt.low in _MONTH_WORDS or nxt.text in {":", "x", "am", "pm"} or nxt.low in {"x", "am"}):
        return True
    if nxt is not None and nxt.low in {"st", "nd", "rd", "th"}:
        return True
    if prev is not None and prev.kind == "n" and text[prev.end : token.start] in {"/", ".", ")", "-", " "}:
        return len(prev.low) >= 3 or len(token.low) >= 3
    window = tokens[max(0, i - 2) : i]
    matches = lexicon("label_words").find(window)
    return bool(matches) and matches[-1].end == len(window)


def _read_number(tokens: list[Token], i: int, text: str) -> _Reading | None:
    """Principle 5: the unit the words after the number give; None when they give none."""
    value = number_value(tokens[i])
    if value is None:
        return None
    n = len(tokens)
    nxt = lambda k: tokens[k] if k < n else None  # noqa: E731
    # x of y, x out of y, x/y
    j = i + 1
    if nxt(j) and nxt(j).low == "out" and nxt(j + 1) and nxt(j + 1).low == "of":
        j += 1
    if nxt(j) and (nxt(j).low == "of" or nxt(j).text == "/") and nxt(j + 1) and number_value(nxt(j + 1)) is not None:
        total = number_value(nxt(j + 1))
        after = nxt(j + 2)
        if after is not None and after.text == "/":
            return None  # a date: 10/12/2025
        if total and value <= total:
            unit = "level" if _near(lexicon("units"), tokens, j + 2, j + 5) and _is_rubric(tokens, j + 2) else "of"
            return _Reading(i, j + 2, value, None, unit, total)
        return None
    high, k = None, i + 1
    if nxt(k) and nxt(k).kind == "n" and text[tokens[i].end : nxt(k).start].strip() in {"-", "–"}:
        high, k = number_value(nxt(k)), k + 1
    elif nxt(k) and nxt(k).low in {"to", "or"} and nxt(k + 1) and number_value(nxt(k + 1)) is not None:
        if nxt(k + 2) is not None and nxt(k + 2).low not in {"of", "out"} and nxt(k + 2).text != "/":
            high, k = number_value(nxt(k + 1)), k + 2
    if high is not None and high < value:
        high = None
    units = lexicon("units").find(tokens[k : k + 4])
    if units and units[0].start == 0:
        unit = units[0].label
        if unit == "level" and not _is_rubric(tokens, k):
            return None
        return _Reading(i, k + units[0].end, value, high, unit, None)
    # a count: the next words (at most two in between) name what was counted; "per minute" after them is a rate
    nouns = lexicon("count_nouns").find(tokens[k : k + 3])
    if nouns and all(t.kind == "w" for t in tokens[k : k + nouns[0].start]):
        end = k + nouns[0].end
        rate = lexicon("units").find(tokens[end : end + 3])
        if rate and rate[0].start == 0 and rate[0].label == "per_minute":
            return _Reading(i, end + rate[0].end, value, high, "per_minute", None)
        return _Reading(i, end, value, high, "count", None)
    if i and tokens[i - 1].low == "level":
        return _Reading(i, i + 1, value, None, "level", None)
    return None


def _is_rubric(tokens: list[Token], k: int) -> bool:
    return any(t.low in {"rubric", "scale", "level"} for t in tokens[max(0, k - 3) : k + 4])


def _is_period_length(tokens: list[Token], reading: _Reading) -> bool:
    """Principle 4: a duration that is the length of a period or a service, not a measure."""
    if reading.unit not in ("minutes", "seconds"):
        return False
    after = tokens[reading.end : reading.end + 3]
    if after and (after[0].low in _PER_TIME or (after[0].text == "/" and len(after) > 1)):
        return True
    if len(after) > 1 and after[0].low in {"a", "per", "each", "every"} and after[1].low in _PER_TIME:
        return True
    period = lexicon("period_nouns").find(after)
    if period and period[0].start == 0:
        return True
    return bool(period and period[0].start == 1 and after[0].kind == "w" and after[0].low not in _SOFT | {"to"})


def _is_score(tokens: list[Token], reading: _Reading) -> bool:
    """Principle 2: a standardized test's result."""
    return _near(lexicon("score_words"), tokens, reading.start - 4, reading.start) or _near(
        lexicon("score_words"), tokens, reading.end, reading.end + 4
    )


def _counts(tokens: list[Token], reading: _Reading, clause_end: int, text: str) -> str | None:
    """What the number counts: the words after it in its clause (or before it, for a bare duration)."""
    after = []
    for token in tokens[reading.end : min(clause_end, reading.end + 6)]:
        if token.kind == "p" or token.kind == "n":
            break
        after.append(token)
    while after and after[0].low in {"of", "the"}:
        after = after[1:]
    if reading.unit in ("of", "percent", "count", "per_minute") and reading.end > reading.start + 1:
        head = [t for t in tokens[reading.start + 1 : reading.end] if t.kind == "w" and t.low not in {"of", "out"}]
        after = head + after if reading.unit == "count" else after
    words = after[:5]
    if not words and reading.start:
        words = [t for t in tokens[max(0, reading.start - 3) : reading.start] if t.kind == "w"]
    return text[words[0].start : words[-1].end] if words else None


def read_baselines(text: str, tokens: list[Token], claimed: set[int]) -> list[Baseline]:
    """Every present level in the text, in order (claimed tokens are ages, grades and names)."""
    clause = _clause_starts(text, tokens)
    cues = _cue_marks(tokens, clause)
    clause_ends = _clause_ends(clause, len(tokens))
    found: list[Baseline] = []
    i = 0
    while i < len(tokens):
        if i in claimed or number_value(tokens[i]) is None or _is_label(tokens, i, text):
            i += 1
            continue
        reading = _read_number(tokens, i, text)
        if reading is None:
            i += 1
            continue
        cue = cues[i]
        before = tokens[i - 1].low if i else ""
        # "from 2 of 5 to 4 of 5": the number after "to" is where the student is going, not where they are
        target = cue == "target" or (cue == "from" and before in {"to", "reach"} and bool(found))
        if not (target or _is_period_length(tokens, reading) or _is_score(tokens, reading)):
            start = i - 1 if i and tokens[i - 1].kind == "w" and tokens[i - 1].low not in _SOFT else i
            counts = _counts(tokens, reading, clause_ends[i], text)
            end = tokens[reading.end - 1].end
            if counts and text.find(counts, tokens[reading.end - 1].end) == tokens[reading.end - 1].end + 1:
                end += 1 + len(counts)
            found.append(
                Baseline(
                    text=text[tokens[start].start : end].strip(),
                    value=reading.value,
                    value_max=reading.value_max,
                    unit=reading.unit,
                    out_of=reading.out_of,
                    counts=counts,
                )
            )
        i = reading.end
    return _flag_conflicts(found, text)


def _clause_ends(clause: list[int], n: int) -> list[int]:
    ends, end = [n] * n, n
    for i in range(n - 1, -1, -1):
        ends[i] = end
        if clause[i] == i:
            end = i
    return ends


def _flag_conflicts(found: list[Baseline], text: str) -> list[Baseline]:
    """Two reports in the same unit of the same thing with different values are both kept and flagged."""
    for a_index, a in enumerate(found):
        for b in found[a_index + 1 :]:
            same_unit = a.unit == b.unit and a.out_of == b.out_of
            if same_unit and a.value != b.value and _same_thing(a, b):
                a.conflict = b.conflict = True
    return found


def _same_thing(a: Baseline, b: Baseline) -> bool:
    words = lambda s: {w for w in fold(s or "").split() if len(w) > 3}  # noqa: E731
    return bool(words(a.counts) & words(b.counts)) or (not a.counts and not b.counts)


__all__ = ["Match", "number_value", "read_baselines"]
