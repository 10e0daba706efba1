"""Replace student details with placeholders before text leaves the machine, and put them back in the answer.

Our own recognizers (no network, no NLP model): emails, phone numbers, street addresses, student ids,
dates, school names and person names (the names the OT typed, titles like "Ms.", form fields like "Name:",
a first-name list, and capitalized words that are not in the library's vocabulary). When a check after
redaction still finds an identifier, RedactionFailed is raised and nothing is sent (fail closed).
"""

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.lexicon import fold, vocabulary

DATA = Path(__file__).parent / "data"
PLACEHOLDER = re.compile(r"\[?\b(NAME|DATE|ID|EMAIL|PHONE|ADDRESS|SCHOOL|ROOM)_(\d+)\b\]?")
# Seven or more digits in one run, however they are spaced or punctuated ("555 0142 333", "5 5 5 2 0 1 3 3 4 4",
# "555 - 201 - 8890"): a phone or an id. Each step takes one digit, so the scan is linear (possessive).
DIGIT_RUN = re.compile(r"(?<![\w])\+?\(?\d(?:(?:[ \t]?[-./·•][ \t]?|[ \t]|\)[ \t]?|[ \t]?\()?\d){6,}+(?![\w:])")
LOOSE_DIGITS = re.compile(r"\d(?:[\s().\-/+·•]{0,3}\d){6,}+")


class RedactionFailed(Exception):
    """An identifier survived redaction, so the text must not be sent."""


MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|(?-i:May|MAY)|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
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
# Street types that are also everyday words ("3 sessions in a row", "a loop") count only capitalized.
STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Ct|Pl|Terr|Ter|Cir|Parkway|Pkwy|Highway|Hwy|Trl|"
    r"Sq|Xing|(?-i:Court|Way|Place|Terrace|Circle|Trail|Loop|Square|Row|Pike|Run|Crossing|Path))"
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
    r"(?:Early\s+)?Learning\s+(?:Center|Academy)|Preschool|Pre-?K(?:\s+Center)?|Day\s+School|Campus|"
    r"(?-i:MS|HS|ES|JHS|Elem\.?))"
)
CAP = r"[A-Z][\w'’.-]*+"
UPPER = "[A-ZÀ-ÖØ-Þ]"  # a capital letter, accented ones too

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("EMAIL", re.compile(r"(?<![\w.+'-])[\w.+'-]++@[\w-]++(?:\.[\w-]++)+")),
    (
        "ADDRESS",
        re.compile(
            rf"(?<![:\d-])\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:(?:[A-Za-z'.-][A-Za-z0-9'.-]*+|\d+(?:st|nd|rd|th))\s+){{0,4}}"
            rf"{STREET}\b\.?{UNIT}{CITY_STATE_ZIP}",
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
    ("DATE", re.compile(r"(?<![\w/.-])(?:0?[1-9]|1[0-2])[/-](?:19|20)\d{2}\b(?![/.-]\d)")),  # 05/2025: month and year
    ("DATE", re.compile(rf"\b\d{{1,2}}-{MONTH}-(?:\d{{4}}|\d{{2}})\b", re.I)),  # 14-Feb-2016
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
    r"(?:elementary|elem|middle|high school|academy|k-8|primary|intermediate|prep|montessori|ms|hs|es|jhs)"
    r"(?:\s+school)?)\b"
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
NAME_SUFFIX = re.compile(r",?[ \t]+(?:Jr|Sr|II|III|IV)\b\.?")
# Surname particles join a name ("Ms. Van der Berg", "Mrs. Dela Cruz", "Dr. bin Said").
PARTICLES = r"(?:van|von|der|den|de|dela|del|della|di|da|du|la|le|dos|das|bin|ibn|al|el|ben|st\.?)"
PARTICLE = rf"(?:[ \t]{PARTICLES}\b)*+"
TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Coach|Nurse|Principal|Señora|Sra|Sr|Srta|Mme|Mlle|Madame|Monsieur|Prof|Profe|"
    rf"Maestra|Maestro)\.?[ \t]+([A-Z][\w'’-]+(?:{PARTICLE}[ \t][A-Z][\w'’-]+)?)"
    rf"|\b(?:mr|mrs|ms|dr)\.?[ \t]+((?:{PARTICLES}[ \t]+)*+"
    r"[a-z][\w'’-]+)"
)
FIELD = re.compile(
    r"\b(?:name|student|parent|guardian|mother|father|mom|dad|teacher|aide|para|child|contact|from|to|signed|"
    r"case manager|sibling|brother|sister|grandmother|grandma|caregiver|cc|attendees?|pt|slp|nurse|examiner|"
    r"evaluator|therapist|psychologist|counselor|principal|coordinator|reviewer|interpreter|physician|"
    r"pediatrician|doctor|prepared by|completed by|written by|referred by|nombre|alumno|alumna|estudiante|madre|"
    r"padre|tutor|tutora|maestro|maestra|presentes|élève|nom|prénom|mère|père)"
    r"[ \t]*(?:name)?[ \t]*:[ \t]*((?:[^\W\d_][\w'’-]*+\.?)(?:[ \t]+[^\W\d_][\w'’-]*+\.?){0,2})",
    re.I,
)
CUE_BEFORE = re.compile(
    r"\b(?:named|called|student|kiddo|kid|son|daughter|boy|girl|client|child|nephew|niece|brother|sister|"
    r"for|with|and|hi|dear|thanks|love|from)\s+$",
    re.I,
)
INITIALS = re.compile(r"\b(?:[A-Z]\.){2,3}(?=\s|,|$)")
NOT_INITIALS = {"U.S.", "P.E.", "A.M.", "P.M.", "O.T.", "P.T.", "I.E.", "E.G.", "B.A.", "M.S.", "M.A."}
WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*+(?:['’-][^\W\d_]++)*+['’]?")  # letters of any alphabet (Wiśniewski, Nguyễn)
# A nickname in quotes or brackets between a given name and a surname, or right after a name:
# Alexandra "Sasha" Volkova, Dominique (DJ) Baptiste.
NICKNAME = re.compile(r"[ \t]+[\"“(]([^\W\d_][^\W\d_'’.-]{0,19})[\"”)]")
# A room: a room word and a short code holding a digit (Room 114, rm 2B, Rm. #204, portable (P-2), classroom: 2-B).
ROOM = re.compile(
    r"\b(?:room|rm|classroom|portable|trailer|office|suite)\b\.?[ \t]*[:#(]?[ \t]*#?[ \t]*"
    r"((?=[A-Za-z-]{0,3}\d)[A-Za-z]{0,2}-?\d{1,4}[A-Za-z]?(?:-?[A-Za-z0-9]{1,4})?)\)?(?![\w-])",
    re.I,
)
# A school's short code: capitals ending in ES, MS or HS ("OHES", "RMS"); everyday words ("YES", "DOES") are not.
SCHOOL_CODE = re.compile(r"\b[A-Z]{1,3}(?:ES|MS|HS)\b")
# Last: a date or an id of the same span wins.
PATTERNS += [("PHONE", DIGIT_RUN), ("ROOM", ROOM), ("SCHOOL", SCHOOL_CODE)]
# A pattern that cannot match without its anchor word is not run when the word is absent (a fast first look).
ANCHORS = {
    pattern: re.compile(rf"\b{word}\b", re.I)
    for _, pattern in PATTERNS
    for word in (STREET, FOREIGN_MONTH)
    if word in pattern.pattern
}
SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*[-*•]?\s*|[\"“(]\s*)$")
ARTICLES = frozenset({"the", "a", "an", "my", "our"})
TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "coach", "nurse", "principal", "sra", "sr", "mme"})
MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
}  # fmt: skip


def _words(path: Path) -> frozenset[str]:
    """A word list shipped in assistant/data; a missing one is an error, never a quietly weaker redactor."""
    if not path.is_file():
        raise RedactionFailed(f"the word list {path.name} is missing, so nothing can be sent to a language model")
    lines = (line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def name_verbs() -> frozenset[str]:
    """Verbs (and the adverbs before them) that follow a person as the subject: "Autumn has", "Kacper formed"."""
    return _words(DATA / "name_verbs.txt")


@lru_cache(maxsize=1)
def never_names() -> frozenset[str]:
    """Role, greeting, weekday, month and subject words: never a name, whatever their capital letter."""
    from assistant.lexicon import case_words

    return frozenset(str(w).lower() for group in case_words()["not_names"].values() for w in group)


@lru_cache(maxsize=1)
def naming_cues() -> frozenset[str]:
    return _words(DATA / "naming_cues.txt")


@lru_cache(maxsize=1)
def lexicons() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, names that are also words, ordinary words: the library's vocabulary plus common English)."""
    _words(DATA / "common_words.txt")  # each list must be there: a missing one fails closed
    listed = _words(DATA / "first_names.txt") | _words(DATA / "world_names.txt")
    names = listed | {fold(n) for n in listed}  # a name is found with or without its accents (Zoë, Sofía)
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
            anchor = ANCHORS.get(pattern)
            if anchor is not None and not anchor.search(text):
                continue
            for match in pattern.finditer(text):
                if pattern is SCHOOL_CODE and match.group(0).lower() in lexicons()[2]:
                    continue
                group = 1 if pattern.groups else 0
                found.append((match.start(group), match.end(group), kind))
        for match in LOWER_SCHOOL.finditer(text):
            words = match.group(1).split()
            if words[0] not in {"the", "a", "an", "our", "my", "his", "her", "their", "this", "that", "your"}:
                found.append((match.start(1), match.end(1), "SCHOOL"))
        for match in SHORT_DATE.finditer(text):
            found += [(match.start(), match.end(), "DATE")] if _short_date(text, match) else []
        found += self._name_spans(text)
        return _merge(found, text)

    def _name_spans(self, text: str) -> list[tuple[int, int, str]]:
        names, _, vocabulary = lexicons()
        hits: list[tuple[int, int, str]] = []
        typed = [n.strip() for n in self.known_names if n and len(n.strip()) > 1]
        tokens: set[str] = {n.lower() for n in typed} | {fold(n) for n in typed}  # "Ángel" is "Angel" too
        never = never_names()
        for pattern in (TITLE, FIELD):
            for match in pattern.finditer(text):
                group = 1 if match.group(1) else 2
                words = [w for w in WORD.findall(match.group(group)) if not w.isupper()]
                if not words or words[0].lower() in ARTICLES or words[0].lower() in never:
                    continue
                # After a title the words are the name, everyday words too ("Ms. Pearl", "Ms. Lucretia Bell");
                # a lowercase title without its period ("ms") may be a school, so there only unknown words count.
                titled = pattern is TITLE and (group == 1 or "." in text[match.start() : match.start(group)])
                if titled:
                    hits.append((match.start(group), match.end(group), "NAME"))
                    tokens.update(w.lower() for w in words if w.lower() not in never)
                elif words[0].lower() not in vocabulary:
                    tokens.update(w.lower() for w in words if w.lower() not in vocabulary or w.lower() in names)
        for match in INITIALS.finditer(text):
            if match.group(0) not in NOT_INITIALS:
                hits.append((match.start(), match.end(), "NAME"))
        for match in WORD.finditer(text):
            word = match.group(0).rstrip("'’")
            bare = word[:-2] if word[-2:] in ("'s", "’s") else word
            if bare[:1].islower() and bare not in names and (bare.isascii() or fold(bare) not in names):
                continue  # a lowercase word is a name only from the name list: the fast path for most words
            if len(bare) > 1 and bare.lower() not in tokens:
                before = text[max(0, match.start() - 24) : match.start()]
                after = text[match.end() : match.end() + 40]
                if _looks_like_name(bare, word != bare, before, after):
                    tokens.add(bare.lower())
        hits += self._lowercase_known(text)
        more, placed = _by_structure(text, tokens)
        tokens |= more
        hits += placed
        for _ in range(2):  # a second pass picks up given names and surnames found next to a name
            if not tokens:
                return hits
            found = self._occurrences(text, tokens)
            more = {re.sub(r"['’]s?$", "", w.lower()) for s, e, _ in found for w in WORD.findall(text[s:e])} - tokens
            if not more:
                break
            tokens |= {w for w in more if len(w) > 1}
        return hits + found

    def _lowercase_known(self, text: str) -> list[tuple[int, int, str]]:
        """A name the OT typed that is also a word ("Chase", "Sky"), written in lowercase, is the student where a
        person stands: at the start of a sentence, as an owner ("sky's brother"), or before a person's verb."""
        word_names, verbs = lexicons()[1], name_verbs()
        hits = []
        vocabulary = lexicons()[2]
        typed = {n.strip().lower() for n in self.known_names if n and len(n.strip()) > 1}
        for name in (t for t in typed if t in word_names or t in vocabulary):
            for match in re.finditer(rf"(?<![\w'’-]){re.escape(name)}(['’]s)?(?![\w-])", text):
                if text[match.start()] != name[0]:
                    continue  # capitalized: _occurrences has it
                after = re.match(r"\s+([\w'’]+)", text[match.end() :])
                starts = bool(SENTENCE_START.search(text[max(0, match.start() - 24) : match.start()]))
                if starts or match.group(1) or (after and after.group(1).lower() in verbs):
                    hits.append((match.start(), match.start() + len(name), "NAME"))
        return hits

    def _occurrences(self, text: str, tokens: set[str]) -> list[tuple[int, int, str]]:
        """Every occurrence of a name (only capitalized ones when it is also a word), with a capitalized
        surname after it or a capitalized given name before it."""
        names, word_names, vocabulary = lexicons()
        known = {n.strip().lower() for n in self.known_names}
        # A name that is also a word matches only capitalized; a name the OT typed, in any case (unless it is
        # one of the names that are common words, such as Will or Grace).
        # A name the OT typed that is also an everyday word ("An", "Will") is matched capitalized here too.
        ordinary = {t for t in tokens if t in word_names or t in vocabulary}
        del known
        alternatives = [re.escape(t) for t in tokens - ordinary]
        alternatives += [f"(?-i:{re.escape(t[0].upper())}){re.escape(t[1:])}" for t in ordinary]
        alternation = "|".join(sorted(alternatives, key=len, reverse=True))
        nickname = r"(?:[ \t]+[\"“(][^\W\d_][^\W\d_'’.-]{0,19}[\"”)](?=[ \t]+(?-i:[A-Z])))?"
        pattern = re.compile(
            rf"(?<![\w-])(?<!\w['’])(?:{alternation})(?![\w-]){nickname}"
            rf"(?:{PARTICLE}[ \t]+(?-i:{UPPER})[\w'’-]+){{0,3}}",
            re.I,
        )
        hits = []
        for match in pattern.finditer(text):
            start, parts = match.start(), match.group(0).split()
            # "Maya Loves" -> only "Maya"; a word already known as a name stays ("Trần Bảo An")
            while (
                len(parts) > 1
                and _ordinary(parts[-1], vocabulary, names)
                and parts[-1].lower() not in tokens
                and not re.fullmatch(r"[A-Z]\w+-[A-Z]\w+", parts[-1])  # "Sky Running-Water": a surname
            ):
                parts.pop()
            value = text[start : start + len(match.group(0))]
            value = value[: value.index(parts[-1], len(" ".join(parts[:-1]))) + len(parts[-1])]
            suffix = NAME_SUFFIX.match(text, match.start() + len(value))
            if suffix:
                value += suffix.group(0)
            if value[0].islower():  # typed in lowercase: "zoe kaplan", "funmi adebayo-okafor"
                for _ in range(2):
                    after = re.match(r"[ \t]+([a-z][\w'’-]+)", text[start + len(value) :])
                    if not after or _ordinary(after.group(1), vocabulary, names):
                        break
                    value += after.group(0)
            # Privacy first: a given name, an initial or an unknown capitalized word before a name joins it.
            previous = re.search(r"([A-Z](?:\.|[\w'’-]+))[ \t]+$", text[max(0, start - 30) : start])
            word = previous.group(1) if previous else ""
            initial = re.fullmatch(r"[A-Z]\.", word) is not None  # "J. Rivera"; not "MS." of a school
            joins = word and not word.isupper() and (word.lower() in names or not _ordinary(word, vocabulary, names))
            if joins or initial:
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
            ("a long number", LOOSE_DIGITS.search(plain)),
        ]
        word_names = lexicons()[1]
        vocabulary = lexicons()[2]
        typed = [n.strip() for n in self.known_names if n and len(n.strip()) > 1]
        for name in {*typed, *(fold(n) for n in typed)}:
            if name.lower() in word_names or name.lower() in vocabulary:  # "Will", "An": only the capitalized word
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


def _looks_like_name(bare: str, possessive: bool, before: str, after: str = "") -> bool:
    """One word, by the name lists, the vocabulary and its place in the sentence. At the start of a sentence a
    capitalized word is a name when a person's verb follows it ("Autumn has", "Kacper formed") or, for a word
    the library never uses, when a second capitalized name-like word follows ("Kacper Wiśniewski")."""
    names, word_names, vocabulary = lexicons()
    lower = bare.lower()
    if lower not in names and fold(lower) in names:
        lower = fold(lower)
    following = re.match(r"[ \t]+[\"“'(]?([\w'’]+)", after)  # through a quoted nickname: Friedrich "Fritz"
    verb_follows = bool(following) and following.group(1).lower() in name_verbs()
    if "-" in bare and _ordinary(bare, vocabulary, names):  # Pre-K, W-sitting, Wet-Dry-Try
        return False
    starts = bool(SENTENCE_START.search(before)) and not re.search(r"\b[A-Z]\.\s+$", before)
    capital = bare[0].isupper() and not bare.isupper()
    if lower in MONTHS:  # "April's", "named May"; otherwise a month
        return capital and (possessive or bool(re.search(r"\bnamed\s+$", before)))
    if lower in word_names:  # Grace, Will, Hope: a name mid-sentence, as an owner, or before a person's verb
        return capital and (not starts or verb_follows or possessive)
    if lower in names:
        return capital or lower not in vocabulary
    if capital and lower not in vocabulary and len(bare) > 2:  # a proper noun the library never uses
        if not starts or possessive or verb_follows or CUE_BEFORE.search(before):
            return True
        second = following.group(1) if following else ""
        return second[:1].isupper() and not second.isupper() and not _ordinary(second, vocabulary, names)
    return False


LIST_LEAD = re.compile(r"^[ \t]*(?:[-*•][ \t]*)?([^\W\d_][\w'’-]*)[ \t]*(?:[–—:(]|-[ \t])", re.M)
ITEM_LEAD = re.compile(r"(?:^|[,;][ \t]+(?:and[ \t]+)?)([A-Z][\w'’-]*)[ \t]+\(", re.M)
DASH_SIGNATURE = re.compile(r"(?:^|[ \t])[-–—][ \t]*((?:(?:mr|mrs|ms|dr)\.?[ \t]+)?[^\W\d_][\w'’-]*)[ \t.!]*$", re.I)


@lru_cache(maxsize=1)
def _named_after() -> re.Pattern:
    """A naming cue of naming_cues.txt, then the other name it introduces ("aka 'shawny'", "goes by Birdie")."""
    cues = sorted(naming_cues(), key=len, reverse=True)
    alternation = "|".join(re.escape(cue).replace("\\ ", "[ \\t]+") for cue in cues)
    return re.compile(rf"(?<![\w.])({alternation})[ \t]+[\"“'‘]?([^\W\d_][\w’-]*+)", re.I)


LAST_FIRST = re.compile(
    r"^[ \t]*(?:[-*•][ \t]*)?([A-Z][\w'’-]*+(?:[ \t][A-Z][\w'’-]*+)?),[ \t]+([A-Z][\w'’-]*+)"
    r"(?=[ \t]*(?:$|[-–—,;:(|/]))",
    re.M,
)
BEFORE_BRACKETS = re.compile(r"(?<![\w'’-])([^\W\d_][\w'’-]*+)[ \t]*\(([^()\n]{1,60})\)")
PRONOUNS = re.compile(r"\s*(?:she|he|they|ze|xe|zie)\s*/\s*\w+\s*$", re.I)


def _by_structure(text: str, tokens: set[str]) -> tuple[set[str], list[tuple[int, int, str]]]:
    """Names by the message's shape: the leads of a list whose other leads are names ("- Lily – needs a
    referral" among "- Nia – ...", "Rose (DOB ...), Nia (DOB ...)"), and the name that signs it (the line after
    a sign-off such as "Best,", or a dash at the very end: "-tasha"). Returns (names, spans of the words found
    where they stand, for a lowercase word that is also an everyday word: "buddy (real name ...)").
    Role, greeting, weekday, month and subject words are never names."""
    from assistant.lexicon import case_words

    names, never = lexicons()[0], never_names()
    found: set[str] = set()
    placed: list[tuple[int, int, str]] = []
    for pattern in (LIST_LEAD, ITEM_LEAD):
        leads = [m.group(1) for m in pattern.finditer(text)]
        known = [w for w in leads if w.lower() in tokens or w.lower() in names]
        if len(leads) >= 3 and len(known) * 2 >= len(leads):
            found |= {w.lower() for w in leads if w[0].isupper() and not w.isupper() and len(w) > 1}
    # A word before brackets that name the same person ("Nacho (Ignacio on the roster)", "buddy (real name
    # Robert ...)"), or say who it is ("Dawn (mom)", "River (they/them)").
    # An everyday word before brackets is a name only when the brackets say so ("buddy (real name ...)").
    roles, cues, vocabulary = {str(w).lower() for w in case_words()["not_names"]["roles"]}, naming_cues(), lexicons()[2]
    for match in BEFORE_BRACKETS.finditer(text):
        word, inside = match.group(1), [w.lower() for w in WORD.findall(match.group(2))]
        if word.lower() in never or word.lower() in ARTICLES or not inside:
            continue
        cued = any(" ".join(inside[:n]) in cues for n in (1, 2, 3)) or inside[0] in cues
        says_who = inside[0] in tokens or inside[0] in names or inside[0] in roles or PRONOUNS.match(match.group(2))
        everyday = word.lower() in vocabulary and word.lower() not in names and word.lower() not in lexicons()[1]
        if cued or (says_who and not everyday):
            found.add(word.lower())
            placed.append((match.start(1), match.end(1), "NAME"))
    # Another name after a naming cue: "deshawn aka 'shawny'", "goes by Birdie".
    for match in _named_after().finditer(text):
        word = match.group(2)
        if word.lower() not in never and word.lower() not in ARTICLES and word.lower() not in TITLE_WORDS:
            found.add(word.lower())
            placed.append((match.start(2), match.end(2), "NAME"))
    # A roster's "Surname, Given" when the given name is a name: "Okafor, Chidi", "Ng, Tiffany".
    sign_offs = {str(w).lower() for w in case_words()["sign_offs"]}
    for match in LAST_FIRST.finditer(text):
        first = match.group(1).lower()
        if first in sign_offs or first in never or first in vocabulary:
            continue
        if match.group(2).lower() in names or match.group(2).lower() in tokens:
            found |= {w.lower() for w in WORD.findall(match.group(1))}
            placed.append((match.start(1), match.end(2), "NAME"))
    sign_offs = {str(w).lower() for w in case_words()["sign_offs"]}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line, following in itertools.pairwise(lines):
        if line.rstrip(",.!").lower() in sign_offs:
            first = WORD.match(following)
            if first and len(following.split()) <= 4 and (first.group(0)[0].isupper() or len(following.split()) <= 2):
                found.add(first.group(0).lower())
    signed = DASH_SIGNATURE.search(text[-60:]) if lines else None
    if signed:
        found |= {w.lower() for w in WORD.findall(signed.group(1)) if w.lower() not in {"mr", "mrs", "ms", "dr"}}
    return {w for w in found if len(w) > 1 and w not in never}, placed


def _free_pieces(taken: bytearray, start: int, end: int, text: str) -> list[tuple[int, int]]:
    """The untaken stretches of [start, end), trimmed to letters and digits, each at least two long."""
    pieces, position = [], start
    while position < end:
        if taken[position]:
            position += 1
            continue
        stop = taken.find(1, position, end)
        stop = end if stop == -1 else stop
        left, right = position, stop
        while left < right and not text[left].isalnum():
            left += 1
        while right > left and not text[right - 1].isalnum():
            right -= 1
        if right - left >= 2:
            pieces.append((left, right))
        position = stop
    return pieces


def _merge(spans: list[tuple[int, int, str]], text: str = "") -> list[tuple[int, int, str]]:
    """Non-overlapping spans in order; a longer span wins, then the earlier recognizer. The taken characters are
    marked in a bytearray, so each check is one C-level scan of the span (fast for any request size)."""
    if not spans:
        return []
    taken = bytearray(max(end for _, end, _ in spans))
    chosen = []
    for start, end, kind in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if end <= start:
            continue
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end, kind))
            continue
        # Privacy first: the part of an overlapping detail that no longer span covers is replaced on its own
        # ("Eastfield MS. Arjun": the school wins "MS", the name keeps "Arjun").
        for piece_start, piece_end in _free_pieces(taken, start, end, text) if text else ():
            taken[piece_start:piece_end] = b"\x01" * (piece_end - piece_start)
            chosen.append((piece_start, piece_end, kind))
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
