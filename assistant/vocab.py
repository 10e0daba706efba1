"""The fixed vocabularies of CONTRACT.md, plus the word lists the corpus and rubric share."""

from typing import Literal, get_args

Domain = Literal[
    "handwriting_fine_motor",
    "visual_motor_perception",
    "sensory_processing",
    "self_regulation_attention",
    "executive_function",
    "self_care",
    "posture_seating",
    "mobility_access",
    "assistive_technology",
    "social_play",
    "transition",
    "motor_coordination",
]
Pathway = Literal[
    "iep_related_service",
    "section_504",
    "mtss_rti",
    "staff_consultation",
    "transition_services",
    "refer_outside_school",
]
GradeBand = Literal["prek", "k2", "3_5", "6_8", "9_12", "transition_18_21"]
Verdict = Literal["in_scope", "out_of_scope", "depends"]
SupportLevel = Literal["more_support", "standard", "more_independent"]
Setting = Literal["push-in", "pull-out", "both"]
Phase = Literal["preparatory", "core", "wrap_up"]
Kind = Literal["primer", "scope", "goal", "activity"]
Theme = Literal[
    "ocean",
    "animals",
    "vehicles",
    "sports",
    "music",
    "art",
    "space",
    "dinosaurs",
    "superheroes",
    "nature",
    "cooking",
    "video_games",
    "building",
    "weather",
]
# How a goal's criterion is counted; a baseline must be given in the same unit.
Unit = Literal["percent", "count", "per_minute", "minutes", "seconds", "steps", "level"]
Ladder = Literal["criterion_steps", "fading_prompts"]

DOMAINS: tuple[str, ...] = get_args(Domain)
PATHWAYS: tuple[str, ...] = get_args(Pathway)
GRADE_BANDS: tuple[str, ...] = get_args(GradeBand)
THEMES: tuple[str, ...] = get_args(Theme)

DOMAIN_TITLES = {
    "handwriting_fine_motor": "Handwriting and fine motor",
    "visual_motor_perception": "Visual-motor and visual perception",
    "sensory_processing": "Sensory processing",
    "self_regulation_attention": "Self-regulation and attention",
    "executive_function": "Executive function",
    "self_care": "Self-care at school",
    "posture_seating": "Posture and seating",
    "mobility_access": "Mobility and school access",
    "assistive_technology": "Assistive technology",
    "social_play": "Social participation and play",
    "transition": "Transition and work skills",
    "motor_coordination": "Motor coordination",
}

# Verbs a stranger can see and count. A goal's behavior starts with one of these.
OBSERVABLE_VERBS = frozenset(
    """
    write print copy trace form cut color draw fold glue open close fasten unfasten zip unzip
    button unbutton snap tie put take remove place carry pour spread use type select click log
    sign complete finish start begin initiate return transition walk run climb navigate move
    travel ascend descend enter exit sit stand maintain stay remain push pull throw catch kick
    jump hop skip gallop dribble strike balance identify locate match sort name point circle
    underline highlight organize pack unpack gather assemble manipulate string insert turn
    request ask state tell say follow check record keyboard dictate compose answer read scan
    find attend engage participate play share wait respond greet join invite wash dry brush comb
    feed eat drink wipe clean store hang retrieve manage set prepare operate charge solve count
    measure demonstrate apply stack build grasp hold release transfer rotate access arrive plan
    schedule monitor rate choose
    handwrite line adjust shelve flip contribute wear stock fill file sweep deliver staple stamp load
    unload bag label greet wipe restock sit lift cross board ride buckle unbuckle press tap swipe
    login save send attach toss roll bounce march crawl
    """.split()
)
# Verbs nobody can observe; a goal built on them is not measurable.
VAGUE_PHRASES = (
    "understand",
    "know",
    "appreciate",
    "learn",
    "realize",
    "be aware",
    "become aware",
    "work on",
    "feel",
    "believe",
    "think about",
    "enjoy",
    "demonstrate an understanding",
)
# Verbs that pass only when a number says how much.
NEEDS_NUMBER_VERBS = frozenset(["improve", "increase", "decrease", "tolerate", "participate", "appropriate"])
