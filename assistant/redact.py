"""Replace student details with placeholders before text leaves the machine, and put them back in the answer.

Our own recognizers (no network, no NLP model): emails, phone numbers, street addresses, student ids,
dates, school names and person names (the names the OT typed, titles like "Ms.", form fields like "Name:",
a first-name list, and capitalized words that are not in the library's vocabulary). When a check after
redaction still finds an identifier, RedactionFailed is raised and nothing is sent (fail closed).
"""

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.lexicon import vocabulary

DATA = Path(__file__).parent / "data"
PLACEHOLDER = re.compile(r"\[?\b(NAME|DATE|ID|EMAIL|PHONE|ADDRESS|SCHOOL)_(\d+)\b\]?")


class RedactionFailed(Exception):
    """An identifier survived redaction, so the text must not be sent."""


MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Spanish, Portuguese, French and Haitian Creole month names, for "12 de octubre" and "22 janvye".
FOREIGN_MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|sep?tiembre|octubre|noviembre|diciembre|janeiro|"
    r"fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|janvier|février|mars|avril|mai|juin|"
    r"juillet|août|septembre|octobre|novembre|décembre|janvye|fevriye|mas|me|jen|jiyè|out|septanm|oktòb|novanm|"
    r"desanm)"
)
STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|"
    r"Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Loop|Square|Sq|Row|Pike|Run|Crossing|Xing|Path)"
)
# Possessive words: a long run of letters is not split into "city" words in every possible way (linear time).
CITY_STATE_ZIP = (
    r"(?:,?\s+(?:[A-Z][a-zA-Z.'-]++\s?){1,3},?\s+[A-Z]{2}\b(?:\s+\d{5}(?:-\d{4})?)?|,?\s+\d{5}(?:-\d{4})?)?"
)
UNIT = r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|Lot|#)\.?\s*#?[\w-]+)?"
SCHOOL_NOUN = (
    r"(?:Elementary(?:\s+School)?|Middle(?:\s+School)?|Junior\s+High(?:\s+School)?|High(?:\s+School)?|"
    r"Intermediate(?:\s+School)?|Primary(?:\s+School)?|Academy|Preparatory(?:\s+School)?|Prep|"
    r"Charter(?:\s+School)?|Montessori(?:\s+School)?|K-?8(?:\s+School)?|K-?12|School|"
    r"(?:Early\s+)?Learning\s+(?:Center|Academy)|Preschool|Pre-?K(?:\s+Center)?|Day\s+School|Campus)"
)
CAP = r"[A-Z][\w'’.-]*+"

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("EMAIL", re.compile(r"(?<![\w.+'-])[\w.+'-]++@[\w-]++(?:\.[\w-]++)+")),
    (
        "ADDRESS",
        re.compile(
            rf"\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9'.-]++\s+){{0,4}}{STREET}\b\.?{UNIT}{CITY_STATE_ZIP}",
            re.I,
        ),
    ),
    ("ADDRESS", re.compile(rf"\bP\.?\s?O\.?\s*Box\s+\d+{CITY_STATE_ZIP}", re.I)),
    (
        "PHONE",
        re.compile(
            r"(?<![\w/])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
            r"(?:\s*(?:ext\.?|x|extension)\s*\d{1,5})?(?![\w/])",
            re.I,
        ),
    ),
    ("PHONE", re.compile(r"(?<![\w/-])\d{10}(?![\w/-])")),
    ("DATE", re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b")),
    ("DATE", re.compile(rf"\b\d{{1,2}}\s+(?:de\s+)?{FOREIGN_MONTH}\b(?:\s+(?:de\s+)?\d{{4}})?", re.I)),
    ("DATE", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b(?![/.-]\d)")),
    ("DATE", re.compile(rf"\b{MONTH}\.?\s+{DAY}(?:,?\s+\d{{4}})?\b", re.I)),
    ("DATE", re.compile(rf"\b{DAY}\s+(?:of\s+)?{MONTH}\.?(?:,?\s+\d{{4}})?\b", re.I)),
    ("DATE", re.compile(rf"\b{MONTH}\.?\s+\d{{4}}\b")),
    (
        "ID",
        re.compile(
            r"(?:\b(?:student|district|state|lunch|medicaid|mrn|sid|ssid|id|ident\w*|record|case|pupil|"
            r"account|member|badge|file)\b|#)"
            r"\s*(?:number|no\.?|num|#)?\s*(?:is|was|of|=)?\s*[:#]?\s*((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,})\b",
            re.I,
        ),
    ),
    ("ID", re.compile(r"\b(?=[A-Z0-9-]{0,40}\d{5})[A-Z]{0,3}-?\d[\d-]{4,40}+[A-Z]?\b")),
    ("ID", re.compile(r"\b(?=(?:\d-?){7,40}\b)\d{3,40}+(?:-\d{2,40}+){1,3}\b")),
    (
        "SCHOOL",
        re.compile(
            rf"\b(?:(?:St\.?|Saint)\s+)?(?:{CAP}\s+){{1,4}}{SCHOOL_NOUN}\b|\b(?:Academy|School)\s+of\s+(?:{CAP}\s?){{1,3}}"
        ),
    ),
]
LOWER_SCHOOL = re.compile(
    r"(?:\b(?:at|attends|from|to|into|school)|[,(:])\s*((?:[a-z][a-z'-]+\s+){1,3}"
    r"(?:elementary|middle|high school|academy|k-8|primary|intermediate|prep|montessori)(?:\s+school)?)\b"
)
# m/d without a year is a date only after a date word, or when the day cannot be a trial count.
SHORT_DATE = re.compile(r"(?<![\w/.-])(\d{1,2})/(\d{1,2})(?![\w/-]|\.\d)")
NOT_DATE_BEFORE = re.compile(r"\b(?:in|scored|score|got|gets|with|accuracy|about|only|of|at|on)\s+$", re.I)
DATE_CUE = re.compile(
    r"\b(?:on|by|since|from|until|till|starting|started|dated|due|dob|born|date|birthday|before|after|through|"
    r"thru|as of|week of|mon|tues?|wed|thur?s?|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|meeting|eval\w*|iep|annual|review|starts|ends|effective)\W{0,3}$",
    re.I,
)
COUNT_NOUN = re.compile(
    r"^\s*(?:[a-z]+\s+)?(?:trials?|opportunit\w+|days?|sessions?|probes?|samples?|attempts?|times|tries|correct|"
    r"accura\w+|of|steps?|items?|letters?|words?|prompts?|cues?|data|weeks?|periods?|goals?|shapes?|inch\w*|"
    r"cups?|pages?|lines?|sentences?|problems?|questions?|tasks?|students?|kids|peers|hours?|minutes?|"
    r"pieces?|blocks?|buttons?|beads?|targets?|objectives?|components?|skills?|in\b|on\b|ot\b|%)",
    re.I,
)
TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Coach|Nurse|Principal|Señora|Sra|Sr)\.?[ \t]+([A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+)?)"
    r"|\b(?:mr|mrs|ms|dr)\.[ \t]+([a-z][\w'’-]+)"
)
FIELD = re.compile(
    r"\b(?:name|student|parent|guardian|mother|father|mom|dad|teacher|aide|para|child|contact|from|to|signed|"
    r"case manager|sibling|brother|sister|grandmother|grandma|caregiver|cc|attendees?|pt|slp|nurse|examiner|"
    r"evaluator|therapist|psychologist|counselor|principal|coordinator|reviewer|interpreter|physician|"
    r"pediatrician|doctor|prepared by|completed by|written by|referred by)"
    r"[ \t]*(?:name)?[ \t]*:[ \t]*((?:[A-Za-z][\w'’-]*\.?)(?:[ \t]+[A-Za-z][\w'’-]*\.?){0,2})",
    re.I,
)
CUE_BEFORE = re.compile(
    r"\b(?:named|called|student|kiddo|kid|son|daughter|boy|girl|client|child|nephew|niece|brother|sister|"
    r"for|with|and|hi|dear|thanks|love|from)\s+$",
    re.I,
)
INITIALS = re.compile(r"\b(?:[A-Z]\.){2,3}(?=\s|,|$)")
NOT_INITIALS = {"U.S.", "P.E.", "A.M.", "P.M.", "O.T.", "P.T.", "I.E.", "E.G.", "B.A.", "M.S.", "M.A."}
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*")
SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*[-*•]?\s*|[\"“(]\s*)$")
MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
}  # fmt: skip


def _words(path: Path) -> frozenset[str]:
    """A word list shipped in assistant/data; a missing one is an error, never a quietly weaker redactor."""
    if not path.is_file():
        raise RedactionFailed(f"the word list {path.name} is missing, so nothing can be sent to a language model")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@lru_cache(maxsize=1)
def lexicons() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, names that are also words, ordinary words: the library's vocabulary plus common English)."""
    _words(DATA / "common_words.txt")  # each list must be there: a missing one fails closed
    names = _words(DATA / "first_names.txt")
    word_names = _words(DATA / "word_names.txt") | (names & MONTHS)
    return names, word_names, vocabulary()


@dataclass
class Redactor:
    """One conversation's placeholders: the same detail always gets the same placeholder."""

    known_names: list[str] = field(default_factory=list)
    found: dict[str, str] = field(default_factory=dict)  # original -> placeholder
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.found)

    def _placeholder(self, kind: str, original: str) -> str:
        if original not in self.found:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.found[original] = f"[{kind}_{self.counts[kind]}]"
        return self.found[original]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of every detail found, longest first where they overlap."""
        found: list[tuple[int, int, str]] = []
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(text):
                group = 1 if pattern.groups else 0
                found.append((match.start(group), match.end(group), kind))
        for match in LOWER_SCHOOL.finditer(text):
            words = match.group(1).split()
            if words[0] not in {"the", "a", "an", "our", "my", "his", "her", "their", "this", "that", "your"}:
                found.append((match.start(1), match.end(1), "SCHOOL"))
        for match in SHORT_DATE.finditer(text):
            found += [(match.start(), match.end(), "DATE")] if _short_date(text, match) else []
        found += self._name_spans(text)
        return _merge(found)

    def _name_spans(self, text: str) -> list[tuple[int, int, str]]:
        names, _, vocabulary = lexicons()
        hits: list[tuple[int, int, str]] = []
        tokens: set[str] = {n.strip().lower() for n in self.known_names if n and len(n.strip()) > 1}
        for pattern in (TITLE, FIELD):
            for match in pattern.finditer(text):
                words = [w for w in WORD.findall(match.group(1) or match.group(2)) if not w.isupper()]
                if words and words[0].lower() not in vocabulary | {"the", "a", "an", "my", "our"}:
                    tokens.update(w.lower() for w in words if w.lower() not in vocabulary or w.lower() in names)
        for match in INITIALS.finditer(text):
            if match.group(0) not in NOT_INITIALS:
                hits.append((match.start(), match.end(), "NAME"))
        for match in WORD.finditer(text):
            word = match.group(0).rstrip("'’")
            bare = re.sub(r"['’]s$", "", word)
            if len(bare) > 1 and bare.lower() not in tokens:
                before = text[max(0, match.start() - 24) : match.start()]
                if _looks_like_name(bare, word != bare, before):
                    tokens.add(bare.lower())
        for _ in range(2):  # a second pass picks up given names and surnames found next to a name
            if not tokens:
                return hits
            found = self._occurrences(text, tokens)
            more = {re.sub(r"['’]s?$", "", w.lower()) for s, e, _ in found for w in WORD.findall(text[s:e])} - tokens
            if not more:
                break
            tokens |= {w for w in more if len(w) > 1}
        return hits + found

    def _occurrences(self, text: str, tokens: set[str]) -> list[tuple[int, int, str]]:
        """Every occurrence of a name (only capitalized ones when it is also a word), with a capitalized
        surname after it or a capitalized given name before it."""
        names, word_names, vocabulary = lexicons()
        known = {n.strip().lower() for n in self.known_names}
        # A name that is also a word matches only capitalized; a name the OT typed, in any case (unless it is
        # one of the names that are common words, such as Will or Grace).
        ordinary = {t for t in tokens if t in word_names or (t in vocabulary and t not in known)}
        alternatives = [re.escape(t) for t in tokens - ordinary]
        alternatives += [f"(?-i:{re.escape(t[0].upper())}){re.escape(t[1:])}" for t in ordinary]
        alternation = "|".join(sorted(alternatives, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w-])(?:[ \t]+(?-i:[A-Z])[\w'’-]+){{0,3}}", re.I)
        hits = []
        for match in pattern.finditer(text):
            start, parts = match.start(), match.group(0).split()
            while len(parts) > 1 and _ordinary(parts[-1], vocabulary, names):  # "Maya Loves" -> only "Maya"
                parts.pop()
            value = text[start : start + len(match.group(0))]
            value = value[: value.index(parts[-1], len(" ".join(parts[:-1]))) + len(parts[-1])]
            if value[0].islower():  # typed in lowercase: "zoe kaplan", "funmi adebayo-okafor"
                for _ in range(2):
                    after = re.match(r"[ \t]+([a-z][\w'’-]+)", text[start + len(value) :])
                    if not after or _ordinary(after.group(1), vocabulary, names):
                        break
                    value += after.group(0)
            # Privacy first: a given name, an initial or an unknown capitalized word before a name joins it.
            previous = re.search(r"([A-Z](?:\.|[\w'’-]+))[ \t]+$", text[max(0, start - 30) : start])
            word = previous.group(1) if previous else ""
            if word and (word.lower() in names or word.endswith(".") or not _ordinary(word, vocabulary, names)):
                start -= len(previous.group(0))
            hits.append((start, match.start() + len(value), "NAME"))
        return hits

    def redact(self, text: str) -> str:
        """The text with every detail replaced; RedactionFailed if the check afterwards still finds one."""
        out, last = [], 0
        for start, end, kind in self.spans(text):
            out += [text[last:start], self._placeholder(kind, text[start:end])]
            last = end
        out.append(text[last:])
        redacted = "".join(out)
        self.verify(redacted)
        return redacted

    def verify(self, redacted: str) -> None:
        """Fail closed: a simpler, independent pass must find nothing left."""
        plain = PLACEHOLDER.sub(" ", redacted)
        leftovers = [
            ("an email address", PATTERNS[0][1].search(plain)),
            ("a phone number", re.search(r"\d{3}\D{0,2}\d{3}\D?\d{4}", plain)),
            ("a long number", re.search(r"\d{7,}", plain)),
        ]
        word_names = lexicons()[1]
        for name in (n.strip() for n in self.known_names if n and len(n.strip()) > 1):
            if name.lower() in word_names:  # "Will": only the capitalized word
                hit = re.search(rf"(?<!\w){re.escape(name[0].upper() + name[1:].lower())}(?!\w)", plain)
            else:
                hit = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", plain, re.I)
            leftovers.append(("a student name", hit))
        for what, hit in leftovers:
            if hit:
                raise RedactionFailed(f"{what} could not be removed, so nothing was sent to the language model")

    def restore(self, text: str) -> str:
        """Put the originals back where the model kept the placeholders."""
        back = {placeholder.strip("[]"): original for original, placeholder in self.found.items()}
        return PLACEHOLDER.sub(lambda m: back.get(f"{m.group(1)}_{m.group(2)}", m.group(0)), text)


def _short_date(text: str, match: re.Match) -> bool:
    """m/d is a date unless it reads as a count ("3/4 trials", "in 4/5"); a date word before settles it."""
    month, day = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    before = text[max(0, match.start() - 20) : match.start()]
    if DATE_CUE.search(before):
        return not COUNT_NOUN.match(text[match.end() :])
    return not COUNT_NOUN.match(text[match.end() :]) and not NOT_DATE_BEFORE.search(before)


def _ordinary(word: str, vocabulary: frozenset[str], names: frozenset[str]) -> bool:
    """A word of ordinary text (every part of a hyphenated word too), and not a given name."""
    parts = [p for p in re.split(r"[-'’]", re.sub(r"['’]s$", "", word.lower())) if len(p) > 1]
    return word.lower() not in names and all(p in vocabulary for p in parts)


def _looks_like_name(bare: str, possessive: bool, before: str) -> bool:
    """One word, by the name lists, the vocabulary and its place in the sentence."""
    names, word_names, vocabulary = lexicons()
    lower = bare.lower()
    if "-" in bare and _ordinary(bare, vocabulary, names):  # Pre-K, W-sitting, Wet-Dry-Try
        return False
    starts = bool(SENTENCE_START.search(before)) and not re.search(r"\b[A-Z]\.\s+$", before)
    capital = bare[0].isupper() and not bare.isupper()
    if lower in MONTHS:  # "April's", "named May"; otherwise a month
        return capital and (possessive or bool(re.search(r"\bnamed\s+$", before)))
    if lower in word_names:  # Grace, Will, Hope: a name when capitalized mid-sentence
        return capital and not starts
    if lower in names:
        return capital or lower not in vocabulary
    if capital and lower not in vocabulary and len(bare) > 2:  # a proper noun the library never uses
        return not starts or possessive or bool(CUE_BEFORE.search(before))
    return False


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping spans in order; a longer span wins, then the earlier recognizer."""
    chosen: list[tuple[int, int, str]] = []  # kept sorted by start; being disjoint, also by end
    for start, end, kind in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if end <= start:
            continue
        k = bisect_left(chosen, (start,))
        before_ok = k == 0 or chosen[k - 1][1] <= start
        after_ok = k == len(chosen) or chosen[k][0] >= end
        if before_ok and after_ok:
            chosen.insert(k, (start, end, kind))  # a list insert is a memmove: fast for any request size
    return chosen


class StreamRestorer:
    """Restores placeholders in streamed tokens, holding back a placeholder that is split across tokens."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.pending = ""

    def feed(self, token: str) -> str:
        self.pending += token
        cut = self.pending.rfind("[")
        if cut != -1 and "]" not in self.pending[cut:] and len(self.pending) - cut < 16:
            ready, self.pending = self.pending[:cut], self.pending[cut:]
        else:
            ready, self.pending = self.pending, ""
        return self.redactor.restore(ready)

    def flush(self) -> str:
        ready, self.pending = self.pending, ""
        return self.redactor.restore(ready)
