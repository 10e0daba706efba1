"""`python -m evals gate|bench`: the deterministic CI gate and the benchmarks."""

import argparse
import sys

from assistant.embeddings import force_offline
from assistant.errors import AssistantError


def main(argv: list[str] | None = None) -> int:
    force_offline()
    parser = argparse.ArgumentParser(prog="python -m evals")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("gate", help="run the deterministic evals and fail below evals/thresholds.yaml")
    bench = sub.add_parser("bench", help="measure index build, refresh and query latency")
    bench.add_argument("--rounds", type=int, default=3, help="passes over the query set")
    args = parser.parse_args(argv)
    try:
        if args.command == "gate":
            from evals.gate import run_gate

            return run_gate()
        from evals.bench import bench_markdown, retrieval_bench, write_report

        figures = retrieval_bench(rounds=args.rounds)
        print(bench_markdown(figures))
        print(f"\nwritten: {write_report(figures)}")
        return 0
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
