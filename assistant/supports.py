"""The support the student needs now (DOMAIN.md's prompt hierarchy), communication, access and team."""

from assistant.lexicon import (
    Match,
    case_words,
    lexicon,
    word_set,
)
from assistant.reader import TITLES, Reader
from assistant.schemas import SUPPORT_ORDER

_DESCRIBING = frozenset(
    {"hard", "easy", "difficult", "tough", "fun", "good", "bad", "great", "better", "worse", "harder", "easier",
     "important", "helpful", "scary", "frustrating", "boring", "tiring", "stressful", "possible", "impossible"}
)
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


def support(r: Reader) -> str | None:
    """The most support the student needs now (DOMAIN.md's hierarchy); phrases in a goal clause, and
    independence under a negation, do not count; an adult doing the task for the student is full support."""
    found = [
        m
        for m in lexicon("support").find(r.tokens, r.claimed)
        if m.label != "_none"
        and not _hoped_for(r, m.start)
        and not (m.label == "independent" and _negated(r, m.start))
        and not (m.start and r.tokens[m.start - 1].kind == "n" and m.end - m.start == 2)  # "30 min a week"
    ]
    found += _adult_help(r) + _done_for(r)
    if not found:
        return None
    best = min(found, key=lambda m: SUPPORT_ORDER.index(m.label))
    r.evidence["support"] = r.words(best.start, best.end)
    for match in found:
        if match.end - match.start <= 4:  # the phrase itself, not the clause of "...for him"
            r.claim(match)
    return best.label


def _negated(r: Reader, i: int) -> bool:
    start = i
    while start > 0 and r.tokens[start - 1].text not in ".;!?," and i - start < 8:
        start -= 1
    return bool(lexicon("independence_negations").find(r.tokens[start:i]))


def _adult_help(r: Reader) -> list[Match]:
    """What an adult does is the support the student gets: 'I did the button' (full physical), 'needs me
    to point to the board' (gestural), 'Ms. Hodges shows him each cut' (model). The adult must be the
    doer: right before the verb, or its object after 'needs' ('needs me to point')."""
    out = []
    roles = word_set("other_before")
    for match in lexicon("adult_actions").find(r.tokens):
        start = match.start
        while (
            start > 0
            and match.start - start < 5
            and (r.tokens[start - 1].text not in ".;!?,:" or (start > 1 and r.tokens[start - 2].low in TITLES))
        ):
            start -= 1  # back to the clause's start, reading past the period of "Ms."
        window = r.tokens[start : match.start]
        adults = lexicon("adult_subjects").find(window)
        doer = adults[-1].end if adults else next((k + 1 for k, t in enumerate(window) if t.low in TITLES), None)
        if doer is None or _hoped_for(r, match.start):
            continue
        between = window[doer:]
        if any(t.low in _SUBJECTS or t.low in ("not", "never", "don't", "doesn't", "didn't") for t in between):
            continue  # "Teacher reports she cuts": the student does it; "I don't do it for him": no help
        after = r.tokens[match.end : match.end + 5]
        if after and after[0].low in roles:
            continue  # "I told her mom": not a prompt to the student
        label = match.label
        if label == "model" and any(t.low in _VISUAL_THINGS for t in after):
            label = "visual"  # "I showed him the first-then card": a visual cue
        out.append(Match(label, match.start, match.end))
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
        if not adults or match.start - (start + adults[-1].end) < 1 or window[-1].low in _DESCRIBING:
            continue
        if lexicon("adult_actions").find(window):
            continue  # "I start the tear for him": the action itself says how much help
        between = window[adults[-1].end :]
        if any(t.low in _SUBJECTS or t.low in ("not", "never", "don't", "doesn't", "didn't") for t in between):
            continue
        if not _hoped_for(r, match.start):
            out.append(Match("full_physical", match.start, match.end))
    return out


def _hoped_for(r: Reader, i: int) -> bool:
    """A support phrase in a clause that states a goal ('we want him to do it independently')."""
    start = i
    while start > 0 and r.tokens[start - 1].text not in ".;!?•▪◦" and i - start < 8:
        start -= 1
    window = r.tokens[start:i]
    targets = lexicon("target_cues").find(window)
    froms = lexicon("from_cues").find(window)
    return bool(targets) and (not froms or froms[-1].start < targets[-1].start)


def communication(r: Reader) -> str | None:
    found = [
        m
        for m in lexicon("communication").find(r.tokens, r.claimed)
        if not _negated(r, m.start) and not r._preceded_by(m.start, "negations", 2)  # "no AAC yet"
    ]
    for match in found:
        r.note("communication", match.start, match.end)
        r.device_tokens.update(range(match.start, match.end))
        if match.label == "verbal":  # "is verbal" is no verbal prompting; AAC words also name access
            r.claim(match)
    labels = {m.label for m in found}
    return next((mode for mode in ("aac", "nonverbal", "verbal") if mode in labels), None)


def access(r: Reader) -> list[str]:
    skip_after = case_words()["access_not_after"]
    out = []
    for match in lexicon("access").find(r.tokens, r.claimed):
        r.device_tokens.update(range(match.start, match.end))  # an access device names no routine
        nxt = r.tokens[match.end].low if match.end < len(r.tokens) else ""
        if nxt in skip_after.get(r.tokens[match.start].low, []):
            continue
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
