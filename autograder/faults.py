"""Grade broken submissions as fairly as possible, and never let one stop the batch.

Submissions are repaired before nbgrader sees them, on staged copies, by
:mod:`autograder.repair` (``submitted/`` is never edited). Here:

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

import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer


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
