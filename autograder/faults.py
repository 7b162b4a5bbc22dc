"""Grade broken submissions as fairly as possible, and never let one stop the batch.

Two pieces, both used by ``autograder grade``:

- :func:`prepare_submission` runs before nbgrader sees a submission. A
  notebook that is not valid JSON, or an empty file, is replaced by the
  untouched student version (so every test scores 0 and the gradebook gets
  its entry) with a Spanish note on top, and the original file is kept
  beside it; a notebook uploaded under another name is renamed; copies of
  graded cells become plain cells.
- :class:`ResilientExecute` replaces nbgrader's ``Execute`` in the autograde
  pipeline (see ``nbgrader_config.py``). It starts the kernel in
  :mod:`autograder.sandbox`, bounds the whole notebook's time, and when the
  kernel dies (``os._exit``, a crash) or a cell ignores the interrupt of its
  timeout, where nbgrader would fail the whole notebook, the cells that ran
  keep their results and the cells that could not run get an error output,
  so they score 0 and the feedback says why.

The sandbox limits the kernel's memory (``RLIMIT_AS``), so a memory hog gets
a ``MemoryError`` in its cell instead of taking the machine.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

NOTE_ID = "autograder-note"


def _note(text: str) -> NotebookNode:
    cell = new_markdown_cell(f"**Nota del calificador automático.** {text}")
    cell.id = NOTE_ID
    return cell


def prepare_submission(root: Path, assignment: str, student: str) -> list[str]:
    """Make a submission gradable; return the notes (Spanish) about what was done.

    Parameters
    ----------
    root : Path
        The course directory.
    assignment, student : str
        Which submission, in ``submitted/<student>/<assignment>/``.
    """
    folder = root / "submitted" / student / assignment
    target = folder / f"{assignment}.ipynb"
    notes = []
    if not target.exists():
        others = sorted(folder.glob("*.ipynb"))
        if len(others) == 1:
            others[0].rename(target)
            notes.append(
                f"Tu notebook se llamaba «{others[0].name}»; se calificó como «{target.name}». "
                "La próxima vez no le cambies el nombre."
            )
        else:
            return notes  # nbgrader scores a missing notebook 0 by itself
    try:
        nb = nbformat.read(target, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # invalid JSON, an empty file, a foreign format
        reason = (
            "el archivo está vacío"
            if target.stat().st_size == 0
            else f"no es un notebook válido ({exc})"
        )
        reason = reason.splitlines()[0][:300]
        shutil.copyfile(target, folder / f"{assignment}.ipynb.original")
        blank = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        message = (
            f"No se pudo leer tu entrega: {reason}. Se calificó como una entrega vacía (0 puntos en las "
            "pruebas automáticas). Si crees que es un error, habla con tu profesor: tu archivo original se guardó."
        )
        blank.cells.insert(0, _note(message))
        nbformat.write(blank, target)
        notes.append(message)
        return notes
    duplicates = _drop_duplicate_grade_ids(nb)
    if duplicates:
        nbformat.write(nb, target)
        notes.append(
            f"Tu notebook tenía celdas calificables duplicadas ({', '.join(duplicates)}); "
            "se calificó la primera de cada una y las copias se trataron como celdas normales."
        )
    return notes


def _drop_duplicate_grade_ids(nb: NotebookNode) -> list[str]:
    """Turn repeated nbgrader cells (a copied and pasted test cell, say) into plain cells.

    nbgrader's own ``DeduplicateIds`` leaves such cells in a state that makes
    ``OverwriteCells.add_missing_cells`` crash, failing the whole submission.
    """
    seen, duplicates = set(), []
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            continue
        if grade_id in seen:
            del cell.metadata["nbgrader"]
            duplicates.append(grade_id)
        seen.add(grade_id)
    return duplicates


class ResilientExecute(Execute):
    """nbgrader's ``Execute``, sandboxed, that survives a dead or stuck kernel and a slow notebook.

    - The kernel starts in :class:`autograder.kernels.SandboxKernelManager`
      (no network, no access to other files, resource limits) unless
      ``sandbox`` is off.
    - When the kernel dies, or a cell ignores the interrupt sent on its
      timeout, the cells executed before keep their outputs (and their
      points); the cell that was running and every later code cell get an
      error output in Spanish, so they score 0 and the feedback explains why.
    - ``notebook_timeout`` bounds the whole notebook: each cell gets at most
      the time that is left, and once it is spent the remaining cells are
      not run (they score 0, with a note).
    """

    sandbox = Bool(True, help="Run kernels in autograder.sandbox.").tag(config=True)
    notebook_timeout = Integer(
        1200, allow_none=True, help="Seconds for the whole notebook; None or 0 for no limit."
    ).tag(config=True)

    _running_index: int | None = None
    _deadline: float | None = None
    _cell_timeout: int | None = None

    def __init__(self, *args, **kwargs):
        """Start kernels in the sandbox unless ``sandbox`` is configured off."""
        super().__init__(*args, **kwargs)
        if self.sandbox and "kernel_manager_class" not in kwargs:
            from autograder.kernels import SandboxKernelManager

            self.kernel_manager_class = SandboxKernelManager

    def preprocess_cell(self, cell, resources, index):
        """Remember which cell is running; execute it within the notebook's remaining time."""
        self._running_index = index
        if cell.cell_type == "code" and self._deadline is not None:
            left = self._deadline - time.monotonic()
            if left <= 1:
                cell.outputs = [_error("TiempoAgotado", _TIME_UP)]
                return cell, resources
            self.timeout = int(min(self._cell_timeout or left, left))
        return super().preprocess_cell(cell, resources, index)

    def preprocess(self, nb, resources=None, km=None):
        """Execute the notebook; on a dead or stuck kernel, mark the cells that could not run."""
        self._running_index = None
        self._cell_timeout = self.timeout
        self._deadline = time.monotonic() + self.notebook_timeout if self.notebook_timeout else None
        try:
            return super().preprocess(nb, resources, km)
        except (DeadKernelError, CellTimeoutError) as exc:
            stuck = isinstance(exc, CellTimeoutError)
            crashed = self._running_index or 0
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or index < crashed:
                    continue
                if index == crashed:
                    cause = _STUCK if stuck else _DEAD
                    ename = "CeldaDetenida" if stuck else "KernelDetenido"
                else:
                    cause, ename = _NOT_RUN, "KernelDetenido"
                cell.outputs = [*cell.get("outputs", []), _error(ename, cause)]
            return nb, resources
        finally:
            self.timeout = self._cell_timeout
            self._deadline = None


_DEAD = (
    "El kernel de Python se detuvo al ejecutar esta celda (¿memoria agotada, "
    "os._exit() o una biblioteca que falló?). Las celdas anteriores conservan su resultado."
)
_STUCK = (
    "Esta celda superó su tiempo y no respondió a la interrupción, así que se detuvo el kernel. "
    "Las celdas anteriores conservan su resultado."
)
_NOT_RUN = "Esta celda no se ejecutó porque el kernel se detuvo en una celda anterior."
_TIME_UP = (
    "Esta celda no se ejecutó: el notebook completo agotó su tiempo de calificación. "
    "Revisa qué celdas tardan demasiado (¿un ciclo muy largo o un entrenamiento con demasiadas épocas?)."
)


def _error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
