"""The grades of every example submission, cell by cell, from a serial run on one machine.

``tests/expected_grades.json`` is written by ``python -m tests.expected_grades``:
it grades ``examples/submissions/`` in a scratch copy of the course with
``autograder grade --jobs 1`` and stores the gradebook's every cell. The cluster
test compares its gradebook with it (a serial run of the whole course takes
longer than the rest of that test). Run it again after changing an
assignment, its tests or the example submissions.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATH = Path(__file__).with_name("expected_grades.json")


def load() -> dict:
    """Return ``{(student, assignment, notebook, cell): (auto score, max score)}``."""
    rows = json.loads(PATH.read_text())
    return {tuple(key.split("|")): tuple(value) for key, value in rows.items()}


def dump(scores: dict) -> None:
    """Write the cell scores of a gradebook (as ``nbgrader_tools.cell_scores`` returns them)."""
    rows = {"|".join(key): list(value) for key, value in sorted(scores.items())}
    PATH.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")


def main() -> int:
    """Grade every example submission serially and write the expected grades."""
    from autograder import cli
    from autograder import nbgrader_tools as tools

    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        for name in ("source", "release"):
            shutil.copytree(ROOT / name, course / name)
        shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(ROOT / "examples" / "submissions", course / "submitted")
        status = cli.main(["--course", str(course), "grade", "--jobs", "1"])
        if status:
            return status
        dump(tools.cell_scores(course))
    print(f"wrote {PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
