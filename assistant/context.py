"""The school routine and setting, the need the OT named, interests, tools, the variant asked for, the pronoun."""

from assistant.lexicon import (
    Token,
    lexicon,
    routine_lexicon,
    routines,
    word_set,
)
from assistant.reader import DETERMINERS, Reader
from assistant.skill import GOAL_WORDS, base_verb
from assistant.skill import skill as skill_phrase

_PLACE_PREPOSITIONS = frozenset({"at", "during", "in", "on", "throughout", "while", "off", "onto", "into", "for"})
_TIME_MARKERS = frozenset({"before", "after", "since", "until", "till"})  # "after lunch": a time, not the routine
_INTEREST_LEAD = frozenset({"to", "the", "a", "an", "his", "her", "their", "all"})


def routine(r: Reader, skip: set[int]) -> tuple[list[str], str | None]:
    """The routines named, strongest first: a phrase's weight, doubled when a preposition marks it as
    where the need happens ("at circle", "in the cafeteria"), half again in the clause that states the need.
    Words of an interest ("loves music") or of the OT's own task ("write a goal") do not count."""
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    need = need_span(r)
    home = _home_clauses(r)
    hardware = word_set("aac_hardware") if r.aac_named else frozenset()
    for match in routine_lexicon().find(r.tokens, r.claimed | skip):
        if match.label == "_none":
            continue
        authoring = r.tokens[match.start].low in word_set("authoring_verbs")
        if authoring and {t.low for t in r.tokens[match.end : match.end + 4]} & GOAL_WORDS:
            continue  # "write a sensory goal", "type up an IEP objective": the OT's task, not the student's routine
        if hardware and all(t.low in hardware for t in r.tokens[match.start : match.end]):
            continue  # "TouchChat on an iPad", "hits the wrong button on the screen": the AAC device, not computer work
        weight = match.weight * (2.0 if _marked_place(r, match.start) else 1.0)
        weight *= 1.5 if need and need[0] <= match.start < need[1] else 1.0
        weight *= 0.5 if match.start and r.tokens[match.start - 1].low in _TIME_MARKERS else 1.0
        weight *= 0.25 if any(a <= match.start < b for a, b in home) else 1.0
        scores[match.label] = scores.get(match.label, 0.0) + weight
        if match.label not in first:
            first[match.label] = match.start
            r.evidence.setdefault(f"routine:{match.label}", r.words(match.start, match.end))
    ranked = sorted(scores, key=lambda r: (-scores[r], first[r]))
    if ranked:
        r.evidence["routine"] = r.evidence[f"routine:{ranked[0]}"]
    for key in [k for k in r.evidence if k.startswith("routine:")]:
        del r.evidence[key]
    places = r.labelled("settings", "setting")
    setting = places[0].label if places else (routines()[ranked[0]]["setting"] if ranked else None)
    return ranked, setting


def _home_clauses(r: Reader) -> list[tuple[int, int]]:
    """Token spans of the clauses about home ('at home she can sit for homework'): no school routine there."""
    spans = []
    for match in lexicon("home_cues").find(r.tokens):
        start, end = match.start, match.end
        while start > 0 and r.tokens[start - 1].text not in ".;!?":
            start -= 1
        while end < len(r.tokens) and r.tokens[end].text not in ".;!?":
            end += 1
        spans.append((start, end))
    return spans


def _marked_place(r: Reader, i: int) -> bool:
    """'at circle', 'during our writing block', 'in the cafeteria', 'in my Spanish class'."""
    for back in (1, 2, 3):
        if i - back < 0:
            return False
        token = r.tokens[i - back]
        if token.low in _PLACE_PREPOSITIONS:
            return True
        if token.low not in DETERMINERS and not (back > 1 and token.kind == "w" and token.cap):
            return False
    return False


def need_span(r: Reader) -> tuple[int, int] | None:
    """Token span of the clause that states the need, from the need cue to the clause's end."""
    cues = lexicon("need_cues").find(r.tokens)
    if not cues:
        return None
    cue = cues[0]
    end = cue.end
    while end < len(r.tokens) and r.tokens[end].text not in ".;!?" and end - cue.end < 14:
        end += 1
    return cue.start, end


def interests(r: Reader) -> list[str]:
    stops = word_set("interest_stop") - {"and", "or"}
    cue_words = word_set("interest_before")
    out: list[str] = []
    for match in lexicon("interest_before").find(r.tokens):
        if match.start and r.tokens[match.start - 1].low in ("not", "doesn't", "don't", "never", "didn't"):
            continue
        item: list[Token] = []
        last = match.end
        for token in r.tokens[match.end : match.end + 10]:
            if token.kind == "p" and token.text != ",":
                break
            last += 1
            if token.low in cue_words:
                break  # "..., and likes to draw": the next cue starts its own list
            if token.low in stops:
                if token.low in _INTEREST_LEAD and not item:
                    continue  # "likes to draw", "loves the ocean", "is into his trains"
                break
            if token.text == "," or token.low in ("and", "or"):
                if item:
                    out.append(r.text[item[0].start : item[-1].end])
                item = []
                continue
            item.append(token)
        if item:
            out.append(r.text[item[0].start : item[-1].end])
        r.note("interests", match.start, min(len(r.tokens), match.end + 1))
        r.interest_tokens.update(range(match.start, last))  # the words of the interest, not the sentence after it
    return list(dict.fromkeys(i for i in out if len(i) > 1))[:6]


def skill(r: Reader) -> str | None:
    """The skill asked for as a behavior (assistant/skill.py), or else the need in the request's words
    after its first need cue ("letter sizing in his journal")."""
    behavior = skill_phrase(r)
    if behavior:
        return behavior
    found = _need_words(r)
    if found and base_verb(found.split()[0].lower()):
        return None  # a behavior the skill reader turned down ("wear them"): it names no area either
    return found


def _need_words(r: Reader) -> str | None:
    cues = [c for c in lexicon("need_cues").find(r.tokens) if not _joined_before(r, c.start)]  # not "multi-needs"
    if not cues:
        return None
    cue = next((c for c in cues if r.tokens[c.start].low == "goal"), cues[0])
    start = cue.end
    while start < len(r.tokens) and start in r.claimed:
        start += 1  # "needs hand-over-hand for scissors": the support is not the skill
    if start > cue.end and start < len(r.tokens) and r.tokens[start].low in ("for", "with", "to"):
        start += 1
    taken: list[Token] = []
    for token in r.tokens[start : start + 14]:
        if token.text in ".;!?,:(" or token.low in ("but", "because", "since", "although", "which"):
            break
        taken.append(token)
    start_len = len(taken)
    pointers = word_set("need_not_words")
    while (
        taken
        and taken[0].low not in DETERMINERS
        and (taken[0].low in pointers or taken[0].low in ("for", "with", "to"))
    ):
        taken = taken[1:]  # "needs HOH right now for cutting": the need is "cutting" ("a 2nd grader..." stays)
    if not taken or all(t.low in pointers or t.kind != "w" for t in taken):
        return None  # "struggles with those too", "needs HOH right now", "a goal for that": no need named
    last = start + start_len  # where the need's words end (its first words may have been dropped)
    r.evidence["skill"] = r.words(cue.start, min(last, len(r.tokens)))
    return r.text[taken[0].start : taken[-1].end]


def _joined_before(r: Reader, i: int) -> bool:
    """A word joined to the one before it by a hyphen ("multi-needs")."""
    return i > 0 and r.text[r.tokens[i - 1].end : r.tokens[i].start] == "-"


def tools(r: Reader) -> list[str]:
    return list(dict.fromkeys(m.label for m in lexicon("tools").find(r.tokens)))


def support_level(r: Reader) -> str | None:
    found = lexicon("variant_words").find(r.tokens)
    return found[0].label if found else None


def pronoun(r: Reader) -> str | None:
    counts = {"he": 0, "she": 0, "they": 0}
    for token in r.tokens:
        for pronoun, forms in (("he", ("he", "him", "his", "he's")), ("she", ("she", "her", "hers", "she's"))):
            counts[pronoun] += token.low in forms
    if counts["he"] == counts["she"]:
        return None
    return "he" if counts["he"] > counts["she"] else "she"


# --- the student's name --------------------------------------------------------------------------
