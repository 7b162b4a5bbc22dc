"""The coordinator: the one process that owns the course while it is graded.

For each submission it stages a repaired copy (``autograder.repair``), runs
nbgrader's ``Autograde`` converter up to the end of its sanitizing steps
(:class:`SanitizeOnly`: the student and submission are recorded, the source
files copied, outputs cleared, hidden tests restored by ``OverwriteCells``),
and sends the result to an executor as a :class:`~autograder.grade.executor.Job`.
When the executed notebooks come back, it runs the rest of the course's
autograde pipeline (``IgnorePattern``, ``LimitOutput``, ``SaveAutoGrades``,
``AssignLatePenalties``...) on them with nbgrader's own preprocessors and puts
the folder in ``autograded/``. It is the only writer of the gradebook,
``autograded/`` and ``feedback/``; the executors share nothing with it.

A submission's digest (its files, its assignment's source files and the
course configuration, less the ``Coordinator`` settings) is recorded once it is graded: a rerun skips the
submissions whose digest did not change, unless ``force``.

Each submission's hidden tests draw their inputs from a seed (``checks.hidden_rng``)
the coordinator draws with :mod:`secrets` the first time it grades that submission.
It is recorded for the instructor in :data:`SEEDS_FILE` (beside the digests, outside
every student's folder: nothing a student receives holds it), with the digest of the
submitted files it graded: regrading the same files reuses it (same submission, same
seed, same score) unless ``new_seed``; changed files get a fresh one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from traitlets import Float, Integer, Unicode
from traitlets.config import LoggingConfigurable

from .. import nbgrader_tools as tools
from ..repair import STAGING_STEP, stage_submission, staging_path
from .bounds import job_deadline
from .executor import Job, JobResult, autograde_steps, execution_steps, run_steps
from .executors import DaskCluster, LocalPool

#: Where the coordinator keeps a submission's sanitized folder until it is graded.
SANITIZED_STEP = "sanitized"
#: The digests of the graded submissions (inside ``autograded/``).
DIGESTS_FILE = ".digests.json"
#: The seeds of the hidden tests of the graded submissions (inside ``autograded/``).
SEEDS_FILE = ".hidden_seeds.json"


def draw_seed() -> int:
    """Return a fresh seed for a submission's hidden tests (63 random bits from :mod:`secrets`)."""
    return secrets.randbits(63)


class GradingInterrupted(Exception):
    """``autograder grade`` received SIGINT or SIGTERM: the batch stopped, nothing half-written.

    Attributes
    ----------
    signum : int
        The signal received.
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Signals:
    """Turn SIGINT and SIGTERM into :class:`GradingInterrupted`, never inside a critical section.

    A submission is recorded (scored, moved to ``autograded/``, its digest
    written) or sanitized as one step: a signal that arrives meanwhile is
    raised when the step ends.
    """

    def __init__(self):
        self.depth = 0
        self.pending: int | None = None
        self.previous: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        return False

    def _handle(self, signum, _frame):
        if self.depth:
            self.pending = signum
            return
        raise GradingInterrupted(signum)

    @contextlib.contextmanager
    def critical(self):
        """Run a block that a signal does not cut (it is raised at the end)."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if not self.depth and self.pending is not None:
            signum, self.pending = self.pending, None
            raise GradingInterrupted(signum)


def _sanitize_only_class():
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter

    class SanitizeOnly(Autograde):
        """nbgrader's ``Autograde``, stopped after its sanitizing steps.

        Everything before execution happens as in ``nbgrader autograde``
        (student and submission recorded, source files copied, missing
        notebooks scored 0, the sanitize preprocessors run and the notebook
        written), but into the coordinator's ``sanitized/`` folder.
        """

        def convert_single_notebook(self, notebook_filename: str) -> None:
            self.log.info("Sanitizing %s", notebook_filename)
            self._sanitizing = True
            self._init_preprocessors()
            BaseConverter.convert_single_notebook(self, notebook_filename)

    return SanitizeOnly


def file_digest(folders: Iterable[Path], extra: bytes = b"") -> str:
    """Return the SHA-256 of the regular files under ``folders`` (names and contents).

    Parameters
    ----------
    folders : iterable of Path
        Folders to hash (a missing one counts as empty).
    extra : bytes
        More bytes to hash (the course configuration).
    """
    digest = hashlib.sha256(extra)
    for folder in folders:
        digest.update(b"\0folder\0" + str(folder.name).encode())
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class Coordinator(LoggingConfigurable):
    """Grade submissions: sanitize and score here, execute in local processes or on Dask.

    Configure it in ``nbgrader_config.py`` (``c.Coordinator.cluster = "tcp://..."``);
    the command line's ``--jobs`` and ``--cluster`` override the configuration.

    Parameters
    ----------
    root : Path
        The course directory.
    **kwargs
        Traits (``jobs``, ``cluster``, ``retries``, ``connect_timeout``).
    """

    jobs = Integer(
        0,
        help="Submissions executed at once on this machine (0: one per core). Ignored with a cluster.",
    ).tag(config=True)
    cluster = Unicode(
        "",
        help=(
            "Address of an existing Dask scheduler (e.g. 'tcp://10.0.0.5:8786'); when set, "
            "executors run as Dask tasks on its workers (`autograder worker`). Empty: local "
            "processes."
        ),
    ).tag(config=True)
    retries = Integer(
        3,
        help="Times a submission's task runs again when the Dask worker running it is lost.",
    ).tag(config=True)
    connect_timeout = Float(
        30.0,
        help="Seconds to wait for the Dask scheduler (connecting, or when it is lost) before giving up.",
    ).tag(config=True)
    job_timeout_margin = Float(
        300.0,
        help=(
            "Seconds the coordinator waits for a running job beyond the job's own deadline "
            "(notebook_timeout per notebook plus Executor.deadline_margin) before it records "
            "the submission as failed and goes on with the batch (a worker that hangs or "
            "vanished without Dask noticing)."
        ),
    ).tag(config=True)

    def __init__(self, root: Path, **kwargs):
        self.root = Path(root)
        self.course = tools.get_course(self.root)
        super().__init__(config=tools.load_config(self.root), **kwargs)
        self.unsandboxed = False
        self.coordinator_cpu = 0.0
        self._api = None
        self._digests: dict[str, str] | None = None
        self._seeds: dict[str, dict] | None = None

    # --- the gradebook's view ------------------------------------------------------

    def _digest_path(self) -> Path:
        return (
            Path(self.course.coursedir.root)
            / self.course.coursedir.autograded_directory
            / DIGESTS_FILE
        )

    def digests(self) -> dict[str, str]:
        """Return the recorded digests of graded submissions (``"assignment/student"`` keys)."""
        if self._digests is None:
            try:
                self._digests = json.loads(self._digest_path().read_text())
            except (OSError, ValueError):
                self._digests = {}
        return self._digests

    def _record_digest(self, assignment: str, student: str, digest: str | None) -> None:
        digests = self.digests()
        key = f"{assignment}/{student}"
        if digest is None:
            digests.pop(key, None)
        else:
            digests[key] = digest
        path = self._digest_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(path.name + ".tmp")
        scratch.write_text(json.dumps(digests, indent=1, sort_keys=True))
        os.replace(scratch, path)

    def seeds(self) -> dict[str, dict]:
        """Return the recorded seeds: ``"assignment/student"`` to ``{"seed", "submission"}``.

        ``seed`` is the seed the submission's hidden tests drew from when it was last
        graded; ``submission`` the digest of the submitted files it graded then.
        """
        if self._seeds is None:
            try:
                self._seeds = json.loads(self._digest_path().with_name(SEEDS_FILE).read_text())
            except (OSError, ValueError):
                self._seeds = {}
        return self._seeds

    def recorded_seed(self, assignment: str, student: str) -> int | None:
        """Return the seed a submission was last graded with (None if never graded)."""
        entry = self.seeds().get(f"{assignment}/{student}")
        return int(entry["seed"]) if isinstance(entry, dict) and "seed" in entry else None

    def choose_seed(self, assignment: str, student: str, new_seed: bool = False) -> int:
        """Return the seed to grade a submission with: the recorded one for the same files.

        Parameters
        ----------
        assignment, student : str
            The submission.
        new_seed : bool
            Draw a fresh seed even when the submitted files were graded before.
        """
        entry = self.seeds().get(f"{assignment}/{student}")
        same = isinstance(entry, dict) and entry.get("submission") == self._submission_digest(
            assignment, student
        )
        if same and not new_seed and "seed" in entry:
            return int(entry["seed"])
        return draw_seed()

    def _submission_digest(self, assignment: str, student: str) -> str:
        return file_digest([self.course.submitted(student, assignment)])

    def _record_seed(self, job: Job) -> None:
        if job.seed is None:
            return
        seeds = self.seeds()
        seeds[f"{job.assignment}/{job.student}"] = {
            "seed": int(job.seed),
            "submission": getattr(job, "submission", ""),
        }
        path = self._digest_path().with_name(SEEDS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(path.name + ".tmp")
        scratch.write_text(json.dumps(seeds, indent=1, sort_keys=True))
        os.chmod(scratch, 0o600)  # the instructor's: not for students' eyes
        os.replace(scratch, path)

    def digest(self, assignment: str, student: str) -> str:
        """Return the digest of a submission, its assignment's source files and the course config."""
        # the configuration that grades (not where executors run: switching to a cluster
        # grades nothing again)
        settings = {k: v for k, v in self.config.items() if k != "Coordinator"}
        config = json.dumps(settings, sort_keys=True, default=repr).encode()
        return file_digest(
            [self.course.submitted(student, assignment), self.course.source(assignment)], config
        )

    # --- one submission -----------------------------------------------------------

    @property
    def api(self):
        """Return nbgrader's API, reading ``staging/`` and writing sanitized folders."""
        if self._api is None:
            self._api = tools.make_api(self.root, submitted_directory=STAGING_STEP)
            self._api.coursedir.autograded_directory = SANITIZED_STEP
        return self._api

    def sanitized(self, assignment: str, student: str) -> Path:
        """Return the sanitized folder of a submission (before it moves to ``autograded/``)."""
        return self.course.path_for_step(SANITIZED_STEP, student, assignment)

    def prepare(
        self, assignment: str, student: str, digest: str, new_seed: bool = False
    ) -> tuple[Job | None, tools.GradingResult | None]:
        """Stage, repair and sanitize a submission; return its job (or the failure).

        Parameters
        ----------
        assignment, student : str
            The submission.
        digest : str
            Its digest (see :meth:`digest`).
        new_seed : bool
            Draw a fresh seed for its hidden tests even if these files were graded before.
        """
        import nbformat
        from nbgrader.utils import capture_log, temp_attrs

        from ..sandbox import remove_special_files

        start = time.perf_counter()
        notes = stage_submission(self.course, assignment, student)
        with temp_attrs(self.api.coursedir, assignment_id=assignment, student_id=student):
            app = _sanitize_only_class()(coursedir=self.api.coursedir, parent=self.api)
            app.force = True
            app.create_student = True
            outcome = capture_log(app)
        self._remove_staged(assignment, student)
        folder = self.sanitized(assignment, student)
        if not outcome.get("success"):
            shutil.rmtree(folder, ignore_errors=True)
            log = (outcome.get("error") or "") + (outcome.get("log") or "")
            return None, tools.GradingResult(
                assignment, student, False, time.perf_counter() - start, log, notes
            )
        remove_special_files(folder)
        names = set(self.course.notebooks(assignment))
        notebooks, files, sources = {}, {}, {}
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(folder).as_posix()
            if path.parent == folder and path.suffix == ".ipynb" and path.stem in names:
                notebooks[path.stem] = path.read_text(encoding="utf-8")
                source = self.course.source(assignment) / path.name
                sources[path.stem] = nbformat.writes(nbformat.read(source, as_version=4))
            else:
                files[relative] = path.read_bytes()
        job = Job(
            assignment,
            student,
            notebooks,
            files,
            sources,
            self.config,
            unsandboxed=self.unsandboxed,
            digest=digest,
            seed=self.choose_seed(assignment, student, new_seed),
        )
        job.notes = notes  # stays on the coordinator: the executor does not need them
        job.submission = self._submission_digest(assignment, student)
        return job, None

    def finish(self, job: Job, outcome: JobResult | BaseException) -> tools.GradingResult:
        """Score an executed submission with the rest of the pipeline; move it to ``autograded/``.

        Parameters
        ----------
        job : Job
            The submission sent out.
        outcome : JobResult or exception
            What the executor returned (or the exception its task raised).
        """
        import nbformat

        from ..sandbox import remove_special_files

        notes = list(getattr(job, "notes", []))
        folder = self.sanitized(job.assignment, job.student)
        if isinstance(outcome, BaseException) or outcome.error:
            error = outcome.error if isinstance(outcome, JobResult) else repr(outcome)
            shutil.rmtree(folder, ignore_errors=True)
            seconds = outcome.seconds if isinstance(outcome, JobResult) else 0.0
            return tools.GradingResult(job.assignment, job.student, False, seconds, error, notes)
        after = autograde_steps(self.config)[len(execution_steps(self.config)) :]
        db_url = tools.db_url(self.root)
        for name, text in outcome.executed.items():
            resources = {
                "unique_key": name,
                "output_files_dir": f"{name}_files",
                "metadata": {"path": str(folder), "name": name},
                "nbgrader": {
                    "student": job.student,
                    "assignment": job.assignment,
                    "notebook": name,
                    "db_url": db_url,
                },
            }
            nb = nbformat.reads(text, as_version=4)
            output, _ = run_steps(self.config, after, nb, resources)
            (folder / f"{name}.ipynb").write_text(output, encoding="utf-8")
        target = self.course.autograded(job.student, job.assignment)
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(folder, target)
        with contextlib.suppress(OSError):  # the student's folder in sanitized/, when now empty
            folder.parent.rmdir()
        removed = remove_special_files(target)
        if removed:
            notes.append(
                f"Se eliminaron archivos especiales de la carpeta calificada: {', '.join(removed)}"
            )
        notes += outcome.notes
        self._record_seed(job)
        self._record_digest(job.assignment, job.student, job.digest)
        return tools.GradingResult(
            job.assignment, job.student, True, outcome.seconds, "", notes, worker=outcome.worker
        )

    def _remove_staged(self, assignment: str, student: str) -> None:
        staged = staging_path(self.course, student, assignment)
        shutil.rmtree(staged, ignore_errors=True)
        with contextlib.suppress(OSError):  # the student's folder, when now empty
            staged.parent.rmdir()

    def _abandon(self, jobs: Iterable[Job]) -> None:
        """Undo what a grading run started and did not finish: nothing stays half-written."""
        from nbgrader.api import Gradebook, MissingEntry

        jobs = list(jobs)
        for job in jobs:
            shutil.rmtree(self.sanitized(job.assignment, job.student), ignore_errors=True)
            with contextlib.suppress(OSError):
                self.sanitized(job.assignment, job.student).parent.rmdir()
        fresh = [j for j in jobs if f"{j.assignment}/{j.student}" not in self.digests()]
        if fresh:  # recorded by the sanitizing step only: no grades yet
            with Gradebook(tools.db_url(self.root), tools.course_id(self.root)) as gb:
                for job in fresh:
                    with contextlib.suppress(MissingEntry):
                        gb.remove_submission(job.assignment, job.student)

    # --- a batch --------------------------------------------------------------------

    def _job_limit(self, job: Job) -> float | None:
        """Seconds the coordinator waits for a running job (None: no deadline)."""
        own = job_deadline(self.config, len(job.notebooks))
        return None if own is None else own + self.job_timeout_margin

    def backend(self, tasks: int):
        """Return the executors' backend: the Dask cluster when configured, else local processes."""
        if self.cluster:
            return DaskCluster(self.cluster, retries=self.retries, timeout=self.connect_timeout)
        jobs = self.jobs or os.cpu_count() or 1
        return LocalPool(min(jobs, max(1, tasks)))

    def grade(
        self,
        tasks: list[tuple[str, str]],
        force: bool = False,
        progress: Callable | None = None,
        new_seed: bool = False,
    ) -> list[tools.GradingResult]:
        """Grade ``(assignment, student)`` submissions; each is recorded exactly once.

        Parameters
        ----------
        tasks : list of (str, str)
            The submissions.
        force : bool
            Grade submissions whose digest did not change since they were graded.
        progress : object, optional
            Called as ``progress(result, status)`` after each submission, where
            ``status`` describes the workers; ``progress.start(total, todo)`` is
            called first when it exists.
        new_seed : bool
            Draw fresh seeds for the hidden tests of the submissions graded now, instead
            of reusing the recorded seed of unchanged files (see :meth:`choose_seed`).

        Returns
        -------
        list of GradingResult
            One per task, in the order of ``tasks``; skipped ones have ``skipped`` set.

        Raises
        ------
        autograder.grade.executors.ClusterUnavailable
            The scheduler cannot be reached or was lost; nothing is half-written and a
            rerun grades what is missing.
        GradingInterrupted
            SIGINT or SIGTERM arrived: the running jobs (their processes and kernels)
            are stopped, nothing is half-written, and a rerun grades what is missing.
        """
        from nbgrader.api import Gradebook

        cpu = time.process_time()
        # nothing recorded yet: no gradebook to open (an unreachable cluster must not create one)
        recorded = (
            {(g.assignment, g.student) for g in tools.grades(self.root)}
            if self.digests()
            else set()
        )
        results, todo = [], deque()
        for assignment, student in tasks:
            digest = self.digest(assignment, student)
            unchanged = self.digests().get(f"{assignment}/{student}") == digest
            if (
                not force
                and unchanged
                and (assignment, student) in recorded
                and self.course.autograded(student, assignment).is_dir()
            ):
                results.append(
                    tools.GradingResult(assignment, student, True, 0.0, "", [], skipped=True)
                )
            else:
                todo.append((assignment, student, digest))
        if progress is not None and hasattr(progress, "start"):
            progress.start(len(tasks), len(todo))
        for result in results:
            if progress is not None:
                progress(result, "")
        if not todo:
            return results
        backend = self.backend(len(todo))  # first: an unreachable cluster changes nothing
        inflight: dict[tuple[str, str], Job] = {}
        started: dict[tuple[str, str], float] = {}
        limits: dict[tuple[str, str], float | None] = {}

        def record(result: tools.GradingResult) -> None:
            results.append(result)
            if progress is not None:
                progress(result, backend.status())

        try:
            with _Signals() as signals:
                with signals.critical():
                    tools.ensure_in_gradebook(self.root, sorted({a for a, _, _ in todo}))
                    with Gradebook(tools.db_url(self.root), tools.course_id(self.root)) as gb:
                        for student in sorted({s for _, s, _ in todo}):
                            gb.update_or_create_student(student)
                while todo or inflight:
                    while todo and len(inflight) < 2 * backend.slots:
                        with signals.critical():
                            assignment, student, digest = todo.popleft()
                            job, failure = self.prepare(assignment, student, digest, new_seed)
                            if failure is None:
                                backend.submit(job)
                                inflight[(assignment, student)] = job
                                limits[(assignment, student)] = self._job_limit(job)
                        if failure is not None:
                            record(failure)
                    if not inflight:
                        continue
                    now = time.monotonic()
                    for key in list(inflight)[: backend.slots]:  # running now (FIFO backends)
                        started.setdefault(key, now)
                    for job, outcome in backend.wait(timeout=5.0):
                        key = (job.assignment, job.student)
                        with signals.critical():
                            inflight.pop(key)
                            result = self.finish(job, outcome)
                        record(result)
                    for key in list(inflight):
                        limit = limits.get(key)
                        if key not in started or limit is None:
                            continue
                        if time.monotonic() - started[key] > limit:
                            with signals.critical():
                                job = inflight.pop(key)
                                backend.abandon(job)
                                self._abandon([job])
                            record(
                                tools.GradingResult(
                                    job.assignment,
                                    job.student,
                                    False,
                                    limit,
                                    f"the executor did not return within {limit:.0f} s "
                                    "(Coordinator.job_timeout_margin past the job's own "
                                    "deadline): recorded as failed; a rerun grades it again",
                                    list(getattr(job, "notes", [])),
                                )
                            )
        except BaseException:
            self._abandon(inflight.values())
            raise
        finally:
            backend.close()
            for step in (SANITIZED_STEP, STAGING_STEP):  # the coordinator's scratch folders
                with contextlib.suppress(OSError):
                    (Path(self.course.coursedir.root) / step).rmdir()
            self.coordinator_cpu += time.process_time() - cpu
        order = {task: i for i, task in enumerate(tasks)}
        return sorted(results, key=lambda r: order[(r.assignment, r.student)])
