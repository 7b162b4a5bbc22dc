"""The instructor's pipeline, on top of nbgrader's own API.

Everything here runs nbgrader's converters and preprocessors with the course's
``nbgrader_config.py``: ``GenerateAssignment`` for the student versions,
``Execute`` + ``IgnorePattern`` + ``determine_grade`` to score a notebook's
test cells exactly as the autograder does, ``Autograde`` and the gradebook for
submissions, ``GenerateFeedback`` and the CSV export plugin for the results.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from traitlets.config import Config

from .course import CONFIG_FILE, Course, CourseError
from .envvars import environment
from .grade.executor import THREAD_VARIABLES, limit_threads  # noqa: F401  (used by the sandbox)


class PipelineError(RuntimeError):
    """An nbgrader step failed; the message carries nbgrader's log."""


def course_root(start: str | os.PathLike | None = None) -> Path:
    """Return the course directory: ``start`` itself, or the nearest folder holding ``nbgrader_config.py``.

    Parameters
    ----------
    start : path-like, optional
        The course directory (``--course``); when None, the current folder or
        the nearest one above it holding ``nbgrader_config.py``.

    Raises
    ------
    PipelineError
        When there is no course there: there is no fallback to another course.
    """
    try:
        return Course.find(start).root
    except CourseError as exc:
        raise PipelineError(str(exc)) from None


_COURSES: dict[tuple[str, float], Course] = {}


def get_course(root: str | os.PathLike) -> Course:
    """Return the :class:`~autograder.course.Course` at ``root`` (its config is loaded once per process)."""
    root = Path(root).resolve()
    try:
        stamp = (root / CONFIG_FILE).stat().st_mtime
    except OSError:
        stamp = 0.0
    key = (str(root), stamp)
    if key not in _COURSES:
        _COURSES[key] = Course(root)
    return _COURSES[key]


def load_config(root: Path) -> Config:
    """Return (a copy of) the course's ``nbgrader_config.py`` configuration, pointed at ``root``."""
    return copy.deepcopy(get_course(root).config)


def _tools_on_path() -> None:
    """Put this interpreter's scripts folder on PATH: nbgrader runs the ``alembic`` command."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


#: Seconds a SQLite writer waits for the lock before failing: parallel graders
#: take turns writing, and one write lasts milliseconds.
SQLITE_BUSY_TIMEOUT = 120


def db_url(root: Path) -> str:
    """Return the gradebook's database URL (the config's, or nbgrader's default SQLite file).

    SQLite URLs get a busy timeout, so that parallel graders wait for the
    write lock instead of failing with "database is locked".
    """
    url = (
        get_course(root).config.CourseDirectory.get("db_url")
        or f"sqlite:///{root / 'gradebook.db'}"
    )
    if url.startswith("sqlite:") and "timeout=" not in url:
        url += ("&" if "?" in url else "?") + f"timeout={SQLITE_BUSY_TIMEOUT}"
    return url


def course_id(root: Path) -> str:
    """Return the course id of the course at ``root``."""
    return get_course(root).course_id


def make_api(root: Path, log_level: str = "WARN", submitted_directory: str | None = None):
    """Return an ``NbGraderAPI`` for the course at ``root``.

    Parameters
    ----------
    root : Path
        The course directory.
    log_level : str
        nbgrader's log level.
    submitted_directory : str, optional
        Where nbgrader reads submissions from instead of the config's
        ``CourseDirectory.submitted_directory`` (the coordinator's staging
        folder of repaired copies).
    """
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    _tools_on_path()
    config = load_config(root)
    with contextlib.suppress(OSError):  # a shared exchange may belong to another user
        Path(config.Exchange.root).mkdir(parents=True, exist_ok=True)
    config.CourseDirectory.db_url = db_url(root)
    if submitted_directory is not None:
        config.CourseDirectory.submitted_directory = submitted_directory
    config.NbGraderAPI.log_level = log_level
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def assignment_ids(root: Path) -> list[str]:
    """Return the ids of the assignments in ``source/``: folders holding notebooks (sorted)."""
    return get_course(root).assignments()


def _checked(result: dict, what: str) -> dict:
    if not result.get("success"):
        raise PipelineError(
            f"{what} failed:\n{result.get('error') or ''}\n{result.get('log') or ''}"
        )
    return result


def release(root: Path, ids: Iterable[str] | None = None) -> list[Path]:
    """Generate the student versions of the assignments into ``release/`` with nbgrader.

    Returns the paths of the generated notebooks (every notebook of every assignment).
    """
    api = make_api(root)
    course = get_course(root)
    paths = []
    for assignment in ids or assignment_ids(root):
        _checked(
            api.generate_assignment(assignment, force=True, create=True),
            f"generate_assignment {assignment}",
        )
        paths += [course.release(assignment) / f"{n}.ipynb" for n in course.notebooks(assignment)]
    return paths


def generate_release_copies(root: Path, assignment: str) -> dict[str, NotebookNode]:
    """Generate the student versions of ``assignment`` in a scratch course (``release/`` is untouched).

    Returns
    -------
    dict
        Notebook name (without ``.ipynb``) to its freshly generated student version.
    """
    course = get_course(root)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        shutil.copy(root / CONFIG_FILE, scratch / CONFIG_FILE)
        shutil.copytree(course.source(assignment), scratch / "source" / assignment)
        # files beside the assignments (a header notebook, say) travel too
        for path in course.source(assignment).parent.iterdir():
            if path.is_file() and not path.is_symlink():
                shutil.copy(path, scratch / "source" / path.name)
        config = scratch / CONFIG_FILE
        # the scratch course keeps the default layout whatever the course configures
        config.write_text(
            config.read_text()
            + "\nc.CourseDirectory.source_directory = 'source'"
            + "\nc.CourseDirectory.release_directory = 'release'"
            + "\nc.CourseDirectory.directory_structure = '{nbgrader_step}/{student_id}/{assignment_id}'"
            + "\nc.CourseDirectory.db_url = ''\n"
        )
        release(scratch, [assignment])
        folder = scratch / "release" / assignment
        return {p.stem: nbformat.read(p, as_version=4) for p in sorted(folder.glob("*.ipynb"))}


def generate_release_copy(root: Path, assignment: str) -> NotebookNode:
    """Generate the student version of a one-notebook ``assignment`` (see :func:`generate_release_copies`)."""
    copies = generate_release_copies(root, assignment)
    return copies.get(assignment) or next(iter(copies.values()))


# --- scoring a notebook's test cells as the autograder does -------------------


@dataclass(frozen=True)
class CellResult:
    """The autograder's verdict on one grade cell."""

    grade_id: str
    score: float | None  # None: needs manual grading
    max_score: float
    error: str  # the error the cell raised (empty when it passed)

    @property
    def passed(self) -> bool:
        """True when the cell got all its points automatically."""
        return self.score is not None and self.score == self.max_score


def execute(
    nb: NotebookNode,
    cwd: Path,
    root: Path | None = None,
    timeout: int | None = None,
    grading: bool = True,
    reference: NotebookNode | None = None,
) -> NotebookNode:
    """Execute a trusted notebook as ``autograder grade`` does, with the course config.

    The notebook (a source, or one the suite built from a source) runs
    through :class:`autograder.harness.execute.TrustedExecute`: the answer
    cells in the sandboxed kernel, every test cell in the trusted harness.
    It is the one way notebooks are executed, for ``validate``, the test
    suite and the mutation catalogues alike. With ``grading`` (the default) the environment variable
    ``NBGRADER_EXECUTION=autograde`` is set, as nbgrader does when it
    autogrades; without it the notebook runs as in a student's session
    (notebooks that shorten their training when graded train in full).
    ``reference`` is the source whose solutions stand in for the other graded
    functions while a test cell runs (by default ``nb``'s own answer cells;
    a notebook of mutants gives its source).
    """
    from nbgrader.preprocessors import ClearOutput, IgnorePattern

    from .harness.execute import TrustedExecute

    config = load_config(root or course_root())
    if timeout is not None:
        config.Execute.timeout = timeout
    nb = copy.deepcopy(nb)
    resources = {"metadata": {"path": str(cwd)}}
    if reference is not None:
        resources["autograder_reference"] = reference
    with environment(NBGRADER_EXECUTION="autograde" if grading else None):
        for preprocessor in (ClearOutput, TrustedExecute, IgnorePattern):
            nb, resources = preprocessor(config=config).preprocess(nb, resources)
    return nb


def _error_text(cell: NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        elif output.output_type == "stream" and output.name == "stderr":
            parts.append(output.text)
    return "\n".join(parts)


def score_cells(nb: NotebookNode) -> dict[str, CellResult]:
    """Score every grade cell of an executed notebook with nbgrader's ``determine_grade``."""
    from nbgrader.utils import determine_grade, is_grade

    results = {}
    for cell in nb.cells:
        if is_grade(cell):
            score, max_score = determine_grade(cell)
            grade_id = cell.metadata.nbgrader["grade_id"]
            results[grade_id] = CellResult(grade_id, score, max_score, _error_text(cell))
    return results


def run_and_score(
    nb: NotebookNode,
    root: Path | None = None,
    timeout: int | None = None,
    grading: bool = True,
    reference: NotebookNode | None = None,
) -> dict[str, CellResult]:
    """Execute ``nb`` in a scratch folder (see :func:`execute`) and score its grade cells."""
    with tempfile.TemporaryDirectory() as tmp:
        nb = execute(
            nb, Path(tmp), root=root, timeout=timeout, grading=grading, reference=reference
        )
        return score_cells(nb)


# --- submissions, grades, feedback --------------------------------------------


def submissions(root: Path, assignment: str) -> list[str]:
    """Return the ids of the students with a submission of ``assignment`` in ``submitted/``."""
    return get_course(root).submissions(assignment)


def graded_students(root: Path, assignment: str) -> list[str]:
    """Return the ids of the students whose submission of ``assignment`` was autograded."""
    return get_course(root).graded(assignment)


def autograde(
    root: Path, assignment: str, students: Iterable[str] | None = None
) -> dict[str, dict]:
    """Autograde submissions with stock nbgrader, one after the other, as they are in ``submitted/``.

    No repair is applied (``autograder grade`` uses :func:`autograde_many`,
    which grades repaired copies). Returns nbgrader's result dictionary per
    student; a failing submission does not stop the others.
    """
    api = make_api(root)
    return {
        student: api.autograde(assignment, student, force=True, create=True)
        for student in (students or submissions(root, assignment))
    }


def ensure_in_gradebook(root: Path, ids: Iterable[str]) -> None:
    """Make sure the gradebook knows the assignments (nbgrader's autograde needs them).

    On a fresh clone there is no gradebook: the assignments are recorded by
    running ``generate_assignment``, which also rewrites ``release/`` (kept in
    sync with ``source/`` by the tests, so nothing changes).
    """
    from nbgrader.api import Gradebook, MissingEntry

    _tools_on_path()
    missing = []
    with Gradebook(db_url(root), course_id(root)) as gb:
        for assignment in ids:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                missing.append(assignment)
    if missing:
        release(root, missing)


@dataclass(frozen=True)
class GradingResult:
    """What happened when one submission was autograded."""

    assignment: str
    student: str
    success: bool
    seconds: float
    log: str
    notes: list[str]
    skipped: bool = False  # unchanged since it was graded: not graded again
    worker: str = ""  # the host that executed it


def autograde_many(
    root: Path,
    tasks: list[tuple[str, str]],
    jobs: int = 1,
    progress=None,
    cluster: str | None = None,
    force: bool = False,
    unsandboxed: bool = False,
) -> list[GradingResult]:
    """Autograde ``(assignment, student)`` submissions with the coordinator (see :mod:`autograder.grade`).

    Parameters
    ----------
    root : Path
        The course directory.
    tasks : list of (str, str)
        The submissions.
    jobs : int
        Submissions executed at once on this machine (without ``cluster``).
    progress : callable, optional
        ``progress(result, status)`` after each submission.
    cluster : str, optional
        A Dask scheduler's address; None: the configuration's ``Coordinator.cluster``.
    force : bool
        Grade again the submissions that did not change since they were graded.
    unsandboxed : bool
        Run kernels without the sealed unit (only for trusted code).
    """
    from .grade import Coordinator

    settings = {"jobs": jobs}
    if cluster is not None:
        settings["cluster"] = cluster
    coordinator = Coordinator(root, **settings)
    coordinator.unsandboxed = unsandboxed
    return coordinator.grade(tasks, force=force, progress=progress)


@dataclass(frozen=True)
class Grade:
    """A student's grade on an assignment, as the gradebook holds it."""

    student: str
    assignment: str
    auto_score: float
    max_score: float
    needs_manual_grade: bool


def grades(root: Path, assignments: Iterable[str] | None = None) -> list[Grade]:
    """Read the grades of every autograded submission from the gradebook."""
    from nbgrader.api import Gradebook

    rows = []
    _tools_on_path()
    with Gradebook(db_url(root), course_id(root)) as gb:
        for assignment in gb.assignments:
            if assignments is not None and assignment.name not in assignments:
                continue
            for submission in assignment.submissions:
                rows.append(
                    Grade(
                        submission.student.id,
                        assignment.name,
                        float(submission.score),
                        float(submission.max_score),
                        bool(submission.needs_manual_grade),
                    )
                )
    return sorted(rows, key=lambda g: (g.assignment, g.student))


def cell_scores(root: Path) -> dict[tuple[str, str, str, str], tuple[float | None, float]]:
    """Return every grade of the gradebook: (student, assignment, notebook, cell) -> (auto score, max)."""
    from nbgrader.api import Gradebook

    _tools_on_path()
    scores = {}
    with Gradebook(db_url(root), course_id(root)) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        key = (submission.student.id, assignment.name, notebook.name, grade.name)
                        scores[key] = (grade.auto_score, grade.max_score)
    return scores


@dataclass(frozen=True)
class CellGrade:
    """One grade cell of one submission, as the gradebook holds it."""

    student: str
    assignment: str
    notebook: str
    cell: str
    auto_score: float | None
    manual_score: float | None
    max_score: float
    needs_manual_grade: bool

    @property
    def score(self) -> float | None:
        """The score that counts (a manual grade overrides the automatic one); None while pending."""
        if self.manual_score is not None:
            return self.manual_score
        return None if self.needs_manual_grade else self.auto_score


def cell_grades(root: Path) -> list[CellGrade]:
    """Return every grade cell of every submission in the gradebook, manual status included."""
    from nbgrader.api import Gradebook

    _tools_on_path()
    rows = []
    with Gradebook(db_url(root), course_id(root)) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        rows.append(
                            CellGrade(
                                submission.student.id,
                                assignment.name,
                                notebook.name,
                                grade.name,
                                grade.auto_score,
                                grade.manual_score,
                                float(grade.max_score),
                                bool(grade.needs_manual_grade),
                            )
                        )
    return rows


def feedback(root: Path, assignment: str, students: Iterable[str] | None = None) -> None:
    """Generate the HTML feedback of autograded submissions into ``feedback/``.

    Every submission is tried (see :func:`autograder.feedback.generate_feedback`);
    raises :class:`PipelineError` listing the ones that failed. Links and
    special files in ``autograded/`` and ``feedback/`` are removed first.
    """
    from .feedback import generate_feedback
    from .sandbox import remove_special_files

    course = get_course(root)
    for student in students or graded_students(root, assignment):
        for top in ("autograded", "feedback"):
            remove_special_files(root / top / student / assignment)
    _, failed = generate_feedback(
        course, assignment, list(students or graded_students(root, assignment))
    )
    if failed:
        raise PipelineError(
            "generate_feedback failed for " + "; ".join(f"{s}: {e}" for s, e in failed)
        )


def export_csv(root: Path, destination: Path) -> Path:
    """Export the gradebook with nbgrader's standard CSV export plugin."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    plugin = CsvExportPlugin(config=load_config(root))
    plugin.to = str(destination)
    _tools_on_path()
    with Gradebook(db_url(root), course_id(root)) as gb:
        plugin.export(gb)
    return destination


def export_lms_csv(root: Path, destination: Path) -> Path:
    """Write one row per student and one column per assignment (total score), for an LMS gradebook import.

    Moodle ("Import grades from CSV") and Canvas ("Import" in Grades) both map
    a student-id column and one column per graded item; a missing submission
    scores 0. Manual grades count once they are entered in the formgrader.
    """
    import csv

    from nbgrader.api import Gradebook

    _tools_on_path()
    with Gradebook(db_url(root), course_id(root)) as gb:
        assignments = sorted(a.name for a in gb.assignments)
        students = sorted(s.id for s in gb.students)
        table = {s: dict.fromkeys(assignments, 0.0) for s in students}
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                table[submission.student.id][assignment.name] = float(submission.score)
    with open(destination, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", *assignments])
        for student in students:
            writer.writerow([student, *(f"{table[student][a]:g}" for a in assignments)])
    return destination
