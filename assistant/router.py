"""Intent routing for the chat: goal, scope, plan, review or question, by ordered wording principles."""

import re

_I = re.I
GOAL_STATEMENT = re.compile(r"\b(?:[A-Z][a-z]+|student|the student|he|she)\s+will\s+\w+", _I)
GOAL_MARKERS = re.compile(
    r"\b(?:by (?:the )?(?:annual|june|may|end)|within \d+|\d+\s*(?:of|/)\s*\d+|\d+\s*%|"
    r"measured|trials|probes|baseline)",
    _I,
)
REVIEW_CUE = re.compile(
    r"\b(?:is this (?:goal|objective|a good)|does (?:it|this) pass|check (?:this|my)|review (?:this|my)|"
    r"fix (?:this|my)|tighten|critique|rewrite|what'?s wrong|improve (?:this|my)|make (?:this|it) measurable|"
    r"is (?:it|this) measurable|(?:goal|objective) ok|here'?s my goal|evaluate (?:this|my)|feedback|look over|"
    r"thoughts on|opinion on|take a look|how'?s this|how is this|grade (?:this|my)|reword|score (?:this|my)|"
    r"^(?:review|improve|fix|check|critique|rewrite|edit|tighten)\b)",
    _I,
)
DEFINITION = re.compile(
    r"^(?:what'?s|what is|what are|what does|what do|define|explain|describe|how often|how long|when do|when does|"
    r"what did)\b(?!.*\b(?:should|can|could) (?:i|we) do\b)(?!.*\bfor \d+ min)(?!.*\bgoals? for\b)"
    r"|\bdifference between\b|^how do (?:people|you|we|i|teams) (?:usually )?(?:take|track|collect|report|measure|"
    r"document)\b",
    _I,
)
ALWAYS_QUESTION = re.compile(
    r"^(?:how often|how long|how many|when (?:do|does|is|are)|what makes)\b|\bdifference between\b"
    r"|^how do (?:people|you|we|teams) (?:usually )?(?:take|track|collect|report)\b",
    _I,
)
SESSION_CUE = re.compile(
    r"\b(?:session|sessions|plan (?:a|an|my|the|for)|lesson plan|activities|activity ideas|outline|"
    r"what (?:should|can|could|do) (?:i|we) do|warm-?ups?|stations?|"
    r"\d+\s*-?\s*min(?:ute)?s?\s+(?:session|pull-?out|push-?in|block|group|with)|for \d+\s*-?\s*min|^plan\b)",
    _I,
)
GOAL_CUE = re.compile(
    r"\b(?:(?:write|draft|need|create|generate|make|give|suggest|want|like|help me (?:write|with)|turn)\b[^.?]{0,40}"
    r"\b(?:goals?|objectives?|benchmarks?)|goals? (?:for|about|around|on)\b|(?:what|which|any) (?:kind of )?goals?|"
    r"goal ideas|iep goal|measurable goal|something measurable|objectives? for|benchmarks? for|^goal\s*:|"
    r"good goal|seating goal|transition goal|(?:a|an) \w+ goal\b|^goals?\b)",
    _I,
)
SCOPE_CUE = re.compile(
    r"\b(?:should|can|could|may|does|do|would|will)\b[^.?]{0,40}\b(?:school[- ]based ot|school ot|the ot|ot)\b"
    r"[^.?]{0,25}\b(?:address|work on|treat|handle|cover|do|provide|help|be involved|take on|teach)\b"
    r"|\b(?:school[- ]based ot|school ot|the ot|ot)\s+(?:should|can|could|must|has to|needs to)\s+"
    r"(?:address|work on|treat|handle|cover|do|provide|help|teach|take on)\b"
    r"|\b(?:i|we) should (?:be )?(?:work(?:ing)? on|address\w*|treat\w*|handl\w*|cover\w*|tak\w+ on)\b"
    r"|\b(?:an? )?ot (?:thing|job|role|responsibility|issue)\b|\bdo we have to (?:provide|follow|do)\b"
    r"|\bis (?:that|it) even ot\b"
    r"|\b(?:in scope|out of scope|scope|should (?:i|we|ot|the ot|the school ot)\b|i should be\b|can i\?|"
    r"(?:can|could|may) (?:i|we|ot|the ot|"
    r"school ot|the school ot)\b[^.?]{0,40}\b(?:address|work on|treat|handle|help|cover|bill|see|provide|add|"
    r"take on|teach)|do i have to|(?:my|ot'?s|our) (?:role|job|lane)|in my lane|appropriate for (?:me|ot|the ot)|"
    r"any business|make sense for|who should (?:handle|do|own|take)|whose job|allowed to|take (?:a kid|him|her|them)"
    r" on|is (?:that|this|it) (?:an? )?(?:ot|school ot) (?:thing|issue|referral)|is that ot|or is (?:that|it) (?:pt|"
    r"the|a))",
    _I,
)


STUDENT_DESCRIPTION = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)[- ]grader|kindergartner|preschooler|\d+[- ]year[- ]old|grade \d+|"
    r"transition program|middle schooler|high schooler|freshman|sophomore|junior|senior|gr \d+)\b",
    re.I,
)


# A quote mark, then "will" within a goal's length (bounded, so a run of quote marks is scanned in linear time).
QUOTED_GOAL = re.compile(r"['\"“‘][^'\"”’“‘]{0,400}\bwill\b")


def route(text: str) -> str:
    """The intent of a message, by ordered principles: a pasted goal is a review; a definition is a question;
    a session request is a plan; a goal request is a goal; 'should I / my role / whose job' is scope."""
    stripped = text.strip()
    quoted_goal = QUOTED_GOAL.search(text)
    pasted = quoted_goal or (
        GOAL_STATEMENT.search(text)
        and (REVIEW_CUE.search(text) or GOAL_MARKERS.search(text) or re.search(r"['\"“]", text))
    )
    if pasted and not re.search(r"\bturn (?:this|it) into\b", text, _I):
        return "review"
    if ALWAYS_QUESTION.search(stripped) or (DEFINITION.search(stripped) and not SCOPE_CUE.search(text)):
        return "question"
    if SESSION_CUE.search(text):
        return "plan"
    if GOAL_CUE.search(text):
        return "goal"
    if SCOPE_CUE.search(text):
        return "scope"
    if STUDENT_DESCRIPTION.search(text) and "?" not in text:
        return "goal"  # "2nd grader, fists her pencil, tires after 2 sentences": a request for a goal
    return "question"
