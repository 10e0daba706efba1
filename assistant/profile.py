"""Pull the student facts out of a free-text request: name, grade, baseline, setting, supports, interests."""

import re

from assistant.schemas import Profile

_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple of": 2,
    "a couple": 2,
}
THEME_WORDS = {
    "ocean": "ocean sea beach fish fishes shark sharks whale whales octopus mermaid mermaids dolphin dolphins",
    "animals": "animal animals dog dogs puppy puppies cat cats horse horses farm zoo pets bunny bunnies",
    "vehicles": "car cars truck trucks vehicle vehicles train trains bus tractors tractor race",
    "sports": "sport sports soccer basketball football baseball hockey gymnastics swimming",
    "music": "music songs song singing drums guitar piano dance dancing",
    "art": "art drawing painting crafts coloring",
    "space": "space planets planet rockets rocket astronaut astronauts stars moon",
    "dinosaurs": "dinosaur dinosaurs dino dinos t-rex",
    "superheroes": "superhero superheroes spiderman spider-man batman marvel",
    "nature": "nature bugs bug insects plants garden outdoors flowers",
    "cooking": "cooking baking food recipes",
    "video_games": "minecraft pokemon fortnite roblox mario gaming",
    "building": "lego legos blocks building",
    "weather": "weather storms tornadoes rain snow",
}
_THEME_LOOKUP = {word: theme for theme, words in THEME_WORDS.items() for word in words.split()}
_NOT_NAMES = {
    "i",
    "he",
    "she",
    "they",
    "the",
    "my",
    "a",
    "an",
    "this",
    "that",
    "student",
    "kindergarten",
    "kindergartner",
    "grade",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "needs",
    "write",
    "draft",
    "goal",
    "make",
    "can",
    "please",
    "plan",
    "our",
    "his",
    "her",
    "we",
    "iep",
    "ot",
    "pre-k",
    "prek",
    "preschooler",
    "freshman",
    "sophomore",
    "junior",
    "senior",
    "loves",
    "likes",
    "help",
    "create",
    "give",
    "new",
    "use",
    "for",
    "with",
    "and",
    "in",
    "on",
    "at",
    "what",
    "how",
    "is",
    "does",
    "should",
    "high",
    "middle",
    "elementary",
    "he's",
    "she's",
    "they're",
    "emily's",
    "pe",
    "math",
    "english",
    "spanish",
}
_SUPPORT_WORDS = (
    "pencil grip",
    "slant board",
    "raised-line paper",
    "raised line paper",
    "highlighted paper",
    "graph paper",
    "visual schedule",
    "visual timer",
    "timer",
    "checklist",
    "wiggle cushion",
    "fidget",
    "headphones",
    "speech-to-text",
    "word prediction",
    "keyboard",
    "tablet",
    "chromebook",
    "adapted scissors",
    "loop scissors",
    "picture schedule",
    "first-then board",
    "footrest",
    "weighted",
    "adult support",
    "aide",
    "para",
)
_SETTINGS = (
    ("cafeteria", "in the cafeteria"),
    ("lunch", "at lunch"),
    ("recess", "at recess"),
    ("playground", "on the playground"),
    ("hallway", "in the hallways"),
    ("bus", "on the bus"),
    ("locker", "at the locker"),
    ("pe", "in PE"),
    ("gym", "in PE"),
    ("job site", "at the job site"),
    ("work site", "at the job site"),
    ("journal", "during journal writing"),
    ("classroom", "in the classroom"),
    ("bathroom", "in the bathroom"),
    ("restroom", "in the bathroom"),
)


def grade_band_for(grade: int | None = None, age: int | None = None) -> str | None:
    """Map a grade (0 = kindergarten, -1 = pre-K) or an age to the contract's grade band."""
    if grade is not None:
        return "prek" if grade < 0 else "k2" if grade <= 2 else "3_5" if grade <= 5 else "6_8" if grade <= 8 else "9_12"
    if age is not None:
        if age <= 4:
            return "prek"
        if age >= 18:
            return "transition_18_21"
        return grade_band_for(grade=age - 5)
    return None


def grade_phrase(grade: int) -> str:
    """'2nd grade', 'kindergarten', 'pre-K'."""
    if grade < 0:
        return "pre-K"
    if grade == 0:
        return "kindergarten"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(grade if grade < 20 else grade % 10, "th")
    return f"{grade}{suffix} grade"


def _grade(text: str) -> tuple[str | None, str | None]:
    lowered = text.lower()
    patterns = [
        (r"\b(\d{1,2})(?:st|nd|rd|th)?[- ]?grade(?:r|rs)?\b", lambda m: int(m.group(1))),
        (r"\bgrade\s+(\d{1,2})\b", lambda m: int(m.group(1))),
        (rf"\b({'|'.join(_ORDINALS)})[- ]grade(?:r|rs)?\b", lambda m: _ORDINALS[m.group(1)]),
        (r"\b(?:kindergart(?:en|ner|ners)|kinder|k student)\b", lambda m: 0),
        (r"\b(?:pre-?k|pre-?school(?:er)?|pre-kindergarten|head start)\b", lambda m: -1),
        (r"\bfreshman\b", lambda m: 9),
        (r"\bsophomore\b", lambda m: 10),
        (r"\b(?:junior|senior)\b(?! high)", lambda m: 11),
    ]
    for pattern, to_grade in patterns:
        match = re.search(pattern, lowered)
        if match:
            grade = to_grade(match)
            if 0 <= grade <= 12 or grade == -1:
                return grade_phrase(grade), grade_band_for(grade=grade)
    if re.search(r"\b(?:transition\s+(?:program|age|student)|18-21|post-?secondary program|young adult)\b", lowered):
        return "transition program", "transition_18_21"
    age = re.search(r"\b(\d{1,2})[- ](?:year|yr)s?[- ]old\b|\bage[ds]?\s+(\d{1,2})\b", lowered)
    if age:
        years = int(age.group(1) or age.group(2))
        if 3 <= years <= 22:
            return f"age {years}", grade_band_for(age=years)
    for phrase, band in (("middle school", "6_8"), ("high school", "9_12"), ("junior high", "6_8")):
        if phrase in lowered:
            return phrase, band
    return None, None


def _name(text: str) -> str:
    patterns = [
        r"\b(?:named|name is|name:|for|student|use|grader|kindergartner|preschooler|schooler|kiddo|kid|girl|boy|"
        r"son|daughter|teen|sophomore|freshman|junior|senior)\s+([A-Z][a-z]{1,15})\b",
        r"^([A-Z][a-z]{1,15})\b(?=\s*(?:,|is\b|has\b|'s\b|loves\b|likes\b|needs\b|can\b|struggles\b|fists\b|"
        r"tires\b|gets\b|was\b|will\b|\())",
        r"(?:\.|,)\s+([A-Z][a-z]{1,15})\s+(?:is|has|loves|likes|needs|can|struggles|tires)\b",
    ]
    for pattern in patterns:
        for match in re.finditer(pattern, text.strip()):
            if match.group(1).lower() not in _NOT_NAMES:
                return match.group(1)
    return "the student"


def _baseline(text: str) -> tuple[float | None, str | None, str | None, float | None]:
    """(value, as written, unit, denominator) of the first measurable current level in the request."""
    lowered = text.lower()
    for word, number in _WORD_NUMBERS.items():
        lowered = re.sub(rf"\b{word}\b", str(number), lowered)
    patterns = [
        (r"(\d+(?:\.\d+)?)\s*(?:%|percent)(?:\s+(?:of\s+)?[a-z-]+(?:\s+[a-z-]+){0,3})?", "percent"),
        (r"(\d+)\s*(?:of|out of|/)\s*(\d+)(?:\s+[a-z-]+){0,3}", "count_of"),
        (r"(\d+(?:\.\d+)?)\s*(?:correct\s+)?(?:words per minute|wpm|letters per minute)", "per_minute"),
        (r"(\d+(?:\.\d+)?)\s*(?:minutes?|mins?)\b(?:\s+[a-z-]+){0,2}", "minutes"),
        (r"(\d+(?:\.\d+)?)\s*(?:seconds?|secs?)\b(?:\s+[a-z-]+){0,2}", "seconds"),
        (
            r"(\d+)\s+(?:[a-z-]+\s+){0,2}?(?:sentences?|words?|letters?|lines?|items?|problems?|steps?|times?|"
            r"jumps?|catches?|laps?|turns?|pieces?|inches|feet|shapes?|containers?|buttons?|tasks?)\b",
            "count",
        ),
    ]
    for pattern, unit in patterns:
        match = re.search(pattern, lowered)
        if match:
            value = float(match.group(1))
            denominator = float(match.group(2)) if unit == "count_of" and float(match.group(2)) > 0 else None
            if unit == "count_of" and denominator and value > denominator:
                continue
            written = text[match.start() : match.end()] if lowered == text.lower() else match.group(0)
            return value, _trim(written), "count" if unit == "count_of" else unit, denominator
    return None, None, None, None


_TRAILING = {
    "to",
    "get",
    "the",
    "a",
    "an",
    "and",
    "at",
    "in",
    "on",
    "of",
    "for",
    "with",
    "before",
    "after",
    "during",
    "he",
    "she",
    "it",
    "his",
    "her",
    "they",
    "when",
    "but",
    "so",
    "then",
    "is",
    "are",
}


def _trim(written: str) -> str:
    """Drop trailing glue words a pattern swept up ('8 minutes to get' -> '8 minutes')."""
    words = written.strip(" ,.;").split()
    while len(words) > 1 and words[-1].lower() in _TRAILING:
        words.pop()
    return " ".join(words)


def _interests(text: str) -> tuple[list[str], list[str]]:
    found = re.findall(
        r"\b(?:loves?|likes?|into|obsessed with|interested in|favorite (?:thing|topic) is|enjoys?)\s+"
        r"((?:[a-z-]+(?:,\s*|\s+and\s+|\s+)?){1,4})",
        text.lower(),
    )
    themes, words = [], []
    for phrase in found:
        for word in re.findall(r"[a-z-]+", phrase):
            theme = _THEME_LOOKUP.get(word)
            if theme and theme not in themes:
                themes.append(theme)
                words.append(word)
    return themes, words


def _support_level(text: str) -> str | None:
    lowered = text.lower()
    if re.search(
        r"more support|hand[- ]over[- ]hand|lots of (?:help|support|prompts)|maximal|max assist|emerging", lowered
    ):
        return "more_support"
    if re.search(r"more independent|nearly independent|almost independent|ready for more|stretch|challenge", lowered):
        return "more_independent"
    if re.search(r"\bstandard\b", lowered):
        return "standard"
    return None


def parse_request(text: str) -> Profile:
    """Every fact the request states; nothing is guessed."""
    grade, band = _grade(text)
    value, written, unit, denominator = _baseline(text)
    themes, words = _interests(text)
    lowered = f" {text.lower()} "
    setting = next((phrase for word, phrase in _SETTINGS if f" {word}" in lowered), None)
    return Profile(
        student=_name(text),
        grade=grade,
        grade_band=band,
        concern=" ".join(text.split()),
        baseline_value=value,
        baseline_text=written,
        baseline_unit=unit,
        baseline_denominator=denominator,
        setting=setting,
        supports=[s for s in _SUPPORT_WORDS if s in lowered],
        interests=themes,
        interest_words=words,
        support_level=_support_level(text),
    )
