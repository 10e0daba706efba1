"""Score the chat turn by turn on scripted conversations and single utterances: `python -m evals conversation`.

Each turn of a conversation set (JSON lines: conversation, text, intent, change) runs through the chat with the
state kept per conversation id, as the page keeps it. A turn is scored on:
- intent: the reply's intent is the labeled one (a procedure question may come back as scope or question);
- applied (turns that ask for a change): the change is in the new draft: the value's numbers and words in the
  goal text, the name as the student, the grade in the Case, a new student started clean;
- false claim: `changes` listed, or the answer claims an edit, while neither the goal (its text or notes) nor the
  Case changed.
Utterance sets (text, intent) are scored on intent alone; an edit utterance follows a seeded goal.
Sets: dev (evals/conversation/dev.jsonl, dev_utterances.jsonl) and blind (written without sight of the code).
"""

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.chat import ChatState, respond
from assistant.errors import AssistantError
from assistant.lexicon import fold, tokenize
from assistant.reader import Reader

SETS = Path(__file__).resolve().parent / "conversation"
ACCEPT = {"procedure": {"scope", "question"}}
SEED = "Maya is in 2nd grade and writes 2 sentences in journal writing before she stops; she needs 2 verbal prompts."
CLAIM = re.compile(r"^(?:changed|edited|switched|updated|done)\b", re.I)
STOP = {"the", "a", "an", "of", "in", "on", "at", "to", "for", "with", "and", "during", "no", "more", "than"}


@dataclass
class Report:
    name: str
    turns: int = 0
    intent_right: int = 0
    asked: int = 0
    applied: int = 0
    claims: int = 0
    false_claims: int = 0
    misses: list[dict] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    by_field: dict[str, list[int]] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {
            "set": self.name,
            "turns": self.turns,
            "intent": round(self.intent_right / self.turns, 3) if self.turns else None,
            "changes asked": self.asked,
            "applied": round(self.applied / self.asked, 3) if self.asked else None,
            "false claims": self.false_claims,
        }


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "ten": "10"}


def _words(text: str) -> list[str]:
    tokens = tokenize(fold(text).replace("out of", "of").replace("/", " of "))
    return [NUMBER_WORDS.get(t.low, t.low) for t in tokens if t.kind != "p"]


def shows(value: str, text: str) -> bool:
    """Does the text carry the value: its numbers in order, and most of its content words (by their stems)?"""
    have = _words(text)
    joined = " ".join(have)
    numbers = [w for w in _words(value) if w[0].isdigit()]
    if numbers and " of ".join(numbers) not in joined and not all(n in have for n in numbers):
        return False
    content = [w for w in _words(value) if not w[0].isdigit() and w not in STOP and len(w) > 2]
    stems = {w[:5] for w in have}
    hits = sum(1 for w in content if w[:5] in stems)
    return hits >= (len(content) + 1) // 2


def _same_share(value: str, criterion: str) -> bool:
    """Does a criterion of 'x of y' state the percent asked (or, counting errors, its complement)?"""
    pct = re.search(r"(\d+)\s*%", value)
    xy = re.search(r"\b(\d+) (?:out )?of (\d+)\b", criterion)
    if not pct or not xy or not int(xy.group(2)):
        return False
    share = 100 * int(xy.group(1)) / int(xy.group(2))
    errors = re.search(r"\b(?:no more than|fewer than|at most|up to)\s+\d+ (?:out )?of", criterion)
    return abs((100 - share if errors else share) - int(pct.group(1))) < 10


def _goal(state: ChatState) -> Any:
    return state.last_goal


def change_applied(change: dict, before: ChatState, after: ChatState, reply: Any) -> bool:
    """Whether the asked change is in the new draft."""
    kind, value = change.get("field"), str(change.get("value") or "")
    old, new = _goal(before), _goal(after)
    if new is None:
        return False
    text = new.goal_text + " " + " ".join(new.notes)
    if kind == "new_student":
        stale = old is not None and old.student and fold(old.student) in fold(new.goal_text)
        return fold(new.student) == fold(value) and not stale
    if kind in ("another", "options"):
        if old is not None and new.goal_text == old.goal_text:
            return False
        if kind == "another":
            return old is not None
        return 1 + len(new.more_goals) >= int(value or 2)
    if kind == "name":
        return fold(new.student) == fold(value) and fold(value) in fold(new.goal_text)
    if kind == "grade":
        grade = Reader(value).grade_and_age()[0]
        return after.case is not None and grade is not None and after.case.grade == grade
    if kind == "support" and value in ("more support", "more independent"):
        return old is not None and new.goal_text != old.goal_text
    if kind == "correction":
        grade = Reader(value).grade_and_age()[0]
        case_ok = grade is None or (after.case is not None and after.case.grade == grade)
        return case_ok and old is not None and (new.goal_text != old.goal_text or after.case != before.case)
    if old is None:
        return False
    if kind == "criterion" and _same_share(value, new.components.criterion):
        return True  # 80% asked of a goal that counts "4 of 5" (or "no more than 1 of 5" errors)
    already = shows(value, old.goal_text + " " + " ".join(old.notes))  # asked for what the goal already says
    return (new.goal_text != old.goal_text or already or kind == "accommodation") and shows(value, text)


def run_conversations(path: Path, services: Any, name: str) -> Report:
    report = Report(name)
    states: dict[str, ChatState] = {}
    for row in _read(path):
        cid = row["conversation"]
        before = states.get(cid, ChatState())
        start = time.perf_counter()
        try:
            reply, after = respond(row["text"], before, services)
        except AssistantError as exc:
            report.turns += 1
            report.misses.append({"id": cid, "text": row["text"], "why": f"error: {exc}"})
            continue
        report.latencies.append((time.perf_counter() - start) * 1000)
        states[cid] = after
        report.turns += 1
        want = row["intent"]
        right = reply.intent == want or reply.intent in ACCEPT.get(want, set())
        report.intent_right += right
        why = [] if right else [f"intent {reply.intent} (want {want})"]
        change = row.get("change")
        if change and change.get("field"):
            report.asked += 1
            ok = change_applied(change, before, after, reply)
            report.applied += ok
            report.by_field.setdefault(change["field"], [0, 0])
            report.by_field[change["field"]][0] += ok
            report.by_field[change["field"]][1] += 1
            if not ok:
                why.append(f"{change['field']} -> {change.get('value')!r} not applied")
        claimed = bool(reply.changes) or bool(CLAIM.match(reply.answer)) or bool(CLAIM.match(reply.note or ""))
        if claimed and before.last_goal is not None:
            report.claims += 1
            same = after.last_goal is not None and (after.last_goal.goal_text, after.last_goal.notes) == (
                before.last_goal.goal_text,
                before.last_goal.notes,
            )
            if same and after.case == before.case:
                report.false_claims += 1
                why.append("claims an edit with nothing changed")
        if why:
            shown = (after.last_goal.goal_text[:160] if after.last_goal else "") + " | " + (reply.note or "")[:160]
            report.misses.append({"id": cid, "text": row["text"], "why": "; ".join(why), "got": shown})
    return report


def run_utterances(path: Path, services: Any, name: str) -> Report:
    report = Report(name)
    seeded = respond(SEED, ChatState(), services)[1]
    for row in _read(path):
        state = seeded if row["intent"] == "edit" else ChatState()
        start = time.perf_counter()
        try:
            reply, _ = respond(row["text"], state, services)
        except AssistantError as exc:
            report.turns += 1
            report.misses.append({"text": row["text"], "why": f"error: {exc}"})
            continue
        report.latencies.append((time.perf_counter() - start) * 1000)
        report.turns += 1
        want = row["intent"]
        right = reply.intent == want or reply.intent in ACCEPT.get(want, set())
        report.intent_right += right
        if not right:
            report.misses.append({"text": row["text"], "why": f"intent {reply.intent} (want {want})"})
    return report


def evaluate(set_name: str, services: Any) -> list[Report]:
    """dev, dev2: evals/conversation/NAME.jsonl and NAME_utterances.jsonl; any other name (blind) or path: a folder
    with conversations.jsonl and utterances.jsonl."""
    if (SETS / f"{set_name}.jsonl").is_file():  # dev, dev2: NAME.jsonl and NAME_utterances.jsonl
        pairs = [(SETS / f"{set_name}.jsonl", "conversations"), (SETS / f"{set_name}_utterances.jsonl", "utterances")]
    else:
        folder = Path(set_name) if Path(set_name).is_dir() else SETS / set_name
        pairs = [(folder / "conversations.jsonl", "conversations"), (folder / "utterances.jsonl", "utterances")]
    reports = []
    for path, kind in pairs:
        if path.is_file():
            run = run_conversations if kind == "conversations" else run_utterances
            reports.append(run(path, services, f"{set_name}/{kind}"))
    return reports


def markdown(reports: list[Report]) -> str:
    lines = ["| set | turns | intent | changes asked | applied | false claims |", "|---|---|---|---|---|---|"]
    for r in reports:
        row = r.row()
        lines.append("| " + " | ".join(str(row[k]) for k in row) + " |")
    return "\n".join(lines)


def main(sets: list[str] | None = None, show: bool = False) -> None:
    from assistant.settings import Settings
    from evals.run import temp_services

    services, folder = temp_services(Settings(_env_file=None))
    try:
        reports = [r for name in (sets or ["dev"]) for r in evaluate(name, services)]
    finally:
        folder.cleanup()
    print(markdown(reports))
    for r in reports:
        if r.by_field:
            print(r.name, {k: f"{a}/{b}" for k, (a, b) in sorted(r.by_field.items())})
        lat = sorted(r.latencies)
        if lat:
            print(f"{r.name}: latency p50 {lat[len(lat) // 2]:.0f} ms, p95 {lat[int(len(lat) * 0.95)]:.0f} ms")
        if show:
            for m in r.misses:
                print(f"- {m.get('id', '')} {m['text'][:120]!r}: {m['why']}  {m.get('got', '')}")


def conversation_failures(limits: dict, services: Any) -> list[str]:
    """The gate: each set's intent and applied rates against its floors, and its false claims against its limit
    (thresholds.yaml `conversation`)."""
    failures = []
    for name, floors in limits.items():
        reports = evaluate(name, services)
        if not reports:
            failures.append(f"conversation set {name} is missing")
        for report in reports:
            kind = report.name.split("/")[-1]
            row = report.row()
            print(f"conversation {report.name}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "set"))
            for key, floor in floors.get(kind, {}).items():
                value = report.false_claims if key == "false_claims" else row.get(key)
                if value is None:
                    continue
                bad = value > floor if key == "false_claims" else value < floor
                if bad:
                    failures.append(f"conversation {report.name} {key} {value} is past its limit {floor}")
    return failures
