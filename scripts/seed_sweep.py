"""Prove the catalogues against the hidden tests for many seeds of ``checks.hidden_rng``.

Usage: ``python scripts/seed_sweep.py [ID ...] --seeds 50``

For every assignment (all with a catalogue, by default), every correct
alternative of the catalogue (and the source's own answer) must pass every test
cell of its function for every seed, and every mistake must fail one of them,
naming itself, for every seed, and the same test cells for every seed: luck may
not decide a grade. The seeds are ``checks.HIDDEN_SEED`` (that of ``validate``
and the test suite) and ``--start``, ``--start + 1``, ... The source's code
runs once in this process (no kernel, no sandbox: it is the instructor's), then
only the test cells run again per trial and seed (see
``autograder.mutation.hidden_sweep``). Prints a table per assignment and exits
1 when anything misbehaved.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Run the sweep; return the exit status (0: every trial behaved for every seed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="assignment ids or prefixes (default: all)")
    parser.add_argument("--seeds", type=int, default=50, help="how many seeds (default 50)")
    parser.add_argument("--start", type=int, default=0, help="the first seed (default 0)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, str(ROOT))

    import nbformat

    from autograder import mutation
    from tests.catalogue import load_all

    catalogues = load_all()
    chosen = sorted(a for a in catalogues if not args.ids or any(a.startswith(i) for i in args.ids))
    if not chosen:
        print(f"no catalogue matches {args.ids}", file=sys.stderr)
        return 2
    from autograder import checks

    # the documented seed of validate and the test suite, then start, start + 1, ...
    seeds = [checks.HIDDEN_SEED, *range(args.start, args.start + args.seeds - 1)][: args.seeds]
    print(
        f"seeds {', '.join(map(str, seeds[:3]))}{', ...' if len(seeds) > 3 else ''} ({len(seeds)})"
    )
    print(
        f"{'assignment':38} {'trials':>6} {'seeds':>5} {'runs':>6} {'failures':>8} {'seconds':>8}"
    )
    failures = []
    for assignment in chosen:
        start = time.perf_counter()
        folder = ROOT / "source" / assignment
        nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
        result = mutation.hidden_sweep(
            assignment, nb, catalogues[assignment].CATALOGUE, seeds, folder=str(folder)
        )
        seconds = time.perf_counter() - start
        print(
            f"{assignment:38} {result.trials:6d} {len(seeds):5d} {result.runs:6d} "
            f"{len(result.failures):8d} {seconds:8.1f}",
            flush=True,
        )
        failures += [f"{assignment}: {f}" for f in result.failures]
    for line in failures[:200]:
        print(line)
    if len(failures) > 200:
        print(f"... and {len(failures) - 200} more")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
