"""Time the grading of one complete submission per assignment, with and without the harness.

Usage::

    .venv/bin/python scripts/benchmark_harness.py [ID ...] [--repeat N]

For each assignment, a scratch course holds the complete submission built
from the source; it is graded by ``autograder grade --jobs 1`` twice per
repetition, in alternating order: once as before the trusted harness (test
cells run in the student's kernel: ``c.TrustedExecute.harness = False``) and
once with it (the default). The table gives the median seconds of each and
their ratio. Same machine, same run, same sandbox.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import mutation  # noqa: E402
from autograder import nbgrader_tools as tools  # noqa: E402


def grade_once(assignment: str, harness: bool) -> float:
    """Grade the complete submission of ``assignment`` in a scratch course; return the seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        for name in ("source", "release"):
            shutil.copytree(ROOT / name / assignment, course / name / assignment)
        config = (ROOT / "nbgrader_config.py").read_text()
        config += f"\nc.TrustedExecute.harness = {harness}\n"
        (course / "nbgrader_config.py").write_text(config)
        source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", 4)
        release = nbformat.read(ROOT / "release" / assignment / f"{assignment}.ipynb", 4)
        target = course / "submitted" / "estudiante" / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(mutation.student_submission(release, source), target)
        command = [sys.executable, "-m", "autograder.cli", "--course", str(course)]
        start = time.perf_counter()
        subprocess.run(
            [*command, "grade", "--jobs", "1", assignment], check=True, capture_output=True
        )
        seconds = time.perf_counter() - start
        score = tools.grades(course)[0].auto_score
        print(f"  {assignment} harness={harness}: {seconds:.1f} s, score {score:g}", flush=True)
        return seconds


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    ids = args.ids or tools.assignment_ids(ROOT)
    rows = []
    for assignment in ids:
        before, after = [], []
        for i in range(args.repeat):
            order = (False, True) if i % 2 == 0 else (True, False)
            for harness in order:
                (after if harness else before).append(grade_once(assignment, harness))
        rows.append((assignment, statistics.median(before), statistics.median(after)))
    print("\n| assignment | before (s) | with the harness (s) | ratio |\n|---|---|---|---|")
    for assignment, before, after in rows:
        print(f"| {assignment} | {before:.1f} | {after:.1f} | {after / before:.2f} |")


if __name__ == "__main__":
    main()
