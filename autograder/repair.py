"""Repair submissions on copies: ``submitted/`` is never edited.

Before nbgrader grades a submission, the coordinator stages a copy of it in
``staging/<student>/<assignment>/`` (the same ``directory_structure`` as
``submitted/``) and points ``CourseDirectory.submitted_directory`` at
``staging`` for nbgrader's ``autograde``. Only the copy is repaired:

- only regular files are copied (no symlinks, FIFOs or devices), under caps on
  their number and total size; notebooks other than the assignment's are left
  out (nbgrader would skip them anyway);
- a notebook larger than ``Course.max_notebook_bytes`` is not read: the blank
  student version stands in for it (0 points) with a note;
- a notebook that is not valid JSON, or an empty file, is replaced by the
  blank student version with a note;
- a one-notebook assignment uploaded under another name is graded under its
  name, with a note;
- nbgrader metadata edited by the student (an answer cell that claims
  ``grade: true, points: 100``, a changed cell type, a copied test cell) is
  restored from the student version ``release/`` holds, with a note;
- a missing notebook scores 0, as nbgrader scores it, with a note in the
  notebooks that were handed in; a submission without any notebook is graded
  as the blank student version (0 points) with a note.

Notes are written in Spanish in a markdown cell at the top of the graded
notebook, so they reach the student's feedback.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import stat
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbformat.validator import normalize

from .course import Course
from .i18n import language_of, t

#: The folder nbgrader's ``autograde`` reads submissions from (relative to the course root).
STAGING_STEP = "staging"
NOTE_ID = "autograder-note"
#: Caps on what is copied from a submission's folder besides its notebooks.
MAX_FILES = 200
MAX_FILES_BYTES = 100 * 2**20
#: nbgrader metadata whose edit the student is told about (the rest is restored silently).
_WATCHED = ("grade", "solution", "locked", "points", "task")


def note_cell(notes: list[str], language: str | None = None) -> NotebookNode:
    """Return the note cell, in the course's language, that heads a repaired notebook."""
    lines = "\n".join(f"- {note}" for note in notes)
    cell = new_markdown_cell(t("repair.heading", language) + "\n\n" + lines)
    cell.id = NOTE_ID
    return cell


def staging_path(course: Course, student: str, assignment: str) -> Path:
    """Return the staged copy's folder of a submission."""
    return course.path_for_step(STAGING_STEP, student, assignment)


def stage_submission(course: Course, assignment: str, student: str) -> list[str]:
    """Copy a submission to the staging folder and repair the copy; return the notes.

    Parameters
    ----------
    course : Course
        The course.
    assignment, student : str
        Which submission (``submitted/<student>/<assignment>/``, read only).

    Returns
    -------
    list of str
        The notes, in the course's language (``c.Autograder.language``), written
        into the staged notebooks (empty when the submission needed nothing).
    """
    lang = language_of(course.config)
    source = course.submitted(student, assignment)
    target = staging_path(course, student, assignment)
    if target.exists() or target.is_symlink():
        shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
    target.mkdir(parents=True)
    expected = course.notebooks(assignment)
    notes: dict[str, list[str]] = {name: [] for name in expected}
    general: list[str] = []
    listed: dict[str, os.DirEntry] = {}
    # a submission folder that is a symlink (to a classmate's work, say) is not followed
    skipped = 1 if source.is_symlink() else _copy_files(source, target, listed)
    found = {name: listed[name] for name in expected if name in listed}
    others = [entry for name, entry in sorted(listed.items()) if name not in found]
    if skipped:
        general.append(t("repair.skipped_files", lang, count=skipped))
    renamed: dict[str, os.DirEntry] = {}
    latest_first = sorted(
        others, key=lambda e: e.stat(follow_symlinks=False).st_mtime, reverse=True
    )
    for entry in latest_first:  # "problem1 (1).ipynb", "problem1-2.ipynb", "Problem1.ipynb"
        name = _copy_of(entry.name, expected)
        if name is not None and name not in found and name not in renamed:
            renamed[name] = entry
    if len(expected) == 1 and expected[0] not in found and len(others) == 1:
        renamed[expected[0]] = others[0]
    for name, entry in renamed.items():
        found[name] = entry
        notes[name].append(t("repair.renamed", lang, found=entry.name, expected=f"{name}.ipynb"))
    missing = [name for name in expected if name not in found]
    if len(missing) == len(expected):
        for name in expected:
            _write_blank(
                course,
                assignment,
                name,
                target,
                [*general, t("repair.notebook_missing", lang)],
            )
        return [*general, t("repair.nothing_submitted", lang)]
    if missing:
        names = ", ".join(f"«{name}.ipynb»" for name in missing)
        general.append(t("repair.not_submitted", lang, names=names))
    all_notes = list(general)
    for name in expected:
        if name not in found:
            continue
        entry = found[name]
        own = notes[name]
        nb = _read_checked(course, entry, own)
        blank = _blank(course, assignment, name)
        if nb is None:
            nb = copy.deepcopy(blank) if blank is not None else nbformat.v4.new_notebook()
        elif blank is not None:
            own += _restore_metadata(nb, blank, lang)
        messages = [*general, *own]
        if messages:
            nb.cells.insert(0, note_cell(messages, lang))
        nbformat.write(nb, target / f"{name}.ipynb")
        all_notes += own
    return all_notes


def _copy_of(filename: str, expected: list[str]) -> str | None:
    """Return the expected notebook a renamed copy stands for (a download suffix, the case), or None."""
    stem = filename[: -len(".ipynb")]
    bare = re.sub(r"(\s*\(\d+\)|-\d+)$", "", stem).casefold()
    matches = [name for name in expected if name.casefold() == bare]
    return matches[0] if len(matches) == 1 else None


def _copy_files(source: Path, target: Path, notebooks: dict[str, os.DirEntry]) -> int:
    """Copy the regular files of ``source`` into ``target``; list its top-level notebooks.

    Returns the number of entries left out.
    """
    skipped = 0
    copied = 0
    size = 0
    stack = [(source, target, True)]
    while stack:
        folder, dest, top = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            skipped += 1
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                skipped += 1
                continue
            if stat.S_ISDIR(mode):
                if entry.name in (".ipynb_checkpoints", "__pycache__"):
                    continue
                stack.append((Path(entry.path), dest / entry.name, False))
                continue
            if not stat.S_ISREG(mode):
                skipped += 1
                continue
            if entry.name.endswith(".ipynb"):
                if top:
                    notebooks[entry.name[: -len(".ipynb")]] = entry
                continue
            length = entry.stat(follow_symlinks=False).st_size
            if copied >= MAX_FILES or size + length > MAX_FILES_BYTES:
                skipped += 1
                continue
            dest.mkdir(parents=True, exist_ok=True)
            _copy_regular(entry.path, dest / entry.name)
            copied += 1
            size += length
    return skipped


def _copy_regular(source: str, target: Path) -> None:
    """Copy a regular file without following a symlink put in its place meanwhile."""
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{source} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst)
    finally:
        os.close(fd)


def _read_checked(course: Course, entry: os.DirEntry, notes: list[str]) -> NotebookNode | None:
    """Read a submitted notebook unless it is too big or broken (then add a note, return None)."""
    lang = language_of(course.config)
    size = entry.stat(follow_symlinks=False).st_size
    if size > course.max_notebook_bytes:
        limit = _size(course.max_notebook_bytes)
        notes.append(t("repair.too_big", lang, size=_size(size), limit=limit))
        return None
    if size == 0:
        reason = t("repair.empty_file", lang)
    else:
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, encoding="utf-8") as handle:
                nb = nbformat.read(handle, as_version=4)
            try:
                nbformat.validate(nb)
            except nbformat.ValidationError:
                # what Jupyter itself repairs (invalid metadata, say) is no reason for a 0
                _, fixed = normalize(nb, relax_add_props=True, strip_invalid_metadata=True)
                nb = nbformat.from_dict(fixed)
                for cell in nb.cells:  # keys a cell may not have (stock nbgrader ignores them)
                    for key in set(cell) - _CELL_KEYS:
                        del cell[key]
                nbformat.validate(nb)
            return nb
        except Exception as exc:  # invalid JSON, a foreign format, bad encoding
            detail = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            reason = t("repair.invalid_notebook", lang, detail=detail)
    notes.append(t("repair.unreadable", lang, reason=reason))
    return None


_CELL_KEYS = {"id", "cell_type", "metadata", "source", "outputs", "execution_count", "attachments"}


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 2**10:.0f} kB"


def _blank(course: Course, assignment: str, name: str) -> NotebookNode | None:
    path = course.release(assignment) / f"{name}.ipynb"
    return nbformat.read(path, as_version=4) if path.is_file() else None


def _write_blank(course, assignment, name, target: Path, notes: list[str]) -> None:
    blank = _blank(course, assignment, name)
    if blank is None:
        return
    blank.cells.insert(0, note_cell(notes, language_of(course.config)))
    nbformat.write(blank, target / f"{name}.ipynb")


def _restore_metadata(
    nb: NotebookNode, blank: NotebookNode, language: str | None = None
) -> list[str]:
    """Restore the nbgrader metadata of ``nb``'s cells from the student version ``blank``.

    A cell that repeats an earlier cell's ``grade_id``, or claims one the
    assignment does not have, becomes a plain cell; a cell whose grading
    metadata or type was edited gets them back. Returns the notes in ``language``.
    """
    reference = {}
    for cell in blank.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            reference[grade_id] = cell
    seen: set[str] = set()
    duplicates, unknown, edited = [], [], []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(grade_id, str) or grade_id in seen or grade_id not in reference:
            del cell.metadata["nbgrader"]
            (duplicates if grade_id in seen else unknown).append(str(grade_id))
            continue
        seen.add(grade_id)
        ref = reference[grade_id]
        wanted = ref.metadata.nbgrader
        if cell.cell_type != ref.cell_type or any(meta.get(k) != wanted.get(k) for k in _WATCHED):
            edited.append(grade_id)
            _retype(cell, ref.cell_type)
        cell.metadata["nbgrader"] = copy.deepcopy(wanted)
    notes = []
    if duplicates:
        notes.append(t("repair.duplicates", language, ids=", ".join(duplicates)))
    if unknown:
        notes.append(t("repair.unknown_marks", language, ids=", ".join(unknown)))
    if edited:
        notes.append(t("repair.edited_marks", language, ids=", ".join(edited)))
    return notes


def _retype(cell: NotebookNode, cell_type: str) -> None:
    """Change a cell's type in place, keeping its source."""
    if cell.cell_type == cell_type:
        return
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.setdefault("outputs", [])
        cell.setdefault("execution_count", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    if cell_type == "code":
        cell.pop("attachments", None)
