"""Tokens and phrase lexicons for reading requests, in linear time.

Text is cut into tokens once by one pattern that cannot backtrack (a word, a number or one other character).
Lexicons are phrase lists from data files, indexed by their first token, and matched leftmost-longest over
the tokens: the cost is the number of tokens times the few phrases that start with each one.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml

DATA = Path(__file__).parent / "data"
# A word (letters, inner apostrophes), a number (digits, one decimal part) or any other single character.
# Each alternative consumes what it matches and no quantified group can match the empty string: linear.
TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)?|\S")
JOINERS = frozenset("-–‐")  # hyphens: "hand-over-hand" reads as "hand over hand"


def fold(word: str) -> str:
    """Lowercase without accents or curly apostrophes, for matching ("Sofía" ~ "sofia")."""
    if word.isascii():
        return word.lower()
    return _fold_unicode(word) if len(word) < 40 else _fold_uncached(word)


@lru_cache(maxsize=50_000)
def _fold_unicode(word: str) -> str:  # a word seen once is folded once (a run of “ or é costs one fold)
    return _fold_uncached(word)


def _fold_uncached(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("’", "'").replace("đ", "d").replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Token(NamedTuple):
    text: str
    low: str
    start: int
    end: int
    kind: str  # "w" word, "n" number, "p" punctuation

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


class Tokens(list):
    """The tokens of one text, with an index of where each word (and each 3-letter start) stands, built on
    first use, so that a lexicon visits only the places where one of its phrases can start."""

    _index: tuple[dict[str, list[int]], dict[str, list[int]]] | None = None

    def index(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        if self._index is None:
            words: dict[str, list[int]] = {}
            starts: dict[str, list[int]] = {}
            for i, token in enumerate(self):
                words.setdefault(token.low, []).append(i)
                if token.low.endswith("'s"):  # "psychologist's" can start "psychologist"
                    words.setdefault(token.low[:-2], []).append(i)
                starts.setdefault(token.low[:3], []).append(i)
            self._index = (words, starts)
        return self._index


def tokenize(text: str) -> Tokens:
    """Every token of the text with its place; hyphens dropped (they join words, and ranges are read by
    the number reader from the gap between two number tokens)."""
    tokens = Tokens()
    for match in TOKEN.finditer(text):
        piece = match.group(0)
        if piece in JOINERS:
            continue
        kind = "n" if piece[0].isdigit() else "w" if piece[0].isalpha() else "p"
        tokens.append(Token(piece, fold(piece), match.start(), match.end(), kind))
    return tokens


@dataclass(frozen=True, slots=True)
class Match:
    label: str
    start: int  # token index
    end: int  # token index after the last
    weight: float = 1.0


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(t.low for t in tokenize(str(phrase)))


class Lexicon:
    """Phrases by label; a phrase ending in '*' matches any ending of its last word."""

    def __init__(self, entries: dict[str, list] | None = None, weights: dict[tuple[str, str], float] | None = None):
        # one-word phrases (and phrases whose second word is a wildcard) by first word; longer phrases by their
        # first two words, so a place is checked only against the phrases that can start there
        self._exact: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        self._pairs: dict[tuple[str, str], list[tuple[tuple[str, ...], str, float]]] = {}
        self._prefix: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        self._firsts: set[str] = set()
        for label, phrases in (entries or {}).items():
            for phrase in phrases:
                self.add(label, str(phrase), (weights or {}).get((label, str(phrase)), 1.0))

    def add(self, label: str, phrase: str, weight: float = 1.0) -> None:
        wildcard = phrase.endswith("*")
        words = _phrase_tokens(phrase.rstrip("*"))
        if not words:
            return
        if wildcard:
            words = (*words[:-1], words[-1] + "*")
        entry = (words, label, weight)
        if wildcard and len(words) == 1:
            self._prefix.setdefault(words[0][:3], []).append(entry)
            return
        self._firsts.add(words[0])
        if len(words) == 1 or words[1].endswith("*"):
            self._exact.setdefault(words[0], []).append(entry)
        else:
            self._pairs.setdefault((words[0], words[1]), []).append(entry)

    def _at(self, tokens: list[Token], i: int) -> Match | None:
        first = tokens[i].low
        if first not in self._firsts and first.endswith("'s"):
            first = first[:-2]  # a possessive reads as its word: "the nurse's office"
        prefixed = self._prefix.get(first[:3])
        if first not in self._firsts and prefixed is None:
            return None
        candidates = list(self._exact.get(first, ()))
        if i + 1 < len(tokens):
            second = tokens[i + 1].low
            candidates += self._pairs.get((first, second), ())
            if second.endswith("'s"):
                candidates += self._pairs.get((first, second[:-2]), ())
        best: Match | None = None
        size, limit = 0, len(tokens) - i
        for words, label, weight in candidates:
            n = len(words)
            if size < n <= limit and (n == 1 or all(_same(tokens[i + k].low, w) for k, w in enumerate(words[1:], 1))):
                best, size = Match(label, i, i + n, weight), n
        for words, label, weight in prefixed or ():
            if not size and first.startswith(words[0][:-1]):
                best, size = Match(label, i, i + 1, weight), 1
        return best

    def find(self, tokens: list[Token], skip: set[int] | frozenset[int] = frozenset()) -> list[Match]:
        """Leftmost-longest matches, none overlapping, none starting on a token in skip."""
        found: list[Match] = []
        end = 0
        for i in self._starts(tokens):
            if i < end or i in skip:
                continue
            match = self._at(tokens, i)
            if match:
                found.append(match)
                end = match.end
        return found

    def _starts(self, tokens: list[Token]) -> list[int] | range:
        """Where a phrase may start: every place for a short window, the indexed places for a whole text."""
        if not isinstance(tokens, Tokens) or len(tokens) < 32:
            return range(len(tokens))
        words, starts = tokens.index()
        places = [i for w in self._firsts & words.keys() for i in words[w]]
        places += [i for p in self._prefix.keys() & starts.keys() for i in starts[p]]
        return sorted(set(places))


def _same(token: str, word: str) -> bool:
    if word.endswith("*") and len(word) > 1:
        return token.startswith(word[:-1])
    return token == word or (token.endswith("'s") and token[:-2] == word)


class WordLoader(yaml.SafeLoader):
    """YAML for word lists: only true/false are booleans, so the words "no", "yes", "on" and "off" stay words
    (YAML 1.1 would read them as booleans and the phrase would silently never match)."""


WordLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in rules if tag != "tag:yaml.org,2002:bool"]
    for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WordLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load_words(path: Path) -> dict:
    """A data file of word lists."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=WordLoader)


@lru_cache(maxsize=1)
def case_words() -> dict:
    """assistant/data/case_words.yaml, loaded once."""
    return load_words(DATA / "case_words.yaml")


@lru_cache(maxsize=1)
def routines() -> dict:
    """assistant/data/routines.yaml, loaded once."""
    return load_words(DATA / "routines.yaml")


@cache
def lexicon(name: str) -> Lexicon:
    """A lexicon of case_words.yaml by its key (a mapping of label -> phrases, or one list under its own name)."""
    entry = case_words()[name]
    return Lexicon(entry if isinstance(entry, dict) else {name: entry})


@lru_cache(maxsize=1)
def routine_lexicon() -> Lexicon:
    lex = Lexicon()
    for phrases in routines().get("not_routine", []):
        for phrase in phrases:
            lex.add("_none", str(phrase), 0.0)
    for routine, spec in routines().items():
        if routine == "not_routine":
            continue
        for weight, phrases in spec["phrases"].items():
            for phrase in phrases:
                lex.add(routine, str(phrase), float(weight))
    return lex


@cache
def word_set(name: str) -> frozenset[str]:
    """A flat set of single words from a case_words.yaml entry (lists, or a mapping of lists)."""
    entry = case_words()[name]
    values = [w for group in entry.values() for w in group] if isinstance(entry, dict) else entry
    return frozenset(fold(str(w)) for w in values)


@lru_cache(maxsize=1)
def given_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, given names that are also ordinary words: Will, Hope, Grace)."""
    read = lambda name: frozenset(  # noqa: E731
        fold(line.strip()) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()
    )
    return read("first_names.txt"), read("word_names.txt")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Common family names that are also given names ("Stanley Joseph", "Mohamed Ali"): after a given name,
    one of these is the surname, not the second half of a double given name ("Ana Sofía", "Minh Khoa")."""
    return frozenset(
        fold(line.strip()) for line in (DATA / "surnames.txt").read_text(encoding="utf-8").splitlines() if line.strip()
    )


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    return frozenset(
        fold(line.strip()) for line in (DATA / "common_words.txt").read_text(encoding="utf-8").splitlines()
    )


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Ordinary words: common English plus every word of the library (corpus and prompts), less the given names
    the library happens to use for its example students. A capitalized word outside it may be a name."""
    from assistant.settings import PROJECT_ROOT

    words: set[str] = set(common_words())
    for folder in (PROJECT_ROOT / "corpus", PROJECT_ROOT / "prompts"):
        for path in folder.rglob("*"):
            if path.suffix in {".md", ".yaml", ".yml"}:
                words.update(re.findall(r"[a-z][a-z'-]+", path.read_text(encoding="utf-8").lower()))
    names, word_names = given_names()
    return frozenset(words - (names - word_names - common_words()))
