"""Bring LMS downloads into nbgrader's ``submitted/`` layout, whatever they hold.

An LMS hands out submissions as a zip (or a folder) of files named after the
student. One naming pattern applies to a download, given with ``lms`` or
detected (a download that mixes patterns is reported):

- ``moodle``, "download all submissions": ``<Full Name>_<id>_assignsubmission_file_<file>``
  or, with "download submissions in folders",
  ``<Full Name>_<id>_assignsubmission_file_/<file>``; the student id is Moodle's
  participant ``<id>``.
- ``canvas``, "download submissions": ``<lastfirst>_<userid>_<submissionid>_<file>``,
  or ``<lastfirst>_LATE_<userid>_<submissionid>_<file>``; the student id is ``<userid>``.
- ``plain``: ``<student>.ipynb`` or ``<student>/<file>.ipynb``.

A notebook lands as ``submitted/<student>/<ID>/<notebook>.ipynb`` (the paths
come from the course's ``CourseDirectory``): named as the assignment's notebook
it matches (Canvas' resubmission suffix ``-1`` and copies' `` (2)`` ignored); in a
one-notebook assignment any notebook name is taken for it.

Nothing in a download can hurt the course or another student:

- symlinks, FIFOs, devices (in folders, and zip entries whose mode says so),
  absolute paths and ``..`` are refused;
- each entry is streamed with a running byte counter under a per-file and a
  total cap (the sizes a zip header declares are never trusted), so a zip bomb
  costs at most the caps on disk and one buffer in memory;
- a bad entry (too long a name, a clash, an I/O error) is reported and the rest
  is still collected;
- student ids are kept exactly as the LMS wrote them: ids that differ only in
  accents or Unicode normalization are different students and are never merged;
  two ids that would land in the same folder are reported as errors;
- several uploads by one student for one notebook are resolved: a file named as
  the notebook beats a renamed one, then the latest upload (the zip's or the
  file's time, then the name order) wins; the report says which was kept and why.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

MOODLE = re.compile(
    r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$"
)
CANVAS = re.compile(r"^(?P<name>[a-z]+)(?:_LATE)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
PATTERNS = ("moodle", "canvas", "plain")

#: Caps on uncompressed bytes: per collected file, and over the whole download.
MAX_FILE_BYTES = 20 * 2**20
MAX_TOTAL_BYTES = 1 * 2**30
#: Longest file or folder name written (bytes; common filesystems allow 255).
MAX_NAME_BYTES = 240
_CHUNK = 2**20


@dataclass(frozen=True)
class Collected:
    """One notebook brought into ``submitted/``."""

    student: str
    source: str
    target: Path


@dataclass
class CollectResult:
    """What ``collect`` did.

    Attributes
    ----------
    collected : list of Collected
        The notebooks written into ``submitted/``.
    problems : list of str
        Entries skipped, one line each, with the reason.
    errors : list of str
        What the instructor must look at (mixed namings, id collisions).
    kept : list of str
        For students with several uploads of a notebook: which one was kept and why.
    lms : str
        The naming pattern applied.
    """

    collected: list[Collected] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    lms: str = "plain"

    def __iter__(self):  # ``collected, problems = collect(...)`` keeps working
        return iter((self.collected, self.problems + self.errors))


@dataclass
class _Entry:
    relpath: str
    time: float
    opener: Callable[[], IO[bytes]]


def student_of(relpath: str, lms: str | None = None) -> str | None:
    """Return the student id encoded in a path of an LMS download, or None.

    Parameters
    ----------
    relpath : str
        The path inside the download.
    lms : {"moodle", "canvas", "plain"}, optional
        The naming pattern; when None, the first that matches, in that order.
    """
    for pattern in [lms] if lms else PATTERNS:
        found = _parse(relpath, pattern)
        if found is not None:
            return found[0]
    return None


def _parse(relpath: str, lms: str) -> tuple[str, str] | None:
    """Return (student id, uploaded file name) of a path under one naming pattern, or None."""
    parts = PurePosixPath(relpath).parts
    if lms == "moodle":
        match = MOODLE.match(parts[0])
        if match is None:
            return None
        if len(parts) == 1:
            return match.group("id"), match.group("file")
        if len(parts) == 2 and match.group("file") == "":
            return match.group("id"), parts[1]
        return None
    if lms == "canvas":
        match = CANVAS.match(parts[0]) if len(parts) == 1 else None
        return (match.group("id"), match.group("file")) if match else None
    if len(parts) == 2:  # <student>/<file>
        return parts[0], parts[1]
    if len(parts) == 1 and parts[0].endswith(".ipynb"):  # <student>.ipynb
        return parts[0][: -len(".ipynb")], parts[0]
    return None


def _detect(relpaths: list[str]) -> tuple[str, str | None]:
    """Return the naming pattern of a download, and an error when it mixes patterns."""
    votes = {"moodle": 0, "canvas": 0}
    for relpath in relpaths:
        matched = [lms for lms in votes if _parse(relpath, lms) is not None]
        if len(matched) == 1:  # a name that fits both patterns does not vote
            votes[matched[0]] += 1
    if votes["moodle"] and votes["canvas"]:
        chosen = "moodle" if votes["moodle"] >= votes["canvas"] else "canvas"
        return chosen, (
            f"the download mixes naming patterns ({votes['moodle']} Moodle names, "
            f"{votes['canvas']} Canvas names): applied only the {chosen} pattern; "
            "pass --lms to choose"
        )
    if votes["moodle"]:
        return "moodle", None
    if votes["canvas"]:
        return "canvas", None
    return "plain", None


def _bad_id(student: str) -> str | None:
    """Return why a student id cannot name a folder, or None when it can."""
    if not student.strip() or student in (".", "..") or student.startswith("."):
        return "an empty or hidden student id"
    if "/" in student or "\\" in student or "\x00" in student:
        return "a student id with a path separator"
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in student):
        return "a student id with control characters"
    if len(student.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        return "too long a student id"
    return None


def _entries_of_folder(folder: Path, problems: list[str]) -> Iterator[_Entry]:
    """Yield the regular files under ``folder``; refuse symlinks and special files."""
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"{current}: cannot be listed ({exc.strerror}), skipped")
            continue
        for entry in children:
            relpath = Path(entry.path).relative_to(folder).as_posix()
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                problems.append(f"{relpath}: {exc.strerror}, skipped")
                continue
            if stat.S_ISLNK(info.st_mode):
                problems.append(f"{relpath}: a symbolic link, refused")
            elif stat.S_ISDIR(info.st_mode):
                stack.append(Path(entry.path))
            elif not stat.S_ISREG(info.st_mode):
                problems.append(f"{relpath}: a special file (FIFO, device or socket), refused")
            else:
                yield _Entry(relpath, info.st_mtime, _regular_opener(entry.path))


def _regular_opener(path: str) -> Callable[[], IO[bytes]]:
    def opener():
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError("no longer a regular file")
        return os.fdopen(fd, "rb")

    return opener


def _entries_of_zip(archive: zipfile.ZipFile, problems: list[str]) -> Iterator[_Entry]:
    """Yield the regular-file entries of a zip; refuse links, special files and unsafe paths."""
    for info in archive.infolist():
        name = info.filename
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if name.startswith("/") or "\\" in name or ".." in PurePosixPath(name).parts:
            problems.append(f"{name}: unsafe path in the archive, refused")
        elif info.is_dir() or kind == stat.S_IFDIR:
            continue
        elif kind == stat.S_IFLNK:
            problems.append(f"{name}: a symbolic link in the archive, refused")
        elif kind not in (0, stat.S_IFREG):
            problems.append(f"{name}: a special file in the archive, refused")
        elif info.flag_bits & 0x1:
            problems.append(f"{name}: encrypted, skipped")
        else:
            try:
                time = datetime(*info.date_time).timestamp()
            except (ValueError, OverflowError):
                time = 0.0
            yield _Entry(name.rstrip("/"), time, lambda info=info: archive.open(info))


def _notebook_for(upload: str, notebooks: list[str]) -> tuple[str | None, bool]:
    """Return (the assignment notebook an uploaded file stands for, whether its name matched)."""
    if not upload.endswith(".ipynb"):
        return None, False
    stem = upload[: -len(".ipynb")]
    for candidate in (stem, re.sub(r"-\d+$", "", stem), re.sub(r" \(\d+\)$", "", stem)):
        if candidate in notebooks:
            return candidate, True
    if len(notebooks) == 1:
        return notebooks[0], False
    return None, False


def _stream(opener: Callable[[], IO[bytes]], target: Path, cap: int, budget: list[int]) -> str:
    """Copy an entry to ``target`` counting bytes; return "" or why it was stopped."""
    written = 0
    with opener() as src, open(target, "xb") as dst:
        while True:
            chunk = src.read(_CHUNK)
            if not chunk:
                return ""
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > cap:
                return f"larger than the cap of {cap / 2**20:.0f} MB uncompressed"
            if budget[0] < 0:
                return f"the download exceeds the total cap of {MAX_TOTAL_BYTES / 2**20:.0f} MB"
            dst.write(chunk)


def collect(
    source: Path,
    assignment: str,
    course,
    lms: str | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_total_bytes: int | None = None,
) -> CollectResult:
    """Copy the notebooks of an LMS download into ``submitted/<student>/<assignment>/``.

    Parameters
    ----------
    source : Path
        A ``.zip`` file or a folder, as downloaded from the LMS.
    assignment : str
        The assignment id the notebooks belong to.
    course : autograder.course.Course or path-like
        The course (or its directory).
    lms : {"moodle", "canvas", "plain"}, optional
        The naming pattern of the download; detected when None.
    max_file_bytes, max_total_bytes : int, optional
        Caps on uncompressed bytes per file and over the download.

    Returns
    -------
    CollectResult
        What was collected, skipped and kept, and the errors to look at.
    """
    from . import nbgrader_tools as tools
    from .course import Course

    if not isinstance(course, Course):
        root = Path(course)
        course = tools.get_course(root) if (root / "nbgrader_config.py").is_file() else None
        notebooks = course.notebooks(assignment) if course else [assignment]
    else:
        root = course.root
        notebooks = course.notebooks(assignment)
    if lms is not None and lms not in PATTERNS:
        raise ValueError(f"unknown LMS naming {lms!r}; one of {', '.join(PATTERNS)}")
    result = CollectResult()
    source = Path(source)
    budget = [max_total_bytes or MAX_TOTAL_BYTES]
    root.mkdir(parents=True, exist_ok=True)
    # the scratch folder is on the course's filesystem: the chosen files are moved, not copied
    with (
        tempfile.TemporaryDirectory(prefix=".collect-", dir=root) as tmp,
        _open_zip(source) as archive,
    ):
        if archive is not None:
            entries = list(_entries_of_zip(archive, result.problems))
        elif source.is_dir() and not source.is_symlink():
            entries = list(_entries_of_folder(source, result.problems))
        else:
            raise FileNotFoundError(f"{source} is neither a zip file nor a folder")
        entries = [
            e
            for e in entries
            if "__MACOSX" not in PurePosixPath(e.relpath).parts
            and not PurePosixPath(e.relpath).name.startswith(".")
        ]
        if lms is None:
            lms, conflict = _detect([e.relpath for e in entries])
            if conflict:
                result.errors.append(conflict)
        result.lms = lms
        # (student, notebook) -> candidates (exact name?, time, order, entry)
        candidates: dict[tuple[str, str], list[tuple[bool, float, int, _Entry]]] = {}
        for order, entry in enumerate(entries):
            parsed = _parse(entry.relpath, lms)
            if parsed is None:
                result.problems.append(f"{entry.relpath}: not a {lms} name, skipped")
                continue
            student, upload = parsed
            if not upload.endswith(".ipynb"):
                result.problems.append(f"{entry.relpath}: not a notebook, skipped")
                continue
            why = _bad_id(student)
            if why:
                result.problems.append(f"{entry.relpath}: {why}, skipped")
                continue
            notebook, exact = _notebook_for(upload, notebooks)
            if notebook is None:
                result.problems.append(
                    f"{entry.relpath}: matches no notebook of {assignment} "
                    f"({', '.join(n + '.ipynb' for n in notebooks)}), skipped"
                )
                continue
            candidates.setdefault((student, notebook), []).append((exact, entry.time, order, entry))
        _check_lookalikes(sorted({s for s, _ in candidates}), result)
        folders: dict[tuple[int, int], str] = {}
        for (student, notebook), options in sorted(candidates.items()):
            options.sort(key=lambda o: (o[0], o[1], o[2]))
            chosen = options[-1][3]
            if len(options) > 1:
                why = (
                    "named as the notebook"
                    if options[-1][0] and not options[-2][0]
                    else "the latest upload"
                    if options[-1][1] > options[-2][1]
                    else "the last in the download's order"
                )
                result.kept.append(
                    f"{student}: {len(options)} uploads of {notebook}.ipynb; kept "
                    f"{chosen.relpath} ({why})"
                )
            _place(
                course,
                root,
                student,
                assignment,
                notebook,
                chosen,
                Path(tmp),
                max_file_bytes,
                budget,
                folders,
                result,
            )
    return result


@contextlib.contextmanager
def _open_zip(source: Path):
    """Open ``source`` as a zip when it is one (else yield None)."""
    if source.is_file() and not source.is_symlink() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            yield archive
    else:
        yield None


def _check_lookalikes(students: list[str], result: CollectResult) -> None:
    """Report ids that look the same (Unicode normalization) but are different: kept apart."""
    groups: dict[str, list[str]] = {}
    for student in students:
        groups.setdefault(unicodedata.normalize("NFC", student), []).append(student)
    for same in groups.values():
        if len(same) > 1:
            shown = ", ".join(ascii(s) for s in same)
            result.errors.append(
                f"student ids {shown} differ only in Unicode normalization: collected as "
                "different students; check with the LMS which is which"
            )


def _place(
    course,
    root: Path,
    student: str,
    assignment: str,
    notebook: str,
    entry: _Entry,
    tmp: Path,
    cap: int,
    budget: list[int],
    folders: dict,
    result: CollectResult,
) -> None:
    """Stream one chosen upload into ``submitted/``; report instead of raising."""
    scratch = tmp / f"{len(result.collected)}-{len(result.problems)}.part"
    try:
        stopped = _stream(entry.opener, scratch, cap, budget)
    except (OSError, zipfile.BadZipFile, RuntimeError, EOFError, ValueError) as exc:
        scratch.unlink(missing_ok=True)
        result.problems.append(f"{entry.relpath}: cannot be read ({exc}), skipped")
        return
    if stopped:
        scratch.unlink(missing_ok=True)
        result.problems.append(f"{entry.relpath}: {stopped}, skipped")
        return
    folder = (
        course.submitted(student, assignment)
        if course is not None
        else root / "submitted" / student / assignment
    )
    target = folder / f"{notebook}.ipynb"
    try:
        _safe_makedirs(root, folder)
        info = os.stat(folder, follow_symlinks=False)
        owner = folders.setdefault((info.st_dev, info.st_ino), student)
        if owner != student:
            result.errors.append(
                f"{entry.relpath}: student ids {owner!a} and {student!a} map to the same "
                "folder on this filesystem; not merged, skipped the second"
            )
            return
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise OSError(f"{target.name} exists and is not a regular file")
        os.replace(scratch, target)
    except OSError as exc:
        result.problems.append(f"{entry.relpath}: cannot be written ({exc}), skipped")
        return
    finally:
        scratch.unlink(missing_ok=True)
    result.collected.append(Collected(student, entry.relpath, target))


def _safe_makedirs(root: Path, folder: Path) -> None:
    """Create ``folder`` under ``root`` refusing symlinks on the way; names are length-checked."""
    relative = folder.relative_to(root)
    current = root
    for part in relative.parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise OSError(f"name too long: {part[:40]}...")
        current = current / part
        if current.is_symlink():
            raise OSError(f"{current} is a symbolic link")
        if current.exists() and not current.is_dir():
            raise OSError(f"{current} exists and is not a folder")
        current.mkdir(exist_ok=True)
