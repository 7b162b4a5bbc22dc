"""Where executors run: a local process pool, or the workers of a Dask cluster.

Both backends offer the same small interface to the coordinator: ``submit(job)``
returns a handle, ``wait(timeout)`` yields ``(job, result or exception)`` as jobs
finish, each exactly once, ``abandon(job)`` gives up on a job (the coordinator's
per-job deadline), and ``status()`` says what every worker is doing.
The coordinator never shares a folder or a database with them: a job goes out
as a :class:`~autograder.grade.executor.Job`, the executed notebooks come back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

from .executor import Job, JobResult, run_job


class ClusterUnavailable(RuntimeError):
    """The Dask scheduler cannot be reached, or was lost while grading."""


class LocalPool:
    """Executors on this machine: ``jobs`` jobs at once, each in its own bounded child process.

    Each job runs :func:`~autograder.grade.executor.run_job` in a thread of
    this process, which starts the job's child (see
    :mod:`autograder.grade.bounds`) and waits for it: a child that dies, runs
    out of memory or of time loses its own submission's remaining cells, never
    the others' (there is no shared worker process to break).

    Parameters
    ----------
    jobs : int
        Submissions executed at once; each kernel gets ``cores // jobs`` threads.
    """

    def __init__(self, jobs: int):
        from . import bounds

        self.jobs = max(1, jobs)
        self.threads = max(1, (os.cpu_count() or 1) // self.jobs)
        self._pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="job")
        self._warm = self._pool.submit(
            bounds.warm, self.threads
        )  # the forkserver warms up meanwhile
        self._pending: dict = {}
        self._cancel: dict = {}

    @property
    def slots(self) -> int:
        """How many jobs run at once."""
        return self.jobs

    def submit(self, job: Job):
        """Start a job (in a thread that runs its bounded child); return its future."""
        cancel = threading.Event()
        future = self._pool.submit(run_job, job, quiet=True, threads=self.threads, cancel=cancel)
        self._pending[future] = job
        self._cancel[future] = cancel
        return future

    def wait(self, timeout: float | None = None) -> Iterator[tuple[Job, JobResult | BaseException]]:
        """Yield ``(job, result or exception)`` for the jobs finished within ``timeout`` seconds."""
        if not self._pending:
            return
        done, _ = wait_futures(list(self._pending), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            job = self._pending.pop(future)
            self._cancel.pop(future, None)
            error = future.exception()
            yield job, error if error is not None else future.result()

    def abandon(self, job: Job) -> None:
        """Stop a job the coordinator gave up on (its child and kernel are killed)."""
        for future, pending in list(self._pending.items()):
            if pending is job:
                self._cancel.pop(future).set()
                del self._pending[future]

    def status(self) -> str:
        """One line on the jobs (how many run at once)."""
        return f"{self.jobs} local process(es)"

    def close(self) -> None:
        """Stop every running job (children and kernels killed) and wait for their threads."""
        for cancel in self._cancel.values():
            cancel.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        # the jobs given up on (abandon) were told to stop too, but are not waited for
        if self._pending:
            wait_futures(list(self._pending), timeout=120)


class DaskCluster:
    """Executors as tasks of an existing Dask distributed scheduler.

    Parameters
    ----------
    address : str
        The scheduler, e.g. ``tcp://10.0.0.5:8786``.
    retries : int
        Times a task runs again when its worker is lost (Dask's ``retries=``).
    timeout : float
        Seconds to wait for the scheduler when connecting.
    """

    def __init__(self, address: str, retries: int = 3, timeout: float = 30):
        from distributed import Client

        self.address = address
        self.retries = retries
        self.timeout = timeout
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterUnavailable(
                f"cannot reach the Dask scheduler at {address}: {exc}. "
                "Is it running (`dask scheduler`) and reachable from here?"
            ) from None
        self._pending: dict = {}

    @property
    def slots(self) -> int:
        """How many jobs the cluster runs at once now (its worker threads; at least 1)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # a lost scheduler is reported by wait()
            return 1

    def submit(self, job: Job):
        """Send a job to the cluster as a Dask task; return its future."""
        future = self.client.submit(
            run_job,
            job,
            key=f"grade-{job.assignment}-{job.student}-{job.digest[:12]}",
            pure=False,
            retries=self.retries,
        )
        self._pending[future.key] = (future, job)
        return future

    def wait(self, timeout: float | None = None) -> Iterator[tuple[Job, JobResult | BaseException]]:
        """Yield ``(job, result or exception)`` for the tasks finished within ``timeout`` seconds.

        Raises
        ------
        ClusterUnavailable
            When the scheduler has been unreachable for longer than the timeout.
        """
        import time

        from distributed import wait as wait_futures
        from distributed.client import FuturesCancelledError

        lost_since = None
        begun = time.monotonic()
        while self._pending:
            futures = [future for future, _ in self._pending.values()]
            try:
                with self.client.as_current():
                    done, _ = wait_futures(futures, timeout=2, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            except FuturesCancelledError as exc:  # the client cancels them when its scheduler goes
                raise ClusterUnavailable(
                    f"lost the Dask scheduler at {self.address} while grading: "
                    f"{str(exc).splitlines()[0]}"
                ) from None
            if self.client.status != "running" or any(f.status == "cancelled" for f in done):
                lost_since = lost_since or time.monotonic()
                if (
                    self.client.status in ("closed", "closing", "failed")
                    or time.monotonic() - lost_since > self.timeout
                ):
                    raise ClusterUnavailable(
                        f"lost the Dask scheduler at {self.address} while grading "
                        f"(client {self.client.status})"
                    )
                continue
            lost_since = None
            if done:
                break
            if timeout is not None and time.monotonic() - begun >= timeout:
                return
        else:
            return
        for future in done:
            _, job = self._pending.pop(future.key)
            try:
                yield job, future.result()
            except Exception as exc:  # the task failed (a worker without its sandbox, say)
                yield job, exc

    def abandon(self, job: Job) -> None:
        """Give up on a task (the coordinator's deadline): cancel it, never wait for it again."""
        import contextlib

        for key, (future, pending) in list(self._pending.items()):
            if pending is job:
                del self._pending[key]
                with contextlib.suppress(Exception):
                    self.client.cancel([future])

    def status(self) -> str:
        """One line per worker state: running tasks per worker."""
        try:
            processing = self.client.processing()
        except Exception:
            return "scheduler unreachable"
        parts = [
            f"{address.rsplit(':', 1)[-1]}:{len(keys)}"
            for address, keys in sorted(processing.items())
        ]
        return f"{len(processing)} worker(s) [" + " ".join(parts) + "]"

    def close(self) -> None:
        """Cancel what is left and disconnect (the cluster itself keeps running)."""
        import contextlib

        with contextlib.suppress(Exception):  # a lost scheduler has nothing left to cancel
            if self._pending and self.client.status == "running":
                self.client.cancel([f for f, _ in self._pending.values()])
        with contextlib.suppress(Exception):
            self.client.close(timeout=self.timeout)
