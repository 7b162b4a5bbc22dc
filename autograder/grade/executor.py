"""The executor: the one step of grading that runs student code (it runs on the workers).

An executor is a pure function, :func:`run_job`: a :class:`Job` (the sanitized
notebooks with hidden tests restored, the submission's other files as bytes,
the trusted source notebooks and the course configuration) in, a
:class:`JobResult` (the executed notebooks) out. It runs the course's autograde
pipeline up to and including its execute step (``TrustedExecute``: the kernel in
the sealed unit), in a scratch folder it deletes afterwards. It needs the course
package (and ``data/``) installed, nothing else: no course folder, no gradebook.

This module imports neither the gradebook nor the coordinator, so that a
worker imports only what it runs.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..envvars import environment

#: Environment variables that cap the threads of NumPy's BLAS, OpenMP and TensorFlow.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


@dataclass
class Job:
    """One submission, ready to execute.

    Attributes
    ----------
    assignment, student : str
        Which submission (for logs and the coordinator's bookkeeping).
    notebooks : dict of str to str
        Notebook name (without ``.ipynb``) to its sanitized JSON, in grading order.
    files : dict of str to bytes
        The submission's other files (relative POSIX paths), source files included.
    sources : dict of str to str
        Notebook name to the JSON of its trusted source notebook (``source/``).
    config : traitlets.config.Config
        The course configuration (``nbgrader_config.py``, as loaded by the coordinator).
    unsandboxed : bool
        The instructor passed ``--unsandboxed``: run kernels without the sealed unit.
    digest : str
        The digest of the submission and its assignment (the task's identity).
    seed : int or None
        The seed of the hidden tests for this submission (``checks.hidden_rng``), drawn
        by the coordinator; ``None``: the documented ``checks.HIDDEN_SEED``.
    """

    assignment: str
    student: str
    notebooks: dict[str, str]
    files: dict[str, bytes]
    sources: dict[str, str]
    config: object
    unsandboxed: bool = False
    digest: str = ""
    seed: int | None = None


@dataclass
class JobResult:
    """What an executor sends back: the executed notebooks, or the error that stopped it."""

    assignment: str
    student: str
    executed: dict[str, str] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    worker: str = ""
    cpu_seconds: float = 0.0
    #: the peak resident memory of the job's process (``VmHWM``), in bytes
    peak_memory: int = 0
    #: why the job's process was stopped before the end ("deadline", "memory", "signal 9"...)
    stopped: str = ""
    #: notes to the student (Spanish), e.g. why the grading stopped
    notes: list[str] = field(default_factory=list)


def limit_threads(threads: int) -> None:
    """Cap the threads of the kernels this process starts (they inherit its environment).

    Parameters
    ----------
    threads : int
        Threads per kernel: with N submissions at once on C cores, C // N.
    """
    for name in THREAD_VARIABLES:
        os.environ[name] = str(max(1, threads))


def autograde_steps(config) -> list:
    """Return the course's ``Autograde.autograde_preprocessors`` (nbgrader's default when unset).

    Parameters
    ----------
    config : traitlets.config.Config
        The course configuration.
    """
    from nbgrader.converters import Autograde

    return list(
        config.Autograde.get("autograde_preprocessors")
        or Autograde.class_traits()["autograde_preprocessors"].default()
    )


def execution_steps(config) -> list:
    """Return the autograde pipeline's steps up to and including its execute step.

    Parameters
    ----------
    config : traitlets.config.Config
        The course configuration.

    Raises
    ------
    RuntimeError
        When the pipeline has no execute step (nothing would run the notebook).
    """
    from nbgrader.preprocessors import Execute

    steps = autograde_steps(config)
    for index, step in enumerate(steps):
        if isinstance(step, type) and issubclass(step, Execute):
            return steps[: index + 1]
    raise RuntimeError("the autograde pipeline has no execute step")


def run_steps(config, steps: list, nb, resources: dict) -> tuple[str, dict]:
    """Run preprocessors on a notebook exactly as nbgrader's converters do.

    nbgrader registers its pipeline's steps on an nbconvert ``NotebookExporter``
    (a step disabled by default, such as nbconvert's ``ClearMetadataPreprocessor``,
    stays disabled unless configured); this does the same.

    Parameters
    ----------
    config : traitlets.config.Config
        The course configuration.
    steps : list
        Preprocessor classes, in order.
    nb : nbformat.NotebookNode
        The notebook (not modified).
    resources : dict
        nbgrader's resources of the notebook.

    Returns
    -------
    output : str
        The processed notebook's JSON.
    resources : dict
        The resources after the steps.
    """
    from nbconvert.exporters import NotebookExporter

    exporter = NotebookExporter(config=config)
    exporter._preprocessors = []
    for step in steps:
        exporter.register_preprocessor(step)
    return exporter.from_notebook_node(nb, resources=resources)


def check_sandbox() -> None:
    """Fail closed: raise when kernels would start without their sealed unit.

    Raises
    ------
    autograder.sandbox.SandboxUnavailable
        When a layer of the unit (bubblewrap, one of its options, the seccomp filter)
        cannot be applied (and ``AUTOGRADER_UNSANDBOXED`` is not ``1``).
    """
    from .. import sandbox

    if os.environ.get(sandbox.UNSANDBOXED_VARIABLE) != "1":
        sandbox.check_unit()


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"unsafe file name in the job: {name!r}")
        path = folder.joinpath(*relative.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _worker_name() -> str:
    """Return who runs this job: the Dask worker's name or address, else host and process."""
    try:
        from distributed import get_worker

        worker = get_worker()
        return str(worker.name if worker.name is not None else worker.address)
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def _harness_on(config) -> bool:
    """Return whether the course's test cells run in the trusted harness (not in the kernel)."""
    try:
        return bool(config.TrustedExecute.get("harness", False))
    except AttributeError:
        return False


#: Callables ``observer(job, pid, message)`` told of every message a job's child sends
#: (``("start", notebook, index)`` before a code cell runs, ``("cell", ...)`` after it...):
#: how the tests stop a child at a chosen cell.
observers: list = []


def run_job(job: Job, quiet: bool = False, threads: int = 0, cancel=None) -> JobResult:
    """Execute a job's notebooks as nbgrader's autograde does, in a bounded child process.

    The child (see :mod:`autograder.grade.bounds`) has the memory cap and the
    deadline of :class:`~autograder.grade.bounds.Executor`; when it dies or
    runs out of time, the cells it executed keep their outputs and the others
    score 0 with a Spanish note: the result is still a graded submission.

    Parameters
    ----------
    job : Job
        The submission (see :class:`Job`).
    quiet : bool
        Send the child's standard output (its kernels' banners) to ``/dev/null``.
    threads : int
        Threads per kernel (see :func:`limit_threads`); 0 keeps this process's setting.
    cancel : threading.Event, optional
        Set it to stop the job (the child and its kernel are killed).

    Returns
    -------
    JobResult
        The executed notebooks (JSON), or the error when the pipeline failed.
        A missing sandbox is not returned but raised: the worker refuses to run.

    Raises
    ------
    autograder.grade.bounds.Stopped
        When ``cancel`` was set.
    """
    from .. import sandbox
    from . import bounds

    check_sandbox()  # raises: a worker without its sandbox never runs a submission
    start = time.perf_counter()
    result = JobResult(job.assignment, job.student, worker=_worker_name())
    limits = bounds.Executor(config=job.config)
    deadline = bounds.job_deadline(job.config, len(job.notebooks))
    cells: dict[str, dict[int, object]] = {}
    state: dict = {"running": None, "pid": None, "failure": None}

    def on_message(message) -> bool:
        for observer in list(observers):
            observer(job, state["pid"], message)
        kind = message[0]
        if kind == "start":
            state["running"] = (message[1], message[2])
        elif kind == "cell":
            cells.setdefault(message[1], {})[message[2]] = message[3]
        elif kind == "notebook":
            result.executed[message[1]] = message[2]
            state["running"] = None
        elif kind == "done":
            result.error, result.cpu_seconds, result.peak_memory = message[1:4]
            return True
        elif kind in ("memory", "sandbox"):
            state["failure"] = message
            return True
        return False

    def started(pid: int) -> None:
        state["pid"] = pid

    ended, exitcode, peak = bounds.supervise(
        _child,
        (job, quiet, threads, limits.memory_limit),
        deadline,
        on_message,
        cancel=cancel,
        on_start=started,
    )
    result.peak_memory = max(result.peak_memory, peak)
    failure = state["failure"]
    if failure is not None and failure[0] == "sandbox":
        raise sandbox.SandboxUnavailable(failure[1])
    if ended != "done" or failure is not None:
        reason = "deadline" if ended == "deadline" else "memory"
        if failure is None and exitcode is not None and exitcode < 0:
            reason = f"signal {-exitcode}"
        _stopped(job, result, cells, state["running"], reason, limits, deadline)
    result.seconds = time.perf_counter() - start
    return result


def _child(job: Job, quiet: bool, threads: int, memory_limit: int, connection) -> None:
    """Run a job in its child process: cap its memory, execute, report each cell and the result."""
    import traceback

    from .. import checks, sandbox
    from .bounds import limit_memory, peak_memory

    cpu = time.process_time()
    try:
        if quiet:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
        if threads:
            limit_threads(threads)
        limit_memory(memory_limit)
        result = JobResult(job.assignment, job.student)
        variables = {
            "NBGRADER_EXECUTION": "autograde",
            sandbox.UNSANDBOXED_VARIABLE: "1" if job.unsandboxed else None,
            # the kernel learns the seed only where it runs the tests itself (no harness)
            checks.HIDDEN_SEED_VARIABLE: None
            if job.seed is None or _harness_on(job.config)
            else str(job.seed),
        }
        error = ""
        try:
            with environment(**variables), checks.hidden_seed(job.seed):
                _execute(job, result, connection)
        except (sandbox.SandboxUnavailable, MemoryError):
            raise
        except Exception:
            error = traceback.format_exc()
        connection.send(("done", error, time.process_time() - cpu, peak_memory()))
    except MemoryError:
        with contextlib.suppress(Exception):
            connection.send(("memory",))
    except sandbox.SandboxUnavailable as exc:
        connection.send(("sandbox", str(exc)))
    finally:
        connection.close()


def _report_cells(step, connection) -> None:
    """Make the execute step (in the child only) send each code cell once it has run."""
    original = step.preprocess_cell

    def preprocess_cell(self, cell, resources, index):
        name = resources.get("unique_key", "")
        if cell.get("cell_type") != "code":
            return original(self, cell, resources, index)
        connection.send(("start", name, index))
        cell, resources = original(self, cell, resources, index)
        connection.send(("cell", name, index, cell))
        return cell, resources

    step.preprocess_cell = preprocess_cell


def _stopped(job, result, cells, running, reason, limits, deadline) -> None:
    """Give a job whose child did not finish its notebooks: executed cells kept, the rest 0."""
    import nbformat
    from nbformat.v4 import new_output

    if reason == "deadline":
        cause = f"tu entrega superó el tiempo máximo de calificación ({deadline:.0f} s en total)"
    else:
        memory = limits.memory_limit / 2**30
        cause = (
            f"el proceso que califica tu entrega superó su límite de memoria ({memory:g} GiB) "
            "o se detuvo inesperadamente mientras trabajaba con lo que devolvió tu código "
            "(¿un objeto, un arreglo o un modelo enorme?)"
        )
    here = (
        f"La calificación de tu entrega se detuvo en esta celda: {cause}. Las celdas "
        "anteriores conservan su resultado; esta y las siguientes valen 0."
    )
    later = (
        "Esta celda no se calificó: la calificación de tu entrega se detuvo en una celda "
        "anterior (lee la nota de esa celda)."
    )
    noted = False
    for name, text in job.notebooks.items():
        if name in result.executed:
            continue
        nb = nbformat.reads(text, as_version=4)
        done = cells.get(name, {})
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if index in done:
                nb.cells[index] = nbformat.from_dict(done[index])
                continue
            first = not noted and (running is None or running == (name, index))
            text_ = here if first else later
            ename = "CalificacionDetenida"
            cell.outputs = [
                new_output("error", ename=ename, evalue=text_, traceback=[f"{ename}: {text_}"])
            ]
            noted = noted or first
        result.executed[name] = nbformat.writes(nb)
    result.stopped = reason
    result.notes.append(
        f"La calificación se detuvo: {cause}. Las celdas que no se calificaron valen 0."
    )


def _execute(job: Job, result: JobResult, connection=None) -> None:
    """Run the job's notebooks through the execution steps; put them in ``result``.

    With a ``connection`` (in a job's child), each code cell and each executed
    notebook is also sent on it as soon as it is done.
    """
    import copy

    import nbformat

    check_sandbox()  # raises: a worker without its sandbox never runs a submission
    config = copy.deepcopy(job.config)
    steps = execution_steps(config)
    if connection is not None:
        _report_cells(steps[-1], connection)
    with tempfile.TemporaryDirectory(prefix="iap-exec-") as tmp:
        folder = Path(tmp) / job.assignment
        folder.mkdir()
        _write_files(folder, job.files)
        for name, text in job.notebooks.items():
            nb = nbformat.reads(text, as_version=4)
            resources = {
                "metadata": {"path": str(folder)},
                "unique_key": name,
                "nbgrader": {
                    "student": job.student,
                    "assignment": job.assignment,
                    "notebook": name,
                },
            }
            if name in job.sources:
                resources["autograder_source"] = nbformat.reads(job.sources[name], as_version=4)
            output, _ = run_steps(config, steps, nb, resources)
            result.executed[name] = output
            if connection is not None:
                connection.send(("notebook", name, output))


def warm_up(threads: int, quiet: bool = False) -> None:
    """Prepare a worker process: cap its kernels' threads, start the warm forkserver of its jobs.

    Parameters
    ----------
    threads : int
        Threads per kernel (see :func:`limit_threads`).
    quiet : bool
        Send this process's standard output (and so its kernels' banners) to
        ``/dev/null``: a local worker shares the instructor's terminal.
    """
    limit_threads(threads)
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    from . import bounds

    bounds.warm()  # the forkserver imports the execute step once, for every job's child
