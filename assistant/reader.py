"""The shared state of reading one request (tokens, claimed tokens, evidence), with grade, age and plan.

The other parts of the Case are read by assistant/names.py, supports.py and context.py from this Reader;
assistant/case.py puts them together.
"""

import threading
from collections import OrderedDict

from assistant.baselines import number_value
from assistant.lexicon import (
    Match,
    Token,
    Tokens,
    case_words,
    fold,
    lexicon,
    tokenize,
    word_set,
)

_SENTENCE_END = frozenset(".!?;:\n•▪◦")
TITLES = frozenset({"mr", "mrs", "ms", "dr", "sr", "sra", "st", "mx", "prof"})
_AGE_CLOSERS = frozenset({",", ".", ")", ";", "!", "?"})
_GLUE = frozenset({"and", "but", "so", "with", "this", "now", "grade", "in", "at", "who", "she", "he", "they"})
DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "my", "our", "your", "this", "each", "every"})


def age_like(token: Token) -> bool:
    value = number_value(token)
    return value is not None and value == int(value) and 2 <= value <= 25


def grade_band(grade: str | None, age: int | None = None) -> str | None:
    """The contract's grade band for a CASE grade, or else an age."""
    if grade is not None:
        if grade in ("prek", "k", "18-21"):
            return {"prek": "prek", "k": "k2", "18-21": "transition_18_21"}[grade]
        number = int(grade)
        return "k2" if number <= 2 else "3_5" if number <= 5 else "6_8" if number <= 8 else "9_12"
    if age is not None:
        if age <= 4:
            return "prek"
        if age >= 18:
            return "transition_18_21"
        return grade_band(str(min(12, max(1, age - 5))) if age >= 6 else "k")
    return None


def grade_phrase(grade: str | None, age: int | None = None) -> str | None:
    """'2nd grade', 'kindergarten', 'pre-K', 'an 18-21 program', 'age 16'."""
    if grade is None:
        return f"age {age}" if age is not None else None
    if grade in ("prek", "k", "18-21"):
        return {"prek": "pre-K", "k": "kindergarten", "18-21": "an 18-21 transition program"}[grade]
    number = int(grade)
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number if number < 20 else number % 10, "th")
    return f"{number}{suffix} grade"


_OPENERS = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def _quoted(tokens: list[Token]) -> frozenset[int]:
    """Token indices inside quotation marks (somebody's own words: in "He said 'I did it!'" the "I" is the
    student). A mark that is not closed within 40 tokens opens nothing. One pass: linear."""
    inside: set[int] = set()
    open_at, closer = -1, ""
    for i, token in enumerate(tokens):
        if open_at >= 0 and token.text == closer:
            inside.update(range(open_at + 1, i))
            open_at = -1
        elif open_at >= 0 and i - open_at > 40:
            open_at = -1  # an apostrophe or a mark never closed: nothing was quoted
        elif open_at < 0 and token.text in _OPENERS:
            open_at, closer = i, _OPENERS[token.text]
    return frozenset(inside)


_RECENT: "OrderedDict[str, tuple[Tokens, frozenset, dict[str, list[Match]]]]" = OrderedDict()
_RECENT_LOCK = threading.Lock()
RECENT_TEXTS = 8


def _read_once(text: str) -> tuple[Tokens, frozenset, dict[str, list[Match]]]:
    """(tokens, quoted token indexes, lexicon matches over the whole text) of a text, shared by every Reader of
    the same text in this process: a request read by the case reader, the goal and the skill reader is
    tokenized once. Only what depends on the text alone is shared; what a Reader claims stays its own."""
    with _RECENT_LOCK:
        shared = _RECENT.get(text)
        if shared is not None:
            _RECENT.move_to_end(text)
            return shared
    tokens = tokenize(text)
    shared = (tokens, _quoted(tokens), {})
    with _RECENT_LOCK:
        _RECENT[text] = shared
        while len(_RECENT) > RECENT_TEXTS:
            _RECENT.popitem(last=False)
    return shared


class Reader:
    """The tokens of one request and what has been read from them so far (claimed tokens, evidence)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens, self.quoted, self.cache = _read_once(text)
        self.claimed: set[int] = set()
        self.grade_starts: set[int] = set()  # character offsets of grade and age words
        self.interest_tokens: set[int] = set()
        self.device_tokens: set[int] = set()  # words of AAC and access devices, which name no routine
        self.aac_named = False  # the request names the student's AAC device: its tablet is no computer work
        self.evidence: dict[str, str] = {}
        # A writer who starts the message in lowercase may write names in lowercase too ("jaylen gr 2 ...").
        first = next((t for t in self.tokens if t.kind == "w"), None)
        self.lower_text = first is not None and not first.cap

    def words(self, start: int, end: int) -> str:
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def note(self, field: str, start: int, end: int) -> None:
        self.evidence.setdefault(field, self.words(start, end))

    def claim(self, match: Match) -> None:
        self.claimed.update(range(match.start, match.end))

    def sentence_start(self, i: int) -> bool:
        if i == 0:
            return True
        gap = self.text[self.tokens[i - 1].end : self.tokens[i].start]
        return self.tokens[i - 1].text in _SENTENCE_END or "\n" in gap or self.tokens[i - 1].text in '"“(-•*'

    # --- grade and age -------------------------------------------------------------------------------
    def grade_and_age(self) -> tuple[str | None, int | None, str | None]:
        grade = age = band = None
        toks, words = self.tokens, case_words()
        nouns = word_set("grade_nouns")
        future = {m.end for m in lexicon("future_cues").find(toks)}
        ahead = lambda k: any(k - 4 <= f <= k for f in future)  # noqa: E731 - "will enter the 18-21 program"
        for match in lexicon("grade_words").find(toks):
            token = toks[match.start]
            if ahead(match.start):
                self.claim(match)  # "will enter the 18-21 program": not the grade now, and no measure either
                continue
            if token.low == "k" and not self._bare_k(match.start):
                continue
            grade = grade or match.label
            self.claim(match)
            self.grade_starts.update(self.tokens[k].start for k in range(match.start, match.end))
            self.note("grade", match.start, match.end)
        for i, token in enumerate(toks):
            found = None
            after = toks[i + 1] if i + 1 < len(toks) else None
            if token.kind == "n" and after is not None and after.low in ("st", "nd", "rd", "th"):
                noun = toks[i + 2] if i + 2 < len(toks) else None
                if noun is not None and noun.low in nouns and not self._level_after(i + 3):
                    found = (str(int(number_value(token))), i, i + 3)
                elif not self._month_near(i) and (
                    noun is None
                    or noun.kind == "p"
                    or noun.cap
                    or (i and toks[i - 1].low == "in" and noun.low not in word_set("not_grade_after"))
                ):
                    found = (str(int(number_value(token))), i, i + 2)  # "7th, Omar", "she's in 4th and..."
            elif token.low in words["ordinal_words"] and after is not None and after.low in nouns:
                if not self._level_after(i + 2):
                    found = (str(words["ordinal_words"][token.low]), i, i + 2)
            elif token.low in nouns and after is not None:
                k = i + 2 if after.text in (":", ".") else i + 1  # "Grade: 9", "gr. 5"
                value = number_value(toks[k]) if k < len(toks) else None
                if value is not None and not self._level_after(k + 1):
                    found = (str(int(value)), i, k + 1)
            elif token.low in words["year_grades"] and (
                after is None or after.low not in words["not_year_grades_after"]
            ):
                found = (str(words["year_grades"][token.low]), i, i + 1)
            if found and 1 <= int(float(found[0])) <= 12 and grade is None and not ahead(found[1]):
                grade = str(int(float(found[0])))
                self.claimed.update(range(found[1], found[2]))
                self.grade_starts.update(self.tokens[k].start for k in range(found[1], found[2]))
                self.note("grade", found[1], found[2])
        age = self._age()
        for match in lexicon("band_words").find(toks):
            band = band or match.label
            self.grade_starts.update(toks[k].start for k in range(match.start, match.end))
            self.note("grade_band", match.start, match.end)
        band = grade_band(grade, age) if grade or age is not None else band
        return grade, age, band

    def _is_grade(self, token: Token) -> bool:
        return token.start in self.grade_starts

    def _bare_k(self, i: int) -> bool:
        """'K' alone is kindergarten when it stands as a word: 'in K', 'K student', 'K,' (not K-2, K-12, 5K)."""
        token = self.tokens[i]
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        if token.text != "K" or (nxt is not None and (nxt.kind == "n" or self.text[token.end : nxt.start] == "-")):
            return False
        if i and self.tokens[i - 1].kind == "w" and self.tokens[i - 1].cap and nxt is not None and nxt.text == ".":
            return False  # "Ahmed K., Gr 2": an initial
        return not (i and self.tokens[i - 1].kind == "n")

    def _level_after(self, i: int) -> bool:
        """'reads at a 2nd grade level' is a level of work, not the student's grade."""
        return any(t.low in ("level", "equivalent") for t in self.tokens[i : i + 2])

    def _month_near(self, i: int) -> bool:
        months = word_set("not_names") & frozenset(fold(m) for m in case_words()["not_names"]["months"])
        return any(t.low in months | {"may"} for t in self.tokens[max(0, i - 2) : i + 3])

    def _age(self) -> int | None:
        toks = self.tokens
        for match in lexicon("age_after").find(toks):
            i = match.start - 1
            if i >= 0 and toks[i].kind == "n" and age_like(toks[i]):
                self.claimed.update(range(i, match.end))
                self.grade_starts.update(toks[k].start for k in range(i, match.end))
                self.note("age", i, match.end)
                return int(number_value(toks[i]))
        for name, closed in (("age_before", False), ("age_verbs", True)):
            for match in lexicon(name).find(toks):
                j = match.end + (1 if match.end < len(toks) and toks[match.end].text == ":" else 0)
                if j < len(toks) and toks[j].kind == "n" and age_like(toks[j]):
                    if closed and not (self._nothing_counted(j + 1) and self._about_a_person(match.start)):
                        continue
                    self.claimed.update(range(match.start, j + 1))
                    self.note("age", match.start, j + 1)
                    return int(number_value(toks[j]))
        for j, token in enumerate(toks):  # "Kevin, 17, wants...", "Noor, 4.", "(junior, 16)", "senior 18 works"
            if token.kind != "n" or not 0 < j < len(toks) or not age_like(token) or j in self.claimed:
                continue
            prev, prev2 = toks[j - 1], toks[j - 2] if j > 1 else None
            closed = j + 1 == len(toks) or toks[j + 1].text in _AGE_CLOSERS
            closed = closed or self.text[token.end : toks[j + 1].start].strip() in ("-", "–", "—")
            after_name = prev.text in ",(" and prev2 is not None and (prev2.cap or prev2.text == ")")
            after_grade = self._is_grade(prev) or (prev.text == "," and prev2 is not None and self._is_grade(prev2))
            year_grade = prev.low in case_words()["year_grades"] and not self._counted(j + 1)
            if (closed and (after_name or after_grade)) or year_grade:
                self.claimed.add(j)
                self.note("age", max(0, j - 2), min(len(toks), j + 2))
                return int(number_value(token))
        return None

    def _counted(self, j: int) -> bool:
        """The word after a number says what it counts or measures ('18 words', '18 minutes')."""
        window = self.tokens[j : j + 1]
        return bool(window) and (
            window[0].kind == "n" or bool(lexicon("units").find(window)) or bool(lexicon("count_nouns").find(window))
        )

    def _about_a_person(self, i: int) -> bool:
        """'she is 9', 'Bill is 20', 'he's 3': the verb's subject is a person, not a test or a lunch period."""
        if self.tokens[i].low in ("he's", "she's", "they're", "turned", "turns", "just"):
            return True
        before = self.tokens[i - 1] if i else None
        return before is not None and (before.low in ("he", "she", "they") or (before.cap and before.kind == "w"))

    def _nothing_counted(self, j: int) -> bool:
        """After 'she is 9': the end, a punctuation mark, 'and', or 'years old'."""
        return j >= len(self.tokens) or self.tokens[j].kind == "p" or self.tokens[j].low in _GLUE | {"years"}

    # --- phrase fields -------------------------------------------------------------------------------
    def labelled(self, name: str, field: str) -> list[Match]:
        matches = lexicon(name).find(self.tokens, self.claimed)
        for match in matches:
            self.note(field, match.start, match.end)
        return matches

    def plan(self) -> str | None:
        """The student's plan. A plan named after a negation is 'none'; one named in a question about plans
        ('does he need an IEP', 'the difference between a 504 and an IEP') is not the student's."""
        labels = []
        for match in lexicon("plans").find(self.tokens, self.claimed):
            if self._room_number(match) or self._preceded_by(match.start, "plan_hypothetical", 6):
                continue
            negated = match.label == "none" or self._preceded_by(match.start, "negations", 2)
            labels.append("none" if negated else match.label)
            self.note("plan", match.start, match.end)
            self.claim(match)
        positive = [label for label in labels if label != "none"]
        return positive[0] if positive else "none" if labels else None

    def _preceded_by(self, i: int, name: str, within: int) -> bool:
        window = self.tokens[max(0, i - within) : i]
        return bool(lexicon(name).find(window))

    def _room_number(self, match: Match) -> bool:
        return match.start > 0 and self.tokens[match.start - 1].low in ("room", "rm", "#")
