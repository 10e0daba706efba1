"""Read a request once into a Case: the student's name, grade and age, plan, routine, setting, skill, present
levels, support, communication, access, interests and team, each with the words it came from.

Every capability takes the Case; none re-reads the text. The reader tokenizes once and matches phrase
lexicons from assistant/data/ over the tokens, so it runs in time linear in the text.
"""

import re

from assistant.baselines import number_value, read_baselines
from assistant.lexicon import (
    Match,
    Token,
    case_words,
    common_words,
    fold,
    given_names,
    lexicon,
    routine_lexicon,
    routines,
    surnames,
    tokenize,
    vocabulary,
    word_set,
)
from assistant.schemas import SUPPORT_ORDER, Baseline, Case

_SENTENCE_END = frozenset(".!?;:\n•▪◦")
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "sr", "sra", "st", "mx", "prof"})
_AGE_CLOSERS = frozenset({",", ".", ")", ";", "!", "?"})
_SUBJECTS = frozenset({"she", "he", "they", "it", "she's", "he's"})
_VISUAL_THINGS = frozenset(
    {
        "card",
        "picture",
        "pictures",
        "chart",
        "schedule",
        "checklist",
        "board",
        "strip",
        "sign",
        "list",
        "timer",
        "photo",
        "icon",
        "visual",
    }
)
_CONTRACTION = re.compile(r"'(?:ve|m|ll|re|d)$|n't$")
_GLUE = frozenset({"and", "but", "so", "with", "this", "now", "grade", "in", "at", "who", "she", "he", "they"})
_PLACE_PREPOSITIONS = frozenset({"at", "during", "in", "on", "throughout", "while", "off", "onto", "into", "for"})
_TIME_MARKERS = frozenset({"before", "after", "since", "until", "till"})  # "after lunch": a time, not the routine
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "my", "our", "your", "this", "each", "every"})
_NAME_CANDIDATES = 300  # a name is weighed at its first mentions; later ones only count as mentions
_INTEREST_LEAD = frozenset({"to", "the", "a", "an", "his", "her", "their", "all"})
_TIME_WORDS = frozenset({"by", "in", "until", "since", "before", "after", "through", "next", "last", "this", "of"})


def _age_like(token: Token) -> bool:
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


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.claimed: set[int] = set()
        self.grade_starts: set[int] = set()  # character offsets of grade and age words
        self.interest_tokens: set[int] = set()
        self.device_tokens: set[int] = set()  # words of AAC and access devices, which name no routine
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
            if i >= 0 and toks[i].kind == "n" and _age_like(toks[i]):
                self.claimed.update(range(i, match.end))
                self.grade_starts.update(toks[k].start for k in range(i, match.end))
                self.note("age", i, match.end)
                return int(number_value(toks[i]))
        for name, closed in (("age_before", False), ("age_verbs", True)):
            for match in lexicon(name).find(toks):
                j = match.end + (1 if match.end < len(toks) and toks[match.end].text == ":" else 0)
                if j < len(toks) and toks[j].kind == "n" and _age_like(toks[j]):
                    if closed and not (self._nothing_counted(j + 1) and self._about_a_person(match.start)):
                        continue
                    self.claimed.update(range(match.start, j + 1))
                    self.note("age", match.start, j + 1)
                    return int(number_value(toks[j]))
        for j, token in enumerate(toks):  # "Kevin, 17, wants...", "Noor, 4.", "(junior, 16)", "senior 18 works"
            if token.kind != "n" or not 0 < j < len(toks) or not _age_like(token) or j in self.claimed:
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

    def support(self) -> str | None:
        """The most support the student needs now (DOMAIN.md's hierarchy); phrases in a goal clause, and
        independence under a negation, do not count; an adult doing the task for the student is full support."""
        found = [
            m
            for m in lexicon("support").find(self.tokens, self.claimed)
            if m.label != "_none"
            and not self._hoped_for(m.start)
            and not (m.label == "independent" and self._negated(m.start))
            and not (m.start and self.tokens[m.start - 1].kind == "n" and m.end - m.start == 2)  # "30 min a week"
        ]
        found += self._adult_help()
        if not found:
            return None
        best = min(found, key=lambda m: SUPPORT_ORDER.index(m.label))
        self.evidence["support"] = self.words(best.start, best.end)
        for match in found:
            if match.end - match.start <= 4:  # the phrase itself, not the clause of "...for him"
                self.claim(match)
        return best.label

    def _negated(self, i: int) -> bool:
        start = i
        while start > 0 and self.tokens[start - 1].text not in ".;!?," and i - start < 8:
            start -= 1
        return bool(lexicon("independence_negations").find(self.tokens[start:i]))

    def _adult_help(self) -> list[Match]:
        """What an adult does is the support the student gets: 'I did the button' (full physical), 'needs me
        to point to the board' (gestural), 'Ms. Hodges shows him each cut' (model). The adult must be the
        doer: right before the verb, or its object after 'needs' ('needs me to point')."""
        out = []
        roles = word_set("other_before")
        for match in lexicon("adult_actions").find(self.tokens):
            start = match.start
            while start > 0 and match.start - start < 5 and (
                self.tokens[start - 1].text not in ".;!?,:" or (start > 1 and self.tokens[start - 2].low in _TITLES)
            ):
                start -= 1  # back to the clause's start, reading past the period of "Ms."
            window = self.tokens[start : match.start]
            adults = lexicon("adult_subjects").find(window)
            doer = adults[-1].end if adults else next((k + 1 for k, t in enumerate(window) if t.low in _TITLES), None)
            if doer is None or self._hoped_for(match.start):
                continue
            between = window[doer:]
            if any(t.low in _SUBJECTS or t.low in ("not", "never", "don't", "doesn't", "didn't") for t in between):
                continue  # "Teacher reports she cuts": the student does it; "I don't do it for him": no help
            after = self.tokens[match.end : match.end + 5]
            if after and after[0].low in roles:
                continue  # "I told her mom": not a prompt to the student
            label = match.label
            if label == "model" and any(t.low in _VISUAL_THINGS for t in after):
                label = "visual"  # "I showed him the first-then card": a visual cue
            out.append(Match(label, match.start, match.end))
        return out

    def _hoped_for(self, i: int) -> bool:
        """A support phrase in a clause that states a goal ('we want him to do it independently')."""
        start = i
        while start > 0 and self.tokens[start - 1].text not in ".;!?•▪◦" and i - start < 8:
            start -= 1
        window = self.tokens[start:i]
        targets = lexicon("target_cues").find(window)
        froms = lexicon("from_cues").find(window)
        return bool(targets) and (not froms or froms[-1].start < targets[-1].start)

    def communication(self) -> str | None:
        found = [m for m in lexicon("communication").find(self.tokens, self.claimed) if not self._negated(m.start)]
        for match in found:
            self.note("communication", match.start, match.end)
            self.device_tokens.update(range(match.start, match.end))
            if match.label == "verbal":  # "is verbal" is no verbal prompting; AAC words also name access
                self.claim(match)
        labels = {m.label for m in found}
        return next((mode for mode in ("aac", "nonverbal", "verbal") if mode in labels), None)

    def access(self) -> list[str]:
        skip_after = case_words()["access_not_after"]
        out = []
        for match in lexicon("access").find(self.tokens, self.claimed):
            self.device_tokens.update(range(match.start, match.end))  # an access device names no routine
            nxt = self.tokens[match.end].low if match.end < len(self.tokens) else ""
            if nxt in skip_after.get(self.tokens[match.start].low, []):
                continue
            self.note("access", match.start, match.end)
            self.claim(match)
            out.append(match.label)
        if "power_wheelchair" in out:  # the specific mention names the chair a later "wheelchair" means
            out = [a for a in out if a != "manual_wheelchair"]
        return list(dict.fromkeys(out))

    def team(self) -> list[str]:
        found = []
        for match in self.labelled("team", "team"):
            before = self.tokens[match.start - 1] if match.start else None
            if match.label == "_none" or (match.label == "pt" and before is not None and before.kind == "n"):
                continue  # "4 pt rubric": points, not a physical therapist
            found.append(match.label)
        return list(dict.fromkeys(found))

    def routine(self, skip: set[int]) -> tuple[list[str], str | None]:
        """The routines named, strongest first: a phrase's weight, doubled when a preposition marks it as
        where the need happens ("at circle", "in the cafeteria"), half again in the clause that states the need.
        Words of an interest ("loves music") or of the OT's own task ("write a goal") do not count."""
        scores: dict[str, float] = {}
        first: dict[str, int] = {}
        need = self.need_span()
        home = self._home_clauses()
        for match in routine_lexicon().find(self.tokens, self.claimed | skip):
            if match.label == "_none":
                continue
            weight = match.weight * (2.0 if self._marked_place(match.start) else 1.0)
            weight *= 1.5 if need and need[0] <= match.start < need[1] else 1.0
            weight *= 0.5 if match.start and self.tokens[match.start - 1].low in _TIME_MARKERS else 1.0
            weight *= 0.25 if any(a <= match.start < b for a, b in home) else 1.0
            scores[match.label] = scores.get(match.label, 0.0) + weight
            if match.label not in first:
                first[match.label] = match.start
                self.evidence.setdefault(f"routine:{match.label}", self.words(match.start, match.end))
        ranked = sorted(scores, key=lambda r: (-scores[r], first[r]))
        if ranked:
            self.evidence["routine"] = self.evidence[f"routine:{ranked[0]}"]
        for key in [k for k in self.evidence if k.startswith("routine:")]:
            del self.evidence[key]
        places = self.labelled("settings", "setting")
        setting = places[0].label if places else (routines()[ranked[0]]["setting"] if ranked else None)
        return ranked, setting

    def _home_clauses(self) -> list[tuple[int, int]]:
        """Token spans of the clauses about home ('at home she can sit for homework'): no school routine there."""
        spans = []
        for match in lexicon("home_cues").find(self.tokens):
            start, end = match.start, match.end
            while start > 0 and self.tokens[start - 1].text not in ".;!?":
                start -= 1
            while end < len(self.tokens) and self.tokens[end].text not in ".;!?":
                end += 1
            spans.append((start, end))
        return spans

    def _marked_place(self, i: int) -> bool:
        """'at circle', 'during our writing block', 'in the cafeteria', 'in my Spanish class'."""
        for back in (1, 2, 3):
            if i - back < 0:
                return False
            token = self.tokens[i - back]
            if token.low in _PLACE_PREPOSITIONS:
                return True
            if token.low not in _DETERMINERS and not (back > 1 and token.kind == "w" and token.cap):
                return False
        return False

    def need_span(self) -> tuple[int, int] | None:
        """Token span of the clause that states the need, from the need cue to the clause's end."""
        cues = lexicon("need_cues").find(self.tokens)
        if not cues:
            return None
        cue = cues[0]
        end = cue.end
        while end < len(self.tokens) and self.tokens[end].text not in ".;!?" and end - cue.end < 14:
            end += 1
        return cue.start, end

    def interests(self) -> list[str]:
        stops = word_set("interest_stop") - {"and", "or"}
        cue_words = word_set("interest_before")
        out: list[str] = []
        for match in lexicon("interest_before").find(self.tokens):
            if match.start and self.tokens[match.start - 1].low in ("not", "doesn't", "don't", "never", "didn't"):
                continue
            item: list[Token] = []
            for token in self.tokens[match.end : match.end + 10]:
                if token.kind == "p" and token.text != ",":
                    break
                if token.low in cue_words:
                    break  # "..., and likes to draw": the next cue starts its own list
                if token.low in stops:
                    if token.low in _INTEREST_LEAD and not item:
                        continue  # "likes to draw", "loves the ocean", "is into his trains"
                    break
                if token.text == "," or token.low in ("and", "or"):
                    if item:
                        out.append(self.text[item[0].start : item[-1].end])
                    item = []
                    continue
                item.append(token)
            if item:
                out.append(self.text[item[0].start : item[-1].end])
            self.note("interests", match.start, min(len(self.tokens), match.end + 1))
            self.interest_tokens.update(range(match.start, match.end + 10))
        return list(dict.fromkeys(i for i in out if len(i) > 1))[:6]

    def skill(self) -> str | None:
        cues = lexicon("need_cues").find(self.tokens)
        if not cues:
            return None
        cue = next((c for c in cues if self.tokens[c.start].low == "goal"), cues[0])
        start = cue.end
        while start < len(self.tokens) and start in self.claimed:
            start += 1  # "needs hand-over-hand for scissors": the support is not the skill
        if start > cue.end and start < len(self.tokens) and self.tokens[start].low in ("for", "with", "to"):
            start += 1
        taken: list[Token] = []
        for token in self.tokens[start : start + 14]:
            if token.text in ".;!?,:(" or token.low in ("but", "because", "since", "although", "which"):
                break
            taken.append(token)
        if not taken:
            return None
        self.evidence["skill"] = self.words(cue.start, start + len(taken))
        return self.text[taken[0].start : taken[-1].end]

    def tools(self) -> list[str]:
        return list(dict.fromkeys(m.label for m in lexicon("tools").find(self.tokens)))

    def support_level(self) -> str | None:
        found = lexicon("variant_words").find(self.tokens)
        return found[0].label if found else None

    def pronoun(self) -> str | None:
        counts = {"he": 0, "she": 0, "they": 0}
        for token in self.tokens:
            for pronoun, forms in (("he", ("he", "him", "his", "he's")), ("she", ("she", "her", "hers", "she's"))):
                counts[pronoun] += token.low in forms
        if counts["he"] == counts["she"]:
            return None
        return "he" if counts["he"] > counts["she"] else "she"

    # --- the student's name --------------------------------------------------------------------------
    def student(self) -> str | None:
        """The student's first name: a given name (or an unknown capitalized word) raised by the cues around
        it ("my son Liam", "Jaylen - gr 4", "Sofia's teacher", "Will used...") and sunk by cues that make it
        someone else ("Ms. Ortiz", "his brother Eli", "Hi Ana", a signature)."""
        best: tuple[float, int, str] | None = None
        candidates = self._full_names([c for c in (self._candidate(i) for i in range(len(self.tokens))) if c])
        mentions: dict[str, int] = {}
        for _, _, bare, _ in candidates:
            mentions[fold(bare)] = mentions.get(fold(bare), 0) + 1
        for i, end, bare, base in candidates[:_NAME_CANDIDATES]:
            score = base + self._name_cues(i, end, base) + 0.5 * (mentions[fold(bare)] - 1)
            if score >= 2.0 and (best is None or score > best[0]):
                best = (score, i, bare)
        if best is None:
            return None
        self.claimed.add(best[1])
        self.evidence["student"] = self.words(max(0, best[1] - 2), min(len(self.tokens), best[1] + 3))
        return best[2]

    def _full_names(self, candidates: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
        """A capitalized word right after a name is its surname ("Summer Nguyen", "Stanley Joseph"): not a
        candidate of its own, and the cues after the full name belong to the given name. Two given names in a
        row, the second no common surname, are one double given name ("Ana Sofía", "Minh Khoa Tran")."""
        names = given_names()[0]
        out: list[tuple[int, int, str, float]] = []
        for cand in candidates:
            i = cand[0]
            if out and out[-1][1] == i and self.tokens[i].cap and self.tokens[i - 1].cap:
                gap = self.text[self.tokens[i - 1].end : self.tokens[i].start]
                if gap.strip() == "" and "\n" not in gap:
                    prev = out[-1]
                    low = fold(cand[2])
                    double = low in names and low not in surnames() and fold(prev[2]) in names and " " not in prev[2]
                    bare = self.text[self.tokens[prev[0]].start : self.tokens[i].end] if double else prev[2]
                    out[-1] = (prev[0], cand[1], bare, prev[3])
                    continue
            if out and i < out[-1][1]:
                continue  # the second half of a hyphenated name already taken
            out.append(cand)
        return out

    def _candidate(self, i: int) -> tuple[int, int, str, float] | None:
        """(index, index after it, the name as written, how name-like the word is on its own) or None."""
        token = self.tokens[i]
        if token.kind != "w" or i in self.claimed or i in self.interest_tokens:
            return None
        if not token.cap and not self.lower_text:
            return None  # a writer who capitalizes capitalizes names: "not for long" has no name in it
        names, word_names = given_names()
        bare = token.text[:-2] if token.low.endswith("'s") else token.text
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        end = i + 1
        if nxt is not None and nxt.kind == "w" and self.text[token.end : nxt.start] == "-" and token.cap:
            bare, end = self.text[token.start : nxt.end], i + 2  # Ji-woo, Mary-Kate
        low = fold(bare)
        if len(low) < 2 or low in word_set("not_names") or _CONTRACTION.search(low):
            return None  # "I've", "we'll": contractions are never names
        if nxt is not None and nxt.text == ":" and not (i and self.tokens[i - 1].text == ":"):
            return None  # "Rider: Kenji": a field label
        common = low in common_words()
        parts = [p for p in low.split("-") if p]
        if end > i + 1 and parts and parts[0] in names:
            low = parts[0]  # "Jean-Pierre" is as name-like as "Jean"
        if low in word_names:
            base = 1.0 if token.cap and not self.lower_text else 0.5 if self.lower_text or not common else 0.0
        elif low in names:
            base = 2.0 if token.cap or not common else 0.0
        else:
            ordinary = any(p in vocabulary() for p in parts)
            base = 0.5 if token.cap and not ordinary and not token.text.isupper() and len(low) > 2 else 0.0
        return (i, end, bare, base) if base > 0 else None

    def _name_cues(self, i: int, end: int, base: float) -> float:
        """Student cues before and after a name raise it; cues that make it someone else sink it."""
        toks = self.tokens
        token = toks[end - 1]
        possessive = token.text.endswith(("'s", "’s"))
        before = self._before(i)
        after = toks[end : end + 4]
        roles = word_set("other_before")
        if possessive and any(t.low in roles for t in after[:4]):
            return 3.0  # "Camila's mom", "Yusuf's 5th grade teacher": the one whose mom or teacher it is
        if self._ends_with(lexicon("other_before"), before) or self._signature(i) or self._other_after(end, possessive):
            return -10.0
        if token.low in self._month_words() and before and before[-1].low in _TIME_WORDS:
            return -10.0  # "by June"
        if after and after[0].cap and lexicon("school_nouns").find(after[:1]) and self._spaced(end - 1, end):
            return -10.0  # "Westview HS", "Lincoln High": a school
        strong = 0.0
        labelled = self._before(i, past_colon=True)
        if self._ends_with(lexicon("student_before"), labelled) or (before and self._is_grade(before[-1])):
            strong += 2.0  # "my son Liam", "for Jaylen", "7th, Omar", "preschool, Sky"
        if self._grade_follows(end):
            strong += 2.0
        subject = self._subject_follows(end)
        score = strong + (1.5 if possessive or subject else 0.0)
        if base < 1.0 and not (strong or subject or possessive):
            return -1.0  # an unknown capitalized word is a name only with a cue around it
        prev = self.tokens[i - 1] if i else None
        if base < 1.0 and prev is not None and prev.cap and prev.low in vocabulary() and self._spaced(i - 1, i):
            return -1.0  # "Sensory Profile": a title-case phrase, not a name
        if after and after[0].kind == "n" and not self._grade_follows(end):
            score -= 3.0  # "Room 4", "Tier 2": a label
        if base < 2.0 and self.sentence_start(i) and not subject and not strong:
            score -= 1.0  # a capital at a sentence start says little about a word that is not only a name
        return score

    def _spaced(self, a: int, b: int) -> bool:
        """Only spaces (no punctuation, no line break) between tokens a and b."""
        gap = self.text[self.tokens[a].end : self.tokens[b].start]
        return bool(gap) and gap.strip() == "" and "\n" not in gap

    def _before(self, i: int, past_colon: bool = False) -> list[Token]:
        """Up to three tokens before i, reading past a comma, a parenthesis and the period of a title ('Mrs.
        Brooks'); past a colon only when asked ('Student: Sage', but not 'aide: Jose used...')."""
        out: list[Token] = []
        j = i - 1
        skip = ",(:" if past_colon else ",("
        while j >= 0 and len(out) < 3:
            token = self.tokens[j]
            if token.text in skip or (token.text == "." and j and self.tokens[j - 1].low in _TITLES):
                j -= 1
                continue
            if token.text in ".!?;:\n":
                break
            out.insert(0, token)
            j -= 1
        return out

    @staticmethod
    def _ends_with(lex, window: list[Token]) -> bool:
        found = lex.find(window)
        return bool(found) and found[-1].end == len(window)

    def _other_after(self, i: int, possessive: bool) -> bool:
        if possessive:
            return False
        toks = self.tokens
        found = lexicon("other_after").find(toks[i : i + 4])
        return bool(found) and found[0].start <= 1

    def _grade_follows(self, j: int) -> bool:
        """A grade, an age or a school level right after a name ('Jaylen - gr 4', 'Minh 10th', 'Kai (7)')."""
        toks = self.tokens
        if j + 1 < len(toks) and len(toks[j].text) == 1 and toks[j].text.isupper() and toks[j + 1].text == ".":
            j += 2  # "Sage O. (2nd grader)": past the initial
        start = j
        while j < len(toks) and (toks[j].text in ",(-:" or (toks[j].low in ("a", "an") and toks[j - 1].text == ",")):
            j += 1  # "Summer, a kindergartner"
        if j >= len(toks):
            return False
        if j < len(toks) - 1 and toks[j].low in ("is", "was", "'s") and toks[j + 1].low == "in":
            j += 2  # "Liam is in 2nd grade", "hope is in grade two"
        elif j < len(toks) and toks[j].low == "in":
            j += 1  # "hope in 7th grade", "Harmony in my gr 1", "Sage in Mr. Brown's 3rd grade class"
            while j < min(len(toks), start + 6) and (toks[j].low in _DETERMINERS or toks[j].cap or toks[j].text == "."):
                j += 1
        elif j < len(toks) and toks[j].low in ("is", "was"):
            j += 1  # "Will is a 3rd grader" reads on through "a"
            j += 1 if j < len(toks) and toks[j].low in ("a", "an") else 0
        if j >= len(toks):
            return False
        token = toks[j]
        if token.kind == "n":
            closing = j + 1 < len(toks) and toks[j + 1].text == ")" and _age_like(token)
            ordinal = j + 1 < len(toks) and toks[j + 1].low in ("st", "nd", "rd", "th", "yo", "y", "years", "yrs")
            return closing or ordinal
        if token.low in word_set("grade_nouns") | {"age", "aged"} or token.low in case_words()["year_grades"]:
            return True
        window = toks[j : j + 3]
        return any(m.start == 0 for name in ("grade_words", "band_words") for m in lexicon(name).find(window))

    def _subject_follows(self, j: int) -> bool:
        """A verb or a student cue right after the name: 'Marcus has', 'Will used', 'Omar bumps'."""
        toks = self.tokens
        if j >= len(toks):
            return False
        found = lexicon("student_after").find(toks[j : j + 3])
        if found and found[0].start == 0:
            return True
        word = toks[j]
        return word.kind == "w" and not word.cap and len(word.low) > 3 and word.low.endswith(("s", "ed"))

    @staticmethod
    def _month_words() -> frozenset[str]:
        return frozenset(fold(m) for m in case_words()["not_names"]["months"]) | {"may", "june", "april", "august"}

    def _signature(self, i: int) -> bool:
        """A name alone on the last line, after a dash, or after a sign-off near the end signs the message."""
        rest = self.text[self.tokens[i].end :].strip(" .,!\n-—()")
        on_last_line = "\n" in self.text[: self.tokens[i].start][-3:] and len(rest) < 40
        dashed = i > 0 and self.tokens[i - 1].text in ("-", "—", "–") and len(rest) < 60
        signed = len(rest) < 60 and bool(lexicon("sign_offs").find(self.tokens[max(0, i - 5) : i]))
        return on_last_line or dashed or signed


def read_case(text: str) -> Case:
    """Every fact the request states, with its words; nothing is guessed."""
    reader = _Reader(text)
    grade, age, band = reader.grade_and_age()
    plan = reader.plan()
    communication = reader.communication()
    support = reader.support()
    access = reader.access()
    if communication == "aac" and "aac" not in access:
        access.insert(0, "aac")
    team = reader.team()
    interests = reader.interests()
    student = reader.student()
    baselines = read_baselines(text, reader.tokens, reader.claimed)
    ranked, setting = reader.routine(reader.interest_tokens | reader.device_tokens)
    themes = list(dict.fromkeys(m.label for m in lexicon("themes").find(tokenize(" , ".join(interests)))))
    disagreeing = [b for b in baselines if b.conflict][:6]
    conflicts = ["Reports disagree: " + " / ".join(b.text for b in disagreeing)] if disagreeing else []
    return Case(
        request=" ".join(text.split()),
        student=student,
        grade=grade,
        age=age,
        grade_band=band,
        plan=plan,
        routine=ranked[0] if ranked else None,
        routines=ranked,
        setting=setting,
        skill=reader.skill(),
        baselines=baselines,
        support=support,
        communication=communication,
        access=access,
        interests=interests,
        themes=themes,
        team=team,
        tools=reader.tools(),
        support_level=reader.support_level(),
        pronoun=reader.pronoun(),
        evidence=reader.evidence,
        conflicts=conflicts,
    )


def routine_label(routine: str | None) -> str | None:
    """'lunch' -> 'lunch', 'job_site' -> 'the job site' (routines.yaml labels)."""
    return routines()[routine]["label"] if routine in routines() and routine != "not_routine" else None


def case_questions(case: Case) -> list[str]:
    """Plain questions for the facts the request did not give (a goal needs each of them)."""
    who = case.name if case.student else "the student"
    subject = case.pronoun if case.pronoun in ("he", "she") else who
    their = {"he": "his", "she": "her"}.get(case.pronoun or "", "their")
    questions = []
    if case.student is None:
        questions.append("What is the student's first name?")
    if case.grade_band is None:
        questions.append(f"What grade is {who} in (or how old)?")
    if case.routine is None:
        questions.append("When or where at school does this happen (lunch, writing time, the hallway...)?")
    if not case.baselines:
        questions.append(f"What does {subject} do now, in numbers (for example 2 of 5 trials, 40%, 3 minutes)?")
    if case.support is None:
        questions.append(f"How much help does {subject} need now (on {their} own, reminders, a model, hand-over-hand)?")
    return questions


CORRECTABLE = ("student", "grade", "routine", "baseline", "support", "communication")


def corrected_case(case: Case, corrections: dict) -> Case:
    """The Case with the OT's corrections (blank fields leave a fact as read; 'none' clears it). A corrected
    baseline is read from its own words, so its unit is the one the OT wrote."""
    update: dict = {}
    for field in CORRECTABLE:
        value = corrections.get(field)
        if not isinstance(value, str) or not value.strip():
            continue
        value = " ".join(value.split())[:300]
        cleared = value.lower() == "none"
        evidence = {**case.evidence, **update.get("evidence", {}), field: "corrected by the OT"}
        update["evidence"] = evidence
        if field == "baseline":
            levels = [] if cleared else read_baselines(value, tokenize(value), set())
            update["baselines"] = levels or ([] if cleared else [Baseline(text=value)])
        elif field == "grade":
            grade = None if cleared else value.lower() if value.lower() in _GRADES else None
            update.update(grade=grade, grade_band=grade_band(grade, case.age) if grade else case.grade_band)
        elif field == "routine":
            update["routine"] = None if cleared or value not in routines() else value
        else:
            update[field] = None if cleared else value
    fixed = case.model_copy(update=update)
    return Case.model_validate(fixed.model_dump())  # validates the corrected values against the contract


_GRADES = ("prek", "k", *(str(n) for n in range(1, 13)), "18-21")
