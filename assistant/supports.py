"""The support the student needs now (DOMAIN.md's prompt hierarchy), communication, access and team."""

from bisect import bisect_left

from assistant.lexicon import (
    Match,
    case_words,
    fold,
    lexicon,
    word_set,
)
from assistant.reader import TITLES, Reader
from assistant.schemas import SUPPORT_ORDER

_DESCRIBING = frozenset(
    {
        "hard",
        "easy",
        "difficult",
        "tough",
        "fun",
        "good",
        "bad",
        "great",
        "better",
        "worse",
        "harder",
        "easier",
        "important",
        "helpful",
        "scary",
        "frustrating",
        "boring",
        "tiring",
        "stressful",
        "possible",
        "impossible",
    }
)
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


def support(r: Reader) -> str | None:
    """The most support the student needs now (DOMAIN.md's hierarchy); phrases in a goal clause, and
    independence under a negation, do not count; an adult doing the task for the student is full support."""
    found = [
        m
        for m in lexicon("support").find(r.tokens, r.claimed)
        if m.label != "_none"
        and not _hoped_for(r, m.start)
        and not (m.label == "independent" and _negated(r, m.start))
        and not r._preceded_by(m.start, "support_negations", 3)  # "no more HOH", "without pushing her"
        and not (m.start and r.tokens[m.start - 1].kind == "n" and r.tokens[m.start].low in _NUMBER_UNITS)  # "30 min a"
        and not _unused(r, m.end)
    ]
    found += [m for m in _adult_help(r) + _done_for(r) + _body_help(r) if m.start not in r.quoted]  # not "'I did it!'"
    if not found:
        return None
    best = min(found, key=lambda m: SUPPORT_ORDER.index(m.label))
    r.evidence["support"] = r.words(best.start, best.end)
    for match in found:
        if match.end - match.start <= 4:  # the phrase itself, not the clause of "...for him"
            r.claim(match)
    return best.label


def _unused(r: Reader, end: int) -> bool:
    """'has a visual checklist but doesn't look at it': a support named, then not used, later in its sentence."""
    stop = end
    while stop < len(r.tokens) and r.tokens[stop].text not in ".;!?•▪◦" and stop - end < 12:
        stop += 1
    return bool(_cues_within(r, "support_unused", end, stop))


def _negated(r: Reader, i: int) -> bool:
    """A negation earlier in the phrase's own clause ("but" starts a new one: "doesn't talk much but is verbal")."""
    start = i
    while start > 0 and r.tokens[start - 1].text not in ".;!?," and r.tokens[start - 1].low != "but" and i - start < 8:
        start -= 1
    return bool(lexicon("independence_negations").find(r.tokens[start:i]))


def _adult_help(r: Reader) -> list[Match]:
    """What an adult does is the support the student gets: 'I did the button' (full physical), 'needs me
    to point to the board' (gestural), 'Ms. Hodges shows him each cut' (model). The adult must be the
    doer: right before the verb, or its object after 'needs' ('needs me to point')."""
    out = []
    roles = word_set("other_before")
    for match in lexicon("adult_actions").find(r.tokens):
        if match.start in r.quoted:
            continue  # "He said 'I did it!'": the student's words, not an adult's help
        start = _clause_back(r, match.start, 8)
        window = r.tokens[start : match.start]
        adults = lexicon("adult_subjects").find(window)
        doer = adults[-1].end if adults else next((k + 1 for k, t in enumerate(window) if t.low in TITLES), None)
        if doer is None or _hoped_for(r, match.start):
            continue
        between = window[doer:]
        if _student_acts(between, r) or (match.start and r.tokens[match.start - 1].low in _PASSIVE):
            continue  # "Teacher reports she cuts": the student does it; "I don't do it for him": no help
        after = r.tokens[match.end : match.end + 5]
        if after and after[0].low in roles:
            continue  # "I told her mom": not a prompt to the student
        if len(after) > 1 and after[0].low in ("his", "her", "their") and after[1].low in word_set("body_parts"):
            continue  # "the aide lifts her elbow": a hand on the body, read by _body_help
        if match.start and r.tokens[match.start - 1].low in _STUDENT_OBJECTS:
            continue  # "I help him zip", "I watch her tie": the student does it
        if r._preceded_by(match.start, "support_negations", 3):
            continue  # "without pushing her too hard"
        label = _finished_by_student(r, match, match.label)
        if label == "model" and any(t.low in _VISUAL_THINGS for t in after):
            label = "visual"  # "I showed him the first-then card": a visual cue
        out.append(Match(label, match.start, match.end))
    return out


def _clause_back(r: Reader, i: int, most: int) -> int:
    """Where the clause holding token i starts, at most `most` tokens back, reading past the period of "Ms."."""
    start = i
    while (
        start > 0
        and i - start < most
        and (r.tokens[start - 1].text not in ".;!?,:" or (start > 1 and r.tokens[start - 2].low in TITLES))
    ):
        start -= 1
    return start


def _body_help(r: Reader) -> list[Match]:
    """An adult's hands on the student's body are physical help, whatever the verb: "the para brings her head
    back to midline", "I stand behind her and move her arms" (partial). An adult holding or moving the hand
    that does the task ("I wrap her hand around it", "with me moving her hand", "my hand over hers") does the
    task with it: full physical help, unless the verb only guides ("I guide her hand")."""
    parts = word_set("body_parts")
    owners = {"his", "her", "their", "hers", "theirs"}
    out = []
    for i, token in enumerate(r.tokens):
        if token.low not in parts or i in r.quoted or _hoped_for(r, i):
            continue
        prev, nxt = r.tokens[i - 1].low if i else "", r.tokens[i + 1 : i + 3]
        over = len(nxt) == 2 and nxt[0].low in ("over", "on", "under") and nxt[1].low in owners
        if prev in ("my", "our") and over:
            out.append(Match("full_physical", i - 1, i + 3))  # "with my hand over hers on the cup"
            continue
        if prev not in owners:
            continue
        start = _clause_back(r, i - 1, 10)
        window = r.tokens[start : i - 1]
        adults = lexicon("adult_subjects").find(window)
        doer = adults[-1].end if adults else next((k + 1 for k, t in enumerate(window) if t.low in TITLES), None)
        between = window[doer:] if doer is not None else []
        causes = any(
            t.low in _STUDENT_OBJECTS and k + 1 < len(between) and between[k + 1].low not in _JOINS
            for k, t in enumerate(between)
        )
        if not between or _student_acts(between, r) or causes:
            continue  # "she lifts her head", "I had him use his finger": the student moves
        if any(t.low in word_set("body_care_verbs") for t in between):
            continue  # "the nurse has been icing his wrist": care for the body, not help with a task
        if r._preceded_by(i - 1, "support_negations", 4):
            continue
        moved = any(base in word_set("guiding_verbs") for base in (t.low for t in between))
        near = {t.low for t in r.tokens[start : i + 8]}
        leads = bool(near & word_set("leading_words"))  # "holds his hand down the steps": leading, not doing
        whole = token.low in word_set("working_hand") and not moved and not leads
        out.append(Match("full_physical" if whole else "partial_physical", start + doer, i + 1))
    return out


def _done_for(r: Reader) -> list[Match]:
    """An adult with any verb doing it 'for him': 'I end up putting everything in his bag for him'. The word before
    'for' must not describe the task ('it's so hard for her' is no help given)."""
    out = []
    for match in lexicon("for_student").find(r.tokens):
        start = match.start
        while start > 0 and r.tokens[start - 1].text not in ".;!?,:" and match.start - start < 10:
            start -= 1
        window = r.tokens[start : match.start]
        adults = lexicon("adult_subjects").find(window)
        if _done_passive(window):
            out.append(Match("full_physical", match.start, match.end))  # "needs her thermos opened for her"
            continue
        if not adults or match.start - (start + adults[-1].end) < 1 or window[-1].low in _DESCRIBING:
            continue
        if lexicon("adult_actions").find(window):
            continue  # "I start the tear for him": the action itself says how much help
        between = window[adults[-1].end :]
        if _student_acts(between, r) or len(between) < 2:
            continue  # "I worry for her", "advocate for her": no task object, so nothing is done in her place
        if not _hoped_for(r, match.start):
            out.append(Match(_finished_by_student(r, match, "full_physical"), match.start, match.end))
    return out


_NUMBER_UNITS = frozenset({"min", "max", "mod", "mins"})  # after a number: minutes or a maximum, not an assist level
_PASSIVE = frozenset({"be", "been", "being", "get"})  # "they have to be tied for gym": nobody's help
_STUDENT_OBJECTS = frozenset({"him", "her", "them"})
_JOINS = frozenset({"and", "or", "then", "so", "while", "but"})
_NOT = frozenset({"not", "never", "don't", "doesn't", "didn't", "dont", "doesnt", "didnt"})


def _student_acts(between: list, r: Reader | None = None) -> bool:
    """Whether the words between an adult and an action make someone else the doer or deny the help: a subject
    pronoun ("Teacher reports she cuts", "I know it takes time for him") or a negation ("I don't do it")."""
    for k, token in enumerate(between):
        if token.low in _NOT or token.low in ("she", "he", "they", "she's", "he's"):
            return True
        named = token.kind == "w" and token.cap and token.low != "i" and not (k and between[k - 1].low in TITLES)
        gap = r.text[between[k - 1].end : token.start] if (r is not None and k) else ""
        if named and (any(c in gap for c in "-–:(") or (k and between[k - 1].text in "(:")):
            return True  # "Para note Fri - Sunny (gr 1) did the whole routine": the student named is the doer
        nxt = between[k + 1].low if k + 1 < len(between) else ""
        if token.low in ("it", "it's") and (token.low == "it's" or nxt in ("is", "was") or nxt.endswith("s")):
            return True  # "it takes", "it is": "it" as a subject; "typing it for her": an object
    return False


def _finished_by_student(r: Reader, match: Match, label: str) -> str:
    """An adult doing part and the student the rest is partial help: "I start the zipper and then he pulls it up
    the rest of the way"."""
    if label != "full_physical":
        return label
    end = match.end
    while end < len(r.tokens) and end - match.end < 16 and r.tokens[end].text not in ".;!?":
        end += 1
    return "partial_physical" if lexicon("student_finishes").find(r.tokens[match.end : end]) else label


def _done_passive(window: list) -> bool:
    """'needs her thermos opened for her', 'needs his coat zipped for him': the task done by someone else."""
    needs = next((k for k, t in enumerate(window) if t.low in ("needs", "need", "needed")), None)
    return needs is not None and len(window) - needs > 2 and window[-1].low.endswith("ed")


def _hoped_for(r: Reader, i: int) -> bool:
    """A support phrase in a clause that states a goal ('we want him to do it independently', 'a goal for
    logging in independently'): a target cue or a skill aim before it."""
    start = i
    while start > 0 and r.tokens[start - 1].text not in ".;!?•▪◦" and i - start < 14:
        start -= 1
    aims = [m for m in _cues_within(r, "goal_aims", start, i) if all(t.text != "," for t in r.tokens[m.end : i])]
    targets = sorted(_cues_within(r, "target_cues", start, i) + aims, key=lambda m: m.start)  # the aim's own clause
    froms = _cues_within(r, "from_cues", start, i)
    return bool(targets) and (not froms or froms[-1].start < targets[-1].start)


def _cues_within(r: Reader, name: str, start: int, end: int) -> list[Match]:
    """The matches of a cue lexicon inside tokens[start:end]; the whole text is matched once per reading and
    searched by position (a window is at most 14 tokens, so this stays linear)."""
    if name not in r.cache:
        r.cache[name] = lexicon(name).find(r.tokens)
    found = r.cache[name]
    k = bisect_left(found, start, key=lambda m: m.start)
    out = []
    while k < len(found) and found[k].start < end:
        if found[k].end <= end:
            out.append(found[k])
        k += 1
    return out


def communication(r: Reader) -> str | None:
    found = [
        m
        for m in lexicon("communication").find(r.tokens, r.claimed)
        if not _negated(r, m.start) and not r._preceded_by(m.start, "negations", 2)  # "no AAC yet"
    ]
    for match in found:
        r.note("communication", match.start, match.end)
        r.device_tokens.update(range(match.start, match.end))
        r.aac_named = r.aac_named or match.label == "aac"
        if match.label != "aac":  # "is verbal", "non verbal" are no verbal prompting; AAC words also name access
            r.claim(match)
    labels = {m.label for m in found}
    return next((mode for mode in ("aac", "nonverbal", "verbal") if mode in labels), None)


_PRONOUN_FORMS = {"he": ("he", "he's", "he'll", "he'd"), "she": ("she", "she's", "she'll", "she'd")}
_OTHER_PRONOUNS = frozenset({"he", "she", "they", "he's", "she's", "they're", "you", "we", "i"})
_CONTINUING = frozenset({",", "and", ";", "&", "but", "then"})


def speech(r: Reader, student: str | None, pronoun: str | None) -> str | None:
    """The student talking is verbal communication, the student not talking is nonverbal: a speech verb whose
    subject is the student (the student's name or pronoun, "the child"), or that goes on a sentence about the
    student ("She's learning English, speaks Arabic at home"), or a third-person verb opening a note ("Speaks
    Turkish"). Adults' speech ("Mom says", "I told him"), the passive ("he was told") and other senses ("tells
    time") do not count."""
    words = case_words()
    fillers, negators = lexicon("speech_fillers"), lexicon("speech_negators")
    passive, degrees = word_set("speech_passive"), lexicon("speech_degrees")
    not_before = words["speech_not_before"]
    name = fold(student.split()[0]) if student else None
    subjects = set(_PRONOUN_FORMS.get(pronoun or "", _PRONOUN_FORMS["he"] + _PRONOUN_FORMS["she"]))
    found: list[tuple[str, Match]] = []
    for verb in lexicon("speech_verbs").find(r.tokens, r.claimed):
        j, negated, is_passive = verb.start, False, False
        while j > 0 and verb.start - j < 5:
            before = r.tokens[max(0, j - 2) : j]
            hit = next((m for m in negators.find(before) + fillers.find(before) if m.end == len(before)), None)
            if hit is None:
                break
            span = before[hit.start :]
            negated |= bool(negators.find(span))
            is_passive |= verb.label == "say" and any(t.low in passive for t in span)
            j -= len(span)
        nxt = r.tokens[verb.end : verb.end + 2]
        if is_passive or (nxt and nxt[0].low in not_before.get(r.tokens[verb.start].low, [])):
            continue
        if not _student_subject(r, j, verb, name, subjects):
            continue
        if negated:
            degree = any(m.start == 0 for m in degrees.find(nxt))  # "doesn't talk much", "a lot", "to adults"
            words = any(t.low in ("word", "words") for t in r.tokens[verb.end : verb.end + 3])
            if (verb.label == "talk" and not degree) or words:  # "doesn't talk at all", "doesn't say any words"
                found.append(("nonverbal", verb))
            continue
        if verb.label == "talk" or _quote_follows(r, verb.end):
            found.append(("verbal", verb))
    if not found:
        return None
    label, match = next((f for f in found if f[0] == "nonverbal"), found[0])
    r.note("communication", match.start, match.end)
    return label


_QUOTES = frozenset("\"'“”‘’:")


def _quote_follows(r: Reader, i: int) -> bool:
    """A report of speech counts as the student's own words only when it quotes them ("he said 'I did it!'");
    "she says her hand hurts" reports what was said, which a writer may have heard from anyone."""
    for k in range(i, min(i + 14, len(r.tokens))):
        token = r.tokens[k]
        if token.text[0] in _QUOTES:
            return True
        if token.text in ".;!?" and not (k and r.tokens[k - 1].low in TITLES):
            return False
    return False


def _student_subject(r: Reader, j: int, verb: Match, name: str | None, subjects: set[str]) -> bool:
    """Whether the word before position j (the subject of the verb at verb.start) is the student."""
    if j == 0 or r.sentence_start(j):
        first = r.tokens[j].low  # a note's third-person opening: "Speaks Turkish", "Doesn't talk at all yet"
        return first.endswith("s") or first.endswith("sn't") or first.endswith("snt")
    if r.tokens[j - 1].text == ")":  # "Aisha (4th) speaks Arabic": the subject is before the aside
        k = j - 1
        while k > 0 and j - k < 8 and r.tokens[k].text != "(":
            k -= 1
        if r.tokens[k].text == "(" and k > 0:
            j = k
    subject = r.tokens[j - 1]
    if subject.low in subjects or (name and subject.low in (name, name + "'s")):
        return True
    nouns = lexicon("student_nouns").find(r.tokens[max(0, j - 3) : j])
    if nouns and nouns[-1].end == min(j, 3):
        return True
    if subject.low not in _CONTINUING:
        return False
    adults = lexicon("adult_subjects")
    for k in range(j - 2, max(-1, j - 30), -1):  # back through the sentence to its last subject
        token = r.tokens[k]
        if token.low in subjects or (name and token.low in (name, name + "'s")):
            return True
        if adults.find([token]) or token.low in _OTHER_PRONOUNS:
            return False
        if r.sentence_start(k):
            break
    return r.tokens[j].low.endswith("s")  # a note with no subject: "Spanish/English bilingual, talks constantly"


def access(r: Reader) -> list[str]:
    skip_after = case_words()["access_not_after"]
    out = []
    for match in lexicon("access").find(r.tokens, r.claimed):
        r.device_tokens.update(range(match.start, match.end))  # an access device names no routine
        nxt = r.tokens[match.end].low if match.end < len(r.tokens) else ""
        if nxt in skip_after.get(r.tokens[match.start].low, []) or r._preceded_by(match.start, "negations", 2):
            continue  # "no AAC yet": not a device the student uses
        r.note("access", match.start, match.end)
        r.claim(match)
        out.append(match.label)
    if "power_wheelchair" in out:  # the specific mention names the chair a later "wheelchair" means
        out = [a for a in out if a != "manual_wheelchair"]
    return list(dict.fromkeys(out))


def team(r: Reader) -> list[str]:
    found = []
    for match in r.labelled("team", "team"):
        before = r.tokens[match.start - 1] if match.start else None
        if match.label == "_none" or (match.label == "pt" and before is not None and before.kind == "n"):
            continue  # "4 pt rubric": points, not a physical therapist
        found.append(match.label)
    return list(dict.fromkeys(found))
