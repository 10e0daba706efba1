"""Pick the school-OT domain of a request or goal: keyword cues plus a vote of the nearest goal-bank entries."""

import re
from collections import Counter

from assistant.retrieval import HybridSearcher
from assistant.schemas import SearchFilters

# Word stems an OT uses for each domain; a hit is a strong signal, the embedding vote breaks ties.
CUES: dict[str, str] = {
    "handwriting_fine_motor": (
        "pencil|grasp|grip|fist|fisted|fists|handwrit|legib|letter|sentence|writing|scissor|cut|spacing|"
        "sizing|penmanship|print|cutting|tires after|hand fatigue|pinch|manipulat|coloring|baseline|"
        "lowercase|uppercase|his name|her name|glue|bead"
    ),
    "visual_motor_perception": (
        "copy from the board|copying from the board|far-point|near-point|visual|reversal|puzzle|maze|"
        "tracing|shape|loses his place|loses her place|scanning|worksheet layout|column|spatial|"
        "figure-ground|bubble|answer sheet|graph|align|copying|find items|from the board|skips words|"
        "skips lines|letter reversals"
    ),
    "sensory_processing": (
        "noise|loud|fire drill|texture|sensory|touch|seeking|crash|chew|covers ears|smell|messy|"
        "glue on hands|tags|socks|overwhelm|bright light|crowd|ear muff|headphone|tolerate|assembly|"
        "cafeteria noise|sensitive|seam|seams|clatter|bothered by|can't stand|scratchy|picky|gag|smells|"
        "hums"
    ),
    "self_regulation_attention": (
        "meltdown|calm|regulat|attention|focus|on task|on-task|frustrat|zones|break|impulsiv|wiggl|"
        "out of seat|stay seated|upset|angry|coping|anxiety|anxious|shut down|elope|redirect|attend to|"
        "fidget|emotion|adhd|wander|stay at seat|sit for|out of his seat|out of her seat|blurt|distract|"
        "zones out|tantrum|melts down|tearing up|cries|hits"
    ),
    "executive_function": (
        "organiz|planner|locker|binder|material|homework|forget|multi-step|schedule|time management|"
        "backpack|folder|start assignment|initiat|messy desk|lose|turn in|task initiation|prioritiz|"
        "due date|checklist|steps of a task|routine|keep track|track of|overflowing|late|agenda|due|"
        "forgets|loses|long-term|project|messy"
    ),
    "self_care": (
        "toilet|bathroom|zipper|zip|button|coat|jacket|shoe|tying|lunch container|milk|carton|tray|"
        "hand wash|washing hands|dressing|feeding|utensil|spoon|fork|thermos|snack|tie|velcro|hygiene|"
        "deodorant|eating|open containers|clothes"
    ),
    "posture_seating": (
        "posture|slump|seating|desk height|w-sit|trunk|footrest|slouch|positioning|floor sitting|"
        "criss-cross|stability ball|wiggle cushion|head on desk|low tone|feet flat|tips|sliding|"
        "slides down|wheelchair positioning|chair height|table height"
    ),
    "mobility_access": (
        "wheelchair|walker|hallway|stairs|bus|navigat|campus|elevator|crutch|cane|accessib|doors|"
        "get to class|class change|playground equipment|ramp|travel|route|mobility|bumps into|"
        "transition between classes|passing period|get to lunch|stairwell|cafeteria line|crowded hall"
    ),
    "assistive_technology": (
        "keyboard|typing|type|speech-to-text|tablet|ipad|chromebook|switch|word prediction|computer|mouse|"
        "laptop|dictat|text-to-speech|assistive tech|app|stylus|touchscreen|google docs|digital|device|"
        "phone|picture-prompt app|video prompt|switch access"
    ),
    "social_play": (
        "recess|peer|friend|turn-taking|turn taking|take turns|play|game|sharing|share|group work|join|"
        "social|conversation|greet|lunch table|alone at recess|partner|cooperat|winning|losing"
    ),
    "transition": (
        "job|work|vocational|employ|bus pass|job site|post-secondary|resume|shift|supervisor|coworker|"
        "time clock|after graduation|independent living|paycheck|work-based|apron|grocery|job coach|"
        "workplace|employer|internship|work site|work-site|budget|cash register|work tasks"
    ),
    "motor_coordination": (
        "pe|catch|throw|ball|balance|clumsy|hop|skip|jump|running|run|coordinat|kick|dribbl|gallop|"
        "obstacle|falls|tripping|gross motor|jump rope|relay|climb"
    ),
}
_CUES = {domain: tuple(cues.split("|")) for domain, cues in CUES.items()}


CUE_WEIGHT = 2.0
VOTE_WEIGHT = 1.5


def cue_scores(text: str) -> Counter:
    """How many cues of each domain the text contains: stems match a word start, short cues whole words."""
    words = re.findall(r"[a-z0-9'-]+", text.lower())
    lowered = " " + " ".join(words) + " "
    singular = " " + " ".join(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words) + " "
    scores: Counter = Counter()
    for domain, cues in _CUES.items():
        for cue in cues:
            short = cue[:-1] if cue.endswith("s") and len(cue) > 3 else cue
            hit = f" {short} " in singular if len(cue) <= 4 else f" {cue}" in lowered
            scores[domain] += hit
    return scores


def classify_domain(text: str, searcher: HybridSearcher | None = None, k: int = 10) -> tuple[str, float]:
    """(domain, confidence 0-1): keyword cues weighted 1.0 each plus a rank-weighted vote of the nearest goals."""
    scores: Counter = Counter({d: CUE_WEIGHT * n for d, n in cue_scores(text).items() if n})
    ranked = scores.most_common(2)
    decisive = (
        ranked and ranked[0][1] >= 2 * CUE_WEIGHT and ranked[0][1] >= 2 * (ranked[1][1] if len(ranked) > 1 else 0)
    )
    if searcher is not None and not decisive:  # the vote cannot overturn a decisive cue count; skip its search
        _vote(scores, searcher.search(text[:1000], k=k, filters=SearchFilters(kind="goal")))
    return _decide(scores)


def classify_with(text: str, passages: list, k: int = 10) -> tuple[str, float]:
    """classify_domain with the vote of passages already found (a plan's activity search), so no second search."""
    scores: Counter = Counter({d: CUE_WEIGHT * n for d, n in cue_scores(text).items() if n})
    ranked = scores.most_common(2)
    decisive = (
        ranked and ranked[0][1] >= 2 * CUE_WEIGHT and ranked[0][1] >= 2 * (ranked[1][1] if len(ranked) > 1 else 0)
    )
    if not decisive:
        _vote(scores, passages[:k])
    return _decide(scores)


def _vote(scores: Counter, passages: list) -> None:
    for rank, passage in enumerate(passages):
        for domain in passage.domains:
            scores[domain] += VOTE_WEIGHT / (rank + 1.5)


def _decide(scores: Counter) -> tuple[str, float]:
    if not scores:
        return "handwriting_fine_motor", 0.0
    (best, top), *rest = [*scores.most_common(2), ("", 0.0)]
    runner_up = rest[0][1] if rest else 0.0
    return best, round((top - runner_up) / top, 3) if top else 0.0
