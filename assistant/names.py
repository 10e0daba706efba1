"""The student's first name: a given name (or an unknown capitalized word) raised by the cues around it and sunk
by cues that make it someone else."""

import re

from assistant.lexicon import (
    Token,
    case_words,
    common_words,
    fold,
    given_names,
    lexicon,
    surnames,
    vocabulary,
    word_set,
)
from assistant.reader import DETERMINERS, TITLES, Reader, age_like

_ELONGATED = re.compile(r"(\w)\1{2,}")  # "Hiii", "heyyy": a greeting drawn out for emphasis
_CONTRACTION = re.compile(r"'(?:ve|m|ll|re|d)$|n't$")
_NAME_CANDIDATES = 300  # a name is weighed at its first mentions; later ones only count as mentions
_TIME_WORDS = frozenset({"by", "in", "until", "since", "before", "after", "through", "next", "last", "this", "of"})


def student(r: Reader) -> str | None:
    """The student's first name: a given name (or an unknown capitalized word) raised by the cues around
    it ("my son Liam", "Jaylen - gr 4", "Sofia's teacher", "Will used...") and sunk by cues that make it
    someone else ("Ms. Ortiz", "his brother Eli", "Hi Ana", a signature)."""
    best: tuple[float, int, str, int] | None = None
    candidates = _full_names(r, [c for c in (_candidate(r, i) for i in range(len(r.tokens))) if c])
    mentions: dict[str, int] = {}
    for _, _, bare, _ in candidates:
        mentions[fold(bare)] = mentions.get(fold(bare), 0) + 1
    for i, end, bare, base in candidates[:_NAME_CANDIDATES]:
        score = base + _name_cues(r, i, end, base) + 0.5 * (mentions[fold(bare)] - 1)
        if score >= 2.0 and (best is None or score > best[0]):
            best = (score, i, bare, end)
    if best is None:
        return None
    r.claimed.update(range(best[1], best[3]))  # the whole name, surname too: "Quillon Abernathy-Voss" is no skill
    r.evidence["student"] = r.words(max(0, best[1] - 2), min(len(r.tokens), best[1] + 3))
    return best[2]


def _full_names(r: Reader, candidates: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """A capitalized word right after a name is its surname ("Summer Nguyen", "Stanley Joseph"): not a
    candidate of its own, and the cues after the full name belong to the given name. Two given names in a
    row, the second no common surname, are one double given name ("Ana Sofía", "Minh Khoa Tran")."""
    names = given_names()[0]
    out: list[tuple[int, int, str, float]] = []
    taken = {c[0] for c in candidates}
    for cand in candidates:
        i = cand[0]
        second = cand[1]
        if second not in taken and second < len(r.tokens) and _second_given(r, cand):
            cand = (cand[0], second + 1, r.text[r.tokens[i].start : r.tokens[second].end], cand[3])
            out.append(cand)  # "Kiều My Tran", "Anh Thu is ...", "josé luis": a double given name
            continue
        same_case = bool(out) and r.tokens[i].cap == r.tokens[out[-1][0]].cap and (r.tokens[i].cap or r.lower_text)
        if out and out[-1][1] == i and same_case:
            gap = r.text[r.tokens[i - 1].end : r.tokens[i].start]
            if gap.strip() == "" and "\n" not in gap:
                prev = out[-1]
                low = fold(cand[2])
                plain = low in names and low not in surnames()
                double = plain and fold(prev[2]) in names and " " not in prev[2] and fold(prev[2]) not in common_words()
                bare = r.text[r.tokens[prev[0]].start : r.tokens[i].end] if double else prev[2]
                if double or r.tokens[i].cap:  # in lowercase text a word after a name is no surname of it
                    out[-1] = (prev[0], cand[1], bare, prev[3])
                    continue
        if out and i < out[-1][1]:
            continue  # the second half of a hyphenated name already taken
        out.append(cand)
    return out


def _second_given(r: Reader, cand: tuple[int, int, str, float]) -> bool:
    """The word right after a one-word given name is the second half of a double given name: a given name
    itself (or a known name part such as Vietnamese "My") and no surname, capitalized as the first is."""
    i, j = cand[0], cand[1]
    first, token = r.tokens[i], r.tokens[j]
    if j != i + 1 or token.kind != "w" or not _spaced(r, i, j) or token.cap != first.cap or token.text.isupper():
        return False
    low, known = fold(token.text), word_set("given_name_parts")
    if low in known:
        return True  # "Kiều My Tran"
    names, word_names = given_names()
    plain = low in names and low not in word_names and low not in common_words() and low not in surnames()
    return plain and fold(cand[2]) in names


def _candidate(r: Reader, i: int) -> tuple[int, int, str, float] | None:
    """(index, index after it, the name as written, how name-like the word is on its own) or None."""
    token = r.tokens[i]
    if token.kind != "w" or i in r.claimed or i in r.interest_tokens:
        return None
    if not token.cap and not r.lower_text:
        return None  # a writer who capitalizes capitalizes names: "not for long" has no name in it
    names, word_names = given_names()
    bare = token.text[:-2] if token.low.endswith("'s") else token.text
    nxt = r.tokens[i + 1] if i + 1 < len(r.tokens) else None
    end = i + 1
    if nxt is not None and nxt.kind == "w" and r.text[token.end : nxt.start] == "-" and token.cap:
        bare, end = r.text[token.start : nxt.end], i + 2  # Ji-woo, Mary-Kate
    low = fold(bare)
    if len(low) < 2 or _ELONGATED.sub(r"\1", low) in word_set("not_names") or _CONTRACTION.search(low):
        return None  # "I've", "we'll": contractions are never names
    label = low not in names or low in common_words() or low in vocabulary()
    if nxt is not None and nxt.text == ":" and not (i and r.tokens[i - 1].text == ":") and label:
        return None  # "Rider: Kenji": a field label ("gr 6, ADHD, Amir: note-taking ..." names the student)
    common = low in common_words()
    parts = [p for p in low.split("-") if p]
    if end > i + 1 and parts and parts[0] in names:
        low = parts[0]  # "Jean-Pierre" is as name-like as "Jean"
    if low in word_names:
        base = 1.0 if token.cap and not r.lower_text else 0.5 if r.lower_text or not common else 0.0
    elif low in names:
        base = 2.0 if token.cap or not common else 0.0
    else:
        ordinary = any(p in vocabulary() for p in parts) or common
        cued = r.lower_text and token.text.islower() and _ends_with(lexicon("student_before"), _before(r, i))
        cued = cued and _grade_follows(r, i + 1)  # "goals for oliwia (6th gr", not "an iep for dyslexia"
        shaped = (token.cap and not token.text.isupper()) or cued  # lowercase text: only "goal for tre, 17"
        base = 0.5 if shaped and not ordinary and len(low) > 2 else 0.0
    return (i, end, bare, base) if base > 0 else None


def _name_cues(r: Reader, i: int, end: int, base: float) -> float:
    """Student cues before and after a name raise it; cues that make it someone else sink it."""
    toks = r.tokens
    token = toks[end - 1]
    possessive = token.text.endswith(("'s", "’s"))
    before = _before(r, i)
    after = toks[end : end + 4]
    roles = word_set("other_before")
    if possessive and any(t.low in roles for t in after[:4]):
        return 3.0  # "Camila's mom", "Yusuf's 5th grade teacher": the one whose mom or teacher it is
    role_before = _before(r, i, dash=True)
    labelled_student = _longer_student_cue(role_before)
    if low_word_name(r, i) and i and toks[i - 1].low in DETERMINERS:
        return -10.0  # "over the summer", "the will to": the word, not a name
    greeted = bool(role_before) and role_before[-1].low in _greetings() and not _signature(r, i)
    greeted = greeted and not lexicon("sign_offs").find(role_before[-1:])  # "Thanks, Monica (SPED)" signs
    addressed = end >= len(toks) or toks[end].text in ",!:;." or "\n" in r.text[toks[end - 1].end : toks[end].start]
    greeted = greeted and not addressed  # "Hi Dana," addresses the reader
    if greeted and (_grade_follows(r, end) or _subject_follows(r, end)):
        pass  # "Hi, Eero in 2nd grade keeps getting hurt": the greeting has no name; the student follows it
    elif labelled_student and _ends_with(lexicon("other_before"), role_before) and not _signature(r, i):
        pass  # "my kinder friend Rio": a student cue that ends in a role word
    elif _ends_with(lexicon("other_before"), role_before) or _signature(r, i) or _other_after(r, end, possessive):
        return -10.0
    if token.low in _month_words() and before and before[-1].low in _TIME_WORDS:
        return -10.0  # "by June"
    if after and after[0].cap and lexicon("school_nouns").find(after[:1]) and _spaced(r, end - 1, end):
        return -10.0  # "Westview HS", "Lincoln High": a school
    strong = 0.0
    labelled = _before(r, i, past_colon=True)
    if _ends_with(lexicon("student_before"), labelled) or (before and r._is_grade(before[-1])):
        strong += 2.0  # "my son Liam", "for Jaylen", "7th, Omar", "preschool, Sky"
    if _grade_follows(r, end):
        strong += 2.0
    subject = _subject_follows(r, end)
    score = strong + (1.5 if possessive or subject else 0.0)
    if base < 1.0 and not (strong or subject or possessive):
        return -1.0  # an unknown capitalized word is a name only with a cue around it
    prev = r.tokens[i - 1] if i else None
    if base < 1.0 and prev is not None and prev.cap and prev.low in vocabulary() and _spaced(r, i - 1, i):
        return -1.0  # "Sensory Profile": a title-case phrase, not a name
    if after and after[0].kind == "n" and not _grade_follows(r, end) and _spaced(r, end - 1, end):
        score -= 3.0  # "Room 4", "Tier 2": a label ("Abigail - 504" is a name, then a plan)
    if base < 2.0 and r.sentence_start(i) and not subject and not strong:
        score -= 1.0  # a capital at a sentence start says little about a word that is not only a name
    return score


def _longer_student_cue(window: list[Token]) -> bool:
    """'my kinder friend Rio': a student cue ending where a role word ends, and longer than it."""
    students = [m for m in lexicon("student_before").find(window) if m.end == len(window)]
    others = [m for m in lexicon("other_before").find(window) if m.end == len(window)]
    return bool(students and others) and min(m.start for m in students) < min(m.start for m in others)


def low_word_name(r: Reader, i: int) -> bool:
    """A name that is also a common word (Will, Summer, Hope)."""
    return fold(r.tokens[i].low.removesuffix("'s")) in given_names()[1]


def _spaced(r: Reader, a: int, b: int) -> bool:
    """Only spaces (no punctuation, no line break) between tokens a and b."""
    gap = r.text[r.tokens[a].end : r.tokens[b].start]
    return bool(gap) and gap.strip() == "" and "\n" not in gap


def _before(r: Reader, i: int, past_colon: bool = False, dash: bool = False) -> list[Token]:
    """Up to three tokens before i, reading past a comma, a parenthesis and the period of a title ('Mrs.
    Brooks'); past a colon only when asked ('Student: Sage', but not 'aide: Jose used...')."""
    out: list[Token] = []
    j, after = i - 1, r.tokens[i].start
    skip = ",(:" if past_colon else ",("
    while j >= 0 and len(out) < 3:
        token = r.tokens[j]
        if token.text in skip or (token.text == "." and j and _title(r, j - 1)):
            j -= 1
            continue
        if token.text in ".!?;:\n":
            break
        gap = r.text[token.end : after]
        if dash and " " in gap and any(c in gap for c in "-–—") and gap.strip(" -–—") == "":
            break  # "from his para - Darius": a spaced dash ends the phrase a role word would name
        out.insert(0, token)
        after = token.start
        j -= 1
    return out


def _title(r: Reader, j: int) -> bool:
    """'Ms.' before a name; not 'Lincoln MS.', a school level written in capitals after the school's name."""
    token = r.tokens[j]
    school = token.text.isupper() and len(token.text) > 1 and j and r.tokens[j - 1].cap and _spaced(r, j - 1, j)
    return token.low in TITLES and not school


def _ends_with(lex, window: list[Token]) -> bool:
    found = lex.find(window)
    return bool(found) and found[-1].end == len(window)


def _other_after(r: Reader, i: int, possessive: bool) -> bool:
    if possessive:
        return False
    toks = r.tokens
    found = lexicon("other_after").find(toks[i : i + 4])
    return bool(found) and found[0].start <= 1


def _grade_follows(r: Reader, j: int) -> bool:
    """A grade, an age or a school level right after a name ('Jaylen - gr 4', 'Minh 10th', 'Kai (7)')."""
    toks = r.tokens
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
        while j < min(len(toks), start + 6) and (toks[j].low in DETERMINERS or toks[j].cap or toks[j].text == "."):
            if toks[j].cap and any(m.start == 0 for m in lexicon("grade_words").find(toks[j : j + 2])):
                break  # "Faith in my PreK class", "Mason in my K room": the grade itself
            j += 1
    elif j < len(toks) and toks[j].low in ("is", "was"):
        j += 1  # "Will is a 3rd grader" reads on through "a"
        j += 1 if j < len(toks) and toks[j].low in ("a", "an") else 0
    if j >= len(toks):
        return False
    token = toks[j]
    if token.kind == "n":
        closing = j + 1 < len(toks) and toks[j + 1].text == ")" and age_like(token)
        ordinal = j + 1 < len(toks) and toks[j + 1].low in ("st", "nd", "rd", "th", "yo", "y", "years", "yrs")
        return closing or ordinal
    if token.low in word_set("grade_nouns") | {"age", "aged"} or token.low in case_words()["year_grades"]:
        return True
    window = toks[j : j + 3]
    return any(m.start == 0 for name in ("grade_words", "band_words") for m in lexicon(name).find(window))


def _subject_follows(r: Reader, j: int) -> bool:
    """A verb or a student cue right after the name: 'Marcus has', 'Will used', 'Omar bumps'."""
    toks = r.tokens
    if j >= len(toks):
        return False
    found = lexicon("student_after").find(toks[j : j + 3])
    if found and found[0].start == 0:
        return True
    word = toks[j]
    return word.kind == "w" and not word.cap and len(word.low) > 3 and word.low.endswith(("s", "ed"))


def _greetings() -> frozenset[str]:
    return frozenset(fold(str(w)) for w in case_words()["not_names"]["greetings"])


def _month_words() -> frozenset[str]:
    return frozenset(fold(m) for m in case_words()["not_names"]["months"]) | {"may", "june", "april", "august"}


def _signature(r: Reader, i: int) -> bool:
    """A name alone on the last line, after a dash, or after a sign-off near the end signs the message."""
    rest = r.text[r.tokens[i].end :].strip(" .,!\n-—()")
    on_last_line = "\n" in r.text[: r.tokens[i].start][-3:] and len(rest) < 40
    dashed = i > 0 and r.tokens[i - 1].text in ("-", "—", "–") and len(rest) < 60
    signed = len(rest) < 60 and bool(lexicon("sign_offs").find(r.tokens[max(0, i - 5) : i]))
    return on_last_line or dashed or signed
