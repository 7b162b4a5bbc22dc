"""What the instructor sees while a batch is graded: a tqdm bar, worker status, a summary.

The bar shows the submissions done, the rate and the ETA; its postfix says
what the workers are doing (local processes, or running tasks per Dask
worker). A line is printed for each failure and for each note to a student,
and a summary line at the end.
"""

from __future__ import annotations

import sys
import time


class Progress:
    """A progress bar (tqdm) fed by the coordinator.

    Parameters
    ----------
    stream : file, optional
        Where the bar goes (default: standard error, so the grades table on
        standard output stays clean).
    """

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.bar = None
        self.start_time = time.perf_counter()
        self.graded = self.failed = self.skipped = 0

    def start(self, total: int, todo: int) -> None:
        """Open the bar for ``todo`` submissions to grade out of ``total``."""
        from tqdm import tqdm

        self.start_time = time.perf_counter()
        if total - todo:
            print(
                f"{total - todo} submission(s) unchanged since they were graded: skipped "
                "(--force grades them again)"
            )
        if not todo:
            return
        self.bar = tqdm(
            total=todo,
            unit="sub",
            desc="grading",
            file=self.stream,
            dynamic_ncols=True,
            mininterval=0.5,
        )

    def __call__(self, result, status: str) -> None:
        """Record one submission's result; ``status`` describes the workers."""
        if result.skipped:
            self.skipped += 1
            return
        if result.success:
            self.graded += 1
        else:
            self.failed += 1
        verdict = "graded" if result.success else "FAILED"
        where = f" on {result.worker}" if result.worker else ""
        lines = [f"{result.assignment} {result.student}: {verdict} ({result.seconds:.1f} s{where})"]
        lines += [f"    note to the student: {note}" for note in result.notes]
        if not result.success:
            lines.append(result.log[-2000:])
        if self.bar is not None:
            for line in lines:
                self.bar.write(line, file=sys.stdout)
            if status:
                self.bar.set_postfix_str(status, refresh=False)
            self.bar.update(1)
        else:
            print("\n".join(lines))

    def close(self) -> str:
        """Close the bar; return the summary line."""
        if self.bar is not None:
            self.bar.close()
        seconds = time.perf_counter() - self.start_time
        done = self.graded + self.failed
        rate = 60 * done / seconds if seconds > 0 and done else 0.0
        return (
            f"graded {self.graded}, failed {self.failed}, skipped {self.skipped} "
            f"submission(s) in {seconds:.0f} s ({rate:.1f} per minute)"
        )
