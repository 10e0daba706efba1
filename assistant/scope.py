"""Scope answers: is this school OT? A verdict resting on educational impact and the team's decision."""

import re
from collections import Counter
from typing import Any

from assistant.case import read_case
from assistant.corpus import ScopeCase
from assistant.domains import classify_domain
from assistant.inputs import clean_text
from assistant.schemas import Case, ScopeAnswer, SearchFilters

_I = re.I
DIAGNOSIS = re.compile(
    r"\b(?:can|could|would|will|should)\s+(?:you|the\s+(?:school\s+)?ot|i|we|she|he)\b[^.?]{0,60}\bdiagnos\w*"
    r"|\b(?:give|make|get)\s+(?:him|her|them|my \w+)?\s*(?:a|the)\s+diagnosis"
    r"|\b(?:tell|confirm|say|prove|show|decide)\b[^.?]{0,30}\b(?:if|whether|that|why)\b[^.?]{0,40}\b(?:has|have|is)\b"
    r"[^.?]{0,30}\b(?:autis\w*|adhd|spd|dyspraxia|dysgraphia|dcd|disorder|delay\w*)"
    r"|\btest\s+(?:him|her|them|my \w+|a \w+)\s+(?:for|to see if)\b|\bsay\s+(?:he|she)\s+has\b"
    r"|\bdoes\s+(?:he|she|my \w+)\s+have\s+(?:autis\w*|adhd|spd|dyspraxia|dysgraphia|dcd)"
    r"|\btell me (?:why|whether|if)\b|\bto\s+diagnose\b|\bdiagnose\s+(?:him|her|them|my|our|the|a|this)\b"
    r"|\bconfirm\s+(?:that|whether|if)\b",
    _I,
)
# Clinical care a school OT does not provide, whatever the setting: refer out.
CLINICAL = re.compile(
    r"\b(?:(?:learn|learning|teach \w+|how) to drive|can drive|driving (?:lessons?|eval\w*|test|school)|"
    r"driver'?s? (?:ed|education|license|test)|behind the wheel|splint\w*|post-?op|surgery|rehab\w*|casting|"
    r"serial cast\w*|botox|swallow\w*|"
    r"dysphagia|feeding therapy|trauma therapy|psychotherapy|individual therapy for|brace|car seat|vision exam|"
    r"glasses|eye doctor|optometrist|dentist|dental|tryouts?|varsity|agility|pitch again|sports performance|"
    r"functional capacity)\b",
    _I,
)
NO_DISABILITY = re.compile(r"\b(?:no|without a|without any) (?:known )?disabilit\w*\b", _I)
MEDICAL = re.compile(
    r"\b(?:bill(?:ed|ing)?\b|insurance|(?:doctor|physician|surgeon|pediatrician|orthopedist|neurologist)'?s?\s+"
    r"(?:order|script|prescription|office)|prescri\w+|post-?op|splint\w*|surgery|swallow\w*|dysphagia|"
    r"medication|feeding therapy|trauma therapy|counseling|psychotherapy|at (?:the|a) clinic|outpatient|clinical|"
    r"private (?:ot|therapy|sessions)|driv(?:ing|er'?s?)\s+(?:lessons?|eval\w*|ed\b|test)|behind the wheel|"
    r"medical necessity|brace|casting|serial cast\w*|botox|toe[- ]walk\w*|car seat|functional capacity|"
    r"adult clients?|nightmares|sleep|glasses|vision exam|eye doctor|optometrist|dentist|dental|"
    r"fireworks|family parties|family party)\b",
    _I,
)
HOME_ONLY = re.compile(
    r"\b(?:at home|home program|bedtime|bath(?:time)?|bedroom|in the neighborhood|weekends?|saturdays?|sundays?|"
    r"summer|church|vacation|road trips?|family (?:trip|outing|cards)|ride (?:his|her|a) bike|bike riding|"
    r"riding (?:his|her|a) bike|at their house|their house|come over|birthday part\w+|sleepovers?|"
    r"for the family|holiday cards|piano lessons|dance class|travel (?:team|soccer)|swim lessons|"
    r"learn to swim|teach (?:him|her|my \w+) to swim|girl scouts?|boy scouts?|scout troop|troop|"
    r"special olympics|gaming|alexa|smart plugs?|his phone|her phone|own phone|shave|shaving|potty train\w*|"
    r"calligraphy|knitting|video games?|laundromat|(?:their|his|her|the family'?s?) home|dinner|in bed|at night|"
    r"(?:fine|no problems?|doing (?:fine|well)|does well|no issues?)"
    r" (?:at|in) school)\b",
    _I,
)
SCHOOL = re.compile(
    r"\b(?:class(?:room|es|work)?|school|teacher|recess|lunch|cafeteria|bus|pe\b|gym|hallways?|locker|"
    r"worksheets?|assignments?|journal|desk|iep|504|tier|mtss|rti|intervention|job[- ]?site|work[- ]?site|"
    r"transition program|centers?|circle time|carpet|homework|tests?|notes?|notebook|library|field trip|"
    r"fire drills?|dismissal|arrival|staff|aides?|paras?|campus|grades?|spelling|math|reading|writing|hall|"
    r"\d+(?:st|nd|rd|th)[- ]grader|kindergartner|preschooler|freshman|sophomore|folder|backpack|"
    r"community instruction)\b",
    _I,
)
SCHOOL_OT = re.compile(
    r"\b(?:the\s+)?school(?:'s)?(?:-based)?\s+(?:ot|occupational therapist|occupational therapy)\b", _I
)
PLAN = re.compile(
    r"\b(?:(?:has|have|with|on|in)\s+(?:an?\s+|his\s+|her\s+|my\s+)?(?:iep|504)|iep\b|504 plan|"
    r"caseload|transition plan|transition program|special ed(?:ucation)? (?:class|program|student)|"
    r"i'?m the (?:slp|speech|counselor|pe teacher|art teacher|music teacher|nurse|para|aide))",
    _I,
)
SYSTEMWIDE = re.compile(
    r"\b(?:tier\s*[12]|mtss|rti|whole (?:class|grade|school)|all (?:the|our) \w+ (?:grade|"
    r"students|classes)|small group|pd\b|professional development|in-?service|train(?:ing)?\s+"
    r"(?:the\s+|our\s+|all\s+)?(?:staff|aides?|paras?|teachers?|bus drivers?|lunch)|"
    r"co-?lead|school-?wide|classroom-?wide|grade level)\b",
    _I,
)
# Asking whether to add OT (a referral, a new area) is the team's call after an evaluation: it depends.
NEW_SERVICE = re.compile(
    r"\bshould\s+(?:the\s+)?ot\s+(?:be\s+)?(?:added|add|pick|be\s+part|be\s+involved|work\s+on|be\s+teaching|"
    r"weigh\s+in)|\bdo\s+we\s+need\s+(?:an?\s+)?ot\b|\bis\s+(?:that|this)\s+an?\s+ot\s+(?:referral|thing)|"
    r"\bcan\s+we\s+get\s+ot\b|\bshould\s+ot\s+be\b|\bor\s+is\s+(?:that|it)\s+(?:pt|speech|the\s+slp)\b|"
    r"\binstead\s+of\b|\bdo\s+i\s+get\s+involved\b|\bshould\s+(?:she|he|i)\?|\bgets?\s+(?:him|her)\s+ready\b|"
    r"\bhelp\s+(?:him|her)\s+get\s+ready\b|\bcan\s+ot\s+help\s+with\s+that\b",
    _I,
)
# Skills that matter at school for one student and not another (DOMAIN.md): without a stated school
# impact the honest answer is "depends".
AMBIGUOUS_SKILL = re.compile(
    r"\b(?:shoe ?tying|tie (?:his|her|their) shoes|tying (?:his|her|their )?shoes|shoelaces|"
    r"utensils?|tooth ?brushing|brush(?:ing)? (?:his|her|their) teeth|clumsy|clumsiness|"
    r"anxiety|anxious|picky eat\w*)\b",
    _I,
)
SCHOOL_IMPACT = re.compile(
    r"\b(?:miss(?:es|ing)?|late|can'?t (?:join|keep up|finish|get)|sits? out|falls? behind|"
    r"left out|during (?:pe|lunch|recess|class|gym)|at (?:recess|lunch|school)|in (?:class|pe|gym)|"
    r"before (?:pe|recess)|after (?:pe|recess))\b",
    _I,
)
UNILATERAL = re.compile(
    r"\b(?:can|could|should|may)\s+i\s+(?:just\s+)?(?:stop|drop|discharge|end|cut|add|start|pick up|double|"
    r"reduce|increase|change|amend|update|rewrite|write)\b[^?]*\b(?:myself|on my own|"
    r"without (?:the )?(?:team|iep|meeting|going back)|"
    r"by myself|my own call)|\bwithout (?:going back to |asking |telling )?the (?:iep )?team\b"
    r"|\b(?:tell|inform) (?:his|her|the) (?:family|parents?) (?:we're|we are) (?:taking|dropping|stopping)"
    r"|\btell\s+(?:her|him|them|the\s+family|the\s+parents?)\s+no\b",
    _I,
)
AGED_OUT = re.compile(
    r"\b(?:2[2-9]|[3-9]\d)[- ]year[- ]old\b|\baged out\b|\bgraduated\b|\bafter (?:he|she) "
    r"(?:turned 22|left school)\b|\bno longer (?:in|enrolled)",
    _I,
)
UNSURE = re.compile(
    r"\b(?:no iep|not on an iep|no plan|no evaluation|hasn't been evaluated|not evaluated|"
    r"isn't on|(?:doesn't|does not|don't|do not) have (?:a|an|any) (?:plan|iep|504)|"
    r"without a plan|not in special ed|no 504|no school plan)\b",
    _I,
)
STAFF = re.compile(
    r"\b(?:train(?:ing)?\s+(?:the\s+)?(?:staff|aides?|paras?|teachers?)|in-?service|pd\b|"
    r"professional development|consult(?:ation)?|coach the teacher|whole (?:class|grade))\b",
    _I,
)
PATHWAY_CUES = {
    "section_504": re.compile(r"\b504\b", _I),
    "mtss_rti": re.compile(
        r"\b(?:mtss|rti|tier\s*[12]|general ed\w*|gen ed|no iep|not in special ed|"
        r"whole (?:class|grade)|not on an iep|intervention block)\b",
        _I,
    ),
    "staff_consultation": STAFF,
    "transition_services": re.compile(
        r"\b(?:transition|job|work[- ]?site|vocational|after graduation|"
        r"1[4-9][- ]year[- ]old|20[- ]year[- ]old|21[- ]year[- ]old|"
        r"sophomore|junior|senior)\b",
        _I,
    ),
    "iep_related_service": re.compile(r"\biep\b", _I),
}
_DEPENDS_FOLLOW_UP = (
    "Does this affect the student at school, for example dressing for PE, lunch, recess or class work?",
    "Is the student on an IEP or 504 plan, or would this start with general-education (MTSS) support?",
    "What have the teacher and family seen, and is there data on how often it gets in the way?",
)


class Signals(dict):
    """Named booleans read from the question."""


def read_signals(question: str, case: Case | None = None) -> Signals:
    """The facts of the question that decide a verdict; the student's plan comes from the Case."""
    without_ot = SCHOOL_OT.sub(" ", question)
    served = bool(PLAN.search(question))  # caseload, transition program, "I'm the SLP": a student already served
    student_plan = served or (case is not None and case.plan in ("iep", "504", "mtss"))
    plan = student_plan and not UNSURE.search(question)
    return Signals(
        diagnosis=bool(DIAGNOSIS.search(question)),
        medical=bool(MEDICAL.search(question)),
        home=bool(HOME_ONLY.search(question)),
        school=bool(SCHOOL.search(without_ot)),
        unilateral=bool(UNILATERAL.search(question)),
        aged_out=bool(AGED_OUT.search(question)),
        unsure=bool(UNSURE.search(question)),
        plan=plan,
        systemwide=bool(SYSTEMWIDE.search(question)),
        new_service=bool(NEW_SERVICE.search(question))
        or bool(AMBIGUOUS_SKILL.search(question) and not SCHOOL_IMPACT.search(question)),
        clinical=bool(CLINICAL.search(question)),
        no_disability=bool(NO_DISABILITY.search(question)),
    )


def _vote(cases: list[tuple[ScopeCase, float]]) -> Counter:
    votes: Counter = Counter()
    for case, weight in cases:
        votes[case.verdict] += weight
    return votes


_FACTORS = {
    "diagnosis": "School OTs do not diagnose; they describe how a need affects school participation.",
    "unilateral": "Adding, changing or ending a service is the IEP team's decision, not one person's.",
    "aged_out": "School services end when IDEA eligibility ends (age 21 or 22, by state).",
    "outside": "The need or request sits outside school (home, community or clinical care), with no school link.",
    "clinical": "This is clinical or medical care (rehab, driving, vision, feeding), outside the school model.",
    "no_disability": "Without a disability there is no IEP or 504 service; general-education (MTSS) support may fit.",
    "in_scope": "The need is tied to the student's participation at school.",
    "depends": "Whether it affects the student's participation at school, which the team decides.",
    "out_of_scope": "The request does not link to the student's participation at school.",
}


def decide(signals: Signals, votes: Counter) -> tuple[str, str]:
    """(verdict, deciding factor): what school OT never does first, then the school link, then the cases' vote."""
    for hard in ("diagnosis", "unilateral", "aged_out"):
        if signals[hard]:
            return "out_of_scope", _FACTORS[hard]
    if signals["clinical"]:
        return "out_of_scope", _FACTORS["clinical"]
    outside = signals["medical"] or signals["home"]
    if outside and not signals["school"]:
        return "out_of_scope", _FACTORS["outside"]
    if signals["no_disability"] and not signals["systemwide"]:
        return "out_of_scope", _FACTORS["no_disability"]
    voted = votes.most_common(1)[0][0] if votes else "depends"
    if signals["school"] and not outside:
        if (signals["unsure"] or signals["new_service"]) and not signals["systemwide"]:
            verdict = "depends"
        elif signals["systemwide"] or signals["plan"]:
            verdict = "in_scope"
        elif signals["unsure"]:
            verdict = "depends"
        else:
            verdict = voted if voted != "out_of_scope" else "depends"
    elif outside:
        verdict = "out_of_scope" if voted == "out_of_scope" or not signals["plan"] else "depends"
    else:
        verdict = voted
    return verdict, _FACTORS[verdict]


def pathways_for(question: str, verdict: str, signals: Signals, nearest: list[ScopeCase]) -> list[str]:
    """The vehicles that fit: cues in the question first, then what the nearest cases used."""
    found = [p for p, cue in PATHWAY_CUES.items() if cue.search(question)]
    if verdict == "out_of_scope":
        if signals["unilateral"]:
            return ["iep_related_service"]
        found = ["refer_outside_school", *[p for p in found if p in ("mtss_rti", "staff_consultation")]]
    if not found:
        for case in nearest:
            found += [
                p for p in case.pathways if p not in found and (verdict != "in_scope" or p != "refer_outside_school")
            ]
    if verdict == "in_scope" and not {"iep_related_service", "section_504", "mtss_rti"} & set(found):
        found.append("mtss_rti" if signals["unsure"] else "iep_related_service")
    return found[:3] or ["iep_related_service"]


def answer_scope(question: str, services: Any, case: Case | None = None) -> ScopeAnswer:
    """Verdict, pathways, rationale, follow-up questions and citations for a scope question."""
    question = clean_text(question, "question", limit=5000)
    signals = read_signals(question, case or read_case(question))
    cases = {c.id: c for c in services.corpus.scope}
    found = services.searcher.search(question, k=6, filters=SearchFilters(kind="scope"))
    nearest = [(cases[p.source_id], 1.0 / (rank + 1)) for rank, p in enumerate(found) if p.source_id in cases]
    verdict, factor = decide(signals, _vote(nearest))
    near_cases = [c for c, _ in nearest]
    pathways = pathways_for(question, verdict, signals, near_cases)
    domain, _ = classify_domain(question, services.searcher)
    same_domain = services.searcher.search(question, k=3, filters=SearchFilters(kind="scope", domain=domain))
    local = [cases[p.source_id] for p in same_domain if p.source_id in cases]
    best = local[0] if local else next((c for c in near_cases if c.verdict == verdict), None)
    rationale = _rationale(verdict, factor, best)
    follow_ups = []
    if verdict == "depends":
        follow_ups = [q for c in local if c.verdict == "depends" for q in c.follow_up_questions][:2]
        follow_ups += [q for q in _DEPENDS_FOLLOW_UP if q not in follow_ups][: 3 - len(follow_ups)]
    primer = services.searcher.search(question, k=1, filters=SearchFilters(kind="primer"))
    cited = {p.source_id: p for p in [*same_domain[:1], *found[:2], *primer]}
    citations = [p.citation() for p in cited.values()]
    return ScopeAnswer(
        verdict=verdict,
        pathways=pathways,
        rationale=rationale,
        follow_up_questions=follow_ups,
        citations=citations,
        deciding_factor=factor,
        in_scope_path=(best.in_scope_path if best and verdict != "in_scope" else None),
        signals={k: v for k, v in signals.items() if v},
    )


def _rationale(verdict: str, factor: str, case: ScopeCase | None) -> str:
    opening = {
        "in_scope": "This fits school-based OT.",
        "depends": "It depends on how this shows up at school.",
        "out_of_scope": "This is not school-based OT as asked.",
    }[verdict]
    similar = f" A related case ({case.verdict.replace('_', ' ')}): {case.rationale}" if case else ""
    closing = (
        " School OT follows the educational model: a service must support the student's participation at "
        "school, and the IEP or 504 team, not the OT alone, decides whether and how it is provided."
    )
    return f"{opening} {factor}{similar}{closing}"
