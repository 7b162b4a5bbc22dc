"""A Dask worker that can run executors: the preload of ``autograder worker``.

``dask worker tcp://HOST:8786 --nthreads 1 --preload autograder.grade.worker``
(what ``autograder worker`` runs) loads this module in every worker process:
it refuses to start a worker without its sandbox (bubblewrap), caps the
threads of the kernels it will start (``AUTOGRADER_KERNEL_THREADS``, set by
``autograder worker`` to the cores over its worker processes), and imports the
execute step once.
A worker needs this package and the course data installed, nothing else.
"""

from __future__ import annotations

import os


def dask_setup(worker) -> None:
    """Prepare a Dask worker process to run executors (Dask's preload hook).

    Parameters
    ----------
    worker : distributed.Worker
        The worker being started.

    Raises
    ------
    autograder.sandbox.SandboxUnavailable
        When bubblewrap is missing: the worker does not start (fail closed).
    """
    from .executor import check_sandbox, warm_up

    check_sandbox()
    # several worker processes on one machine: `autograder worker --nworkers N` (or the
    # environment) gives each kernel its share of the cores
    threads = max(1, (os.cpu_count() or 1) // max(1, int(worker.state.nthreads)))
    warm_up(int(os.environ.get(THREADS_VARIABLE) or threads))


#: Threads per kernel on a worker (default: the machine's cores over its worker processes).
THREADS_VARIABLE = "AUTOGRADER_KERNEL_THREADS"


def scheduler_command(scheduler_file: str, host: str = "127.0.0.1") -> list[str]:
    """Return the ``dask scheduler`` command line of a local cluster (tests, benchmarks).

    It listens on a free port of ``host`` without a dashboard and writes its
    address to ``scheduler_file``.
    """
    import sys

    return [
        sys.executable,
        "-m",
        "distributed.cli.dask_scheduler",
        "--host",
        host,
        "--port",
        "0",
        "--no-dashboard",
        "--scheduler-file",
        str(scheduler_file),
    ]


def worker_command(
    scheduler: str, nworkers: int = 1, name: str | None = None, extra: list[str] = ()
) -> list[str]:
    """Return the ``dask worker`` command line that runs executors.

    Parameters
    ----------
    scheduler : str
        The scheduler's address (``tcp://HOST:PORT``).
    nworkers : int
        Worker processes on this machine (one submission each at a time).
    name : str, optional
        The worker's name.
    extra : list of str
        More ``dask worker`` options.
    """
    import sys

    command = [
        sys.executable,
        "-m",
        "distributed.cli.dask_worker",
        scheduler,
        "--nthreads",
        "1",
        "--nworkers",
        str(nworkers),
        "--preload",
        "autograder.grade.worker",
        # a kernel's memory is its own (capped by the sandbox), not the worker's
        "--memory-limit",
        "0",
    ]
    if name:
        command += ["--name", name]
    return command + list(extra)
