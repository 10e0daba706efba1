"""The present levels a request states: each number read with its unit, in the request's own words.

A number is a present level when it measures what the student does now. The principles, in order
(word lists in assistant/data/case_words.yaml):
1. Numbers that are part of a date, a time, a phone number, an age, a grade or a label (room 12), a
   total ("out of 26 letters"), a tolerance ("within 1/4 inch") or a describing word ("a 5-step task",
   "a 3-minute probe") are not.
2. A standardized test result (a standard score, a percentile, a score on a named test) is not.
3. A number in a clause that states a hope, a goal, a target or peers' level is not, unless "from",
   "currently" or "baseline" puts it there ("from 2 of 5 to 4 of 5": the first is, the second is not);
   a sentence that opens like a goal ("By the annual review, ...") is a goal to its end. A number in an
   older report ("was 50% last year", "down from 5x") is not the present level.
4. A duration that names the length of a period, a class, a trip or a service ("a 25-minute lunch",
   "30 min/week", "every 20 min", "his bus ride is 50 minutes") is not; nor is the time window of a count
   ("6 words in 5 minutes": one present level, 6 words); a duration of what the student does ("35 minutes
   to eat") is.
5. What remains is read in the unit its words give: percent, x of y, a rate, minutes, seconds, a rubric
   level, or a count of the things the next words name (a plural noun, "times", "3x"). A number with no
   unit is not a measure.
6. A measure is the student's only when the student is its subject: in a clause whose last-named doer
   is the class, peers or "we" ("peers 1-2 min", "Classmates typically tie in under 30 seconds", "we sit
   for about 15 minutes") the number measures them, unless "we" observed it ("we counted 12").
The unit is never converted: "12 minutes for coat and boots" stays 12 minutes.
"""

from dataclasses import dataclass
from functools import cache

from assistant.lexicon import Token, Tokens, case_words, fold, lexicon, word_set
from assistant.schemas import Baseline

MAX_NUMBERS = 400  # numbers read per request; a longer run of numbers is a data table, not a request
_SKIP_WORDS = {"a couple of", "a couple", "a few", "half", "none"}
_MONTH_WORDS = frozenset(fold(m) for m in case_words()["not_names"]["months"]) | {"may", "june", "april", "august"}
_BOUNDARY = frozenset(".;!?•▪◦")


def _acts_on(word: str) -> bool:
    """A verb of the student's that takes the others as its object ("hits peers", "follows classmates")."""
    from assistant.skill import base_verb

    return fold(word) in _problem_verbs() or base_verb(word, True) is not None


@cache
def _problem_verbs() -> frozenset[str]:
    from assistant.case_goal import words as goal_words

    return frozenset(fold(str(w)) for w in goal_words()["problem_words"])


_OBJECT_LEADS = frozenset({"into", "with", "to", "at", "from", "than", "like", "near", "beside", "by", "for"})
_TARGET_WORDS = frozenset({"target", "goal", "goals", "aim"})
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "sr", "sra", "st", "mx", "prof", "coach"})
_SOFT = frozenset({"with", "in", "at", "on", "for", "across", "over", "within", "and", "during"})
_PER_TIME = frozenset({"week", "weeks", "wk", "day", "days", "month", "months", "weekly", "daily", "monthly"})
_SERVICE_TIME = frozenset(
    {"week", "weeks", "wk", "wks", "month", "months", "mo", "mos", "weekly", "monthly"}
)  # service minutes
_DISTANCE = frozenset({"inch", "inches", "feet", "foot", "ft", "yard", "yards", "meter", "meters", "mile", "miles"})
_PERIOD_VERBS = frozenset(
    {"is", "was", "are", "were", "r", "lasts", "lasted", "had", "has", "runs", "run", "=", "gets", "get"}
)
_WINDOW = frozenset({"in", "within", "on", "during", "over", "across", "en", "per", "every", "each"})
_ALLOTTED = frozenset({"get", "gets", "given", "allowed", "allotted", "have", "has"})
_OF_WORDS = frozenset({"of", "de", "sur"})  # "2 of 5", "2 de 5 shapes"
_POSSESSIVES = frozenset({"his", "her", "their", "the", "my", "our", "its", "last", "past"})
_QUOTES = frozenset("'\"“‘")
_OWNERS = ("his", "her", "their", "my", "our", "your")
_SUBJECTS = frozenset({"he", "she", "they", "i", "we", "you", "it"})
_NOT_DOING = frozenset(
    {
        "the",
        "a",
        "an",
        "top",
        "bottom",
        "last",
        "first",
        "next",
        "with",
        "of",
        "for",
        "in",
        "on",
        "at",
        "to",
        "and",
        "or",
        "his",
        "her",
        "their",
        "my",
        "our",
        "your",
        "via",
        "by",
        "from",
        "than",
        "these",
        "those",
        "all",
        "both",
    }
)
_LEAD_IN = frozenset({"after", "before", "about", "only", "approximately", "around", "roughly", "maybe", "like"})
_ONCE_AFTER = frozenset(
    {
        "today",
        "yesterday",
        "a",
        "per",
        "this",
        "all",
        "during",
        "in",
        "each",
        "every",
        "last",
        "on",
        "by",
        "with",
        "since",
        "so",
        "already",
        "now",
        "before",
    }
)
_NOT_PERIOD_LEAD = frozenset({"every", "each", "per", "a", "an", "the", "of", "to"})


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


class _Numbers:
    """One pass over the tokens of a request, reading each number once."""

    def __init__(self, text: str, tokens: list[Token], claimed: set[int], student: str | None = None) -> None:
        self.text, self.tokens, self.claimed = text, tokens, claimed
        self._student = {"he", "she", "him", "her", "his", "he's", "she's", "student", "child"}
        if student:
            self._student |= {fold(w) for w in student.split()}
        others = lexicon("others_subjects")
        self._others = {m.end - 1: m for m in others.find(tokens)}
        self._words = tokens.index()[0] if isinstance(tokens, Tokens) else {}
        self.clause = self._clause_starts()
        self._last_end = -1  # where the last number reading ended: a later "in 5 minutes" may be its window
        self._described = False  # the last reading described a thing ("the 6 steps") rather than counting
        self._schedule_end = -9  # where the last schedule ended: "art once a week, 40 min" (the period's length)
        self.clause_end = self._clause_ends()
        self.cues = self._cue_marks()

    def tok(self, k: int) -> Token | None:
        return self.tokens[k] if 0 <= k < len(self.tokens) else None

    def gap(self, a: int, b: int) -> str:
        return self.text[self.tokens[a].end : self.tokens[b].start]

    def _clause_starts(self) -> list[int]:
        """For every token, where its clause starts: sentence ends, semicolons, line breaks, and commas not
        followed by a word that carries the clause on."""
        starts, current, depth = [], 0, 0
        toks = self.tokens
        for i, token in enumerate(toks):
            gap = self.gap(i - 1, i) if i else ""
            if i and ("\n" in gap or (depth == 0 and (" - " in gap or "—" in gap or " – " in gap))):
                current = i  # a new line, or a spaced dash: "wants OT to look at it - he falls 3 times a week"
            starts.append(current)
            depth = max(0, min(depth + (token.text == "(") - (token.text == ")"), 3))
            if depth and token.text == ",":
                continue  # "Henry (4th grade, hard of hearing) once a week": an aside's commas end no clause
            title = token.text == "." and i and toks[i - 1].low in _TITLES  # "Mr. Fiske": no clause ends
            if (token.text in _BOUNDARY and not title) or (
                token.text == "," and i + 1 < len(toks) and toks[i + 1].low not in _SOFT
            ):
                current = i + 1
            elif token.low in ("but", "although", "though", "however") and i:
                current = i  # "She wants to wear it, but she can do only 1 button of 5": the hope ends at "but"
        return starts

    def _clause_ends(self) -> list[int]:
        n = len(self.tokens)
        ends, end = [n] * n, n
        for i in range(n - 1, -1, -1):
            ends[i] = end
            if self.clause[i] == i:
                end = i
        return ends

    def _cue_marks(self) -> list[str | None]:
        """For every token, the nearest cue before it: 'target', 'from' or 'past' within its clause, or
        'goal' when its sentence opens like a goal statement."""
        marks: dict[int, str] = {}
        for kind, name in (("target", "target_cues"), ("from", "from_cues"), ("past", "past_cues")):
            for match in lexicon(name).find(self.tokens):
                first = self.tokens[match.start]
                if first.cap and fold(first.low).removesuffix("'s") in self._student:
                    continue  # "Hope's teacher says ...": the student's name, not a hope
                marks[match.end - 1] = kind
        openers = {m.end - 1 for m in lexicon("goal_openers").find(self.tokens)}
        # a quoted sentence that opens with "will" is a goal's wording: "Is 'will cut with 80% accuracy' OK?"
        openers |= {i for i in self._words.get("will", ()) if i and self.tokens[i - 1].text in _QUOTES}
        out: list[str | None] = []
        last: str | None = None
        goal = False
        for i in range(len(self.tokens)):
            if i == self.clause[i]:
                last = None
            if i and self.tokens[i - 1].text in _BOUNDARY:
                goal = False
            out.append("goal" if goal and last != "from" else last)
            last = marks.get(i, last)
            goal = goal or i in openers
        return out

    # principle 1 ----------------------------------------------------------------------------------
    def is_label(self, i: int) -> bool:
        """Part of a date, a time, a phone or id number, a label, a total, or a describing word."""
        token, prev, nxt = self.tokens[i], self.tok(i - 1), self.tok(i + 1)
        if nxt is not None and nxt.kind == "w" and self.gap(i, i + 1) == "-" and not nxt.low.endswith("s"):
            return True  # a describing word: "a 5-step task", "a 3-minute probe", "two-switch scanning"
        if token.kind != "n":  # "once", "three": number words are no dates, times or labels...
            return prev is not None and prev.kind == "w" and self.gap(i - 1, i) == "-"  # ...but "base-ten" names
        if len(token.low) > 4 or (len(token.low) > 1 and token.low[0] == "0"):
            return True
        if len(token.low) == 4 and token.low.isdigit() and 1900 <= int(token.low) <= 2100:
            return True
        if prev is not None and (prev.low in _MONTH_WORDS or prev.text in {"#", "$"}):
            return True
        if self._clock(i - 2, i - 1) or self._clock(i, i + 1):
            return True  # 10:30
        if nxt is not None and (nxt.low in _MONTH_WORDS or nxt.low in {"am", "pm", "st", "nd", "rd", "th"}):
            return True
        joined = prev is not None and prev.kind == "n" and self.gap(i - 1, i) in {"/", ".", ")", "-", " "}
        if joined and (len(prev.low) >= 3 or len(token.low) >= 3):
            return True  # a phone or id number
        if prev is not None and prev.text == "/" and i > 1 and self.tokens[i - 2].kind == "n":
            return True  # the second half of a fraction read (or set aside) with its first
        if prev is not None and prev.kind == "n" and self.gap(i - 1, i).strip() in {"-", "–"}:
            return True  # the high end of a range read (or set aside) with its low end: "2-3 word phrases"
        if prev is not None and prev.low == "x" and not self.gap(i - 1, i) and i > 1 and self.tokens[i - 2].kind == "n":
            return True  # "2x30/wk": the minutes of a schedule of sessions
        if prev is not None and prev.low == "of" and self.tok(i - 2) and self.tokens[i - 2].low == "out":
            return True  # "out of 26 letters": a total
        if nxt is not None and (nxt.low in ("of", "out") or nxt.text == "/"):
            return False  # "page 2 of 10 trials" is a fraction, whatever word comes before it
        named = prev is not None and prev.kind == "w" and prev.cap and not prev.text.isupper() and len(prev.text) > 1
        level = prev is not None and prev.low in ("level", "lvl")  # "Level 1 (Emerging)" is a rubric level
        if (
            named
            and not level
            and self.gap(i - 1, i) == " "
            and not self._starts_sentence(i - 1)
            and prev.low not in self._student
        ):
            return True  # "In Culinary 1 she loses...", "Bus 14", "Algebra 2": a name with its number
        window = self.tokens[max(0, i - 2) : i]
        matches = lexicon("label_words").find(window)
        if not matches or matches[-1].end != len(window):
            return False
        return (i - 1) not in self.claimed  # "4th gr 6 wpm": that "gr" belongs to the grade already read

    def _starts_sentence(self, k: int) -> bool:
        if k == 0:
            return True
        before = self.tokens[k - 1]
        return before.text in _BOUNDARY or before.text in "-–—:•*(" or "\n" in self.gap(k - 1, k)

    def _clock(self, number: int, colon: int) -> bool:
        """tokens[number] ':' digits with no spaces: a time of day."""
        first, sep, last = self.tok(number), self.tok(colon), self.tok(colon + 1)
        if first is None or sep is None or last is None or sep.text != ":":
            return False
        return first.kind == "n" and last.kind == "n" and not self.gap(number, colon) and not self.gap(colon, colon + 1)

    # principle 5 ----------------------------------------------------------------------------------
    def read(self, i: int) -> _Reading | None:
        """The unit the words after the number give; None when they give none."""
        value = number_value(self.tokens[i])
        if value is None:
            return None
        if self.tokens[i].low in ("once", "twice"):
            return self._once(i, value)
        fraction = self._fraction(i, value)
        if fraction is not None:
            return fraction or None
        high, k = self._range(i, value)
        nxt = self.tok(k)
        if nxt is not None and nxt.low == "x" and not self.gap(k - 1, k):
            after_x = self.tok(k + 1)
            if after_x is not None and after_x.kind == "n":
                return None  # "2x30 min a week": sessions times minutes, a schedule
            if value != int(value) or (after_x is not None and after_x.low in ("time", "extended", "longer", "the")):
                return None  # "1.5x time", "2x extended time": a multiplier, not a count
            return _Reading(i, k + 1, value, high, "count", None)  # "3x/day", "5x"
        if self.tok(k) is not None and self.tokens[k].text == "+" and not self.gap(k - 1, k):
            k += 1  # "15+ min"
        units = lexicon("units").find(self.tokens[k : k + 4])
        if units and units[0].start == 0:
            label = units[0].label
            if (label == "level" and not self._rubric_near(k)) or (label == "percent" and value > 100):
                return None  # "zoomed to 300%" is a setting, not a level
            return _Reading(i, k + units[0].end, value, high, units[0].label, None)
        after, then = self.tok(k), self.tok(k + 1)
        if after is not None and then is not None and after.low in ("per", "a", "each") and then.low in _PER_TIME:
            return _Reading(i, k, value, high, "count", None)  # "meltdowns, about 3 per week"
        if (i and self.tokens[i - 1].low == "level") or self._rubric_after(k):
            return _Reading(i, i + 1, value, None, "level", self._rubric_points(i))
        end = self._count_noun(k, i)
        if end is not None and self._describing(i, end, high):
            return None  # "2-3 word phrases", "a 5 step task": the number describes the thing, it counts nothing
        if end is not None:
            rate = lexicon("units").find(self.tokens[end : end + 3])
            if rate and rate[0].start == 0 and rate[0].label == "per_minute":
                return _Reading(i, end + rate[0].end, value, high, "per_minute", None)
            total = self._total_after(end)
            if total is not None and total[0] >= value:
                return _Reading(i, total[1], value, None, "of", total[0])  # "18 legible letters out of 40"
            return _Reading(i, end, value, high, "count", None)
        return None

    def _describing(self, i: int, end: int, high: float | None) -> bool:
        """A range or an article before, a singular noun after, then a plural noun: "speaks in 2-3 word phrases",
        "a 5 step task" ("wrote her name with 2 letter reversals" counts reversals)."""
        prev = self.tok(i - 1)
        if high is None and not (prev is not None and prev.low in ("in", "a", "an", "of", "uses", "using")):
            return False
        noun, nxt = self.tok(end - 1), self.tok(end)
        singular = noun is not None and noun.kind == "w" and not noun.low.endswith("s")
        plural = nxt is not None and nxt.kind == "w" and len(nxt.low) > 3 and nxt.low.endswith("s")
        return singular and plural and noun.low not in ("time", "times")

    def _total_after(self, k: int) -> tuple[float, int] | None:
        """'... out of 40', '... of the 8', '1 time in 5 recesses' right after a count: (the total, where it ends)."""
        j = k + 1 if self.tok(k) is not None and self.tokens[k].low == "out" else k
        sep = self.tok(j)
        times = self.tokens[k - 1].low in ("time", "times")
        if sep is None or not (sep.low in _OF_WORDS or (sep.low == "in" and times)):
            return None
        j += 1
        while self.tok(j) is not None and self.tokens[j].low in _POSSESSIVES and j < k + 4:
            j += 1
        total = self.tok(j)
        value = number_value(total) if total is not None else None
        if sep.low == "in" and lexicon("units").find(self.tokens[j + 1 : j + 2]):
            return None  # "6-8 times in 30 min": a time window, not a total
        return (value, j + 1) if value else None

    def _rubric_after(self, k: int) -> bool:
        """'a 1 on the 4 pt rubric', '2 on the district's writing rubric'."""
        window = self.tokens[k : k + 6]
        return bool(window) and window[0].low == "on" and any(t.low in ("rubric", "scale") for t in window)

    def _rubric_points(self, i: int) -> float | None:
        """The rubric's top level: '4-point', '4 pt'."""
        for j in range(i + 1, min(len(self.tokens) - 1, i + 7)):
            if self.tokens[j].kind == "n" and self.tokens[j + 1].low in ("pt", "point", "points"):
                return number_value(self.tokens[j])
        return None

    def _once(self, i: int, value: float) -> "_Reading | None":
        """'ran out once', 'twice today': a count; 'once I gave her...', 'twice as long', 'at once': not."""
        prev, nxt = self.tok(i - 1), self.tok(i + 1)
        if prev is not None and prev.low == "at":
            return None
        if nxt is None or nxt.kind == "p" or nxt.low in _ONCE_AFTER:
            return _Reading(i, i + 1, value, None, "count", None)
        return None

    def _fraction(self, i: int, value: float) -> "_Reading | bool | None":
        """x of y, x out of y, x/y: a reading, False when it is not a measure (a date, a tolerance, an
        acuity), None when the number is not a fraction."""
        j = i + 1
        nxt = self.tok(j)
        if nxt is not None and nxt.low == "out" and self.tok(j + 1) and self.tokens[j + 1].low == "of":
            j += 1
        sep, total_tok = self.tok(j), self.tok(j + 1)
        if sep is None or total_tok is None or not (sep.low in _OF_WORDS or sep.text == "/"):
            return None
        while sep.low in _OF_WORDS and total_tok is not None and total_tok.low in _POSSESSIVES and j < i + 4:
            j += 1  # "1 of his 4 containers", "3 of last 4 classes"
            total_tok = self.tok(j + 1)
        if total_tok is None:
            return None
        total = number_value(total_tok)
        after = self.tok(j + 2)
        if sep.text == "/" and total_tok.low in _PER_TIME | {"hr", "hour", "period", "class", "session"}:
            return _Reading(i, j + 2, value, None, "count", None)  # "meltdowns avg 3/day": a frequency
        if total is None or (after is not None and after.low in ("st", "nd", "rd", "th")):
            return None  # "one of my 2nd graders"
        slash = sep.text == "/"
        if after is not None and after.text == "/":
            return False  # 10/12/2025
        if slash and after is not None and (after.low in word_set("length_units") or after.text in {'"', "”", "″"}):
            return False  # within 1/4 inch of the line
        if slash and value == 20 and total >= 20:
            return False  # 20/70 visual acuity
        if slash and i and self.tokens[i - 1].kind == "n" and self.gap(i - 1, i) == " ":
            return False  # "Kai (3 1/2)": a mixed number, half of something, not x of y
        if slash and (self._after_date_word(i) or self._slash_date(i, value, total, after)):
            return False  # IEP mtg 3/14, "conf 5/19", "OT probe 3/6: 65%"
        if not total or value > total:
            return False
        time_unit = lexicon("units").find(self.tokens[j + 2 : j + 3])
        if time_unit and time_unit[0].label in ("minutes", "seconds"):
            return _Reading(i, j + 3, value, None, time_unit[0].label, None)  # "20 of the 30 minutes": 20 minutes
        unit = "level" if self._rubric_near(j + 2) or (i and self.tokens[i - 1].low == "level") else "of"
        return _Reading(i, j + 2, value, None, unit, total)

    def _slash_date(self, i: int, value: float, total: float, after: Token | None) -> bool:
        """m/d with nothing counted after it: a day of the year when the second number cannot be a month
        ("surgery 2/28") or when it labels what follows ("probe 3/6: 65%", "(email 3/4)")."""
        if not (value == int(value) and total == int(total) and 1 <= value <= 12 and 1 <= total <= 31):
            return False
        if self._in_date_range(i):
            return True  # "work samples 3/4-3/8": from one day to another
        counted = after is not None and after.kind == "w" and after.low not in _SOFT | {"to", "is", "was", "at"}
        if counted and after.low not in word_set("date_words"):
            return False  # "2/8 steps", "3/4 days"
        prev = self.tok(i - 1)
        labels = after is not None and after.text in {":", ")", "-"} and prev is not None and prev.kind == "w"
        last = after is None or after.text in _BOUNDARY or "\n" in self.gap(i + 2, i + 3)
        dated = last and bool(lexicon("date_words").find(self.tokens[max(self.clause[i], i - 12) : i]))
        return total > 12 or labels or dated  # "Last day of the program is 6/12."

    def _in_date_range(self, i: int) -> bool:
        """The m/d at token i is one end of a dash-joined pair of m/d's ("3/4-3/8") with nothing counted after
        the pair."""

        def slash_pair(k: int) -> bool:
            return all(self.tok(k + d) is not None for d in range(3)) and (
                self.tokens[k].kind == "n" and self.tokens[k + 1].text == "/" and self.tokens[k + 2].kind == "n"
            )

        def counted_after(k: int) -> bool:  # "2/5-3/5 trials": a range of readings, not of days
            nxt = self.tok(k)
            return nxt is not None and nxt.kind == "w" and nxt.low not in _SOFT | {"to", "is", "was", "at"}

        dashes = ("-", "–", "—")
        after = i + 3 < len(self.tokens) and self.gap(i + 2, i + 3).strip() in dashes and slash_pair(i + 3)
        before = i >= 3 and self.gap(i - 1, i).strip() in dashes and slash_pair(i - 3)
        return (after and not counted_after(i + 6)) or (before and not counted_after(i + 3))

    def _after_date_word(self, i: int) -> bool:
        window = [t for t in self.tokens[max(0, i - 3) : i] if t.text not in {",", "-", "–", "—", "(", "@"}]
        found = lexicon("date_words").find(window)
        return bool(found) and found[-1].end == len(window)

    def _range(self, i: int, value: float) -> tuple[float | None, int]:
        """'6-8 times', '6 to 8 times', '3 or 4 times': (the high end, where the unit starts)."""
        nxt, after = self.tok(i + 1), self.tok(i + 2)
        high = None
        if nxt is not None and nxt.kind == "n" and self.gap(i, i + 1).strip() in {"-", "–"}:
            high = number_value(nxt)
        elif nxt is not None and nxt.low in {"to", "or"} and after is not None and number_value(after) is not None:
            beyond = self.tok(i + 3)
            if beyond is not None and beyond.low not in {"of", "out"} and beyond.text != "/":
                high = number_value(after)
        if high is None or high < value:
            return None, i + 1
        return high, i + (2 if nxt.kind == "n" else 3)

    def _count_noun(self, k: int, i: int) -> int | None:
        """Where the counted thing ends: a listed count noun or any plural noun, at most two words on."""
        window = self.tokens[k : k + 3]
        listed = lexicon("count_nouns").find(window)
        excluded = lexicon("not_count_nouns").find(window)
        for offset, token in enumerate(window):
            if token.low in _SUBJECTS:
                return None  # "1 she loses": a new clause starts, the number counts nothing in it
            if (
                token.kind != "w"
                or (offset and window[offset - 1].kind != "w")
                or "\n" in self.gap(k + offset - 1, k + offset)
            ):
                break  # the counted thing is on the number's own line
            if excluded and excluded[0].start == offset:
                return None
            if listed and listed[0].start == offset:
                return k + listed[0].end
            plural = token.low.endswith("s") and not token.low.endswith(("ss", "us", "is", "'s"))
            if len(token.low) > 3 and plural and (self._done_by_student(i) or self._measured_over(k + offset + 1)):
                return k + offset + 1
        return None

    def _measured_over(self, j: int) -> bool:
        """A count followed by the time it was counted over is a measure whoever its doer: "22 shirts in 30
        minutes", "8 shirts per 10 min", "4 or 5 rips a day", "3 meltdowns per week"."""
        lead, nxt, unit = self.tok(j), self.tok(j + 1), self.tok(j + 2)
        if lead is None or nxt is None:
            return False
        if (lead.low in ("a", "per", "each", "every") or lead.text == "/") and number_value(nxt) is None:
            return nxt.low in _PER_TIME | {"hour", "hr", "period", "class", "session"}
        if lead.low in ("in", "within", "per") and number_value(nxt) is not None and unit is not None:
            found = lexicon("units").find(self.tokens[j + 2 : j + 3])
            return bool(found) and found[0].label in ("minutes", "seconds")
        return False

    def _done_by_student(self, i: int) -> bool:
        """A count of what the student did: the word before the number (past adverbs like 'only') is a verb of
        doing ('eats only 4 foods', 'escribe 3 oraciones'), not 'uses 2 switches', 'the top two shelves', or a count
        that opens a sentence; 'Baseline: 3 collisions' says so outright."""
        if self.cues[i] == "from":
            return True
        for token in self.tokens[max(0, i - 3) : i][::-1]:
            if token.kind != "w" or token.low in word_set("not_performance_verbs") or token.low in _NOT_DOING:
                return False
            if token.low not in _LEAD_IN:
                return True
        return False

    def _rubric_near(self, k: int) -> bool:
        return any(t.low in {"rubric", "scale"} for t in self.tokens[max(0, k - 9) : k + 4])

    # principles 2-4 -------------------------------------------------------------------------------
    def not_present_level(self, reading: _Reading, found: list[Baseline]) -> bool:
        i = reading.start
        cue = self.cues[i]
        before = self.tokens[i - 1].low if i else ""
        if cue in ("target", "goal", "past") or self._past_after(reading) or self._others_measure(i):
            return True
        named = [t.low for t in self.tokens[max(0, i - 2) : i]]
        object_target = len(named) == 2 and named[0] in ("the", "a", "correct", "his", "her", "right", "each")
        if (
            named[-1:]
            and not object_target
            and (named[-1] in _TARGET_WORDS or (named[0] in _TARGET_WORDS and named[-1] in (":", "is", "of", "=", "(")))
        ):
            return True  # "Target 80% by June", "Goal: 20 wpm"; not "selected the correct target on 18 of 25 trials"
        manner = self.tokens[reading.end : reading.end + 3]
        at_once = len(manner) > 1 and manner[0].low == "at" and manner[1].low in ("once", "a", "the")
        if reading.unit == "count" and at_once:
            return True  # "hits 2 keys at once": how, not how many
        if reading.unit == "count" and (self._window_count(reading) or self._distance_condition(reading)):
            return True
        if reading.unit == "count" and before in ("last", "past", "first", "top", "bottom", *_OWNERS):
            self._described = True
            return True  # "on the last two unit tests", "the top two shelves", "talks with her two friends": which
        if reading.unit == "count" and before in word_set("possession_verbs"):
            self._described = True
            return True  # "keeps one accordion folder for everything": what the student has, not does
        after = self.tok(i + 1)
        enumerating = self.tokens[i].low in ("one", "two", "three") and after is not None
        if reading.unit == "count" and enumerating and after.low in ("for", "on", "about"):
            return True  # "2 goals, one for the tray and one for the carton": the goals asked for, counted
        if reading.unit == "count" and before in ("between", "among"):
            self._described = True
            return True  # "chooses between two snack pictures": the choices offered, not a measure
        if reading.unit == "count" and before == "the" and self.cues[i] != "from":
            self._described = True
            return True  # "climbs the 3 bus steps": which ones, a known set, not how many were done
        if before == "/" and i > 1 and self.tokens[i - 2].low == "w":
            before = "with"  # "a Talker w/ 60 buttons"
        if reading.unit == "count" and before == "with" and self._describes(reading):
            self._described = True
            return True  # "pages with 4 symbols", "~150 ft with 2 turns": what the thing has ("with 3 errors" counts)
        if cue == "from" and before in {"to", "reach"} and found:
            return True  # "from 2 of 5 to 4 of 5": where the student is going
        if self._schedule(reading):
            self._schedule_end = reading.end
            return True
        return self._period_length(reading, found) or self._score(reading)

    def _describes(self, reading: _Reading) -> bool:
        """A count after 'with' that follows a noun describes that noun unless it counts errors or help."""
        if reading.start < 2 or self.tokens[reading.start - 2].kind != "w":
            return False
        counted = self.tokens[reading.start + 1 : reading.start + 4]
        return not lexicon("with_measures").find(counted)

    def _others_measure(self, i: int) -> bool:
        """Principle 6: the last doer named in the clause before the number is the class, peers or "we"."""
        observing = word_set("observing_verbs")
        for k in range(i - 1, max(self.clause[i], i - 25) - 1, -1):
            token = self.tokens[k]
            if token.low in self._student or (token.low.endswith("'s") and token.low[:-2] in self._student):
                return False
            if k in self._others:
                after, lead = self.tok(k + 1), self.tok(self._others[k].start - 1)
                if lead is not None and (lead.low in _OBJECT_LEADS or lead.text == "/" or _acts_on(lead.low)):
                    continue  # "bumps into walls/peers ~5x", "hits peers 4 times": peers as the object
                return not (after is not None and after.low in observing)
        return False

    def _distance_condition(self, reading: _Reading) -> bool:
        """'tossed from 5 feet', 'stands 10 feet away': a distance that sets the task, not a measure of it."""
        if not any(t.low in _DISTANCE for t in self.tokens[reading.start + 1 : reading.end]):
            return False
        prev, nxt = self.tok(reading.start - 1), self.tok(reading.end)
        before = prev is not None and prev.low in {"from", "within", "at", "a", "an"}
        return before or (nxt is not None and nxt.low in ("away", "out", "long", "wide"))

    def _past_after(self, reading: _Reading) -> bool:
        """'(was 50% last year)': an older report named after the number."""
        after = self.tokens[reading.end : reading.end + 4]
        found = lexicon("past_cues").find(after)
        return bool(found) and found[0].start <= 1

    def _window_count(self, reading: _Reading) -> bool:
        """'across 3 samples', 'on my last 3 samples': the window a measure was taken over."""
        nouns = lexicon("window_nouns").find(self.tokens[reading.start + 1 : reading.end])
        return bool(nouns)

    def _period_length(self, reading: _Reading, found: list[Baseline]) -> bool:
        if reading.unit not in ("minutes", "seconds"):
            return False
        toks, i = self.tokens, reading.start
        prev = self.tok(i - 1)
        if prev is not None and prev.low in ("every", "each"):
            return True  # "breaks every 20 min": a schedule
        if prev is not None and prev.low == "per":
            return True  # "hangs 6 shirts per 10 min": the window of a rate, not a time taken
        lead = [t.low for t in toks[max(0, i - 3) : i]]
        between = toks[max(0, self._schedule_end) : i]
        schedule_words = _PER_TIME | {"a", "per", "each", "for", "x", "times", "week", "weeks"}
        if 0 <= i - self._schedule_end <= 6 and all(t.kind != "w" or t.low in schedule_words for t in between):
            return True  # "gets art once a week, 40 min", "meets 2x a week for 40 min": the scheduled period's length
        if self.clause[i] <= self._last_end and (any(w in _WINDOW for w in lead[-2:]) or lead[-1:] == ["/"]):
            return True  # "6 words in 5 minutes", "150 words/45 min": the count's time window
        if self.tok(reading.end) is not None and self.tokens[reading.end].low in ("late", "early", "behind"):
            return False  # "has been 5-10 minutes late to 4th period": how late the student is
        if self.tok(reading.end) is not None and self.tokens[reading.end].low in ("later", "ago"):
            return True  # "40 minutes later": when something happened, not how long
        window = toks[max(0, i - 4) : i]
        thing = lexicon("period_nouns").find(window)
        verb_after_thing = thing and any(t.low in _PERIOD_VERBS for t in window[thing[-1].end :])
        placed = thing and thing[-1].start and window[thing[-1].start - 1].low in ("at", "in", "on")
        if thing and (verb_after_thing or (thing[-1].end == len(window) and not placed)):
            return True  # "his bus ride is 50 minutes", "class gets 10 min", "Lunch 25 min"; not "at circle 4 min"
        if prev is not None and prev.low in ("the", "first", "last"):
            return True  # "in the 5 minutes they get", "for first 10 min": a given window
        if any(w in _ALLOTTED for w in lead[-2:]) and "been" not in lead[-2:]:
            return True  # "they only get 5 minutes", "he is given 10 minutes": the time allowed
        within = prev is not None and (prev.low == "within" or (prev.low == "in" and i > 1 and toks[i - 2].text == "/"))
        if within and self._fraction_follows(reading.end):
            return True  # "activates the switch w/in 10 sec on 3/10 trials": the criterion's window
        nxt = self.tok(reading.end)
        if nxt is not None and nxt.low == "x":
            return True  # "30 min x2 a week": service minutes
        if prev is not None and prev.low == "x" and i > 1 and toks[i - 2].kind == "n":
            return True  # "2 x 30 min OT": sessions times minutes
        after = toks[reading.end : reading.end + 3]
        per_service = after and after[0].text == "/" and len(after) > 1 and after[1].low in _SERVICE_TIME
        if after and (after[0].low in _SERVICE_TIME or per_service):
            return True  # "30 min/wk", "30 minutes weekly": service minutes ("1-2 min/center" is a measure)
        if after and after[0].text == ":":
            return True  # "Keyboarding practice 20 min: 11 wpm": the length of what the note is about
        if (
            prev is not None
            and prev.text == "("
            and after
            and after[0].text == ")"
            and i > 1
            and toks[i - 2].kind == "w"
        ):
            return True  # "independent seatwork (20 min)": the length of the activity it follows
        if len(after) > 1 and after[0].low in {"a", "per", "each", "every"} and after[1].low in _SERVICE_TIME:
            return True
        if after and after[0].low == "each" and prev is not None and prev.text in {",", "("}:
            return True  # "4 centers, 12 min each": the length of each period (not "lasting 20 minutes each")
        thing_after = len(after) > 0 and after[0].kind == "w" and after[0].low not in _SOFT | {"to", "of", "later"}
        if prev is not None and prev.low in ("a", "an") and thing_after and not self._verb_like(after[0]):
            return True  # "in a 2 min click-the-target game": the length of the game, not a measure
        period = lexicon("period_nouns").find(after)
        if period and period[0].start == 0:
            return True
        return bool(
            period and period[0].start == 1 and after[0].kind == "w" and after[0].low not in _SOFT | _NOT_PERIOD_LEAD
        )

    @staticmethod
    def _verb_like(token: Token) -> bool:
        """'a 5 minute break helps' no; 'a 3 min stretch' no; a word after a duration that reads as a verb."""
        return token.low.endswith(("ed", "ing")) or token.low in word_set("not_performance_verbs")

    def _fraction_follows(self, k: int) -> bool:
        """An 'x of y' or 'x/y' later in the same clause."""
        end = min(self.clause_end[k - 1] if k else len(self.tokens), k + 10)
        return any(
            self.tokens[j].kind == "n" and (self.tokens[j + 1].low in _OF_WORDS or self.tokens[j + 1].text == "/")
            for j in range(k, end - 1)
        )

    def _score(self, reading: _Reading) -> bool:
        lex = lexicon("score_words")
        before = self.tokens[max(0, reading.start - 4) : reading.start]
        after = self.tokens[reading.end : reading.end + 4]
        return bool(lex.find(before)) or bool(lex.find(after))

    def _schedule(self, reading: _Reading) -> bool:
        """'2x/week' and 'twice a week' count times unless the clause is about a schedule or a service."""
        nxt = self.tok(reading.end)
        per = nxt is not None and (nxt.text == "/" or nxt.low in {"a", "per", "each"} | _PER_TIME)
        if reading.unit != "count" or not per:
            return False
        clause = self.tokens[self.clause[reading.start] : self.clause_end[reading.start]]
        if bool(lexicon("schedule_words").find(clause)):
            return True
        held, verb = self.tok(reading.start - 1), self.tok(reading.start - 2)
        period = held is not None and bool(lexicon("period_nouns").find([held]))
        opens = held is not None and self.clause[reading.start - 1] == reading.start - 1
        return period and (opens or (verb is not None and verb.low in _ALLOTTED))  # "gets art once a week", "Gym 2x/wk"

    def counts(self, reading: _Reading) -> str | None:
        """What the number counts: the words after it in its clause (or before it, for a bare duration)."""
        toks = self.tokens
        stop = (_SOFT - {"and"}) | {"a", "an", "the", "when", "while", "before", "after", "but", "because", "so"}
        after: list[Token] = []
        for token in toks[reading.end : min(self.clause_end[reading.start], reading.end + 6)]:
            if token.kind != "w" or (after and token.low in stop) or (not after and token.low in stop - {"for"}):
                break
            after.append(token)
        while after and after[0].low in {"of", "the"}:
            after = after[1:]
        if reading.unit == "count":
            head = [t for t in toks[reading.start + 1 : reading.end] if t.kind == "w"]
            after = head or after
        words = after[:5]
        if not words and reading.start:
            words = [t for t in toks[max(0, reading.start - 3) : reading.start] if t.kind == "w"]
        return self.text[words[0].start : words[-1].end] if words else None


def read_baselines(text: str, tokens: list[Token], claimed: set[int], student: str | None = None) -> list[Baseline]:
    """Every present level in the text, in order (claimed tokens are ages, grades and names; the student's name
    tells whose measure a number is)."""
    numbers = _Numbers(text, tokens, claimed, student)
    found: list[Baseline] = []
    i = seen = 0
    while i < len(tokens) and seen < MAX_NUMBERS:
        if i in claimed or number_value(tokens[i]) is None or numbers.is_label(i):
            i += 1
            continue
        seen += 1
        reading = numbers.read(i)
        if reading is None:
            i += 1
            continue
        numbers._described = False
        if not numbers.not_present_level(reading, found):
            found.append(_baseline(numbers, reading))
        if not numbers._described:
            numbers._last_end = reading.end  # a later "in 5 minutes" is this reading's window, kept or not
            # (not after "the 6 steps", which names the set a time was taken over)
        i = reading.end
    return _flag_conflicts(found)


def _baseline(numbers: _Numbers, reading: _Reading) -> Baseline:
    toks, text = numbers.tokens, numbers.text
    start = reading.start
    glue = _SOFT | _LEAD_IN | {"a", "an", "the"}
    lead_in = start > 1 and toks[start - 1].low in _LEAD_IN
    if lead_in and toks[start - 2].kind == "w" and toks[start - 2].low not in glue:
        start -= 2  # "tires after 2 sentences", "writes about 7 words per minute"
    elif (
        start
        and toks[start - 1].kind == "w"
        and toks[start - 1].low not in glue
        and not (start > 1 and toks[start - 2].low in glue | {"to", "his", "her", "their", "my"})
    ):
        start -= 1  # the verb before: "copies 6 words" (not the object in "brings spoon to mouth 3 of 10")
    counts = numbers.counts(reading)
    end = toks[reading.end - 1].end
    tail = text.find(counts, end) if counts else -1
    if counts and 0 <= tail - end <= 1:
        end = tail + len(counts)
    return Baseline(
        text=text[toks[start].start : end].strip(),
        value=reading.value,
        value_max=reading.value_max,
        unit=reading.unit,
        out_of=reading.out_of,
        counts=counts,
    )


def _flag_conflicts(found: list[Baseline]) -> list[Baseline]:
    """Two reports in the same unit of the same thing with different values are both kept and flagged.
    Reports are grouped by unit and by each content word of what they count, so the check is linear."""
    groups: dict[tuple, list[Baseline]] = {}
    for baseline in found:
        words = {w for w in fold(baseline.counts or "").split() if len(w) > 3} or {""}
        for word in words:
            groups.setdefault((baseline.unit, baseline.out_of, word), []).append(baseline)
    for group in groups.values():
        if len({b.value for b in group}) > 1:
            for baseline in group:
                baseline.conflict = True
    return found
