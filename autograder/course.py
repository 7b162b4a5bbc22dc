"""The course, as nbgrader sees it: one ``nbgrader_config.py``, loaded once, and its paths.

A :class:`Course` is the coordinator's view of a course directory (see
``docs/DESIGN.md``, "Coordinator and executors"). Every path comes from nbgrader's
``CourseDirectory`` (``format_path`` with ``source_directory``,
``release_directory``, ``submitted_directory``, ``autograded_directory`` and
``feedback_directory``), so a course that configures them elsewhere works.
An assignment is a folder ``source/<id>/`` of any number of notebooks plus
files (data, header notebooks); the course's own one-notebook assignments are
the special case.
"""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"

#: Default cap on the size of a submitted notebook (bytes): larger ones score 0, unread.
MAX_NOTEBOOK_BYTES = 20 * 2**20


class CourseError(RuntimeError):
    """The folder is not an nbgrader course (no ``nbgrader_config.py``)."""


class Course:
    """An nbgrader course directory with its configuration, loaded once.

    Parameters
    ----------
    root : path-like
        The course directory: it must hold ``nbgrader_config.py``.

    Raises
    ------
    CourseError
        When ``root`` holds no ``nbgrader_config.py``.
    """

    def __init__(self, root: str | os.PathLike):
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        self.root = Path(root).resolve()
        if not (self.root / CONFIG_FILE).is_file():
            raise CourseError(
                f"{self.root} is not an nbgrader course: it has no {CONFIG_FILE}. "
                "Run the command from the course directory or pass --course."
            )
        self.config = PyFileConfigLoader(CONFIG_FILE, path=str(self.root)).load_config()
        self.config.CourseDirectory.root = str(self.root)
        if "root" not in self.config.get("Exchange", {}):
            self.config.Exchange.root = str(self.root / "exchange")
        self.coursedir = CourseDirectory(config=self.config)
        settings = self.config.get("Course", {})
        self.max_notebook_bytes = int(settings.get("max_notebook_bytes", MAX_NOTEBOOK_BYTES))

    @classmethod
    def find(cls, start: str | os.PathLike | None = None) -> Course:
        """Return the course whose ``nbgrader_config.py`` is in ``start`` or above it.

        Parameters
        ----------
        start : path-like, optional
            Where to start looking (default: the current directory). When
            ``start`` is given explicitly (``--course``), it must itself be
            the course directory.

        Raises
        ------
        CourseError
            When no course is found: there is no fallback to another course.
        """
        if start is not None:
            return cls(start)
        here = Path.cwd().resolve()
        for folder in (here, *here.parents):
            if (folder / CONFIG_FILE).is_file():
                return cls(folder)
        raise CourseError(
            f"No nbgrader course (a folder with {CONFIG_FILE}) in {here} or above it; "
            "pass --course."
        )

    # --- identity -------------------------------------------------------------

    @property
    def course_id(self) -> str:
        """The course id of ``CourseDirectory.course_id``."""
        return self.coursedir.course_id

    def __repr__(self) -> str:
        return f"Course({str(self.root)!r})"

    # --- paths ------------------------------------------------------------------

    def path(self, step: str, student: str, assignment: str) -> Path:
        """Return nbgrader's folder of ``assignment`` for ``student`` at ``step``.

        Parameters
        ----------
        step : {"source", "release", "submitted", "autograded", "feedback"}
            The nbgrader step; its folder name is the config's ``<step>_directory``.
        student, assignment : str
            The ids (``"."`` as the student for ``source`` and ``release``).
        """
        return self.path_for_step(getattr(self.coursedir, f"{step}_directory"), student, assignment)

    def path_for_step(self, folder: str, student: str, assignment: str) -> Path:
        """Return ``format_path(folder, student, assignment)`` for a step folder given by name."""
        return Path(self.coursedir.format_path(folder, student, assignment))

    def source(self, assignment: str) -> Path:
        """Return the instructor's folder of ``assignment``."""
        return self.path("source", ".", assignment)

    def release(self, assignment: str) -> Path:
        """Return the student version's folder of ``assignment``."""
        return self.path("release", ".", assignment)

    def submitted(self, student: str, assignment: str) -> Path:
        """Return the submission's folder in ``submitted/`` (never edited by the grader)."""
        return self.path("submitted", student, assignment)

    def autograded(self, student: str, assignment: str) -> Path:
        """Return the autograded submission's folder."""
        return self.path("autograded", student, assignment)

    def feedback(self, student: str, assignment: str) -> Path:
        """Return the feedback's folder."""
        return self.path("feedback", student, assignment)

    # --- listings ---------------------------------------------------------------

    def assignments(self) -> list[str]:
        """Return the ids of the assignments: folders of ``source/`` holding a notebook (sorted)."""
        marker = "\x00assignment"
        template = self.path("source", ".", marker)
        return sorted(
            name
            for name in _list_component(template, marker)
            if any(self.source(name).glob("*.ipynb"))
        )

    def notebooks(self, assignment: str) -> list[str]:
        """Return the notebook names (without ``.ipynb``) of ``assignment``, from ``source/`` (sorted)."""
        return sorted(p.stem for p in self.source(assignment).glob("*.ipynb") if p.is_file())

    def students(self, step: str, assignment: str) -> list[str]:
        """Return the students with a folder of ``assignment`` at ``step`` (sorted).

        Works for any ``directory_structure`` with ``{student_id}`` in it; scanning
        a folder costs one directory listing, whatever it holds.
        """
        marker = "\x00student"
        template = self.path(step, marker, assignment)
        found = []
        for name in _list_component(template, marker):
            folder = self.path(step, name, assignment)
            if folder.is_dir() and not folder.is_symlink():  # a link to another's work is not one
                found.append(name)
        return sorted(found)

    def submissions(self, assignment: str) -> list[str]:
        """Return the students with a submission of ``assignment`` (sorted)."""
        return self.students("submitted", assignment)

    def graded(self, assignment: str) -> list[str]:
        """Return the students whose submission of ``assignment`` was autograded (sorted)."""
        return self.students("autograded", assignment)


def _list_component(template: Path, marker: str) -> list[str]:
    """List the names that may stand for ``marker`` in ``template`` (one path component)."""
    parts = template.parts
    index = next(i for i, part in enumerate(parts) if marker in part)
    if parts[index] != marker:  # a component such as "{student_id}_hw": not supported
        raise CourseError(f"unsupported directory_structure around {parts[index]!r}")
    parent = Path(*parts[:index])
    if not parent.is_dir():
        return []
    with os.scandir(parent) as entries:
        return [e.name for e in entries if e.is_dir(follow_symlinks=False)]
