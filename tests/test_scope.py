"""Scope and procedure answers: the kind of question first, then a verdict by named rules that hold for every
wording of their principle, procedures named, evidence that agrees with the question, follow-ups only for what is
unknown."""

import json
from collections import Counter

import pytest

from assistant.lexicon import DATA
from assistant.scope import KIND_FEATURES, answer_scope, question_context, read_facets, read_signals, scope_words
from evals.scope_answers import Report, load_set, score


@pytest.mark.parametrize(
    "question",
    [
        "Who decides when school OT is discontinued?",
        "What is extended school year and who gets it?",
        "Does school-based OT only address handwriting?",
        "Why doesn't the OT see my son every day?",
        "What's the difference between consult and direct OT services?",
    ],
)
def test_a_general_or_procedure_question_is_answered_from_the_library(services, question):
    answer = answer_scope(question, services)
    assert answer.kind == "information" and answer.verdict is None
    assert 2 <= answer.answer.count(". ") + 1 <= 6 and answer.citations
    assert all(c.source_id in services.corpus.by_id() for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        "My son is in 2nd grade and can't use a knife and fork at lunch. Is that something the school OT does?",
        "A 3rd grader on my caseload can't read his own writing. Can I write a goal for his journal entries?",
        "Can the OT help a 4th grader with an IEP who can't open her milk carton at lunch?",
    ],
)
def test_a_question_about_a_student_gets_a_verdict(services, question):
    answer = answer_scope(question, services)
    assert answer.kind == "decision" and answer.verdict in ("in_scope", "out_of_scope", "depends")
    assert answer.answer.startswith(("In scope", "It depends", "Not school OT"))


@pytest.mark.parametrize(
    ("question", "verdict", "procedure"),
    [
        # school OTs do not diagnose, whatever the wording
        ("Can you tell me whether my son has dyspraxia?", "out_of_scope", "no_diagnosis"),
        ("Could the OT test my 5 year old for autism before his doctor visit?", "out_of_scope", "no_diagnosis"),
        ("Can I just tell mom her 1st grader has a sensory processing disorder?", "out_of_scope", "no_diagnosis"),
        # a diagnosis named by someone else is not a request for one
        (
            "My 8th grader has a 504 for dysgraphia that the neuropsychologist diagnosed. Could the OT work with "
            "her teachers on typed notes?",
            "in_scope",
            "section_504",
        ),
        # health procedures are the nurse's; the motor side can be OT's
        (
            "Can the OT do finger sticks and give insulin to a 3rd grader with diabetes?",
            "out_of_scope",
            "health_procedure",
        ),
        (
            "A 6th grader with OT on his IEP can't open his glucose tab bottle one handed. Can OT work on opening "
            "his supplies?",
            "in_scope",
            "health_procedure",
        ),
        # one person never changes services alone, nor one rule for everyone
        ("Can I just stop his OT myself without going back to the IEP team?", "out_of_scope", "team_decision"),
        (
            "The principal wants all the students on my caseload moved to consult only next month. Can we just do it?",
            "out_of_scope",
            "team_decision",
        ),
        # eligibility ends at 21/22 and starts with Part C before 3
        ("Can the district OT keep seeing a 23 year old who graduated last year?", "out_of_scope", "eligibility_age"),
        (
            "My daughter is 2 and still can't use a spoon. Can she get OT at the elementary school?",
            "out_of_scope",
            "child_find",
        ),
        # outside school, clinical care, billing
        ("Mom wants help with bedtime routines at home, nothing at school.", "out_of_scope", None),
        ("My son had wrist surgery. Can the school OT make his splint?", "out_of_scope", "clinical_referral"),
        ("Can I see him at his house after school and bill their insurance?", "out_of_scope", "clinical_referral"),
        # a program with weak evidence is not the service; an evidence-based alternative is
        (
            "A parent wants Interactive Metronome put in her son's IEP as his OT service. Can we do that?",
            "out_of_scope",
            "non_evidence_based",
        ),
        (
            "Mom asked for Brain Gym for her 6 year old; I'd rather propose movement breaks tied to his on-task "
            "goal. Right call?",
            "in_scope",
            "non_evidence_based",
        ),
        # ESY and private school are team and district procedures
        ("Can the school OT come to our house over the summer to work on bike riding?", "out_of_scope", "esy"),
        (
            "Our son is moving to a Catholic school. Will the district OT keep seeing him?",
            "depends",
            "equitable_services",
        ),
        # services on behalf of students need no IEP
        ("Could the OT train our aides to use a student's stander during science?", "in_scope", None),
        ("Our kindergarten team wants the OT to run a tier 2 scissor group for kids without IEPs.", "in_scope", "mtss"),
        # the school link and the plan decide the rest
        (
            "A 2nd grader with an IEP can't open his lunch containers and misses half of lunch. Can OT help?",
            "in_scope",
            None,
        ),
        (
            "A 3rd grader with no IEP kneels on his chair for every assignment. Should the OT see him?",
            "depends",
            "evaluation_first",
        ),
        ("Should I work on shoe tying with a kindergartner?", "depends", None),
    ],
)
def test_each_rule_holds_for_its_principle(services, question, verdict, procedure):
    answer = answer_scope(question, services)
    assert answer.kind == "decision"
    assert answer.verdict == verdict, (answer.verdict, answer.signals)
    if procedure:
        assert procedure in answer.procedures, answer.procedures
    assert answer.citations and all(c.source_id in services.corpus.by_id() for c in answer.citations)


def test_the_chat_answers_a_procedure_question_procedure_first(services):
    from assistant.chat import ChatState, respond

    reply, _ = respond("who decides when school OT ends?", ChatState(), services)
    assert reply.intent in ("scope", "question") and reply.answer.startswith("In short: the IEP team decides to end OT")
    assert reply.citations and reply.result["procedures"][0] == "discontinuation"


def test_a_verdict_reads_as_guidance_for_the_team(services):
    answer = answer_scope("Can I just stop his OT myself without going back to the IEP team?", services)
    assert "team" in answer.rationale and "prior written notice" in answer.rationale
    depends = answer_scope("My 2nd grader can't use a fork and knife. Should the school OT take that on?", services)
    assert depends.verdict == "depends" and depends.rationale.lower().startswith("it turns on the school day: if")


def test_follow_up_questions_ask_only_for_what_is_unknown(services):
    unknown = answer_scope("Should I work on shoe tying with a kindergartner?", services)
    assert unknown.verdict == "depends" and any("IEP or a 504" in q for q in unknown.follow_up_questions)
    known = answer_scope("Should I work on shoe tying with a kindergartner on an IEP who misses recess?", services)
    assert not any("IEP or a 504" in q for q in known.follow_up_questions)
    assert answer_scope("Can you tell me whether my son has dyspraxia?", services).follow_up_questions == []


def test_staff_consultation_is_a_pathway_when_the_teacher_carries_the_strategy(services):
    answer = answer_scope(
        "I teach 3rd grade. A boy with an IEP can't keep his desk organized. Can the OT help?", services
    )
    assert "staff_consultation" in answer.pathways
    clinic = answer_scope("My son had wrist surgery. Can the school OT make his splint?", services)
    assert clinic.pathways[0] == "refer_outside_school"


def test_a_cited_scope_case_agrees_with_the_question_on_skill_context_and_verdict(services):
    cases = {c.id: c for c in services.corpus.scope}
    questions = [
        "A 2nd grader with an IEP can't open his lunch containers and misses half of lunch. Can OT help?",
        "Mom wants help with bedtime routines at home, nothing at school.",
        "A kindergartner with an IEP needs an aide for every restroom trip because he can't manage his zipper.",
    ]
    for question in questions:
        answer = answer_scope(question, services)
        for citation in answer.citations:
            case = cases.get(citation.source_id)
            if case is not None:
                assert case.verdict == answer.verdict
                assert question_context(case.scenario) == read_facets(question).context


def test_no_sentence_repeats_across_answers(services):
    questions = [item["input"] for item in load_set("dev")[::2]]
    seen: Counter = Counter()
    for question in questions:
        answer = answer_scope(question, services)
        text = f"{answer.answer} {answer.rationale}"
        seen.update({" ".join(s.split()).lower() for s in text.split(". ") if len(s.split()) >= 4})
    sentence, count = seen.most_common(1)[0]
    assert count / len(questions) <= 0.2, sentence


def test_the_context_facet_places_a_need_at_school_home_or_clinic():
    assert question_context("He can't open his milk carton at lunch in the cafeteria.") == "school"
    assert question_context("She melts down at bath time and bedtime at home.") == "home"
    assert question_context("He is fine at school but melts down every evening.") == "home"
    assert question_context("His outpatient OT at the clinic works on his shoulder.") == "clinic"
    # the school OT names the service, not a school routine
    assert question_context("Can the school OT help with bedtime at home?") == "home"


def test_the_kind_model_was_fitted_on_the_current_features():
    model = json.loads((DATA / "scope_kind.json").read_text())
    assert len(model["weights"]) == 384 + len(KIND_FEATURES) + 1
    assert model["cross_validated_accuracy"] >= 0.85


def test_every_procedure_names_a_primer_page_and_every_rule_has_guidance(corpus):
    pages = {d.id for d in corpus.primer}
    words = scope_words()
    assert all(p["page"] in pages for p in words["procedures"].values())
    labels = set((DATA.parent.parent / "evals" / "scope" / "LABELS.md").read_text().split("`"))
    assert set(words["procedures"]) <= labels
    assert all("guidance" in rule for rule in words["rules"].values())


def test_the_facet_reader_is_linear_on_hostile_input():
    import time

    for text in ("1" * 20000, "can I " * 4000, "“" * 20000, "at home at school " * 1200):
        started = time.perf_counter()
        read_signals(text)
        assert time.perf_counter() - started < 2.0


def test_the_scope_eval_scores_kind_verdict_procedure_pathways_and_out_called_in():
    report = Report("t")
    item = {
        "id": "x",
        "input": "q",
        "kind": "decision",
        "verdict": "out_of_scope",
        "procedure": "esy",
        "pathways": ["refer_outside_school", "iep_related_service"],
        "domain": None,
        "context": None,
    }
    answer = {
        "kind": "decision",
        "verdict": "in_scope",
        "procedures": ["esy"],
        "pathways": ["refer_outside_school"],
        "citations": [],
        "answer": "In scope: this.",
        "rationale": "",
    }
    score(item, answer, report, {}, lambda _: "school")
    assert report.rate("kind") == 1.0 and report.rate("verdict") == 0.0 and report.out_called_in == 1
    assert report.rate("procedure") == 1.0 and report.rate("pathway_recall") == 0.5
