"""The caseload kept in the browser: one student's drafts on screen, the other students' filed beside them.

Everything here is plain JSON that arrives from and goes back to the browser (gradio BrowserState); nothing of
it is kept on the server. A student's drafts are {"chat", "history", "goal", "plan", "goals", "plans",
"profile", "inputs"}: "goal" and "plan" are the latest, "goals" and "plans" every one of that student's session
(what an export holds), "profile" the chat's profile panel and "inputs" the Goal writer's and planner's fields.
"""

from typing import Any

MAX_KEPT = 12  # goals (and plans) one student's session keeps; the oldest goes first
MAX_STUDENTS = 40
EMPTY: dict = {
    "chat": None, "history": [], "goal": None, "plan": None, "goals": [], "plans": [], "profile": {}, "inputs": {},
    "last": None,
}  # fmt: skip
CURRENT = "current"
TYPED_INPUTS = ("writer_request", "writer_student", "plan_goals", "plan_interests")


def empty() -> dict:
    return {k: (type(v)() if isinstance(v, list | dict) else v) for k, v in EMPTY.items()}


def normal(drafts: Any) -> dict:
    """The drafts with every key present (older browsers' drafts lack the lists)."""
    drafts = {**empty(), **(drafts if isinstance(drafts, dict) else {})}
    for key in ("goals", "plans", "history"):
        drafts[key] = [d for d in drafts[key] if isinstance(d, dict)] if isinstance(drafts[key], list) else []
    for key in ("profile", "inputs"):
        drafts[key] = drafts[key] if isinstance(drafts[key], dict) else {}
    if not drafts["goals"] and isinstance(drafts["goal"], dict):
        drafts["goals"] = [drafts["goal"]]  # drafts saved before the lists existed
    if not drafts["plans"] and isinstance(drafts["plan"], dict):
        drafts["plans"] = [drafts["plan"]]
    return drafts


def kept(drafts: dict, kind: str, item: dict, revises: bool) -> dict:
    """The drafts with a new goal or plan: it replaces the last one when it revises it (an edit, a re-draft with
    corrected facts), otherwise it is added; the same text twice is kept once."""
    listed = "goals" if kind == "goal" else "plans"
    items = list(drafts.get(listed) or [])
    if revises and items:
        items[-1] = item
    elif not items or _text(items[-1]) != _text(item):
        items.append(item)
    return {**drafts, kind: item, listed: items[-MAX_KEPT:], "last": kind}


def _text(item: dict) -> str:
    return str(item.get("goal_text") or item.get("activities") or "")


def has_work(drafts: dict) -> bool:
    """Whether the drafts hold anything of a student worth filing."""
    drafts = normal(drafts)
    typed = any(isinstance(drafts["inputs"].get(k), str) and drafts["inputs"][k].strip() for k in TYPED_INPUTS)
    return bool(drafts["goals"] or drafts["plans"] or drafts["history"] or any(drafts["profile"].values()) or typed)


def label(drafts: dict, fallback: str) -> str:
    """The student's first name as the drafts know it, else the fallback."""
    drafts = normal(drafts)
    for source in (
        drafts["goal"] or {},
        (drafts["chat"] or {}).get("case") or {},
        *(reversed(drafts["goals"])),
    ):
        name = source.get("student") if isinstance(source, dict) else None
        if isinstance(name, str) and name.strip() and name.strip().lower() != "the student":
            return name.strip()[:40]
    return fallback


def students(caseload: Any) -> list[dict]:
    """The filed students' drafts (the one on screen is not among them)."""
    filed = caseload.get("students") if isinstance(caseload, dict) else None
    return [normal(d) for d in filed if isinstance(d, dict)][:MAX_STUDENTS] if isinstance(filed, list) else []


def choices(drafts: dict, caseload: Any) -> list[tuple[str, str]]:
    """The switcher's (label, value) pairs: the student on screen first, then the filed ones."""
    filed = students(caseload)
    mine = label(drafts, "This student" if has_work(drafts) else "New student")
    pairs = [(f"{mine} (on screen)", CURRENT)]
    pairs += [(label(d, f"Unnamed student {i + 1}"), str(i)) for i, d in enumerate(filed)]
    return pairs


def file_current(drafts: dict, caseload: Any) -> dict:
    """The caseload with the student on screen filed (when there is anything of them to keep)."""
    filed = students(caseload)
    if has_work(drafts):
        filed = [*filed, normal(drafts)][-MAX_STUDENTS:]
    return {"students": filed}


def new_student(drafts: dict, caseload: Any) -> tuple[dict, dict]:
    """(empty drafts for the next student, the caseload with the one on screen filed)."""
    return empty(), file_current(drafts, caseload)


def switch(choice: Any, drafts: dict, caseload: Any) -> tuple[dict, dict]:
    """(the chosen student's drafts, the caseload with the one on screen filed in its place)."""
    filed = students(caseload)
    if not isinstance(choice, str) or not choice.isdigit() or int(choice) >= len(filed):
        return normal(drafts), {"students": filed}
    chosen = filed.pop(int(choice))
    return chosen, file_current(drafts, {"students": filed})
