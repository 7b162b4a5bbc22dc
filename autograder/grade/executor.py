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
        When bubblewrap is missing (and ``AUTOGRADER_UNSANDBOXED`` is not ``1``).
    """
    from .. import sandbox

    if os.environ.get(sandbox.UNSANDBOXED_VARIABLE) != "1":
        sandbox.find_bwrap()


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


def run_job(job: Job) -> JobResult:
    """Execute a job's notebooks as nbgrader's autograde does, in a scratch folder.

    Parameters
    ----------
    job : Job
        The submission (see :class:`Job`).

    Returns
    -------
    JobResult
        The executed notebooks (JSON), or the error when the pipeline failed.
        A missing sandbox is not returned but raised: the worker refuses to run.
    """
    import traceback

    from .. import checks, sandbox

    start, cpu = time.perf_counter(), time.process_time()
    result = JobResult(job.assignment, job.student, worker=_worker_name())
    variables = {
        "NBGRADER_EXECUTION": "autograde",
        sandbox.UNSANDBOXED_VARIABLE: "1" if job.unsandboxed else None,
        # the kernel learns the seed only where it runs the tests itself (no harness)
        checks.HIDDEN_SEED_VARIABLE: None
        if job.seed is None or _harness_on(job.config)
        else str(job.seed),
    }
    try:
        with environment(**variables), checks.hidden_seed(job.seed):
            _execute(job, result)
    except sandbox.SandboxUnavailable:
        raise
    except Exception:
        result.error = traceback.format_exc()
    result.seconds = time.perf_counter() - start
    result.cpu_seconds = time.process_time() - cpu
    return result


def _execute(job: Job, result: JobResult) -> None:
    """Run the job's notebooks through the execution steps; put them in ``result``."""
    import copy

    import nbformat

    check_sandbox()  # raises: a worker without its sandbox never runs a submission
    config = copy.deepcopy(job.config)
    steps = execution_steps(config)
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


def warm_up(threads: int, quiet: bool = False) -> None:
    """Prepare a worker process: cap its kernels' threads and import the execute step.

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
    from ..harness.execute import TrustedExecute  # noqa: F401  (the slow import, done once)
