"""The reading principles of the Case reader, each in several wordings (the figures are in evals/understanding)."""

import pytest

from assistant.case import read_case
from assistant.lexicon import case_words, load_words, routines
from assistant.settings import PROJECT_ROOT


def _booleans(value) -> int:
    if isinstance(value, bool):
        return 1
    if isinstance(value, dict):
        return sum(_booleans(k) + _booleans(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_booleans(v) for v in value)
    return 0


def test_word_lists_keep_no_on_and_off_as_words():
    """YAML 1.1 reads no/yes/on/off as booleans; a word list must keep them as the words they are."""
    assert _booleans(case_words()) == 0
    assert _booleans(routines()) == 0
    assert "no" in case_words()["negations"]


def _mappings_in_lists(value) -> list:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _mappings_in_lists(v)]
    if isinstance(value, list):
        stray = [v for v in value if isinstance(v, dict) and len(v) == 1 and next(iter(v.values())) is None]
        return stray + [m for v in value for m in _mappings_in_lists(v)]
    return []


def test_word_lists_keep_a_trailing_colon_as_part_of_the_phrase():
    """In a YAML flow list an unquoted "student:" is a one-key mapping, not the cue "student:"; every phrase
    that ends in a colon is quoted, in every data file."""
    for path in sorted((PROJECT_ROOT / "assistant" / "data").glob("*.yaml")):
        assert _mappings_in_lists(load_words(path)) == [], path.name


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Aisha (4th) speaks Arabic at home and said 'shukran' when she finished.", "verbal"),
        ("He told Ms. Daley in the office 'I like this job!'", "verbal"),
        ("Ximena is getting a gait trainer. She's a talker, she'll tell you what she wants.", "verbal"),
        ("Kevin was talking about the game the whole time.", "verbal"),
        ("PreK room 3. she wouldnt get off the bus. doesnt talk at all yet.", "nonverbal"),
        ("Elif, ASD, nonspeaking, no AAC yet. Centers are hard.", "nonverbal"),
        ("Jonah uses his talker to ask for more.", "aac"),
        ("Grace tells me her hand hurts when she writes.", None),  # reported, not the student's own words
        ("Mom says he finishes his homework at home.", None),
        ("He was told to sit down three times.", None),
        ("I give him step-by-step verbal reminders at dismissal.", None),
        ("He can tell time on an analog clock now.", None),
    ],
)
def test_the_student_talking_not_talking_or_using_a_device(text, mode):
    assert read_case(text).communication == mode


def test_a_negated_device_is_no_access():
    case = read_case("Elijah, gr 2, ASD, non-speaking, no AAC yet (eval pending w/ SLP).")
    assert "aac" not in case.access


@pytest.mark.parametrize(
    ("text", "support"),
    [
        (
            "I usually end up starting the zipper for him and then he pulls it up the rest of the way.",
            "partial_physical",
        ),
        ("The rest of the time I'm doing it for her.", "full_physical"),
        ("I usually end up typing it for her.", "full_physical"),
        ("At home I put my hand over his hand to hold the pencil.", "full_physical"),
        ("She navigates the hallway with her cane and required 4 verbal cues to find room 118.", "verbal"),
        ("Cooking: follows a picture recipe with 1-2 gestural prompts.", "gestural"),
        ("Ben writes 3 of 7 letters after I model each letter. No more HOH.", "model"),
        ("She unpacked with me pointing toward each bin.", "gestural"),
        ("He cut 3 circles. He said 'I did it!!' and smiled.", None),
        ("How do I advocate for her with the teacher?", None),
        ("To sign his name I wrap his fingers around the marker.", "full_physical"),
        ("The aide lifts her elbow so she can reach the keys.", "partial_physical"),
        ("I hold his hand down the ramp to the bus.", "partial_physical"),
        ("I guide her hand through the first stroke.", "partial_physical"),
        ("The nurse checked his wrist after the fall.", None),
        ("I had him press his thumb on the sensor.", None),
        ("Has a picture schedule on his desk but doesn't look at it.", None),
        ("Plan: try a visual timer at centers.", None),
        ("In the hallway the aide takes over the joystick at every doorway.", "full_physical"),
        ("At the desk a staff member keeps a hand on her chest so she stays upright.", "partial_physical"),
    ],
)
def test_the_help_an_adult_gives_is_the_support(text, support):
    assert read_case(text).support == support


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("Takes 6-7 minutes to get her coat zipped at dismissal (peers 1-2 min).", [(6, "minutes")]),
        ("Types 16 wpm, handwriting 9 lpm. Peers 40 wpm.", [(16, "per_minute"), (9, "per_minute")]),
        ("Fernando tied both shoes in 95 seconds. Classmates typically tie in under 30 seconds.", [(95, "seconds")]),
        ("we sit for about 15 minutes and he's rolling around long before we're done", []),
        ("When we counted, he got up 11 times in the lesson.", [(11, "count")]),
        ("Camila had knee surgery 2/28 and drops her materials about 3 times a day.", [(3, "count")]),
        ("OT probe 3/6: 65% legible.", [(65, "percent")]),
        ("accoms: scribe for ELA, 1.5x time", []),
        ("O&M w/ Mr. Castellanos 2x/wk. Opens his combo lock 2 of 5 tries.", [(2, "of")]),
        ("She measured 3 of 8 lines with base-ten blocks. She receives 2 x 30 min OT per her IEP.", [(3, "of")]),
        ("Copies 5 words a minute. Pull-out 3x45/wk.", [(5, "per_minute")]),
        ("Sorts mail for the front office. Next check-in is 5/9.", []),
        ("Staff huddle - 3/10\nMarcos sorts 14 forks in 10 minutes.", [(14, "count")]),
        ("He gets music twice a week, 30 min. He drops his mallet 5 times a class.", [(5, "count")]),
        ("Tears her worksheet 3 or 4 times a day.", [(3, "count")]),
        ("She has been 2-4 minutes late to homeroom. Her sister came 10 minutes later.", [(2, "minutes")]),
        ("At recess he plays with his three cousins and chooses between two swings.", []),
        ("Sits at circle 6 min before leaving the rug.", [(6, "minutes")]),
        ("Uses 2-4 word phrases and hits 3 of 6 targets.", [(3, "of")]),
        ("Hope's teacher says she sounds out about 30% of the words.", [(30, "percent")]),
        ('Stays within 1/4" of the line on 2 of 5 cuts.', [(2, "of")]),
    ],
)
def test_only_the_students_present_levels_are_baselines(text, levels):
    assert [(b.value, b.unit) for b in read_case(text).baselines] == levels


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Good morning, Ikenna in 4th grade drops his tray at lunch.", "Ikenna"),  # a greeting, then the student
        ("Hi Dana, quick question about handwriting.", None),  # the greeting names the reader
        ("Thanks, Marisol (ELA teacher)", None),  # a sign-off names the writer
        ("I'm the art teacher at Jefferson MS. Keanu is in 8th grade and tears the paper.", "Keanu"),
        ("gr 3, IEP, Rashid: copies 4 words a minute", "Rashid"),  # a given name before a colon
        ("Referral: Min-jun Park, 9 y/o, 4th grade", "Min-jun"),  # the surname after a hyphenated name
        ("Student: Ngọc Anh Le, 2nd grade", "Ngọc Anh"),  # a double given name, then the surname
        ("The speech teacher met Thảo My Nguyen, a 1st grader.", "Thảo My"),
        ("soy la mamá de juan pablo, he is in 2nd", "juan pablo"),  # lowercase double given name
        ("the aide said rosa can't open her milk. she is in kinder", "rosa"),
    ],
)
def test_the_students_name_by_its_cues(text, name):
    assert read_case(text).student == name


@pytest.mark.parametrize(
    ("text", "routine"),
    [
        ("Uses Proloquo2Go on his iPad to ask for help at snack; his finger slides off the screen.", "lunch"),
        ("She uses TD Snap on a tablet; she hits the wrong button on half her selections.", None),
        ("He types on the iPad during computer lab and loses his place on the keyboard.", "computer"),
        ("Mom worried about toe walking and falls. Age 4.", None),
        ("What's the best way to write a sensory goal?", None),
        ("18-21 transition program: she packs her lunch bag at the job site.", "job_site"),
    ],
)
def test_the_routine_the_need_happens_in(text, routine):
    assert read_case(text).routine == routine


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("In Biology 2 she skips steps; completes 4 of 9 lab steps alone.", [(4, "of")]),
        ("Uses a grid with 20 buttons and hits the target 5 of 10 times.", [(5, "of")]),
        ("Copied the sentence with 3 errors.", [(3, "count")]),
        ("He walks down the 6 steps to the gym in 40 seconds.", [(40, "seconds")]),
        ("Keeps one big binder; 3 of 12 papers were filed.", [(3, "of")]),
        ("Free play (30 min): joined a peer 1 time.", [(1, "count")]),
        ("Two goals please, one for the zipper and one for the buttons. Zips 1 of 4 tries.", [(1, "of")]),
    ],
)
def test_what_a_count_describes_is_not_a_level(text, levels):
    assert [(b.value, b.unit) for b in read_case(text).baselines] == levels


def test_the_goal_starts_from_the_level_of_the_skill_asked_for():
    case = read_case(
        "Uses a talker and can combine two symbols. At centers he started play with a peer 0 times in 20 minutes. "
        "Goal for starting play with peers."
    )
    assert case.baseline is not None and case.baseline.value == 0


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I'm 3 weeks into my new job. 4th grader, Tariq, drops his pencil a lot.", "Tariq"),  # "into" is no interest
        ("My preschool friend Kai bites his sleeve at circle.", "Kai"),
        ("Lily in my PreK room won't sit at circle.", "Lily"),
        ("goals for dorota (5th gr) - planner and locker", "dorota"),
        ("the iep for dyslexia says typing. sophomore.", None),
        ("hs junior, walker since the summer, slow on stairs", None),
    ],
)
def test_names_by_their_cues_round_5(text, name):
    assert read_case(text).student == name


@pytest.mark.parametrize(
    "text",
    [
        "Room 4 is a multi-needs room; she hits the switch 2 of 10 times.",
        "He struggles with those too.",
        "How would I write a goal for that?",
    ],
)
def test_a_need_cue_with_no_need_after_it_names_no_skill(text):
    assert read_case(text).skill is None


@pytest.mark.parametrize(
    "text, levels",
    [
        ("Gr 4 Lily: about 40% of numbers fit inside the box (work samples 3/4-3/8).", [40]),
        ("Mo, gr 3 - probes 10/2 – 10/9 show 3 of 8 letters sized right.", [3]),
        ("Gr 2 Zed did 2/5-3/5 trials on the zipper.", [2]),
    ],
)
def test_a_pair_of_days_joined_by_a_dash_is_a_date_range(text, levels):
    assert [b.value for b in read_case(text).baselines] == levels


@pytest.mark.parametrize(
    "text",
    [
        "Kai - 3rd gr. Types his password right 1/5 tries. Can we write a goal for logging in independently?",
        "Rosa, gr 5: she would need a goal on opening her thermos independently at lunch. Opens it 0 of 5 days.",
    ],
)
def test_a_support_named_in_the_goal_asked_for_is_the_aim_not_the_level_now(text):
    assert read_case(text).support is None


def test_a_support_after_the_goal_clause_is_the_level_now():
    text = "her mom asked for a goal for pumping on the swing at recess, she can swing if i push her. gr 1 Noor"
    assert read_case(text).support == "full_physical"


@pytest.mark.parametrize(
    "text, skill",
    [
        ("Tying shoes for Ren (3rd gr). He ties in 2 of 5 attempts.", "tie shoes"),
        ("Opening containers for Maya, K. Opens 1 of 4 at lunch.", "open containers"),
        ("Want a goal for buckling and unbuckling his harness, Ahmad prek.", "buckle and unbuckle his harness"),
    ],
)
def test_the_need_named_first_and_its_joined_verbs(text, skill):
    assert read_case(text).skill == skill


@pytest.mark.parametrize(
    "text, levels",
    [
        ("Jaylen (nonverbal, uses a Talker w/ 60 buttons) needs HOH to pull his pants up.", []),
        ("Music class meets 2x a week for 40 min. Esperanza strikes the drum on the beat 2 of 10 times.", [2]),
        ("Art meets twice a week for 45 minutes; Eli cuts 1 of 4 shapes on the line.", [1]),
        ("Lorenzo, 19, hangs shirts at the store, 8 shirts per 10 min with gestural prompts.", [8]),
    ],
)
def test_what_a_device_has_and_how_long_a_scheduled_class_lasts_are_not_levels(text, levels):
    assert [b.value for b in read_case(text).baselines] == levels


@pytest.mark.parametrize(
    "text",
    [
        "Gr 1 Dashiell only goes to the calm corner when an adult physically walks him there.",
        "Mo (K) was physically escorted to the bus 4 of 5 days.",
        "gr 2 Ana: at arrival the aide physically guides her to her cubby.",
    ],
)
def test_an_adult_physically_moving_the_student_is_physical_help(text):
    assert read_case(text).support == "partial_physical"
