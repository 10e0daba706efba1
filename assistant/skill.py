"""The skill a request asks for, as the behavior of a goal: a verb phrase in its base form, in the OT's words.

Principles (word lists in assistant/data/case_words.yaml):
1. The skill follows a word that states an aim ("want her to", "goal for", "work on") or a word that says
   what the student cannot do yet ("can't", "has trouble with", "refuses to"): what cannot be done now
   is what the goal teaches, so "won't touch sand" asks for touching sand.
2. A phrase states a skill only when it starts with a verb of a school task ("open", "buttoning"); its
   -ing and -s forms are read as the base verb the vocabulary holds ("getting" -> "get", "tying" -> "tie",
   "copies" -> "copy"). A phrase of nouns ("a switch goal", "letter sizing") names the area, not the
   behavior.
3. The phrase runs to the end of its clause: punctuation, a conjunction or a new subject ends it, and words
   that say how well or how often now ("yet", "at all", "independently") are not part of it.
4. Among the phrases, an aim beats a difficulty, and both beat a phrase led by a verb that says little
   ("do a cross", "get through"); ties go to the first. A phrase whose object points back
   ("put them back on", "use it") says nothing on its own and is not the skill.
One pass over the cues, each reading at most a fixed number of tokens: linear in the request.
"""

import re
from dataclasses import dataclass
from functools import cache

from assistant.lexicon import Lexicon, Match, Token, case_words, fold, given_names, lexicon, word_set
from assistant.vocab import OBSERVABLE_VERBS

_WINDOW = 16  # tokens a skill phrase may run
GOAL_WORDS = frozenset({"goal", "goals", "objective", "objectives", "iep", "benchmark", "benchmarks"})
_END = frozenset('.;!?:()[]\n"“”')


@dataclass(frozen=True)
class Skill:
    behavior: str  # "open the thermos at lunch": base verb first
    start: int  # token span in the request
    end: int
    strength: int  # 3 an aim, 2 a difficulty, 1 a phrase led by a weak verb ("do", "get")
    points_back: bool


@cache
def _verbs() -> frozenset[str]:
    return frozenset(fold(str(v)) for v in case_words()["task_verbs"]) | OBSERVABLE_VERBS


@cache
def _cues() -> Lexicon:
    words = case_words()
    return Lexicon({"aim": words["skill_aims"], "trouble": words["skill_troubles"]})


def base_verb(word: str, third_person: bool = False) -> str | None:
    """The base form of a task verb written as itself or its -ing form (and its -s form when asked: after a
    cue, "buttons" is a noun); None for any other word."""
    verbs = _verbs()
    if word in verbs:
        return word
    candidates: list[str] = []
    if word.endswith("ying") and len(word) >= 5:
        candidates += [word[:-4] + "ie", word[:-3]]  # tying -> tie, copying -> copy
    if word.endswith("ing") and len(word) > 4:
        stem = word[:-3]
        candidates += [stem, stem + "e"]
        if len(stem) > 2 and stem[-1] == stem[-2]:
            candidates.append(stem[:-1])  # getting -> get
    if not third_person:
        return next((c for c in candidates if c in verbs), None)
    if word.endswith("ies") and len(word) > 4:
        candidates.append(word[:-3] + "y")  # copies -> copy
    if word.endswith("es") and len(word) > 3:
        candidates.append(word[:-2])  # washes -> wash
    if word.endswith("s") and len(word) > 2:
        candidates.append(word[:-1])
    return next((c for c in candidates if c in verbs), None)


def _phrase(r, start: int, stops: Lexicon) -> tuple[int, int] | None:
    """The token span of the phrase from start to the end of its clause, lead and tail words dropped."""
    tokens = r.tokens
    i = start
    while i < len(tokens) and i < start + 4:
        lead = _leads().find(tokens[i : i + 3])
        if lead and lead[0].start == 0:
            i += lead[0].end
            continue
        break
    end = i
    while end < len(tokens) and end < i + _WINDOW:
        token = tokens[end]
        if token.text in _END or (token.text == "," and end > i):
            break
        if (
            end > i
            and token.low in ("in", "on", "for", "within", "at")
            and end + 1 < len(tokens)
            and (tokens[end + 1].kind == "n" or tokens[end + 1].low in ("about", "only", "around"))
        ):
            break  # "imitate a circle in 0 of 4 trials": the measure is the baseline's, not the skill's
        if end > i and token.low == "for" and end + 1 < len(tokens) and tokens[end + 1].low in given_names()[0]:
            break  # "tying shoes for Ren": who the skill is for, not part of it
        if end > i and _dash_before(r, end):
            break  # "go back and edit - 0 of 3 assignments": a spaced dash starts another thought
        if end > i and tokens[end - 1].low in ("and", "but") and _adult_next(tokens, end):
            end -= 1  # "hold the pencil good and the teacher say": the adult's clause starts
            break
        if end > i and tokens[end - 1].low in ("and", "or") and _new_clause(token.low):
            end -= 1  # "and mixes up letters": a new verb of the student's, not part of the skill
            break
        if end > i:
            stop = stops.find(tokens[end : end + 3])
            if stop and stop[0].start == 0:
                break
        end += 1
    # tail words ("yet", "at all", "independently") are dropped from the end, longest first
    while end > i:
        tail = _tails().find(tokens[max(i, end - 3) : end])
        tail = [m for m in tail if max(i, end - 3) + m.end == end]
        if not tail:
            break
        end = max(i, end - 3) + min(m.start for m in tail)
    return (i, end) if end > i else None


def _adult_next(tokens, i: int) -> bool:
    """An adult is the subject at token i ("the teacher", "his para", "mom")."""
    adults = word_set("adult_subjects") | word_set("team")
    j = i + 1 if tokens[i].low in ("the", "his", "her", "their", "my", "our") and i + 1 < len(tokens) else i
    return tokens[j].low in adults


def _new_clause(word: str) -> bool:
    """A verb in its -s form after "and": the student's next clause ("and cries")."""
    if not word.endswith("s") or word.endswith("ss"):
        return False
    stems = {word[:-1], word[:-2], word[:-3] + "y" if word.endswith("ies") else word[:-1]}
    return word in _student_verbs() or bool(stems & _student_verbs())


def _dash_before(r, i: int) -> bool:
    gap = r.text[r.tokens[i - 1].end : r.tokens[i].start]
    return any(d in gap for d in "-–—") and gap != gap.strip()


@cache
def _leads() -> Lexicon:
    return Lexicon({"lead": case_words()["skill_lead_drops"]})


@cache
def _tails() -> Lexicon:
    return Lexicon({"tail": case_words()["skill_tail_drops"]})


def student_verbs() -> frozenset[str]:
    return _student_verbs()


@cache
def _student_verbs() -> frozenset[str]:
    """Verbs a new clause of the student's may start with after "and" ("and cries", "and mixes up")."""
    from assistant.case_goal import words

    return _verbs() | {fold(str(w)) for w in words()["problem_words"]}


def skills(r) -> list[Skill]:
    """Every skill phrase the request states, best first (principle 4)."""
    stops = lexicon("skill_stops")
    pointers = {tuple(t.low for t in _tokens(p)) for p in case_words()["skill_pointers"]}
    found: list[tuple[tuple, Skill]] = []
    for order, cue in enumerate([*_cues().find(r.tokens), *_own_goal_cues(r), *_opening_cue(r)]):
        if cue.end < len(r.tokens) and _adult_next(r.tokens, cue.end):
            continue  # "should I write it for straight lines", "would you send": the OT's or an adult's act
        if cue.end - cue.start == 1 and cue.start and r.tokens[cue.start - 1].low in word_set("determiners"):
            continue  # "hits her target button": a one-word cue after a possessive is a noun
        span = _phrase(r, _past_the_student(r, cue.end), stops)
        if span is None:
            continue
        start, end = span
        verb = base_verb(r.tokens[start].low)
        if verb is None or (r.tokens[start].cap and not r.sentence_start(start) and start != cue.end):
            continue
        words = [t.low for t in r.tokens[start + 1 : end]]
        if set(words[:3]) & GOAL_WORDS:
            continue  # "write a goal for a 2nd grader", "draft an IEP objective": the OT's task, not the student's
        if verb in case_words()["skill_meta_verbs"] and (not words or words[0] in case_words()["skill_meta_after"]):
            continue  # "a goal that doesn't read like a PT goal", "she won't find embarrassing": about the goal
        back = any(tuple(words[k : k + len(p)]) in pointers for p in pointers for k in range(len(words)))
        behavior = _behavior(r, start, end, verb)
        strength = 1 if verb in case_words()["skill_weak_verbs"] else {"own": 4, "aim": 3}.get(cue.label, 2)
        found.append(((back, -strength, order), Skill(behavior, start, end, strength, back)))
    found.sort(key=lambda pair: pair[0])
    return [s for _, s in found]


def _own_goal_cues(r) -> list[Match]:
    """ "Ximena will propel her wheelchair": the request's own goal sentence, the student (a name or a pronoun,
    not an adult: "the teacher will") before "will"."""
    adults = word_set("adult_subjects") | word_set("team")
    out = []
    for i in r.tokens.index()[0].get("will", []):
        if i == 0 or i + 1 >= len(r.tokens):
            continue
        before = r.tokens[i - 1]
        student = before.low in ("he", "she", "they") or (before.kind == "w" and before.cap and before.low != "will")
        if student and before.low not in adults:
            out.append(Match("own", i, i + 1))
    for contracted in ("he'll", "she'll", "they'll"):  # "so it says he'll stop chewing his shirt"
        out += [Match("own", i, i + 1) for i in r.tokens.index()[0].get(contracted, [])]
    return out


def _opening_cue(r) -> list[Match]:
    """ "Tying shoes for Ren (3rd gr)...": a request that opens with a task verb's -ing form opens with the
    need, as a subject line does."""
    first = r.tokens[0] if len(r.tokens) else None
    if first is None or not first.low.endswith("ing") or base_verb(first.low) is None:
        return []
    return [Match("opening", 0, 0)]


def _past_the_student(r, i: int) -> int:
    """Where the skill starts after a cue: past the student's name and grade ("goal for maya (5th) packing up"),
    when a verb follows within a few tokens; else at the cue's end."""
    skip = word_set("skill_skip_after_cue") | word_set("skill_topic_not") | {"a", "an", "the", "to", "named"}
    names = given_names()[0]
    depth = counted = 0
    for j in range(i, min(len(r.tokens), i + 24)):
        token = r.tokens[j]
        depth += (token.text == "(") - (token.text == ")")
        if depth > 0 or token.text == ")":
            continue  # "(14, SMA type 2)": what the parentheses say about the student
        counted += 1
        if counted > 8:
            break
        if base_verb(token.low) and j > i:
            return j
        named = token.cap or token.low in names or token.low in skip or token.kind == "n" or token.text in ","
        if not named or token.text in ".;!?:\n":
            break
    return i


def _behavior(r, start: int, end: int, verb: str) -> str:
    """The skill as a verb phrase; a verb joined to the first one takes its base form too ("buckling and
    unbuckling" -> "buckle and unbuckle")."""
    pieces = [verb]
    at = r.tokens[start].end
    for k in range(start + 1, end):
        token = r.tokens[k]
        joined = r.tokens[k - 1].low in ("and", "or") and token.low.endswith("ing") and token.low != r.tokens[start].low
        base = base_verb(token.low) if joined and r.tokens[start].low.endswith("ing") else None
        if base:
            pieces += [r.text[at : token.start], base]
            at = token.end
    pieces.append(r.text[at : r.tokens[end - 1].end] if end - start > 1 else "")
    return "".join(pieces).strip()


def _tokens(phrase: str) -> list[Token]:
    from assistant.lexicon import tokenize

    return tokenize(str(phrase))


def skill(r) -> str | None:
    """The best skill phrase (principle 4), noted as evidence, or None when the request states none."""
    found = [s for s in skills(r) if not s.points_back]
    if not found:
        return None
    best = found[0]
    r.note("skill", best.start, best.end)
    return best.behavior


def gerund(phrase: str) -> str:
    """A verb phrase with its first verb in the -ing form ("chew on his collar" -> "chewing on his collar")."""
    verb, _, rest = phrase.partition(" ")
    if verb.endswith("ie"):
        done = verb[:-2] + "ying"
    elif verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        done = verb[:-1] + "ing"
    elif re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", verb) or verb in word_set("stressed_last_verbs"):
        done = verb + verb[-1] + "ing"  # run -> running, hit -> hitting, omit -> omitting
    else:
        done = verb + "ing"
    return f"{done} {rest}".strip()


def topic(r) -> str | None:
    """The area a request names for its goal when it states no behavior: the words before "goal" and the
    phrase after "goal for" ("a sharing/play goal"; "goal for legible letter formation"), at most 8 words
    each side; the student's name and grade after "for" are no part of it."""
    stops = lexicon("skill_stops")
    skip = word_set("skill_topic_skip")
    for i in sorted(r.tokens.index()[0].get("goal", []) + r.tokens.index()[0].get("goals", [])):
        start = i
        while start > 0 and i - start < 4:
            before = r.tokens[start - 1]
            if before.text in "/+&" or (before.kind == "w" and before.low not in skip):
                start -= 1
                continue
            break
        end = i + 1
        if end + 1 < len(r.tokens) and r.tokens[end].low in ("requested", "is", "ideas", "area"):
            end += 1  # "goal requested for visual attention"
        if end < len(r.tokens) and r.tokens[end].low in (
            "for",
            "on",
            "about",
            "around",
            "targeting",
            "with",
            "using",
            ":",
        ):
            end_cue = end
            begin = _past_the_student(r, end + 1)
            span = _phrase(r, begin, stops)
            pointers = {fold(str(p)) for p in case_words()["skill_pointers"]}
            meta = set(case_words()["skill_meta_verbs"])
            if (
                span
                and not _only_the_student(r, span)
                and r.tokens[span[0]].low not in pointers
                and not any(t.low in meta for t in r.tokens[span[0] : span[1]])
            ):
                end = min(span[1], span[0] + 8)
                if r.tokens[end_cue].text == ":":
                    start = end_cue + 1  # "Goal requested: safe body in line": the area is what the label names
        names = given_names()[0]
        while (
            end - start > 2
            and r.tokens[end - 2].low == "for"
            and (r.tokens[end - 1].cap or r.tokens[end - 1].low in names)
        ):
            end -= 2  # "goal for improving grip strength for Olivia": the student is no part of the area
        if end - start > 1:
            return r.text[r.tokens[start].start : r.tokens[end - 1].end]
    return None


def _only_the_student(r, span: tuple[int, int]) -> bool:
    """The words after "goal for" name the student or the meeting, not an area ("a high schooler", "her IEP
    meeting next week")."""
    skip = word_set("skill_skip_after_cue") | word_set("skill_topic_not")
    names = given_names()[0]
    tokens = r.tokens[span[0] : span[1]]
    if any(t.low in word_set("skill_topic_not") for t in tokens):
        return True
    return all(t.cap or t.low in names or t.low in skip or t.kind != "w" for t in tokens)
