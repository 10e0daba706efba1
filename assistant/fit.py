"""How well a goal-bank template answers the request (FIT of CONTRACT.md), scored against the Case.

What an OT weighs, with its share of the score:
- routine (0.35): the template happens in the routine the request named (the template's routines are read
  from its skill, condition and behavior by the same routine reader as the request); another routine
  scores 0, no routine named in the request 0.5;
- task (0.30): the share of the request's task words (the need the OT named, and the request's
  rarest task words) that the template's skill, behavior, criterion and concerns use, a word weighing more
  the fewer templates use it (inverse document frequency) and matching by its first five letters
  ("button" ~ "buttoning"), or, when higher, its average with the meaning-similarity of the request to the
  template's indexed text (cosine of the bundled MiniLM embeddings, 0.25 -> 0 and 0.60 -> 1), so other
  wordings of a task count;
- unit (0.15): the request's baseline can be used in the template's unit (0.5 with no baseline);
- age (0.10): the template's grade bands include the student's (0.5 when the grade is unknown);
- support (0.10): the template's variant fits the support the student needs now.
Status: "good" at 0.70 or more, with the routine not contradicted, a task score of at least 0.4, at least
half the weight of the words of the need the OT named (its distinctive words: "button" in "buttoning the top
2 buttons") in the template (when the request names no need, a task score of at least 0.55), and the age
fitting; "partial" at 0.55 or more with the routine not contradicted, a task score of at least 0.25 and the
age fitting (a template written for another grade band still fits when none of its contexts misfits the
age); otherwise "none": no bank goal is a faithful answer, and the draft is a frame in the OT's words.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.corpus import GoalTemplate
from assistant.faithful import age_misfits
from assistant.goalbank import baseline_in_unit, render_template
from assistant.lexicon import case_words, fold, given_names, vocabulary
from assistant.schemas import SUPPORT_ORDER, Case, Fit, FitAlternative

WEIGHTS = {"routine": 0.35, "task": 0.30, "unit": 0.15, "age": 0.10, "support": 0.10}
GOOD, PARTIAL = 0.70, 0.55
GOOD_WORDS, PARTIAL_WORDS = 0.4, 0.25
NEED_SHARE = 0.5
UNNAMED_WORDS = 0.55  # 0.45 let wrong tasks through on dev; 0.65 sank right ones
STRONG = 1.01  # no score is close enough to pass without the need's own words (0.85 let wrong tasks through on dev)
_WORD = re.compile(r"[a-z]+")
_STEM = 5


@dataclass(frozen=True)
class Score:
    """One template's fit: the score, its reasons, whether routine or age rule it out, the task score and the
    share of the need's own words it has."""

    value: float
    reasons: list[str]
    contradicted: bool
    task: float
    need_share: float | None  # None: the request names no need

    @property
    def status(self) -> str:
        if self.contradicted:
            return "none"
        named = self.need_share is not None and self.need_share >= NEED_SHARE
        unnamed = self.need_share is None and self.task >= UNNAMED_WORDS  # no need named: the task words must carry it
        if self.value >= GOOD and self.task >= GOOD_WORDS and (named or unnamed or self.value >= STRONG):
            return "good"
        return "partial" if self.value >= PARTIAL and self.task >= PARTIAL_WORDS else "none"


@dataclass(frozen=True)
class TemplateFacts:
    routines: tuple[str, ...]
    stems: frozenset[str]


def _stems(text: str) -> set[str]:
    stop = _stopwords()
    return {w[:_STEM] for w in _WORD.findall(fold(text)) if len(w) > 2 and w not in stop}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    words = case_words()
    extra = words.get("fit_stopwords", [])
    return frozenset(fold(str(w)) for w in extra)


class Fitter:
    """Scores every template of a bank against a Case; the bank's facts are read once."""

    def __init__(self, templates: list[GoalTemplate], searcher: Any = None) -> None:
        from assistant.case import read_case  # the case reader reads the templates' routines too

        self.templates = templates
        self.facts: dict[str, TemplateFacts] = {}
        df: dict[str, int] = {}
        for t in templates:
            text = f"{t.skill}. {t.condition}. {t.behavior} {t.criterion}."
            stems = _stems(f"{t.skill} {t.behavior} {t.criterion} {t.condition} {' '.join(t.concerns)}")
            self.facts[t.id] = TemplateFacts(tuple(read_case(text).routines), frozenset(stems))
            for s in stems:
                df[s] = df.get(s, 0) + 1
        n = max(1, len(templates))
        self.idf = {s: math.log((n + 1) / (c + 0.5)) for s, c in df.items()}
        self.top_idf = max(self.idf.values(), default=1.0)
        self._misfits: dict[tuple[str, str], list[str]] = {}
        self.searcher = searcher
        self._vectors: tuple[list[str], Any] | None = None

    def _bank_vectors(self) -> tuple[list[str], Any]:
        """The indexed goal chunks' vectors and their template ids, read from the index once."""
        if self._vectors is None:
            import numpy as np

            from assistant.index import get_all

            stored = get_all(self.searcher.collection, ["embeddings", "metadatas"])
            keep = [i for i, m in enumerate(stored["metadatas"]) if (m or {}).get("kind") == "goal"]
            ids = [(stored["metadatas"][i] or {}).get("source_id", stored["ids"][i].split("#")[0]) for i in keep]
            matrix = np.array([stored["embeddings"][i] for i in keep], dtype=np.float32) if keep else None
            self._vectors = (ids, matrix)
        return self._vectors

    def meaning(self, case: Case) -> dict[str, float]:
        """Per template, how close the request is in meaning (0..1), from the index's vectors."""
        if self.searcher is None:
            return {}
        import numpy as np

        ids, matrix = self._bank_vectors()
        if matrix is None:
            return {}
        query = np.array(self.searcher.embedder.embed_query(case.request), dtype=np.float32)
        sims = matrix @ query
        out: dict[str, float] = {}
        for source, sim in zip(ids, sims.tolist(), strict=True):
            out[source] = max(out.get(source, 0.0), min(1.0, max(0.0, (sim - 0.25) / 0.35)))
        return out

    def _need(self, case: Case) -> dict[str, float]:
        """The words of the need the OT named outright ("can't button the top 2 buttons"), by weight. A word no
        template uses ("thermos") weighs most: the clearest sign the bank has no goal for this need. Names are none."""
        names = given_names()[0]
        student = fold(case.student or "")
        top = self.top_idf
        out = {}
        liked = {w for i in case.interests for w in _WORD.findall(fold(i))}  # "loves the ocean" is no need
        skill = own_skill(case) or _measured(case)  # no skill named: what the baseline measures the student doing
        ordinary = vocabulary()
        proper = {fold(w) for w in _PROPER.findall(skill) if fold(w) not in ordinary}  # "Abernathy-Voss": a name
        for word in _WORD.findall(fold(skill)):  # only a need the OT named outright
            if word in proper:
                continue
            if len(word) < 3 or word in _stopwords() or word == student or (word in names and word not in self.idf):
                continue
            if word in liked:
                continue
            stem = word[:_STEM]
            weight = self.idf.get(stem, top)
            if weight > 1.0:
                out[stem] = weight
        return out

    def task_stems(self, case: Case) -> dict[str, float]:
        """The request's task words and their weights: every word of the need the OT named, and the
        request's six rarest words the bank knows."""
        liked = {w[:_STEM] for i in case.interests for w in _WORD.findall(fold(i))}  # "loves the ocean": no task
        words = _CONTACT.sub(" ", case.request)  # an email address or a web address names no task
        known = {s: self.idf[s] for s in _stems(words) if s in self.idf and s not in liked}
        rare = dict(sorted(known.items(), key=lambda kv: (-kv[1], kv[0]))[:6])  # ties by word: same every run
        need = {s: self.idf[s] for s in _stems(case.skill or "") if s in self.idf}
        return {**rare, **need}

    def score(
        self,
        template: GoalTemplate,
        case: Case,
        task: dict[str, float],
        meaning: float | None = None,
        need: dict[str, float] | None = None,
    ) -> "Score":
        """(score, reasons, disqualified): a template about another routine, or written for another age, cannot
        answer the request however well its other parts fit."""
        facts = self.facts[template.id]
        reasons: list[str] = []
        contradicted = False
        if case.routine is None:
            routine = 0.5
        elif case.routine in facts.routines:
            routine = 1.0
            reasons.append(f"routine: {case.routine.replace('_', ' ')}, as asked")
        elif any(r in facts.routines for r in case.routines[1:3]):
            routine = 0.6
            reasons.append(f"routine: {facts.routines[0].replace('_', ' ')}, a routine the request also names")
        else:
            routine, contradicted = 0.0, bool(facts.routines)
            got = facts.routines[0].replace("_", " ") if facts.routines else "no named routine"
            reasons.append(f"routine: the request is about {case.routine.replace('_', ' ')}; this goal, {got}")
            routine = 0.0 if facts.routines else 0.3
        total = sum(task.values())
        shared = [s for s in task if s in facts.stems]
        words = sum(task[s] for s in shared) / total if total else 0.5
        if meaning is not None:
            words = max(words, 0.5 * words + 0.5 * meaning)  # other wordings of the task count; noise does not sink it
        need = self._need(case) if need is None else need
        need_total = sum(need.values())
        need_share = sum(w for s, w in need.items() if s in facts.stems) / need_total if need_total else None
        if need_share is None and words < UNNAMED_WORDS:
            reasons.append(
                "the request names no skill, and too few of its task words are in this goal to call it a match"
            )
        if need_share is not None and need_share < NEED_SHARE:
            missing = [s for s in sorted(need, key=lambda s: (-need[s], s)) if s not in facts.stems][:3]
            reasons.append("the need's own words are missing: " + ", ".join(missing))
        if shared:
            reasons.append("task words shared: " + ", ".join(sorted(shared)[:5]))
        else:
            reasons.append("no task word of the request in this goal")
        if case.baseline is None:
            unit = 0.5
        elif baseline_in_unit(case, template) is not None:
            unit = 1.0
            reasons.append(f"baseline '{case.baseline.text}' fits its unit")
        else:
            unit = 0.0
            reasons.append(f"baseline '{case.baseline.text}' is not in its unit ({template.baseline_unit})")
        if case.grade_band is None:
            age = 0.5
        else:
            age = 1.0 if case.grade_band in template.grade_bands else 0.0
            if not age:
                reasons.append(f"written for {', '.join(template.grade_bands)}, not {case.grade_band}")
                key = (template.id, case.grade_band)
                if key not in self._misfits:
                    text = f"{template.condition} {template.behavior} {template.criterion}"
                    self._misfits[key] = age_misfits(text, case.grade_band)
                misfit = self._misfits[key]
                if misfit:
                    contradicted = True  # "circle time" for a high-schooler
                    reasons.append(f"'{misfit[0]}' does not fit {case.grade_band}")
        support = _support_fit(template.support_level, case)
        value = (
            WEIGHTS["routine"] * routine
            + WEIGHTS["task"] * words
            + WEIGHTS["unit"] * unit
            + WEIGHTS["age"] * age
            + WEIGHTS["support"] * support
        )
        return Score(round(value, 3), reasons, contradicted, words, need_share)

    def ranked(self, case: Case, domain_bonus: dict[str, float] | None = None) -> list[tuple[float, GoalTemplate, Fit]]:
        """Every template with its fit, best first (a small bonus for the domain the request reads as)."""
        task = self.task_stems(case)
        meaning = self.meaning(case)
        need = self._need(case)  # read once per request, used for every template
        out = []
        for t in self.templates:
            got = self.score(t, case, task, meaning.get(t.id) if meaning else None, need)
            bonus = (domain_bonus or {}).get(t.domain, 0.0)
            fit = Fit(score=got.value, status=got.status, reasons=got.reasons, alternatives=[])
            out.append((got.value + bonus, t, fit))
        out.sort(key=lambda item: -item[0])
        return out


def _measured(case: Case) -> str:
    from assistant.case_goal import measured_behavior

    found = measured_behavior(case)
    if not found:
        return ""
    return found[0] if not found[1] else f"{found[0]} {case.baseline.counts or ''}"  # "fold" + "towels"


_PROPER = re.compile(r"(?<![\w'])[A-Z][a-z]+")
_CONTACT = re.compile(r"[^\s@]{0,64}@[^\s@]{1,255}|(?:https?://|www\.)\S{1,2000}")
_CLAUSE = re.compile(r"[^.;:!?\n]+")
_NOT_SKILL_STARTS = frozenset({"my", "a", "an", "the", "this", "that", "our", "goal", "help", "it", "he", "she"})


def own_skill(case: Case) -> str | None:
    """The need in the OT's words when the reader found one that names a task (not "my kid gracie", "this")."""
    skill = (case.skill or "").strip().rstrip(".")
    skill = skill[3:] if skill.lower().startswith("to ") else skill
    words = skill.lower().split()
    if not words or words[0] in _NOT_SKILL_STARTS or (case.student and case.student.lower() in words):
        return None
    return skill


def need_text(case: Case) -> str | None:
    """What the OT asks for, in the request's words: the need the reader found, or else the clause of the
    request that names the routine ("opening his thermos at lunch"), at most 16 words."""
    skill = own_skill(case)
    if skill:
        return skill
    where = case.evidence.get("routine")
    if not where:
        return None
    for clause in _CLAUSE.findall(case.request):
        for part in re.split(r"\s[-–—]\s", clause):  # "Team notes 11/18 - Ben (2nd gr) - handwashing..."
            if where in part:
                pieces = [p for p in part.split(",") if where in p and len(p.split()) >= 3]
                part = pieces[0] if pieces else part  # "2nd grader Emily, fists her pencil, tires after 2 sentences"
                words = part.split()
                cut = next((k + 1 for k, w in enumerate(words[:4]) if w.lower() in _SUBJECT_ENDS), 0)
                return " ".join(words[cut : cut + 16])  # "Parent will record...": the need starts at its verb
    return None


_SUBJECT_ENDS = frozenset({"will", "should", "must", "can't", "cannot", "won't"})


def _support_fit(level: str, case: Case) -> float:
    """more_support suits a student who needs physical help or a model now; more_independent one who needs
    verbal reminders or less; standard the rest (0.5 with no support given)."""
    if case.support is None:
        return 1.0 if level == "standard" else 0.5
    index = SUPPORT_ORDER.index(case.support)
    wanted = "more_support" if index <= 2 else "more_independent" if index >= 5 else "standard"
    return 1.0 if level == wanted else 0.5 if "standard" in (level, wanted) else 0.0


def alternatives(ranked: list[tuple[float, GoalTemplate, Fit]], skip: str, student: str) -> list[FitAlternative]:
    """The nearest other goals (one per skill), for the OT to choose from."""
    seen, out = {skip}, []
    for _, t, fit in ranked:
        if t.skill in seen:
            continue
        seen.add(t.skill)
        out.append(FitAlternative(source_id=t.id, goal_text=render_template(t, student=student), score=fit.score))
        if len(out) == 3:
            break
    return out
