"""Replace student details with placeholders before text leaves the machine, and put them back in the answer.

Our own recognizers (no network, no NLP model): emails, phone numbers, street addresses, student ids,
dates, school names and person names (the names the OT typed, titles like "Ms.", form fields like "Name:",
a first-name list, and capitalized words that are not in the library's vocabulary). When a check after
redaction still finds an identifier, RedactionFailed is raised and nothing is sent (fail closed).
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.settings import PROJECT_ROOT

DATA = Path(__file__).parent / "data"
PLACEHOLDER = re.compile(r"\[?\b(NAME|DATE|ID|EMAIL|PHONE|ADDRESS|SCHOOL)_(\d+)\b\]?")


class RedactionFailed(Exception):
    """An identifier survived redaction, so the text must not be sent."""


MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|"
    r"Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl|Loop|Square|Sq|Row|Pike|Run|Crossing|Xing|Path)"
)
CITY_STATE_ZIP = r"(?:,?\s+(?:[A-Z][a-zA-Z.'-]+\s?){1,3},?\s+[A-Z]{2}\b(?:\s+\d{5}(?:-\d{4})?)?|,?\s+\d{5}(?:-\d{4})?)?"
UNIT = r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|Lot|#)\.?\s*#?[\w-]+)?"
SCHOOL_NOUN = (
    r"(?:Elementary(?:\s+School)?|Middle(?:\s+School)?|Junior\s+High(?:\s+School)?|High(?:\s+School)?|"
    r"Intermediate(?:\s+School)?|Primary(?:\s+School)?|Academy|Preparatory(?:\s+School)?|Prep|"
    r"Charter(?:\s+School)?|Montessori(?:\s+School)?|K-?8(?:\s+School)?|K-?12|School|"
    r"(?:Early\s+)?Learning\s+(?:Center|Academy)|Preschool|Pre-?K(?:\s+Center)?|Day\s+School|Campus)"
)
CAP = r"[A-Z][\w'’.-]*"

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("EMAIL", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "ADDRESS",
        re.compile(
            rf"\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9'.-]+\s+){{0,4}}{STREET}\b\.?{UNIT}{CITY_STATE_ZIP}",
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
    ("DATE", re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")),
    ("DATE", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b(?![/.-]\d)")),
    ("DATE", re.compile(rf"\b{MONTH}\.?\s+{DAY}(?:,?\s+\d{{4}})?\b", re.I)),
    ("DATE", re.compile(rf"\b{DAY}\s+(?:of\s+)?{MONTH}\.?(?:,?\s+\d{{4}})?\b", re.I)),
    ("DATE", re.compile(rf"\b{MONTH}\.?\s+\d{{4}}\b")),
    (
        "ID",
        re.compile(
            r"(?:\b(?:student|district|state|lunch|medicaid|mrn|sid|ssid|id|ident\w*|record|case|pupil|"
            r"account|member|badge|file)\b|#)"
            r"\s*(?:number|no\.?|num|#)?\s*[:#]?\s*((?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,})\b",
            re.I,
        ),
    ),
    ("ID", re.compile(r"\b(?=[A-Z0-9-]*\d{5})[A-Z]{0,3}-?\d[\d-]{4,}[A-Z]?\b")),
    (
        "SCHOOL",
        re.compile(
            rf"\b(?:(?:St\.?|Saint)\s+)?(?:{CAP}\s+){{1,4}}{SCHOOL_NOUN}\b|\b(?:Academy|School)\s+of\s+(?:{CAP}\s?){{1,3}}"
        ),
    ),
]
# m/d without a year is a date only after a date word, or when the day cannot be a trial count.
SHORT_DATE = re.compile(r"(?<![\w/.-])(\d{1,2})/(\d{1,2})(?![\w/.-]|\.\d)")
DATE_CUE = re.compile(
    r"\b(?:on|by|since|from|until|till|starting|started|dated|due|dob|born|date|birthday|before|after|through|"
    r"thru|as of|week of|mon|tues?|wed|thur?s?|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|meeting|eval\w*|iep|annual|review|starts|ends|effective)\W{0,3}$",
    re.I,
)
COUNT_NOUN = re.compile(
    r"^\s*(?:trials?|opportunities|days?|sessions?|probes?|samples?|attempts?|times|tries|correct|accuracy|"
    r"of|steps?|items?|letters?|words?|prompts?|cues?|data|weeks?|periods?|in\b|on\b)",
    re.I,
)
TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Coach|Nurse|Principal|Señora|Sra|Sr)\.?\s+((?:[A-Z][\w'’-]+\s?){1,2})")
FIELD = re.compile(
    r"\b(?:name|student|parent|guardian|mother|father|mom|dad|teacher|aide|para|child|contact|from|to|signed|"
    r"case manager|sibling|brother|sister|grandmother|grandma|caregiver|cc|attendees?|pt|slp|nurse)"
    r"\s*(?:name)?\s*:\s*((?:[A-Za-z][\w'’-]*\.?)(?:\s+[A-Z][\w'’-]*\.?){0,2})",
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
    if not path.is_file():
        return frozenset()
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@lru_cache(maxsize=1)
def lexicons() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, names that are also words, ordinary words: the library's vocabulary plus common English)."""
    vocabulary: set[str] = set(_words(DATA / "common_words.txt"))
    for folder in (PROJECT_ROOT / "corpus", PROJECT_ROOT / "prompts"):
        for path in folder.rglob("*"):
            if path.suffix in {".md", ".yaml", ".yml"}:
                vocabulary.update(w.lower() for w in re.findall(r"[a-z][a-z'-]+", path.read_text(encoding="utf-8")))
    names = _words(DATA / "first_names.txt")
    word_names = _words(DATA / "word_names.txt") | (names & MONTHS)
    return names, word_names, frozenset(vocabulary - (names - word_names - _words(DATA / "common_words.txt")))


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
        for match in SHORT_DATE.finditer(text):
            month, day = int(match.group(1)), int(match.group(2))
            if not (1 <= month <= 12 and 1 <= day <= 31) or COUNT_NOUN.match(text[match.end() :]):
                continue
            if DATE_CUE.search(text[max(0, match.start() - 20) : match.start()]) or day > 12:
                found.append((match.start(), match.end(), "DATE"))
        found += self._name_spans(text)
        return _merge(found)

    def _name_spans(self, text: str) -> list[tuple[int, int, str]]:
        vocabulary = lexicons()[2]
        hits: list[tuple[int, int, str]] = []
        tokens: set[str] = {n.strip().lower() for n in self.known_names if n and len(n.strip()) > 1}
        for pattern in (TITLE, FIELD):
            for match in pattern.finditer(text):
                value = match.group(1).strip().rstrip(".")
                if value and value.split()[0].lower() not in vocabulary | {"the", "a", "an", "my", "our"}:
                    tokens.update(t.lower() for t in WORD.findall(value) if t.lower() not in vocabulary)
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
        if not tokens:
            return hits
        # Every occurrence of a name, and a capitalized surname right after it.
        alternation = "|".join(sorted((re.escape(t) for t in tokens), key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w-])(?:\s+[A-Z][\w'’-]+)?", re.I)
        for match in pattern.finditer(text):
            value = match.group(0)
            parts = value.split()
            if len(parts) > 1 and parts[-1].lower() in vocabulary:  # "Maya Loves" -> only "Maya"
                value = parts[0]
            hits.append((match.start(), match.start() + len(value.rstrip()), "NAME"))
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
        for name in self.known_names:
            if name and len(name.strip()) > 1:
                leftovers.append(("a student name", re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", plain, re.I)))
        for what, hit in leftovers:
            if hit:
                raise RedactionFailed(f"{what} could not be removed, so nothing was sent to the language model")

    def restore(self, text: str) -> str:
        """Put the originals back where the model kept the placeholders."""
        back = {placeholder.strip("[]"): original for original, placeholder in self.found.items()}
        return PLACEHOLDER.sub(lambda m: back.get(f"{m.group(1)}_{m.group(2)}", m.group(0)), text)


def _looks_like_name(bare: str, possessive: bool, before: str) -> bool:
    """One word, by the name lists, the vocabulary and its place in the sentence."""
    names, word_names, vocabulary = lexicons()
    lower = bare.lower()
    starts = bool(SENTENCE_START.search(before))
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
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if end > start and all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, kind))
    return sorted(chosen)


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
