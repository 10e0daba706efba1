"""`python -m evals gate|run|bench|load`: the deterministic CI gate, reports, benchmarks and the load test."""

import argparse
import sys
from pathlib import Path

from assistant.embeddings import force_offline
from assistant.errors import AssistantError


def main(argv: list[str] | None = None) -> int:
    force_offline()
    parser = argparse.ArgumentParser(prog="python -m evals")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("gate", help="run the deterministic evals and fail below evals/thresholds.yaml")
    run = sub.add_parser("run", help="run case files and write a report")
    run.add_argument("--cases", nargs="+", type=Path, help="case files or folders (default: evals/cases)")
    run.add_argument("--task", choices=["goal", "review", "scope", "plan", "route", "retrieval"])
    run.add_argument("--backend", choices=["none", "ollama", "openai"], default="none")
    run.add_argument("--out", type=Path, default=Path("evals/reports/run"), help="report folder")
    run.add_argument("--use-data-index", action="store_true", help="use the configured index, not a fresh one")
    bench = sub.add_parser("bench", help="measure index build, refresh and query latency")
    bench.add_argument("--rounds", type=int, default=3, help="passes over the query set")
    bench.add_argument("--quick", action="store_true", help="CI mode: 1 round, scale curve to 10x; never fails on time")
    sub.add_parser("fit-kind", help="fit the scope question-kind model on the dev questions (writes assistant/data)")
    conv = sub.add_parser("conversation", help="score the chat turn by turn on scripted conversations and utterances")
    conv.add_argument("sets", nargs="*", help="set names or folders (default: dev blind)")
    conv.add_argument("--show", action="store_true", help="list every miss")
    plans = sub.add_parser("plans", help="score session plans on request sets (minutes, own task, consult, interests)")
    plans.add_argument("sets", nargs="*", help="set names (default: dev blind)")
    plans.add_argument("--show", action="store_true", help="list every miss")
    sub.add_parser("fit-intent", help="fit the chat's intent model on the dev utterances (writes assistant/data)")
    scope = sub.add_parser("scope", help="score scope and procedure answers on the labeled question sets")
    scope.add_argument("sets", nargs="*", help="set names (default: cases holdout dev blind)")
    scope.add_argument("--show", action="store_true", help="list every miss")
    load = sub.add_parser("load", help="concurrent gradio_client sessions mixing every intent against a running app")
    load.add_argument("--url", default="http://127.0.0.1:7860/", help="the running app (default: make run's)")
    load.add_argument("--sessions", type=int, default=20)
    load.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            from evals.run import main_run

            return main_run(args.cases, args.task, args.backend, args.out, fresh_index=not args.use_data_index)
        if args.command == "load":
            import json

            from evals.load import run_load

            result = run_load(args.url, sessions=args.sessions, seconds=args.seconds)
            print(json.dumps(result, indent=2))
            return 1 if result["errors"] else 0
        if args.command == "fit-kind":
            from evals.fit_kind import main as fit_kind

            fit_kind()
            return 0
        if args.command == "conversation":
            from evals.conversation import main as conversation_main

            conversation_main(args.sets or ["dev", "blind"], show=args.show)
            return 0
        if args.command == "plans":
            from evals.plans import main as plans_main

            plans_main(args.sets or None, show=args.show)
            return 0
        if args.command == "fit-intent":
            from evals.fit_intent import main as fit_intent

            fit_intent()
            return 0
        if args.command == "scope":
            from evals.scope_answers import main as scope_main

            scope_main(args.sets or None, show=args.show)
            return 0
        if args.command == "gate":
            from evals.gate import run_gate

            return run_gate()
        from evals.bench import bench_markdown, retrieval_bench, write_report

        figures = retrieval_bench(rounds=1 if args.quick else args.rounds, quick=args.quick)
        print(bench_markdown(figures))
        print(f"\nwritten: {write_report(figures)}")
        return 0
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
