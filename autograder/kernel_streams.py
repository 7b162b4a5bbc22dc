"""Output streams of a graded kernel that stop at a byte budget per cell.

Installed in every kernel of the sealed unit (``--IPKernelApp.outstream_class``)
by :class:`autograder.kernels.SandboxKernelManager`. This is a courtesy to the
student, not a defence: a print loop of a gigabyte then costs nothing but a
note, instead of a cell that times out. The grader does not rely on it
(``ResilientExecute`` caps what it keeps, and the client sockets drop
oversized messages).
"""

from __future__ import annotations

import os

from ipykernel.iostream import OutStream

#: Bytes each stream (stdout, stderr) may send per cell; ``IAP_STREAM_LIMIT`` overrides it.
STREAM_LIMIT = int(os.environ.get("IAP_STREAM_LIMIT") or 4 * 2**20)

_NOTE = (
    "\n[la salida de esta celda se recortó: se mostró solo el primer {limit} MiB; imprime menos.]\n"
)


class CappedOutStream(OutStream):
    """An ``OutStream`` that drops what a cell writes beyond :data:`STREAM_LIMIT` bytes."""

    _sent = 0
    _noted = False

    def set_parent(self, parent):
        """Start a new budget with each request (each cell)."""
        self._sent = 0
        self._noted = False
        return super().set_parent(parent)

    def write(self, string: str):
        """Write ``string`` while the cell's budget lasts; then write one note and drop the rest."""
        if not isinstance(string, str):
            return super().write(string)
        left = STREAM_LIMIT - self._sent
        if left <= 0:
            if not self._noted:
                self._noted = True
                super().write(_NOTE.format(limit=max(STREAM_LIMIT // 2**20, 1)))
            return len(string)
        piece = string[:left]
        self._sent += len(piece)
        super().write(piece)
        if len(piece) < len(string):
            self.write(string[len(piece) :])
        return len(string)
