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
    max_cell_output_bytes = Integer(
        2 * 2**20, help="Bytes of output (streams, display data) kept per cell; 0 for no limit."
    ).tag(config=True)
    max_notebook_output_bytes = Integer(
        16 * 2**20, help="Bytes of output kept for the whole notebook; 0 for no limit."
    ).tag(config=True)
    max_error_bytes = Integer(
        64 * 2**10, help="Bytes of an error's traceback kept (errors are never dropped)."
    ).tag(config=True)

    store_widget_state = Bool(
        False,
        help="Keep Jupyter widgets' state (and their binary buffers) in the executed notebook's "
        "metadata. Off: the course grades no widgets, and nbclient keeps that state past every "
        "output cap.",
    ).tag(config=True)

    _cell_bytes: int = 0
    _notebook_bytes: int = 0
    _dropped_bytes: int = 0

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
        self._cell_bytes = self._dropped_bytes = 0
        if cell.cell_type == "code" and self._deadline is not None:
            left = self._deadline - time.monotonic()
            if left <= 1:
                cell.outputs = [_error("TiempoAgotado", _TIME_UP)]
                return cell, resources
            self.timeout = int(min(self._cell_timeout or left, left))
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            self._note_dropped_output(cell)

    def output(self, outs, msg, display_id, cell_index):
        """Keep an output only within the cell's and the notebook's byte budgets.

        Stream text is cut at the budget; display data beyond it is dropped;
        errors are always kept (they decide a test cell's score), their
        traceback shortened to ``max_error_bytes``. The cell then gets a
        Spanish note saying how much was cut (:meth:`_note_dropped_output`).
        """
        content = msg.get("content", {})
        msg_type = msg.get("msg_type")
        if msg_type == "error":
            content["traceback"] = _shorten_traceback(
                content.get("traceback", []), self.max_error_bytes
            )
            for key in ("ename", "evalue"):
                if len(str(content.get(key, ""))) > self.max_error_bytes:
                    content[key] = str(content[key])[: self.max_error_bytes] + " […]"
            return super().output(outs, msg, display_id, cell_index)
        size = _output_size(content)
        budget = self._output_budget()
        if size <= budget:
            self._count_output(size)
            return super().output(outs, msg, display_id, cell_index)
        if msg_type == "stream" and budget > 0:
            text = content.get("text", "")
            content["text"] = text.encode()[:budget].decode(errors="ignore")
            kept = len(content["text"].encode())
            self._count_output(kept)
            self._dropped_bytes += size - kept
            return super().output(outs, msg, display_id, cell_index)
        self._dropped_bytes += size
        return None

    def handle_comm_msg(self, outs, msg, cell_index):
        """Ignore the kernel's comm messages (widgets), counting their bytes as dropped output.

        nbclient would keep a widget's state and base64 buffers in the
        notebook's metadata, past every output cap, and raises on a
        ``comm_open`` of a widget without ``_model_module``; neither is
        graded, so the messages are dropped (their buffers freed with them)
        and the cell's note says how much was dropped. Output widgets are
        not mimicked: what is printed inside one lands in the cell's own
        outputs, within the budgets.
        """
        if self.store_widget_state:  # configured on: nbclient's behaviour, never raising
            try:
                return super().handle_comm_msg(outs, msg, cell_index)
            except Exception as exc:  # a malformed comm message from the student's kernel
                self.log.warning("ignored a malformed comm message: %s", exc)
                return None
        buffers = msg.get("buffers") or []
        self._dropped_bytes += sum(_nbytes(b) for b in buffers)
        msg["buffers"] = []
        return None

    def _update_display_id(self, display_id, msg):
        """Apply a display update only when it fits the budgets (it may replace any earlier output)."""
        size = _output_size(msg.get("content", {}))
        if size > self._output_budget():
            if msg.get("msg_type") == "update_display_data":
                self._dropped_bytes += size
            return  # a display_data message is then dropped (and counted) by output()
        if msg.get("msg_type") == "update_display_data":
            self._count_output(size)
        super()._update_display_id(display_id, msg)

    def _output_budget(self) -> int:
        budgets = []
        if self.max_cell_output_bytes:
            budgets.append(self.max_cell_output_bytes - self._cell_bytes)
        if self.max_notebook_output_bytes:
            budgets.append(self.max_notebook_output_bytes - self._notebook_bytes)
        return max(min(budgets), 0) if budgets else 2**62

    def _count_output(self, size: int) -> None:
        self._cell_bytes += size
        self._notebook_bytes += size

    def _note_dropped_output(self, cell) -> None:
        if not self._dropped_bytes or cell.cell_type != "code":
            return
        note = _CUT.format(
            dropped=_human(self._dropped_bytes),
            cell=_human(self.max_cell_output_bytes),
            notebook=_human(self.max_notebook_output_bytes),
        )
        cell.outputs = [*cell.get("outputs", []), new_output("stream", name="stdout", text=note)]
        self._dropped_bytes = 0

    def preprocess(self, nb, resources=None, km=None):
        """Execute the notebook; on a dead or stuck kernel, mark the cells that could not run."""
        self._running_index = None
        self._notebook_bytes = self._cell_bytes = self._dropped_bytes = 0
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


_CUT = (
    "\n[la salida de esta celda se recortó: se descartaron {dropped} de salida (texto o "
    "imágenes). Cada celda puede mostrar hasta {cell} y el notebook completo hasta {notebook}; "
    "imprime menos o muestra menos imágenes.]\n"
)


def _human(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def _nbytes(buffer) -> int:
    """Bytes of a message buffer (bytes, memoryview or ZeroMQ frame)."""
    try:
        return memoryview(buffer).nbytes
    except TypeError:
        return len(buffer)


def _output_size(content: dict) -> int:
    """Bytes an output message would add to the notebook (stream text, display data)."""
    size = len(content.get("text", "").encode()) if isinstance(content.get("text"), str) else 0
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(str(value))
    return size


def _shorten_traceback(lines: list, limit: int) -> list:
    """Keep a traceback's head and tail within ``limit`` bytes (errors themselves are kept)."""
    lines = [str(line) for line in lines]
    if limit <= 0 or sum(len(line) for line in lines) <= limit:
        return lines
    head = [line[: limit // 4] for line in lines[:2]]
    tail = [lines[-1][-(limit // 2) :]]
    return [*head, "[… traza recortada …]", *tail]


def _error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
