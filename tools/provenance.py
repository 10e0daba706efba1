"""Our own pre-commit check: no ten-word run of the corpus is copied from the seed primer.

The seed lives beside the repository (../shared/seed/school-ot-primer.txt) on the team's machines only, so
this is not part of the user's test command. Run it with `make provenance`; exit 1 lists what was copied.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "school-ot-primer.txt"


def grams(text: str, n: int = 10) -> set[str]:
    words = re.findall(r"[a-z']+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def copied_runs(seed: Path = SEED, corpus: Path = ROOT / "corpus") -> dict[str, list[str]]:
    """File -> the first ten-word runs it shares with the seed."""
    known = grams(seed.read_text(errors="ignore"))
    found = {}
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".yaml", ".yml", ".txt"}:
            shared = known & grams(path.read_text(errors="ignore"))
            if shared:
                found[str(path.relative_to(ROOT))] = sorted(shared)[:2]
    return found


def main(argv: list[str]) -> int:
    seed = Path(argv[0]) if argv else SEED
    if not seed.is_file():
        print(f"provenance: no seed primer at {seed}; nothing to compare (this check runs on the team's machines)")
        return 0
    found = copied_runs(seed)
    for path, runs in found.items():
        print(f"provenance: {path} shares ten-word runs with the seed, e.g. '{runs[0]}'")
    if not found:
        print("provenance: no ten-word run of the corpus is shared with the seed primer")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
