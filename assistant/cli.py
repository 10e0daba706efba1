"""`python -m assistant COMMAND`: every capability from the command line (CONTRACT.md)."""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from assistant.corpus import load_corpus
from assistant.embeddings import Embedder, force_offline
from assistant.errors import AssistantError, InputError
from assistant.index import refresh_index
from assistant.inputs import clean_text
from assistant.schemas import SearchFilters
from assistant.services import Services, build_services
from assistant.settings import Settings
from assistant.stats import corpus_stats, stats_markdown
from assistant.vocab import DOMAINS, GRADE_BANDS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line on stderr and exit code 2, instead of argparse's usage block."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _emit(result: dict, as_json: bool, text: str) -> None:
    print(json.dumps(result, ensure_ascii=False) if as_json else text)


def run_batch(path: str, handle: Callable[[dict], dict]) -> int:
    """One JSON result per input line, in order; a bad line gives {"error": ...} and the batch goes on."""
    try:
        stream = sys.stdin if path == "-" else Path(path).open(encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"cannot read the batch file {path}: {exc.strerror}") from None
    with stream:
        for number, line in enumerate(stream, 1):
            try:
                payload = json.loads(line) if line.strip() else None
                if not isinstance(payload, dict):
                    raise InputError(f"line {number} is not a JSON object")
                result = handle(payload)
            except json.JSONDecodeError as exc:
                result = {"error": f"line {number} is not valid JSON ({exc.msg})"}
            except (AssistantError, ValidationError) as exc:
                result = {"error": _message(exc)}
            print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else first["msg"]
    return str(exc)


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    embedder = Embedder(settings.embedding_model_path, settings.embedding_batch_size)
    report = refresh_index(settings, embedder, rebuild=args.rebuild, show_progress=sys.stderr.isatty())
    _emit(report._asdict(), args.json, report.summary())
    return 0


def _search_one(services: Services, payload: dict) -> dict:
    filters = SearchFilters(kind=payload.get("kind"), domain=payload.get("domain"), grade_band=payload.get("grade"))
    passages = services.searcher.search(
        clean_text(payload.get("text"), "search text"), k=payload.get("k"), filters=filters
    )
    return {"query": payload["text"], "passages": [p.model_dump() for p in passages]}


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings, show_progress=sys.stderr.isatty())
    base = {"k": args.k, "kind": args.kind, "domain": args.domain, "grade": args.grade}
    if args.jsonl:
        return run_batch(args.jsonl, lambda p: _search_one(services, {**base, **p}))
    if args.text is None:
        raise InputError("give the search text, or --jsonl FILE")
    result = _search_one(services, {**base, "text": args.text})
    lines = [
        f"{i}. [{p['source_id']}] {p['title']} ({p['score']:.4f})\n   {' '.join(p['text'].split())[:240]}"
        for i, p in enumerate(result["passages"], 1)
    ]
    _emit(result, args.json, "\n".join(lines) or "no passages found")
    return 0


def goal_result(services: Services, payload: dict) -> dict:
    """The CONTRACT goal object, plus present levels, data sheet and handout when asked."""
    from assistant.goals import draft_goal
    from assistant.handouts import carryover_handout, data_sheet, present_levels

    goal = draft_goal(
        payload.get("text"), services, support_level=payload.get("support_level"), student=payload.get("student")
    )
    result = goal.model_dump()
    if payload.get("documents"):
        template = next(g for g in services.corpus.goals if g.id == goal.template_id)
        docs = [present_levels(goal.case, goal, template), data_sheet(goal), carryover_handout(goal, services)]
        result["documents"] = [d.model_dump() for d in docs]
    return result


def goal_text(result: dict) -> str:
    lines = [result["goal_text"], "", "Objectives:"]
    lines += [f"  {o['period']}: {o['text']}" for o in result["objectives"]]
    if result["missing_information"]:
        lines += ["", "Still needed:", *(f"  - {m}" for m in result["missing_information"])]
    lines += ["", "Sources: " + ", ".join(c["source_id"] for c in result["citations"])]
    for doc in result.get("documents", []):
        lines += ["", doc["markdown"]]
    return "\n".join(lines)


def review_result(services: Services, payload: dict) -> dict:
    from assistant.review import review_goal

    return review_goal(payload.get("text"), services).model_dump()


def review_text(result: dict) -> str:
    verdict = "measurable" if result["measurable"] else "NOT measurable"
    lines = [f"Verdict: {verdict} (domain: {result['domain']})"]
    lines += [
        f"  [{'pass' if c['passed'] else 'FAIL'}] {c['name']} ({c['severity']}): {c['message']}"
        for c in result["checks"]
    ]
    if result["suggested_rewrite"]:
        lines += ["", "Suggested rewrite ([brackets] = confirm or fill in):", result["suggested_rewrite"]]
    return "\n".join(lines)


def scope_result(services: Services, payload: dict) -> dict:
    from assistant.scope import answer_scope

    return answer_scope(payload.get("text"), services).model_dump()


def scope_text(result: dict) -> str:
    if result.get("verdict") is None:
        lines = [result["answer"]]
    else:
        lines = [f"Verdict: {result['verdict'].replace('_', ' ')}", result["rationale"]]
    if result.get("procedures"):
        lines.append(f"Procedure: {', '.join(result['procedures'])}")
    if result["pathways"]:
        lines.append(f"Pathways: {', '.join(result['pathways'])}")
    if result.get("in_scope_path"):
        lines.append(f"What school OT can do: {result['in_scope_path']}")
    lines += [f"  ? {q}" for q in result["follow_up_questions"]]
    lines.append("Sources: " + ", ".join(c["source_id"] for c in result["citations"]))
    return "\n".join(lines)


def ask_result(services: Services, payload: dict) -> dict:
    from assistant.chat import ChatState, respond

    reply, _ = respond(payload.get("text"), ChatState(), services)
    return reply.model_dump(exclude={"note"})


def ask_text(result: dict) -> str:
    sources = ", ".join(c["source_id"] for c in result["citations"])
    return f"[{result['intent']}] {result['answer']}" + (f"\nSources: {sources}" if sources else "")


def plan_result(services: Services, payload: dict) -> dict:
    from assistant.sessions import advise_service_model, group_items, plan_session

    goals = payload.get("goals")
    if isinstance(goals, str):
        goals = [goals]
    goals = group_items(goals or [])
    plan = plan_session(
        goals or [],
        payload.get("minutes", 30),
        payload.get("model") or "pull-out",
        services,
        interests=payload.get("interests"),
        grade=payload.get("grade"),
    )
    texts = [g["goal"] if isinstance(g, dict) else g for g in goals]
    return {**plan.model_dump(), "service_advice": advise_service_model(texts, services).model_dump()}


def plan_text(result: dict) -> str:
    lines = [f"{result['model']} session, {result['minutes']} minutes. {result['rationale']}"]
    for a in result["activities"]:
        who = f" [{', '.join(a['students'])}]" if result.get("group") and a.get("students") else ""
        lines.append(f"  {a['minutes']:>2} min  {a['name']} (goal {a['goal_ref'] + 1}){who}: {a['purpose']}")
        lines += [f"          - {step}" for step in a.get("steps", [])]
        lines.append(f"          easier: {a['easier']} | harder: {a['harder']}")
    lines += ["Data:", *(f"  - {d}" for d in result["data_collection"])]
    lines += ["Carryover:", *(f"  - {c}" for c in result["carryover"])]
    lines.append("Materials: " + ", ".join(result["materials"]))
    advice = result["service_advice"]
    mix = ", ".join(f"{m['model']} {m['minutes_per_week']} min/week" for m in advice["mix"])
    lines.append(f"Service model: {mix}. {advice['rationale']}")
    return "\n".join(lines)


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    services = build_services(settings, show_progress=sys.stderr.isatty())
    base = {
        "goals": args.goal,
        "minutes": args.minutes,
        "model": args.model,
        "interests": args.interests,
        "grade": args.grade,
    }
    if args.jsonl:
        return run_batch(args.jsonl, lambda p: plan_result(services, {**base, **p}))
    if not args.goal:
        raise InputError("give at least one --goal, or --jsonl FILE")
    result = plan_result(services, base)
    _emit(result, args.json, plan_text(result))
    return 0


TEXT_COMMANDS = {
    "goal": (goal_result, goal_text),
    "review": (review_result, review_text),
    "scope": (scope_result, scope_text),
    "ask": (ask_result, ask_text),
}


def cmd_text(args: argparse.Namespace, settings: Settings) -> int:
    """goal / review: one TEXT, or a --jsonl batch with the model loaded once."""
    handle, render = TEXT_COMMANDS[args.command]
    services = build_services(settings, show_progress=sys.stderr.isatty())
    base = {k: v for k, v in vars(args).items() if k in ("support_level", "student", "documents") and v}
    if args.jsonl:
        return run_batch(args.jsonl, lambda p: handle(services, {**base, **p}))
    if args.text is None:
        raise InputError("give the text, or --jsonl FILE")
    result = handle(services, {**base, "text": args.text})
    _emit(result, args.json, render(result))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Scripted conversations: lines {"conversation": id, "text": ...}; one ask result per line, the chat state
    (profile, last goal, last plan) kept per conversation id in file order, as the page keeps it."""
    from assistant.chat import ChatState, respond

    if not args.jsonl:
        raise InputError('chat takes --jsonl FILE (lines {"conversation": str, "text": str})')
    services = build_services(settings, show_progress=sys.stderr.isatty())
    states: dict[str, ChatState] = {}

    def turn(payload: dict) -> dict:
        conversation = payload.get("conversation")
        if not isinstance(conversation, str) or not conversation.strip() or len(conversation) > 200:
            raise InputError('each line needs a "conversation" id (a string of up to 200 characters)')
        if conversation not in states and len(states) >= 10_000:
            raise InputError("a chat batch holds at most 10,000 conversations")
        reply, states[conversation] = respond(payload.get("text"), states.get(conversation, ChatState()), services)
        return {"conversation": conversation, **reply.model_dump(exclude={"note"}), "note": reply.note}

    return run_batch(args.jsonl, turn)


def cmd_corpus_stats(args: argparse.Namespace, settings: Settings) -> int:
    stats = corpus_stats(load_corpus(settings.corpus_dir))
    _emit(stats, args.json, stats_markdown(stats))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m assistant", description="Offline assistant for school-based OTs.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    index = sub.add_parser("index", help="build or refresh the local index")
    index.add_argument("--rebuild", action="store_true", help="drop the index and embed everything again")
    index.set_defaults(handler=cmd_index)
    search = sub.add_parser("search", help="hybrid search over the corpus")
    search.add_argument("text", nargs="?", help="what to look for")
    search.add_argument("--k", type=int, default=None, help="how many passages")
    search.add_argument("--kind", choices=["primer", "scope", "goal", "activity"])
    search.add_argument("--domain", choices=DOMAINS)
    search.add_argument("--grade", choices=GRADE_BANDS, help="grade band")
    search.set_defaults(handler=cmd_search)
    stats = sub.add_parser("corpus-stats", help="counts per kind x domain x grade band")
    stats.set_defaults(handler=cmd_corpus_stats)
    goal = sub.add_parser("goal", help="draft a measurable IEP goal from a request")
    goal.add_argument("text", nargs="?", help='e.g. "2nd grader, fisted grasp, 2 legible sentences"')
    goal.add_argument("--support-level", choices=["more_support", "standard", "more_independent"])
    goal.add_argument("--student", help="the student's first name (else taken from the text)")
    goal.add_argument("--documents", action="store_true", help="add present levels, data sheet and handout")
    review = sub.add_parser("review", help="check a goal against the rubric and rewrite it")
    review.add_argument("text", nargs="?", help="the goal to check")
    scope = sub.add_parser("scope", help="is this in school-OT scope?")
    scope.add_argument("text", nargs="?", help='e.g. "can I work on shoe tying?"')
    ask = sub.add_parser("ask", help="any question or request, routed like the chat")
    ask.add_argument("text", nargs="?", help="the message")
    for command in (goal, review, scope, ask):
        command.set_defaults(handler=cmd_text)
    plan = sub.add_parser("plan", help="a session plan for 1-3 goals")
    plan.add_argument("--goal", action="append", help="a goal text (repeat for up to 3)")
    plan.add_argument("--minutes", type=int, default=30, help="session length (10-120)")
    plan.add_argument("--model", choices=["push-in", "pull-out", "consult"], default="pull-out")
    plan.add_argument("--interests", help='e.g. "ocean animals"')
    plan.add_argument("--grade", choices=GRADE_BANDS, help="grade band")
    plan.set_defaults(handler=cmd_plan)
    chat = sub.add_parser("chat", help="scripted conversations: --jsonl FILE of {conversation, text} lines")
    chat.set_defaults(handler=cmd_chat)
    for command in (index, search, stats, goal, review, scope, ask, plan):
        command.add_argument("--json", action="store_true", help="one JSON object on stdout")
    for command in (search, goal, review, scope, ask, plan, chat):
        command.add_argument("--jsonl", metavar="FILE", help="batch: one JSON object per line ('-' for stdin)")
    return parser


def main(argv: list[str] | None = None) -> int:
    force_offline()
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, Settings())
    except (AssistantError, ValidationError) as exc:
        print(f"error: {_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
