"""Bring LMS downloads into nbgrader's ``submitted/`` layout.

An LMS hands out submissions as a zip (or a folder) of files named after the
student. Recognised names (``<file>`` is whatever the student uploaded):

- Moodle, "download all submissions": ``<Full Name>_<id>_assignsubmission_file_<file>``
  or, with "download submissions in folders", ``<Full Name>_<id>_assignsubmission_file_/<file>``;
  the student id is Moodle's participant ``<id>``.
- Canvas, "download submissions": ``<lastfirst>_<userid>_<submissionid>_<file>``, or
  ``<lastfirst>_LATE_<userid>_<submissionid>_<file>``; the student id is ``<userid>``.
- Plain: ``<student>.ipynb`` or ``<student>/<file>.ipynb``.

Every notebook lands as ``submitted/<student>/<ID>/<ID>.ipynb``: a renamed
upload ("Copy of 1.1 (2).ipynb") is graded like any other.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$"
)
CANVAS = re.compile(r"^(?P<name>[a-z]+)(?:_LATE)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")


@dataclass(frozen=True)
class Collected:
    """One notebook brought into ``submitted/``."""

    student: str
    source: str
    target: Path


def student_of(relpath: str) -> str | None:
    """Return the student id encoded in a path of an LMS download, or None."""
    parts = Path(relpath).parts
    for candidate in (parts[0], Path(relpath).name):
        for pattern in (MOODLE, CANVAS):
            match = pattern.match(candidate)
            if match:
                return match.group("id")
    if len(parts) == 2:  # <student>/<file>.ipynb
        return parts[0]
    if len(parts) == 1:  # <student>.ipynb
        return Path(parts[0]).stem
    return None


def _safe_id(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", student).strip("._") or "sin_nombre"


def collect(source: Path, assignment: str, root: Path) -> tuple[list[Collected], list[str]]:
    """Copy the notebooks of an LMS download into ``root/submitted/<student>/<assignment>/``.

    Parameters
    ----------
    source : Path
        A ``.zip`` file or a folder, as downloaded from the LMS.
    assignment : str
        The assignment id the notebooks belong to.
    root : Path
        The course directory.

    Returns
    -------
    collected : list of Collected
        The notebooks copied, one per student.
    problems : list of str
        Files that were skipped, and why.
    """
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(source)
        if folder.is_file() and zipfile.is_zipfile(folder):
            with zipfile.ZipFile(folder) as archive:
                for member in archive.namelist():
                    # never write outside the scratch folder, whatever the archive says
                    if member.startswith("/") or ".." in Path(member).parts:
                        problems.append(f"{member}: unsafe path in the archive, skipped")
                        continue
                    archive.extract(member, tmp)
            folder = Path(tmp)
        elif not folder.is_dir():
            raise FileNotFoundError(f"{source} is neither a zip file nor a folder")
        by_student: dict[str, list[Path]] = {}
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or "__MACOSX" in path.parts or path.name.startswith("."):
                continue
            relpath = str(path.relative_to(folder))
            if path.suffix != ".ipynb":
                problems.append(f"{relpath}: not a notebook, skipped")
                continue
            student = student_of(relpath)
            if student is None:
                problems.append(f"{relpath}: no student id in the name, skipped")
                continue
            by_student.setdefault(_safe_id(student), []).append(path)
        collected = []
        for student, paths in sorted(by_student.items()):
            # several uploads: the one named like the assignment, else the last in name order
            exact = [p for p in paths if p.stem.endswith(assignment)]
            chosen = (exact or paths)[-1]
            if len(paths) > 1:
                problems.append(f"{student}: {len(paths)} notebooks, graded {chosen.name}")
            target = root / "submitted" / student / assignment / f"{assignment}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(chosen, target)
            collected.append(Collected(student, str(chosen.relative_to(folder)), target))
    return collected, problems
