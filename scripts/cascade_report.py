"""Measure what one mistake costs, with and without cascade isolation.

For each graded function of the chosen assignments, the catalogue's
cascade mistake (and the ``CASCADE_EXTRA`` ones) runs through every later
test cell of the notebook, end-to-end checks included, in one kernel per
assignment. Prints, per mistake, the points lost in the function's own
cells, in other functions' cells and in end-to-end checks.

    python scripts/cascade_report.py 1.7_shallowNN 1.3_RegresionLogistica
    python scripts/cascade_report.py --no-isolation 1.7_shallowNN   # the grader before
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import mutation  # noqa: E402
from autograder import nbgrader_tools as tools  # noqa: E402
from tests.catalogue import load_all  # noqa: E402
from tests.conftest import source_nb  # noqa: E402
from tests.test_mutations import (  # noqa: E402
    cascade_mistake,
    end_to_end_cells,
    later_test_cells,
)


def measure(assignment: str) -> list[tuple[str, float, float, float]]:
    """Return (trial, own points lost, others' points lost, end-to-end points lost) per trial."""
    module = load_all()[assignment]
    nb = source_nb(assignment)
    e2e = end_to_end_cells(assignment)
    trials, own = {}, {}
    for cell_id, entry in module.CATALOGUE.items():
        names = [cascade_mistake(assignment, cell_id)]
        names += [
            n for n in getattr(module, "CASCADE_EXTRA", {}).get(cell_id, []) if n not in names
        ]
        later = later_test_cells(assignment, cell_id)
        for name in names:
            label = f"{cell_id}:{name}"
            trials[label] = (cell_id, entry["mistakes"][name][1].strip() + "\n", later)
            own[label] = set(entry["tests"])
    runs = tools.run_and_score(
        mutation.trials_notebook(nb, trials), ROOT, timeout=600, reference=nb
    )
    rows = []
    for label, cells in mutation.split_trials(runs).items():

        def lost(ids, cells=cells):
            return sum(cells[g].max_score - (cells[g].score or 0) for g in ids)

        rows.append(
            (
                label,
                lost(g for g in cells if g in own[label]),
                lost(g for g in cells if g not in own[label] and g not in e2e),
                lost(g for g in cells if g in e2e),
            )
        )
    return rows


def main() -> None:
    """Print the table for the assignments given (all multi-function ones by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument(
        "--no-isolation", action="store_true", help="grade as before cascade isolation"
    )
    args = parser.parse_args()
    if args.no_isolation:
        load = tools.load_config

        def without_isolation(root):
            config = load(root)
            config.TrustedExecute.isolate = False
            return config

        tools.load_config = without_isolation
    catalogues = load_all()
    chosen = args.assignments or sorted(a for a, m in catalogues.items() if len(m.CATALOGUE) > 1)
    print("| assignment | function:mistake | own | other functions | end to end |")
    print("|---|---|---:|---:|---:|")
    for assignment in chosen:
        for label, mine, others, whole in measure(assignment):
            print(f"| {assignment} | {label} | -{mine:g} | -{others:g} | -{whole:g} |", flush=True)


if __name__ == "__main__":
    main()
