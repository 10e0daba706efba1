"""Scope and procedure answers: read the question into facets, answer a general question from the library, and
decide a student question by written rules that follow DOMAIN.md (the facet lexicons are in
assistant/data/scope_words.yaml; the question-kind classifier's weights in assistant/data/scope_kind.json)."""

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from assistant.case import read_case
from assistant.corpus import ScopeCase
from assistant.domains import classify_domain
from assistant.inputs import clean_text
from assistant.lexicon import DATA, Lexicon, load_words, tokenize
from assistant.schemas import Case, Citation, ScopeAnswer, SearchFilters
from assistant.skill import gerund

VERDICTS = ("in_scope", "out_of_scope", "depends")
OUTSIDE = ("home", "community", "clinic")
CASE_DOMAIN_CONFIDENCE = 0.7  # the domain vote's margin (0-1) above which a scope case of that domain is cited
SKILL_WORDS = 5  # a need quoted in the answer: a short phrase, else the skill area
ADULT_PROGRAM_AGE = 18  # past 18 a student still in school is in a transition (18-21) program
TRANSITION_PATHWAY_AGE = 14  # transition planning starts by 16, earlier in many states
YOUNG = frozenset({"prek", "k", "1", "2", "3", "4", "5", "6", "7"})  # grades too young for transition planning


@lru_cache(maxsize=1)
def scope_words() -> dict:
    return load_words(DATA / "scope_words.yaml")


@cache
def facet_lexicon(name: str) -> Lexicon:
    return Lexicon({name: scope_words()["facets"][name]})


@cache
def _school_ot() -> Lexicon:
    # "the school OT" names the service, not a school routine: its "school" is no link to the school day
    return Lexicon({"school_ot": scope_words()["school_ot"]})


@dataclass
class Facets:
    """What a scope question says, facet by facet, with the words each came from."""

    found: dict[str, str] = field(default_factory=dict)  # facet -> the words that matched first
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # facet -> token spans of its matches
    plan: str = "unknown"  # iep | 504 | mtss | none | unknown
    context: str = "none"  # school | home | community | clinic | mixed | none
    age: int | None = None
    grade: str | None = None
    asker: str = "other"
    skill: str | None = None
    routine: str | None = None
    pronoun: str = "the student"
    domain: str | None = None
    domain_sure: bool = False

    def has(self, *names: str) -> bool:
        return any(n in self.found for n in names)


def read_facets(question: str, case: Case | None = None) -> Facets:
    """Every facet of the question, in one pass of each lexicon over its tokens (linear time)."""
    tokens = tokenize(question)
    skip = {i for m in _school_ot().find(tokens) for i in range(m.start, m.end)}
    found: dict[str, str] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for name in scope_words()["facets"]:
        matches = facet_lexicon(name).find(tokens, skip if name == "school" else frozenset())
        if name == "school":  # no school match may overlap "the school OT" ("in school OT scope")
            matches = [m for m in matches if not skip.intersection(range(m.start, m.end))]
        if matches:
            first = matches[0]
            found[name] = question[tokens[first.start].start : tokens[first.end - 1].end]
            spans[name] = [(m.start, m.end) for m in matches]
    case = case or read_case(question)
    facets = Facets(found=found, spans=spans, age=case.age, grade=case.grade, skill=case.skill, routine=case.routine)
    facets.pronoun = {"he": "he", "she": "she"}.get(case.pronoun or "", "the student")
    facets.plan = _plan(facets, case)
    facets.asker = next((a for a in ("parent", "teacher", "ot", "principal") if f"asker_{a}" in found), "other")
    facets.context = _context(facets)
    if facets.context == "none" and facets.asker in ("teacher", "ot", "principal"):
        facets.context = "school"  # school staff asking about their student: the need is at school
    return facets


def _plan(facets: Facets, case: Case) -> str:
    if facets.has("no_plan"):
        return "none" if not facets.has("systemwide") else "mtss"
    if facets.has("section_504") or case.plan == "504":
        return "504"
    if case.plan is None and facets.has("served"):
        return "iep"
    if case.plan in ("iep", "mtss", "none"):
        return case.plan
    if facets.has("systemwide"):
        return "mtss"
    return "unknown"


def _context(facets: Facets) -> str:
    """Where the need lives: the school day, or outside it (home, community, clinic), or both. A task done at
    school and at home alike (reading, a desk) links to school only when nothing places the need outside it."""
    outside = [c for c in OUTSIDE if facets.has(c)]
    if facets.has("fine_at_school") and outside:
        return outside[0]
    school = facets.has("school")
    if school and outside:
        return "mixed"
    if outside:
        return outside[0]
    return "school" if school or facets.has("school_task") else "none"


def question_context(text: str) -> str:
    """The context of a text (a question or a scope case's scenario), for matching evidence to the question."""
    return _context_cached(text)


@lru_cache(maxsize=512)
def _context_cached(text: str) -> str:
    tokens = tokenize(text)
    skip = {i for m in _school_ot().find(tokens) for i in range(m.start, m.end)}
    found = {
        n: "x"
        for n in ("school", "school_task", *OUTSIDE, "fine_at_school")
        if any(not skip.intersection(range(m.start, m.end)) for m in facet_lexicon(n).find(tokens, skip))
    }
    return _context(Facets(found=found))


# ---------------------------------------------------------------------------------------------------------------
# Question kind: a general or procedure question is answered as a question; a question about a student gets a
# verdict. No word list covers the wordings, so meaning decides: a logistic model over the question's embedding,
# fitted on the dev questions (evals/fit_kind.py writes assistant/data/scope_kind.json).


KIND_FEATURES = ("student_marker", "general_ask", "verdict_ask")


def kind_features(question: str) -> list[float]:
    """The question's wording facets the kind model adds to the embedding: a particular student, a general
    question word, a verdict asked for (1.0 each when present)."""
    tokens = tokenize(question)
    found = [facet_lexicon(name).find(tokens) for name in KIND_FEATURES]
    starts = {0} | {i + 1 for i, t in enumerate(tokens) if t.text in ".?!"}
    opens_general = any(m.start in starts for m in found[1])  # "Who decides...", "What is...": a question's opening
    return [*(1.0 if matches else 0.0 for matches in found), 1.0 if opens_general else 0.0]


@lru_cache(maxsize=1)
def _kind_model() -> tuple[Any, float] | None:
    path = DATA / "scope_kind.json"
    if not path.is_file():
        return None
    import numpy as np

    model = json.loads(path.read_text())
    return np.asarray(model["weights"], dtype=float), float(model["bias"])


def kind_vector(question: str, embedder: Any) -> Any:
    import numpy as np

    vector = embedder.embed_query(" ".join(question.split()))
    return np.asarray([*vector, *kind_features(question)], dtype=float)


def question_kind(question: str, embedder: Any, case: Case | None = None) -> tuple[str, float]:
    """('information' or 'decision', probability of information). A verdict asked about one particular student
    (named, or by grade, age or "my son"), with no general question opening it, is a decision whatever the model
    says: it is about that student."""
    model = _kind_model()
    if model is None or embedder is None:
        return "decision", 0.0
    import numpy as np

    weights, bias = model
    vector = kind_vector(question, embedder)
    if len(vector) != len(weights):
        return "decision", 0.0
    p = float(1 / (1 + np.exp(-(vector @ weights + bias))))
    case = case or read_case(question)
    tokens = tokenize(question)
    particular = bool(case.student or case.grade or case.age is not None or facet_lexicon("asker_parent").find(tokens))
    if particular and facet_lexicon("verdict_ask").find(tokens) and not vector[-1]:
        return "decision", round(p, 3)
    return ("information" if p >= 0.5 else "decision"), round(p, 3)


# ---------------------------------------------------------------------------------------------------------------
# The decision rules, in order; each names the DOMAIN.md principle it encodes.


@dataclass(frozen=True)
class Ruling:
    verdict: str
    rule: str  # the rule that decided, a key of scope_words.yaml `rules`
    procedures: tuple[str, ...]


def _early(f: Facets) -> bool:
    """Under 3 (Part C): by the age read, or by early-intervention words when no school grade is the student's."""
    if f.age is not None:
        return f.age < 3
    return f.has("early_intervention") and f.grade in (None, "prek", "k")


def _aged_out(f: Facets) -> bool:
    return (f.age is not None and f.age >= 22) or f.has("aged_out")


def _service_change(f: Facets) -> bool:
    """A change of the OT service itself: its amount, its model, adding or ending it."""
    return (f.has("change") and f.has("service_object")) or f.has("discontinue")


def _unilateral(f: Facets) -> bool:
    """One person (or one rule for everyone) changing a student's services, without the team."""
    refused = f.has("new_service", "change") and f.has("refusal")  # "a parent wants OT added; can I tell her no?"
    return (_service_change(f) and f.has("alone", "blanket") and f.has("actor")) or refused


DIAGNOSIS_REACH = 6  # tokens: "test my 5 yo for autism", "tell me if he has ADHD"


def _diagnosis(f: Facets) -> bool:
    """Asked to establish a condition: an ask to determine whose object, a few words on, is a condition
    ("assess him for keyboarding" with dysgraphia named elsewhere is not)."""
    if f.has("diagnosis_ask"):
        return True
    conditions = [start for start, _ in f.spans.get("condition", [])]
    return any(0 <= c - end <= DIAGNOSIS_REACH for _, end in f.spans.get("determine", []) for c in conditions)


def decide(f: Facets) -> Ruling:
    """The verdict: what school OT never does first, then the school link, the plan and the stated impact."""
    procs = _procedures(f)
    rule = lambda verdict, name, *lead: Ruling(verdict, name, tuple(dict.fromkeys([*lead, *procs])))  # noqa: E731
    if _diagnosis(f):  # school OTs do not diagnose; they describe how a need affects school
        return rule("out_of_scope", "diagnosis", "no_diagnosis")
    if _aged_out(f):  # IDEA eligibility ends at 21 or 22 by state
        return rule("out_of_scope", "aged_out", "eligibility_age")
    if _early(f):  # birth to 3 is Part C (early intervention); at 3 the district evaluates for preschool
        return rule("depends" if f.has("turning_three") else "out_of_scope", "early", "child_find")
    if f.has("health") and not f.has("motor_side"):  # insulin, tube feeding, catheters: the nurse's, by plan
        return rule("out_of_scope", "health", "health_procedure")
    if _unilateral(f):  # services are the team's decision, never one person's, never one rule for everyone
        return rule("out_of_scope", "unilateral", "team_decision")
    if f.has("billing"):  # a billed, insured service is private practice, not the school's
        return rule("out_of_scope", "billing", "clinical_referral")
    if f.has("clinical"):  # clinical or medical care follows the medical model, outside school
        return rule("out_of_scope", "clinical", "clinical_referral")
    if f.context in OUTSIDE or (f.has("fine_at_school") and not f.has("school_task", "evaluation")):
        # no link to the school day as asked
        lead = "esy" if f.has("summer") else "clinical_referral"
        return rule("out_of_scope", "outside", lead)
    if f.has("fine_at_school"):  # the school says it does not affect school: educational need decides
        return rule("depends", "no_school_impact", "evaluation_first")
    if f.has("non_evidence"):  # a program with weak evidence is not the service; an evidence-based one is
        if f.has("alternative"):
            return rule("in_scope", "evidence_alternative", "non_evidence_based")
        return rule("out_of_scope", "non_evidence", "non_evidence_based")
    if f.has("no_eval") and f.has("direct_service"):  # individual direct service needs an evaluation first
        return rule("out_of_scope", "no_evaluation", "evaluation_first")
    team = f.has("via_team") and f.context in ("school", "mixed", "none")  # a recommendation taken to the team
    if f.has("outside_rx") and (_service_change(f) or f.has("direct_service")):  # an amount prescribed
        return rule("depends", "outside_rx", "outside_prescription")
    if f.has("summer") and not f.has(
        "systemwide", "staff_training"
    ):  # ESY is the IEP team's decision on regression and recoupment
        return rule("in_scope" if team else "depends", "team_recommendation" if team else "summer", "esy")
    if f.has("private_school"):  # parentally placed: equitable services through a services plan
        if f.has("services_plan") and f.context != "home":  # served under its plan: in scope as the plan says
            return rule("in_scope", "services_plan", "equitable_services")
        return rule("depends", "private", "equitable_services")
    if f.has("decide_ask"):  # one person asks to decide what the team decides
        return rule("depends", "change", "team_decision")
    if f.has("discontinue"):
        lead = ("discontinuation", "team_decision")
        return rule("in_scope", "team_recommendation", *lead) if team else rule("depends", "discontinue", *lead)
    if _service_change(f) and f.plan not in ("mtss", "none"):  # a change of an IEP or 504 service is the team's
        lead = ("service_model", "team_decision") if f.has("model_words") else ("team_decision",)
        return rule("in_scope", "team_recommendation", *lead) if team else rule("depends", "change", *lead)
    if f.has("no_eval"):
        return rule("depends", "no_plan", "evaluation_first")
    if f.has("systemwide") or (f.has("staff_training") and f.plan in ("mtss", "none")):
        return rule("in_scope", "systemwide", "mtss")  # tiers 1-2 and staff training need no IEP
    if f.has("on_behalf") and f.context in ("school", "none") and not f.has("new_service"):
        return rule("in_scope", "on_behalf")  # services on behalf of students: staff, environment, programs
    if f.has("consult_ask") and not f.has("direct_service"):  # ideas for the teacher need no evaluation
        return rule("in_scope", "consultation", *(["mtss"] if f.plan in ("none", "unknown", "mtss") else []))
    if f.has("new_service") and not f.has("systemwide"):  # starting OT: the team decides after an evaluation
        if team:
            return rule("in_scope", "team_recommendation", "evaluation_first")
        return rule("depends", "new_service", "evaluation_first")
    if f.context == "mixed" and not f.has("impact"):
        return rule("depends", "impact_unknown")
    if f.has("ambiguous_skill") and not (f.has("participation_impact") and f.has("school")):
        return rule("depends", "impact_unknown")
    if f.plan in ("none", "unknown") and (f.has("evaluation") or f.plan == "none"):
        return rule("depends", "no_plan", "evaluation_first")
    if f.has("other_area_iep") and not f.has("served"):  # a new area for a plan without OT: the team decides
        return rule("depends", "new_service", "evaluation_first")
    if f.context in ("school", "mixed"):
        if f.plan in ("iep", "504", "mtss"):
            return rule("in_scope", "school_need")
        if f.has("access_device") or (f.has("condition") and f.has("impact")):  # a disability in the school day
            return rule("in_scope", "school_need")
        return rule("depends", "school_need_unknown_plan")
    return rule("depends", "no_context")


def _procedures(f: Facets) -> list[str]:
    """Every procedure the question touches, in the data file's order of priority."""
    cues = {
        "no_diagnosis": f.has("diagnosis_word") or _diagnosis(f),
        "health_procedure": f.has("health"),
        "eligibility_age": _aged_out(f) or f.has("age_limit"),
        "child_find": _early(f) or f.has("turning_three"),
        "equitable_services": f.has("private_school"),
        "esy": f.has("summer"),
        "outside_prescription": f.has("outside_rx"),
        "discontinuation": f.has("discontinue"),
        "team_decision": f.has("team_words", "decide_ask") or _unilateral(f) or _service_change(f),
        "non_evidence_based": f.has("non_evidence"),
        "clinical_referral": f.has("clinical", "billing", "clinic"),
        "section_504": f.plan == "504",
        "transition": f.has("transition_age") or (f.age or 0) >= ADULT_PROGRAM_AGE,
        "mtss": f.plan in ("mtss", "none") or f.has("systemwide"),
        "evaluation_first": f.has("evaluation", "new_service"),
        "service_model": f.has("service_model", "model_words"),
    }
    return [p for p in scope_words()["procedures"] if cues.get(p)]


ACCOMMODATION_DOMAINS = frozenset(
    {"mobility_access", "assistive_technology", "posture_seating", "self_regulation_attention", "executive_function"}
)


def pathways_for(f: Facets, ruling: Ruling, kind: str, domain: str | None = None) -> list[str]:
    """The vehicles that fit: the verdict's own, the plan's, the lead procedure's, and staff consultation
    whenever a teacher or aide carries the strategy."""
    found: list[str] = []
    add = lambda p: found.append(p) if p not in found else None  # noqa: E731
    procedures = scope_words()["procedures"]
    lead = procedures[ruling.procedures[0]]["pathways"] if ruling.procedures else []
    if kind == "information":
        for procedure in ruling.procedures[:2]:
            for p in procedures[procedure]["pathways"]:
                add(p)
        return found[:4]
    older = f.age is None or f.age >= TRANSITION_PATHWAY_AGE
    transition = "transition" in ruling.procedures or (domain == "transition" and older and f.grade not in YOUNG)
    if ruling.verdict == "out_of_scope":
        if ruling.rule in ("diagnosis", "aged_out", "early", "clinical", "outside", "billing"):
            add("refer_outside_school")
        if ruling.rule in ("unilateral", "health"):
            add({"504": "section_504"}.get(f.plan, "iep_related_service"))
        for p in lead:
            add(p)
        if ruling.rule in ("clinical", "outside") and transition and f.has("transition_age"):
            add("transition_services")  # driving, a post-school goal: refer out, and transition planning
        return found[:4] or ["refer_outside_school"]
    plan_path = {"iep": "iep_related_service", "504": "section_504", "mtss": "mtss_rti", "none": "mtss_rti"}
    if f.plan in plan_path:
        add(plan_path[f.plan])
    if f.plan in ("none", "unknown") and ruling.verdict == "depends":
        add("iep_related_service")
        add("mtss_rti")
        if domain in ACCOMMODATION_DOMAINS:
            add("section_504")  # an accommodation need without an IEP: a 504 plan can carry it
    if f.has("systemwide"):
        add("mtss_rti")
    if transition:
        add("transition_services")
    # the teacher or aide carries a school-day strategy (DOMAIN.md: carryover to the classroom), and training
    # staff is itself the service
    if (
        f.context in ("school", "mixed")
        or f.has("staff_training", "classroom_strategy")
        or f.asker
        in (
            "teacher",
            "principal",
        )
    ):
        add("staff_consultation")
    for p in lead:
        add(p)
    if ruling.verdict == "depends" and (ruling.rule == "impact_unknown" or f.has(*OUTSIDE)):
        add("refer_outside_school")  # if it matters only outside school, a clinic serves it
    return found[:4] or ["iep_related_service"]


# ---------------------------------------------------------------------------------------------------------------
# Words of the answer: the rule's guidance with the question's own skill, the procedure from the library, the
# evidence only when it matches the question, and follow-up questions only for what is unknown.


def _fill(template: str, f: Facets, focus: str | None = None) -> str:
    who = f.pronoun
    their = {"he": "his", "she": "her"}.get(who, "the student's")
    them = {"he": "him", "she": "her"}.get(who, "the student")
    skill = _skill_phrase(f, focus)
    routine = f.routine.replace("_", " ") if f.routine else "class, lunch, recess or the bus"
    team = "504 team" if f.plan == "504" else "IEP team"
    text = template.format(skill=skill, who=who, their=their, them=them, routine=routine, team=team)
    return text[:1].upper() + text[1:]


def _skill_phrase(f: Facets, focus: str | None = None) -> str:
    """The need in the question's words: the need the reader found, else the words of the facet that decided,
    else the skill area."""
    words = (f.skill or "").rstrip(".?!").split()
    weak = frozenset(scope_words()["weak_verbs"])
    ends = frozenset(scope_words()["skill_end_stops"])
    plain = len(words) >= 2 and words[0].lower() not in weak | {"ot"} and words[-1].lower() not in ends
    if plain and not {"and", "or"} & set(words) and len(words) <= SKILL_WORDS:
        return gerund(" ".join(words))
    if focus and focus in f.found:  # the question's own word, quoted: "what you describe ("rehab")"
        return f'what you describe ("{f.found[focus]}")'
    if f.domain_sure:
        return scope_words()["domain_phrases"].get(f.domain or "", "this need")
    return "this need"


_SENTENCES: dict[int, tuple[Any, dict[str, list[tuple[str, str, str]]]]] = {}


def _page_sentences(corpus: Any) -> dict[str, list[tuple[str, str, str]]]:
    """Sentences of each primer page, (chunk id, section title, sentence), split once per corpus."""
    held = _SENTENCES.get(id(corpus))
    if held is not None and held[0] is corpus:
        return held[1]
    pages: dict[str, list[tuple[str, str, str]]] = {}
    for doc in corpus.primer:
        for section in doc.sections:
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(section.text.split())):
                if len(sentence.split()) >= 6:
                    pages.setdefault(doc.id, []).append((f"{doc.id}#{section.slug}", section.heading, sentence))
    _SENTENCES[id(corpus)] = (corpus, pages)
    return pages


MIN_OVERLAP = 2  # content words a library sentence shares with the question before it is quoted


def _best_sentences(question: str, pages: list[str], services: Any, n: int, floor: int = 0) -> list[tuple[str, str]]:
    """The n sentences of the given pages that share most content words with the question (at least `floor`),
    in page order."""
    sentences = _page_sentences(services.corpus)
    words = _content_words(question)
    scored = []
    for rank, page in enumerate(pages):
        for order, (chunk, _, sentence) in enumerate(sentences.get(page, [])):
            overlap = len(words & {t.low for t in tokenize(sentence) if t.kind == "w"})
            if overlap >= floor:
                scored.append((overlap - 0.5 * rank - 0.02 * order, rank, order, chunk, sentence))
    best = sorted(scored, reverse=True)[:n]
    return [(chunk, sentence) for *_, chunk, sentence in sorted(best, key=lambda s: (s[1], s[2]))]


ANSWER_SENTENCES = 3  # a general question gets a few consecutive sentences of the best library section
ANSWER_WORDS = 110


def _content_words(text: str) -> set[str]:
    plain = frozenset(scope_words()["answer_stopwords"])
    return {t.low for t in tokenize(text) if t.kind == "w" and len(t.low) > 3 and t.low not in plain}


@cache
def _topic_lexicon() -> Lexicon:
    return Lexicon({page: words for page, words in scope_words().get("topics", {}).items()})


def _topic_page(question: str) -> str | None:
    """The library page whose subject the question names (a COTA, consent, age-out...), if any."""
    found = _topic_lexicon().find(tokenize(question))
    return found[0].label if found else None


def _library_answer(
    question: str, procedures: list[str], services: Any, sections: dict[str, str]
) -> tuple[str, list[str]]:
    """A general question answered from the library, as one passage: the section of the named procedure's page
    (else of the nearest primer pages) whose heading and text share most content words with the question,
    quoted as its run of consecutive sentences that shares most."""
    words = _content_words(question)
    headings = {f"{d.id}#{x.slug}": x.heading for d in services.corpus.primer for x in d.sections}
    found = services.searcher.search(question, k=6, filters=SearchFilters(kind="primer"), distinct=False)
    page = _topic_page(question) or (scope_words()["procedures"][procedures[0]]["page"] if procedures else None)
    if page:  # the question's subject or procedure names its page more reliably than retrieval finds it
        candidates = [(0, chunk) for chunk in sections if chunk.split("#")[0] == page]
    if not page or not candidates:
        candidates = [(rank, p.chunk_id) for rank, p in enumerate(found)]
    if not candidates:
        return "", []

    def fit(item: tuple[int, str]) -> float:
        rank, chunk = item
        heading, text = headings.get(chunk, ""), sections.get(chunk, "")
        return 2 * len(words & _content_words(heading)) + len(words & _content_words(text)) - 0.5 * rank

    best = max(candidates, key=fit)[1]
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", " ".join(sections.get(best, "").split())) if x]
    overlap = [len(words & _content_words(x)) for x in sentences]
    start = max(range(len(sentences)), key=lambda i: (sum(overlap[i : i + ANSWER_SENTENCES]), -i))
    chosen: list[str] = []
    for sentence in sentences[start : start + ANSWER_SENTENCES]:
        if chosen and len(" ".join([*chosen, sentence]).split()) > ANSWER_WORDS:
            break
        chosen.append(sentence)
    second = next((p.chunk_id for p in found if p.source_id != best.split("#")[0]), None)
    return " ".join(chosen), [best, *([second] if second else [])]


def _agreeing_case(f: Facets, verdict: str, domain: str, found: list, cases: dict) -> ScopeCase | None:
    """The nearest scope case that agrees with the question on the skill (domain), the context and the verdict."""
    for passage in found:
        case = cases.get(passage.source_id)
        if case is None:
            continue
        if case.domain == domain and case.verdict == verdict and question_context(case.scenario) == f.context:
            return case
    return None


def _follow_ups(f: Facets, ruling: Ruling) -> list[str]:
    """Plain questions for the facets that are unknown and would change the answer."""
    asks = scope_words().get("follow_ups", {})
    wanted = []
    if ruling.verdict == "depends":
        known = {"early": f.has("turning_three"), "summer": f.has("regression_data")}
        ask = "homeschool" if ruling.rule == "private" and f.has("homeschool") else ruling.rule
        if ask in asks and not known.get(ask):
            wanted.append(asks[ask])
        if not f.has("impact") and ruling.rule in ("impact_unknown", "no_context", "no_plan"):
            wanted.append(asks["impact"])
        if f.plan == "unknown":
            wanted.append(asks["plan"])
        if ruling.rule in ("no_plan", "school_need_unknown_plan") or (f.plan == "unknown" and f.has("evaluation")):
            wanted.append(asks["evaluation"])
    elif ruling.verdict == "in_scope" and f.plan == "unknown":
        wanted.append(asks["plan"])
    return [_fill(q, f) for q in dict.fromkeys(wanted)][:3]


def answer_scope(question: str, services: Any, case: Case | None = None) -> ScopeAnswer:
    """A scope or procedure question answered: its kind, then a verdict by rule or an answer from the library."""
    question = clean_text(question, "question", limit=5000)
    case = case or read_case(question)
    facets = read_facets(question, case)
    embedder = getattr(services.searcher, "embedder", None)
    kind, _ = question_kind(question, embedder, case)
    ruling = decide(facets)
    # a general question names its procedures by their own priority; a decision leads with its rule's
    procedures = _procedures(facets)[:3] if kind == "information" else list(ruling.procedures[:3])
    words = scope_words()
    names = words["procedures"]
    if kind == "information":
        sections = services.corpus.section_texts()
        answer, chunks = _library_answer(question, procedures, services, sections)
        answer = answer or "I could not find that in the library."
        if procedures and names[procedures[0]].get("lead"):  # the direct reply first, then the library's words
            answer = f"{names[procedures[0]]['lead']} {answer}"
        citations = _section_citations(chunks, sections, services)
        return ScopeAnswer(
            kind="information",
            answer=answer,
            verdict=None,
            pathways=pathways_for(facets, ruling, kind),
            rationale=answer,
            follow_up_questions=[],
            citations=citations,
            procedures=procedures,
            signals={k: True for k in facets.found},
        )
    cases = {c.id: c for c in services.corpus.scope}
    domain, confidence = classify_domain(question, services.searcher)
    found = services.searcher.search(question, k=6, filters=SearchFilters(kind="scope"))
    # a case is evidence only when it is plainly about the question's skill, in its context, with its verdict
    sure = confidence >= CASE_DOMAIN_CONFIDENCE
    related = _agreeing_case(facets, ruling.verdict, domain, found, cases) if sure else None
    rule_words = words["rules"][ruling.rule]
    facets.domain, facets.domain_sure = domain, confidence >= CASE_DOMAIN_CONFIDENCE
    focus = rule_words.get("focus")
    guidance = _fill(rule_words["guidance"], facets, focus).rstrip(".")
    parts = [guidance + "."]
    page_sentences: list[tuple[str, str]] = []
    if procedures:
        page_sentences = _best_sentences(question, [names[procedures[0]]["page"]], services, 1, MIN_OVERLAP)
        parts += [s for _, s in page_sentences]
    in_scope_path = None
    if ruling.verdict != "in_scope":
        in_scope_path = (
            related.in_scope_path
            if related and related.in_scope_path
            else _fill(rule_words.get("path", words["rules"]["school_need"]["path"]), facets, focus)
        )
    headline = {"in_scope": "In scope", "out_of_scope": "Not school OT as asked", "depends": "It depends"}
    lead = rule_words.get("headline", headline[ruling.verdict])
    answer = f"{lead}: {guidance[:1].lower()}{guidance[1:]}."
    primer_chunks = [c for c, _ in _best_sentences(question, [names[p]["page"] for p in procedures[:1]], services, 1)]
    primer_chunks = [c for c, _ in page_sentences] if procedures and page_sentences else primer_chunks
    cited_case = [related.id] if related else []
    citations = _section_citations(primer_chunks, services.corpus.section_texts(), services)
    citations += [p.citation() for p in found if p.source_id in cited_case]
    if not citations:
        primer = services.searcher.search(question, k=1, filters=SearchFilters(kind="primer"))
        citations = [p.citation() for p in primer]
    return ScopeAnswer(
        kind="decision",
        answer=answer,
        verdict=ruling.verdict,
        pathways=pathways_for(facets, ruling, kind, domain),
        rationale=" ".join(parts),
        follow_up_questions=_follow_ups(facets, ruling),
        citations=citations,
        deciding_factor=guidance,
        in_scope_path=in_scope_path,
        procedures=procedures,
        signals={k: True for k in facets.found},
    )


def _section_citations(chunks: list[str], sections: dict[str, str], services: Any) -> list[Citation]:
    titles = {d.id: d.title for d in services.corpus.primer}
    seen: dict[str, Citation] = {}
    for chunk in chunks:
        source = chunk.split("#")[0]
        if source in seen:
            continue
        text = " ".join(sections.get(chunk, "").split())
        excerpt = text if len(text) <= 280 else text[:279].rsplit(" ", 1)[0] + "…"
        seen[source] = Citation(source_id=source, title=titles.get(source, source), excerpt=excerpt)
    return list(seen.values())


def names_a_procedure(question: str, case: Case | None = None) -> bool:
    """The question touches a school procedure or a subject page (the chat answers it as the scope answer does)."""
    return bool(_procedures(read_facets(question, case)) or _topic_page(question))


def read_signals(question: str) -> dict[str, bool]:
    """The facets found in a question (the adversarial bench times this reader on hostile input)."""
    return {k: True for k in read_facets(question).found}
