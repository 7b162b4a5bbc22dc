"""Benchmark: the coordinator with 1 and 2 local executors and with 1 and 2 Dask workers.

Grades the same N submissions (copies of an assignment's bundled example
submissions) four times in a scratch copy of the course, each time from a fresh
gradebook, and prints one table: wall time, submissions per minute, mean
executor time per submission, and the coordinator's own CPU seconds per
submission (sanitizing, scoring, writing the gradebook, talking to the
executors). The last column bounds how many workers one coordinator can feed:
a worker asks for a new submission every (executor seconds) s, the coordinator
serves one in (coordinator CPU) s, so it feeds about their ratio.

A benchmark, not a test: run it on an otherwise idle machine.

    .venv/bin/python scripts/benchmark_cluster.py --submissions 8
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def scratch_course(folder: Path, assignment: str, submissions: int) -> Path:
    """Copy the course (one assignment) and N example submissions into ``folder``."""
    for name in ("source", "release"):
        shutil.copytree(ROOT / name / assignment, folder / name / assignment)
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    examples = sorted((ROOT / "examples" / "submissions").glob(f"*/{assignment}"))
    for i in range(submissions):
        source = examples[i % len(examples)]
        shutil.copytree(source, folder / "submitted" / f"{source.parent.name}_{i:03d}" / assignment)
    return folder


def start_cluster(folder: Path, workers: int):
    """Start a scheduler and ``workers`` workers on 127.0.0.1; return (address, processes)."""
    from autograder.grade.worker import THREADS_VARIABLE, scheduler_command, worker_command

    scheduler_file = folder / "scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    processes = [
        subprocess.Popen(
            scheduler_command(scheduler_file),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    while not scheduler_file.exists():
        time.sleep(0.2)
    address = json.loads(scheduler_file.read_text())["address"]
    for i in range(workers):
        processes.append(
            subprocess.Popen(
                worker_command(address, name=f"w{i + 1}", extra=["--no-nanny"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                # the workers share this machine: each kernel gets its share of the cores
                env={**os.environ, THREADS_VARIABLE: str(max(1, (os.cpu_count() or 1) // workers))},
            )
        )
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, processes


def run(course: Path, tasks, **settings) -> dict:
    """Grade ``tasks`` from a fresh gradebook; return the measurements."""
    from autograder import nbgrader_tools as tools
    from autograder.grade import Coordinator

    for name in ("autograded", "gradebook.db"):
        path = course / name
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    tools.ensure_in_gradebook(course, sorted({a for a, _ in tasks}))  # not part of the timing
    coordinator = Coordinator(course, **settings)
    start = time.perf_counter()
    results = coordinator.grade(tasks, force=True)
    wall = time.perf_counter() - start
    assert all(r.success for r in results), [r.log for r in results if not r.success]
    n = len(results)
    executor = sum(r.seconds for r in results) / n
    cpu = coordinator.coordinator_cpu / n
    return {
        "wall": wall,
        "per_minute": 60 * n / wall,
        "executor": executor,
        "coordinator_cpu": cpu,
        "feeds": executor / cpu if cpu else float("inf"),
    }


def main() -> int:
    """Run the four set-ups and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="1.1_RegresionLineal")
    parser.add_argument("--submissions", type=int, default=8)
    args = parser.parse_args()
    from autograder import nbgrader_tools as tools

    rows = []
    with tempfile.TemporaryDirectory(prefix="iap-bench-") as tmp:
        course = scratch_course(Path(tmp) / "course", args.assignment, args.submissions)
        tasks = [(args.assignment, s) for s in tools.submissions(course, args.assignment)]
        for jobs in (1, 2):
            print(f"local, {jobs} executor(s)...", flush=True)
            rows.append((f"local pool, {jobs} process(es)", run(course, tasks, jobs=jobs)))
        for workers in (1, 2):
            print(f"Dask, {workers} worker(s)...", flush=True)
            address, processes = start_cluster(Path(tmp), workers)
            try:
                rows.append((f"Dask, {workers} worker(s)", run(course, tasks, cluster=address)))
            finally:
                for process in processes:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
    print(
        f"\n{args.submissions} submissions of {args.assignment}, {os.cpu_count()} CPU core(s)\n\n"
        "| executors | wall (s) | submissions/min | executor s/submission "
        "| coordinator CPU s/submission | workers one coordinator feeds |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    for label, m in rows:
        print(
            f"| {label} | {m['wall']:.1f} | {m['per_minute']:.1f} | {m['executor']:.1f} "
            f"| {m['coordinator_cpu']:.3f} | {m['feeds']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
