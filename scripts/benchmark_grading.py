"""Benchmark: plain serial `nbgrader autograde` against `autograder grade --jobs N`.

Grades the same N copies of the bundled example submissions in two fresh
scratch copies of the course and prints both wall-clock times and their
ratio. A benchmark, not a test: run it on an otherwise idle machine.

    .venv/bin/python scripts/benchmark_grading.py --submissions 16 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "1.1_RegresionLineal"


def scratch_course(folder: Path, submissions: int) -> Path:
    """Copy the course (assignment 1.1 only) and N example submissions into ``folder``."""
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / ASSIGNMENT, folder / name / ASSIGNMENT)
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    examples = sorted((ROOT / "examples" / "submissions").glob(f"*/{ASSIGNMENT}"))
    for i in range(submissions):
        source = examples[i % len(examples)]
        shutil.copytree(source, folder / "submitted" / f"{source.parent.name}_{i:03d}" / ASSIGNMENT)
    return folder


def main() -> int:
    """Run both graders and print the times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    # nbgrader runs `alembic` to create the gradebook: it must be on PATH
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        serial = scratch_course(Path(a), args.submissions)
        parallel = scratch_course(Path(b), args.submissions)
        # nbgrader needs the assignment in its gradebook: generate it first (not timed)
        for course in (serial, parallel):
            subprocess.run(
                [bin_dir / "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
                cwd=course,
                check=True,
                capture_output=True,
                env=env,
            )
        start = time.perf_counter()
        subprocess.run(
            [bin_dir / "nbgrader", "autograde", ASSIGNMENT, "--force"],
            cwd=serial,
            check=True,
            capture_output=True,
            env=env,
        )
        t_serial = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run(
            [bin_dir / "autograder", "grade", "--jobs", str(args.jobs), ASSIGNMENT],
            cwd=parallel,
            check=True,
            capture_output=True,
            env=env,
        )
        t_parallel = time.perf_counter() - start
    print(f"{args.submissions} submissions of {ASSIGNMENT}")
    print(f"nbgrader autograde (serial):        {t_serial:7.1f} s")
    print(f"autograder grade --jobs {args.jobs}:          {t_parallel:7.1f} s")
    print(f"speed-up:                           {t_serial / t_parallel:7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
