"""Benchmark: stock serial `nbgrader autograde` against `autograder grade --jobs 1` and `--jobs 2`.

For each assignment asked (default: 1.1 and 1.8), the same N copies of the
bundled example submissions are graded, one variant after the other in one
run, each in its own fresh scratch copy of the course:

- ``stock``: plain ``nbgrader autograde``, serial, with a minimal config
  (the course's ids, timeouts and stderr rule; no sandbox, no harness);
- ``jobs1`` / ``jobs2``: ``autograder grade --jobs N`` with the course's own
  configuration (sealed unit, trusted harness, every safety layer on).

It prints a table (wall seconds, seconds per submission, throughput against
stock) and whether the autograder variants gave the same grades as each other
(and which cells differ from stock, whose policy has no cascade isolation).
A benchmark, never a test: state the machine and its load when you quote it.

    .venv/bin/python scripts/benchmark_grading.py --submissions 8 1.1_RegresionLineal
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["1.1_RegresionLineal", "1.8_Proyecto_shallowNN_MNIST"]

#: The minimal course configuration stock nbgrader grades with: what any course would set
#: (ids, timeouts, hidden-test delimiters, the course's stderr rule and quiet TensorFlow), none
#: of this project's safety layers.
STOCK_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "benchmark"
c.CourseDirectory.root = {root!r}
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines=import os as _os; _os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); del _os",
]
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\\s\\S]"
c.OverwriteCells.add_missing_cells = True
"""


def scratch_course(folder: Path, assignment: str, submissions: int, stock: bool) -> Path:
    """Copy one assignment of the course and N example submissions into ``folder``."""
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / assignment, folder / name / assignment)
    if stock:
        (folder / "nbgrader_config.py").write_text(STOCK_CONFIG.format(root=str(folder)))
    else:
        shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    examples = sorted((ROOT / "examples" / "submissions").glob(f"*/{assignment}"))
    for i in range(submissions):
        source = examples[i % len(examples)]
        target = folder / "submitted" / f"{source.parent.name}_{i:03d}" / assignment
        shutil.copytree(source, target)
    return folder


def grades(course: Path) -> dict[tuple[str, str], float]:
    """Return ``{(student, grade cell): score}`` from a course's SQLite gradebook."""
    query = """
        SELECT submitted_assignment.student_id, base_cell.name,
               COALESCE(grade.manual_score, grade.auto_score)
        FROM grade
        JOIN base_cell ON grade.cell_id = base_cell.id
        JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
        JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
    """
    with sqlite3.connect(course / "gradebook.db") as db:
        return {(s, c): (v or 0.0) for s, c, v in db.execute(query)}


def run(command: list, cwd: Path, env: dict) -> float:
    """Run a command to the end (it must succeed) and return its wall time."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def bench(assignment: str, submissions: int, bin_dir: Path, env: dict) -> list[str]:
    """Grade one assignment in the three variants; return the table's lines."""
    times, found = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for variant in ("stock", "jobs1", "jobs2"):
            course = scratch_course(
                Path(scratch) / variant, assignment, submissions, stock=variant == "stock"
            )
            # nbgrader needs the assignment in its gradebook: generate it first (not timed)
            run([bin_dir / "nbgrader", "generate_assignment", assignment, "--force"], course, env)
            if variant == "stock":
                command = [bin_dir / "nbgrader", "autograde", assignment, "--force"]
            else:
                command = [bin_dir / "autograder", "grade", assignment, "--jobs", variant[-1]]
            times[variant] = run(command, course, env)
            found[variant] = grades(course)
    base = times["stock"]
    lines = [
        f"{submissions} submissions of {assignment}",
        "| variant | wall (s) | per submission (s) | throughput vs stock |",
        "| --- | ---: | ---: | ---: |",
    ]
    names = {
        "stock": "stock `nbgrader autograde` (serial, no sandbox, no harness)",
        "jobs1": "`autograder grade --jobs 1` (every layer on)",
        "jobs2": "`autograder grade --jobs 2` (every layer on)",
    }
    for variant, seconds in times.items():
        lines.append(
            f"| {names[variant]} | {seconds:.1f} | {seconds / submissions:.2f} | "
            f"{base / seconds:.2f}x |"
        )
    same = found["jobs1"] == found["jobs2"]
    lines.append(f"autograder --jobs 1 and --jobs 2 gave the same grades: {same}")
    differ = sorted(k for k in found["stock"] if found["stock"][k] != found["jobs1"].get(k))
    lines.append(f"cells graded differently by stock nbgrader: {len(differ)} {differ[:10]}")
    return lines


def main() -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=DEFAULT)
    parser.add_argument("--submissions", type=int, default=8)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    # nbgrader runs `alembic` to create the gradebook: it must be on PATH
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    print(f"machine: {os.cpu_count()} cores; load average at start: {os.getloadavg()}")
    for assignment in args.assignments:
        print("\n".join(bench(assignment, args.submissions, bin_dir, env)), flush=True)
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
