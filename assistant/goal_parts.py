"""Pull the components of a free-text IEP goal apart: timeframe, condition, behavior, criterion..."""

import bisect
import re

from pydantic import BaseModel, Field

# Numbers start where a digit run starts and are matched possessively, so no pattern re-splits a run of digits.
NUM = r"(?<![\d.])(?:\[?\d++(?:\.\d++)?\]?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
TIMEFRAME = re.compile(
    rf"\b(?:by|within|in|over|before|at)\s+(?:the\s+)?(?:"
    rf"(?:next\s+|annual\s+|yearly\s+)+(?:iep\s+)?(?:review|iep|meeting)|"
    rf"end\s+of\s+(?:the\s+)?(?:\d{{4}}[-–]\d{{2,4}}\s+)?(?:school\s+year|year|semester|grading\s+period|iep(?:\s+period)?|"
    rf"(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:quarter|grading\s+period|trimester))|"
    rf"{NUM}\s+(?:instructional\s+|school\s+|calendar\s+)?(?:weeks|months|years?)|"
    rf"(?:one|1|a)\s+(?:school\s+)?year|"
    rf"(?:{_MONTHS})(?:\s+\d{{1,2}})?(?:,?\s+\d{{4}})?\b|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\[(?:date|timeframe)[^\]]*\])",
    re.I,
)
PLACES = (
    r"class(?:room)?|cafeteria|lunchroom|hallways?|gym|library|lab|playground|bus|restroom|bathroom|"
    r"school|centers?|desk|locker|office|job\s+site|work\s+site|worksite|community|art\s+room|music\s+room|"
    r"media\s+center|computer\s+lab|setting|small\s+group|recess|lunch|snack|pe|circle[\s-]time|station"
)
CONDITION = re.compile(
    rf"\b(?:given|during|when|while|whenever|after|before|upon|using|with\s+access\s+to|in\s+(?:the\s+)?line\b|"
    rf"(?:in|at|on|from)\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+|their\s+|any\s+|each\s+|all\s+)?"
    rf"(?:[a-z-]+\s+){{0,4}}(?:{PLACES})\b)",
    re.I,
)
_MASTERY_NOUNS = (
    r"trials|opportunities|sessions|days|probes|samples|observations|weeks|attempts|periods|lessons|"
    r"drills|recesses|shifts|occasions|checks|lunches|mornings|afternoons|rotations|classes|entries|"
    r"visits|changes|transitions|routines|assignments|tasks|activities|data\s+points|measures|"
    r"work\s+samples|quarters|times|dismissals|arrivals|meals|opportunit(?:y|ies)|consecutive\s+\w+"
)
_WORDS = r"(?:(?!(?:as|with|by|and|for|when|during|given|using|across|over|on|in|at|within)\b)[a-z-]+\b\s*){1,4}"
# Tried in order: "in 4 of 5 trials" first, so "for 10 consecutive minutes" (a criterion) is not taken for it.
MASTERY_PATTERNS = [
    re.compile(
        rf"\b(?:in|on|across|over|for|during|at)\s+(?:at\s+least\s+)?{NUM}\s*(?:of|out\s+of|/)\s*{NUM}\s+{_WORDS}", re.I
    ),
    re.compile(rf"\b{NUM}\s*(?:of|out\s+of|/)\s*{NUM}\s+(?:[a-z-]+\s+){{0,3}}?(?:{_MASTERY_NOUNS})\b", re.I),
    re.compile(
        rf"\b(?:across|over|for|on|in)\s+(?:at\s+least\s+)?{NUM}\s+consecutive\s+(?!minutes|seconds){_WORDS}", re.I
    ),
    re.compile(rf"\b{NUM}\s+consecutive\s+(?!minutes|seconds)(?:[a-z-]+\s+){{0,2}}?(?:{_MASTERY_NOUNS})\b", re.I),
]
CRITERION = re.compile(
    rf"{NUM}\s*(?:%|percent)"
    rf"|\b{NUM}\s+(?:of|out\s+of)\s+{NUM}\s+[a-z-]+"
    rf"|\b(?:at\s+least|a\s+minimum\s+of|no\s+more\s+than|fewer\s+than|within|for|under|up\s+to)\s+{NUM}\b"
    rf"|\b{NUM}\s+(?:or\s+more\s+|or\s+fewer\s+)?(?:[a-z-]+\s+){{0,2}}?(?:words?|letters?|sentences?|items?|steps?|"
    rf"problems?|lines?|minutes?|seconds?|times?|cuts?|shapes?|pieces?|answers?|questions?|containers?|"
    rf"fasteners?|buttons?|pages?|characters?|errors?|laps?|wpm|per\s+minute|digits?|"
    rf"numbers?|peers?|turns?|exchanges?|strategies|tools?|materials?|parts?|columns?|points?)\b"
    rf"|\blevel\s+{NUM}\b|\bscore\s+of\s+{NUM}\b|\b{NUM}\s+or\s+(?:higher|better|above)\b",
    re.I,
)
MEASUREMENT = re.compile(
    r"\b(?:as\s+)?(?:measured|documented|recorded|monitored|assessed|tracked|scored|evaluated|determined|"
    r"verified|charted|collected)\s+(?:by|with|on|in|using|through|via|from)\b[^.;]*"
    r"|\[(?:measurement|method)[^\]]*\]",
    re.I,
)
# "according to / based on / per <a data source>": found by position, not by one backtracking pattern.
_SOURCE_LEAD = re.compile(r"\b(?:according\s+to|based\s+on|per)\s", re.I)
_SOURCE_NOUN = re.compile(
    r"data|sample|rubric|checklist|observation|probe|log|record|report|chart|sheet|tally|count", re.I
)
_CLAUSE_END = re.compile(r"[.;]")
BASELINE = re.compile(
    r"\b(?:baseline|currently|current\s+level|at\s+present|presently|present\s+levels?)\b[^.;]{0,300}?"
    r"(?:\d|\[)[^.;]{0,300}",
    re.I,
)
PROMPTING = re.compile(
    r"\bindependent(?:ly)?\b|\bwithout\s+(?:any\s+|an?\s+)?(?:adult\s+|verbal\s+|visual\s+|physical\s+)?"
    r"(?:prompts?|cues?|reminders?|assistance|help|support|redirection)"
    rf"|\bwith\s+(?:no|no\s+more\s+than|fewer\s+than|up\s+to|only|a|an|one|{NUM}|minimal|moderate|maximal|min|mod|max"
    r"|faded|adult|teacher|staff|peer)\s+(?:[a-z-]+\s+){0,4}?(?:prompts?|cues?|reminders?|assistance|support|help|"
    r"signals?|models?|check-ins?|redirection)"
    r"|\bwith\s+(?:[a-z0-9\"'-]+\s+){0,6}?(?:prompts?|cues?|reminders?|assistance|support|help|supervision|"
    r"coaching|checks?)\b"
    rf"|\b{NUM}\s+(?:[a-z-]+\s+){{0,3}}?(?:prompts?|cues?|reminders?|checks?)\b"
    rf"|\bno\s+more\s+than\s+{NUM}\s+times\b"
    rf"|\bwith\s+(?:no\s+more\s+than|fewer\s+than|at\s+most|up\s+to)\s+{NUM}\s+[a-z-]+"
    r"|\bwith\s+(?:the\s+|an?\s+)?(?:adult|job\s+coach|teacher|aide|staff(?:\s+member)?|peer|para(?:professional)?)\b"
    r"|\bhand[- ]over[- ]hand\b|\bmodified\s+independence\b"
    r"|\bgiven\s+(?:a\s+|an\s+|one\s+|\d+\s+)?(?:verbal|visual|gestural|physical|picture)\s+(?:prompt|cue|reminder)s?"
    r"|\[(?:prompt|support|independen)[^\]]*\]",
    re.I,
)
_WILL = re.compile(r"\bwill\s+(?:be\s+able\s+to\s+)?", re.I)
_LOWER_WILL = re.compile(r"\bwill\s+(?:be\s+able\s+to\s+)?")


def modal_will(text: str) -> re.Match[str] | None:
    """The 'will' of the goal's verb. The lowercase one comes first: a student named Will is capitalized
    ("By June, Will will write..."); a goal written in capitals falls back to any case."""
    return _LOWER_WILL.search(text) or _WILL.search(text)


_ADVERBS = {"independently", "consistently", "accurately", "correctly", "successfully", "safely", "also", "then"}


class GoalParts(BaseModel):
    """The components found in a goal's text; None where the goal does not say."""

    text: str
    student: str | None = None
    timeframe: str | None = None
    condition: str | None = None
    behavior: str | None = Field(None, description="The words after 'will', up to the criterion.")
    verb: str | None = None
    criterion: str | None = None
    mastery: str | None = None
    measurement: str | None = None
    baseline: str | None = None
    prompting: str | None = None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0).strip(" ,;") if match else None


def _behavior(text: str) -> tuple[str | None, str | None, str | None]:
    """(student, behavior, main verb) from the first 'will' clause."""
    will = modal_will(text)
    if not will:
        return None, None, None
    before = text[: will.start()].rstrip(" ,")
    student = re.split(r",\s*", before)[-1].strip() or None
    rest = text[will.end() :]
    stop = re.search(r"[.;]|\b(?:as\s+measured|measured\s+by|in\s+\d+\s+(?:of|out\s+of))", rest)
    behavior = rest[: stop.start()].strip(" ,") if stop else rest.strip(" ,")
    words = [w.lower() for w in re.findall(r"[A-Za-z'-]+", behavior)]
    verb = next((w for w in words if w not in _ADVERBS), None)
    if words[:1] == ["not"] or words[:2] == ["no", "longer"]:
        verb = "not"
    return student, behavior or None, verb


def _data_source(text: str, reach: int = 200) -> str | None:
    """The first 'according to / based on / per ...' clause that names a data source within its clause."""
    ends = [m.start() for m in _CLAUSE_END.finditer(text)] + [len(text)]
    nouns = [m.start() for m in _SOURCE_NOUN.finditer(text)]
    for lead in _SOURCE_LEAD.finditer(text):
        end = ends[bisect.bisect_left(ends, lead.end())]
        k = bisect.bisect_left(nouns, lead.end())
        if k < len(nouns) and nouns[k] < min(end, lead.end() + reach):
            return text[lead.start() : min(end, nouns[k] + reach)].strip(" ,;")
    return None


def extract_parts(text: str) -> GoalParts:
    """Find each component by its usual wording; the rubric judges what was found."""
    clean = " ".join(text.split())
    student, behavior, verb = _behavior(clean)
    mastery = next((m.group(0).strip(" ,;") for p in MASTERY_PATTERNS if (m := p.search(clean))), None)
    outside = clean.replace(mastery, " ") if mastery else clean
    outside = PROMPTING.sub(" ", outside)
    baseline = _first(BASELINE, clean)
    if baseline:
        outside = outside.replace(baseline, " ")
    timeframe = _first(TIMEFRAME, clean)
    if timeframe:
        outside = outside.replace(timeframe, " ")
    criterion = _first(CRITERION, outside) or (mastery if mastery and re.search(r"\bof\b", mastery) else None)
    return GoalParts(
        text=clean,
        student=student,
        timeframe=timeframe,
        condition=_first(CONDITION, clean),
        behavior=behavior,
        verb=verb,
        criterion=criterion,
        mastery=mastery,
        measurement=_first(MEASUREMENT, clean) or _data_source(clean),
        baseline=baseline,
        prompting=_first(PROMPTING, clean),
    )
