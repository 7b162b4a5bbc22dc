"""The process envelope of one job: a fresh child process with a memory cap and a deadline.

The harness side of grading (instructor replay, protocol decoding, Keras
rebuilds, references) is trusted code fed by the student's kernel. Whatever
check it lacks, one submission's job must not take down the process that runs
the others. So :func:`autograder.grade.executor.run_job` runs each job in a
child process of its own:

- forked from a *forkserver* (:mod:`multiprocessing`'s ``forkserver``
  context) whose process has imported the execute step once, so a job starts
  warm in a fraction of a second, never from a multithreaded parent (a Dask
  worker has threads: forking it directly could deadlock), and shares nothing
  with the jobs before it;
- with its address space capped (``RLIMIT_AS``, soft limit) at
  :attr:`Executor.memory_limit`: an allocation beyond it fails with
  ``MemoryError`` (TensorFlow: ``ResourceExhaustedError``) where it is
  requested, which the harness reports on the cell concerned. Only the soft
  limit is set, so the sandboxed kernel started by the child sets its own
  (``SandboxKernelManager.memory_limit``), and the per-reference headroom of
  :mod:`autograder.harness.execute` lowers it further while a reference runs;
- with a wall deadline: the notebooks' budget (``notebook_timeout`` each) plus
  :attr:`Executor.deadline_margin`.

The child reports each executed cell as it goes. When it dies anyway (killed,
out of memory, a crash, the deadline), the job still returns a
:class:`~autograder.grade.executor.JobResult`: the cells it executed keep their
outputs, the others get an error output in Spanish (they score 0), and the
result carries a note. The supervising process, its other jobs and the
batch go on; on Dask the task returns normally and is never retried.
Every process the child started (the sandboxed kernel: ``bwrap``, ``python -m
autograder.sandbox``, ``ipykernel``) is killed with it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import time

from traitlets import Float, Integer
from traitlets.config import LoggingConfigurable

#: What the forkserver imports once, so that every job's child starts warm.
PRELOAD = ["autograder.grade.executor", "autograder.harness.execute"]


class Executor(LoggingConfigurable):
    """The bounds of one job's process (see :mod:`autograder.grade.bounds`).

    Configure in ``nbgrader_config.py``, e.g. ``c.Executor.memory_limit = 6 * 2**30``.
    """

    memory_limit = Integer(
        6 * 2**30,
        help=(
            "Address space, in bytes, of the process that grades one submission (the harness "
            "side: instructor replay, decoding, Keras rebuilds, references), not of the student's "
            "kernel (SandboxKernelManager.memory_limit). An allocation beyond it fails there "
            "(the cell concerned scores 0 with a note); 6 GiB leaves room for TensorFlow. "
            "0 for no limit."
        ),
    ).tag(config=True)
    deadline_margin = Float(
        120.0,
        help=(
            "Seconds a job may run beyond its notebooks' time budget (notebook_timeout per "
            "notebook: kernel start-up, harness work after the last cell) before its process "
            "is killed; the cells not graded by then score 0 with a note."
        ),
    ).tag(config=True)


def job_deadline(config, notebooks: int) -> float | None:
    """Return the seconds one job may take, from the course configuration (None: no deadline).

    Parameters
    ----------
    config : traitlets.config.Config
        The course configuration.
    notebooks : int
        The job's notebooks (each has ``notebook_timeout``).
    """
    from .executor import execution_steps

    step = execution_steps(config)[-1](config=config)
    budget = getattr(step, "notebook_timeout", None) or 0
    if not budget:
        return None
    return max(1, notebooks) * budget + Executor(config=config).deadline_margin


# --- the child's side ------------------------------------------------------------------


def limit_memory(limit: int) -> None:
    """Cap this process's address space (soft limit; 0 or less: no cap)."""
    if limit <= 0:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def peak_memory(pid: int | str = "self") -> int:
    """Return a process's peak resident memory (``VmHWM``), in bytes (0 when unknown)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# --- processes -------------------------------------------------------------------------


def _start_time(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        tree.setdefault(parent, []).append(int(entry))
    return tree


def descendants(pid: int) -> dict[int, int]:
    """Return ``{pid: start time}`` of every living descendant of ``pid``."""
    tree, found, todo = _children(), {}, [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            started = _start_time(child)
            if started is not None and child not in found:
                found[child] = started
                todo.append(child)
    return found


def kill_all(processes: dict[int, int]) -> None:
    """SIGKILL the processes of ``{pid: start time}`` that are still those processes."""
    for pid, started in processes.items():
        if _start_time(pid) == started:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# --- the forkserver --------------------------------------------------------------------

_CONTEXT = None


def context():
    """Return the ``forkserver`` context whose server preloads the execute step."""
    global _CONTEXT
    if _CONTEXT is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _CONTEXT = ctx
    return _CONTEXT


def warm(threads: int = 0) -> None:
    """Start the forkserver now (it imports the execute step while the coordinator works).

    Parameters
    ----------
    threads : int
        Threads of NumPy's BLAS and OpenMP in the forkserver (and so in every job's
        harness), when it starts here; 0 keeps this process's environment.
    """
    from multiprocessing import forkserver

    from ..envvars import environment
    from .executor import THREAD_VARIABLES

    context()
    variables = {name: str(threads) for name in THREAD_VARIABLES} if threads else {}
    with _may_have_children(), environment(**variables):
        forkserver.ensure_running()


@contextlib.contextmanager
def _may_have_children():
    """Let a daemonic process (a Dask worker under its nanny) start a job's child.

    ``multiprocessing`` refuses children to daemonic processes so that none is
    left behind when they exit; a job's child is always waited for and killed
    by :func:`supervise`, with every process it started.
    """
    config = multiprocessing.current_process()._config
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        if daemon is not None:
            config["daemon"] = daemon
        else:
            config.pop("daemon", None)


class Stopped(Exception):
    """The job was cancelled by the process that runs it (the coordinator is stopping)."""


def supervise(target, args: tuple, deadline: float | None, on_message, cancel=None, on_start=None):
    """Run ``target(*args, connection)`` in a bounded child; feed its messages to ``on_message``.

    Parameters
    ----------
    target : callable
        The child's function (importable: the forkserver pickles it by name).
    args : tuple
        Its arguments; the write end of a pipe is appended.
    deadline : float or None
        Seconds the child may run.
    on_message : callable
        Called with each message the child sends; returns True when the child is done.
    cancel : threading.Event, optional
        When set, the child and its processes are killed and :class:`Stopped` raised.
    on_start : callable, optional
        Called with the child's pid once it runs.

    Returns
    -------
    ended : str
        ``"done"``, ``"deadline"`` or ``"died"`` (with the child's exit code in ``exitcode``).
    exitcode : int or None
        The child's exit status (negative: the signal that killed it).
    peak : int
        The child's peak resident memory seen, in bytes.
    """
    ctx = context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=target, args=(*args, sender), daemon=False)
    with _may_have_children():
        process.start()
    sender.close()
    if on_start is not None:
        on_start(process.pid)
    end = time.monotonic() + deadline if deadline else None
    seen: dict[int, int] = {}
    peak, ended, last_scan = 0, "died", 0.0
    try:
        while True:
            now = time.monotonic()
            if cancel is not None and cancel.is_set():
                raise Stopped()
            if end is not None and now >= end:
                ended = "deadline"
                break
            if now - last_scan >= 3.0:  # the processes to kill if the child dies, and its peak
                seen.update(descendants(process.pid))
                peak = max(peak, peak_memory(process.pid))
                last_scan = now
            wait = 0.5 if end is None else max(0.0, min(0.5, end - now))
            if receiver.poll(wait):
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    break  # the child is gone
                if on_message(message):
                    ended = "done"
                    break
    finally:
        if process.is_alive():
            seen.update(descendants(process.pid))
        if ended != "done":
            with contextlib.suppress(OSError):
                process.kill()
        process.join(30 if ended == "done" else 5)
        if process.is_alive():
            process.kill()
            process.join(5)
        kill_all(seen)
        receiver.close()
    return ended, process.exitcode, peak
