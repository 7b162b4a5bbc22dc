"""Requests from the harness to the kernel's agent.

For each test cell that needs the student's code, the harness sends one
``comm_msg`` (Jupyter's comm, on the shell channel): the agent then serves
the harness until the cell is over. Requests and answers travel on the
kernel's stdin channel, the one ``input()`` uses: the agent sends an
``input_request`` carrying its answer (or a callback request: a test's
``grad_fn`` called by the student's code) and waits for the ``input_reply``
carrying the next request, with arrays as binary buffers. Two messages a
call, and no kernel dispatch in between, so thousands of calls (a training
loop of the instructor's that calls the student's step function) stay cheap.

Every request has a deadline: past it, the kernel is interrupted, and if it
still does not answer it is stopped. Nothing the kernel sends is trusted:
answers are parsed with :func:`autograder.protocol.loads` and decoded by the
caller, anything that does not match the request is ignored, and every
failure becomes a :class:`KernelFailure` with a Spanish message for the
student.
"""

from __future__ import annotations

import asyncio
import queue
import time
import uuid
from collections.abc import Callable
from typing import Any

from jupyter_core.utils import run_sync

from autograder import protocol

TARGET = "autograder.harness"
#: Seconds a kernel gets to answer after it was interrupted.
INTERRUPT_GRACE = 5.0
#: Seconds a kernel gets to start serving after the comm message (it is idle then).
START_TIMEOUT = 60.0

_SILENT = (
    "Tu kernel no respondió a la petición de las pruebas (¿cambiaste o borraste algo del "
    "calificador en tu notebook?), así que esta prueba no pudo usar tu código."
)


class KernelFailure(Exception):
    """The kernel did not answer as the protocol requires (the message is for the student)."""


class KernelStopped(KernelFailure):
    """The kernel died or had to be stopped; no later request can be answered."""


class Channel:
    """The harness's end of the protocol for one kernel.

    Parameters
    ----------
    km, kc : jupyter_client managers
        The kernel manager and (async) client nbclient uses for the notebook.
    serve_callback : callable
        Called with ``(ident, tree, buffers)`` for a callback request from
        the kernel; returns ``(answer dict, buffers)``.
    """

    def __init__(self, km, kc, serve_callback: Callable[[int, Any, list], tuple[dict, list]]):
        from jupyter_client import BlockingKernelClient

        self.km = km
        # A client of our own (synchronous, a session of its own): the kernel answers on the
        # stdin socket of whoever sent the comm message, so this traffic never mixes with
        # nbclient's, and no event loop sits between the harness and the kernel.
        self.kc = BlockingKernelClient()
        self.kc.load_connection_info(kc.get_connection_info())
        self.kc.session.signature_scheme = kc.session.signature_scheme
        self.kc.session.key = kc.session.key
        self.kc.start_channels(shell=True, iopub=False, stdin=True, hb=False, control=False)
        self.serve_callback = serve_callback
        self.comm_id = uuid.uuid4().hex
        self.opened = False
        self.serving = False
        self.started = False
        self.stopped = False
        self.silent = False
        self.seq = 0

    def request(self, request: dict, buffers: list, timeout: float) -> tuple[dict, list]:
        """Send ``request`` and return the agent's answer (a dict and its buffers)."""
        if self.stopped:
            raise KernelStopped(
                "El kernel de tu notebook se detuvo antes, así que esta prueba no pudo usar tu código."
            )
        if self.silent:
            raise KernelFailure(_SILENT)
        return self._request(request, buffers, timeout)

    def end(self) -> None:
        """End the exchange of the current test cell: the kernel goes back to its cells."""
        if self.started and not self.stopped:
            self.started = self.serving = False
            self._reply({"op": "end"}, [])

    def close(self) -> None:
        """Close the harness's own client (the kernel is not touched)."""
        self.kc.stop_channels()

    def _reply(self, request: dict, buffers: list) -> None:
        content = {"value": protocol.dumps(request)}
        msg = self.kc.session.msg("input_reply", content)
        self.kc.session.send(self.kc.stdin_channel.socket, msg, buffers=buffers)

    def _start(self) -> None:
        if not self.opened:
            content = {"comm_id": self.comm_id, "target_name": TARGET, "data": {}}
            msg = self.kc.session.msg("comm_open", content)
            self.kc.shell_channel.send(msg)
            self.opened = True
        msg = self.kc.session.msg("comm_msg", {"comm_id": self.comm_id, "data": {}})
        self.kc.shell_channel.send(msg)
        self.started = True
        first = self._wait(time.monotonic() + START_TIMEOUT, None)
        if first.get("kind") != "ready":
            raise KernelFailure(_SILENT)
        self.serving = True

    def _request(self, request: dict, buffers: list, timeout: float) -> tuple[dict, list]:
        if not self.serving:
            self._start()
        self.seq += 1
        request = {**request, "seq": self.seq}
        self._reply(request, buffers)
        try:
            return self._wait(time.monotonic() + timeout, self.seq, timeout)
        except KernelFailure:
            self.serving = False
            raise

    def _wait(self, deadline: float, seq: int | None, timeout: float = 0) -> Any:
        """Wait for the agent's next message that answers ``seq`` (or its first, on start)."""
        interrupted = False
        last_alive_check = time.monotonic()
        while True:
            now = time.monotonic()
            if now > deadline:
                if seq is None:
                    self.silent = (
                        True  # the agent was removed or changed: later requests fail at once
                    )
                    raise KernelFailure(_SILENT)
                if not interrupted:
                    interrupted = True
                    deadline = now + INTERRUPT_GRACE
                    run_sync(_maybe_await)(self.km.interrupt_kernel())
                    continue
                self._stop()
                raise KernelStopped(
                    f"Tu código no terminó en {timeout:.0f} s y no respondió a la interrupción; "
                    "se detuvo el kernel (¿un ciclo que nunca termina?)."
                )
            if now - last_alive_check > 1.0:
                last_alive_check = now
                if not run_sync(_maybe_await)(self.km.is_alive()):
                    self.stopped = True
                    raise KernelStopped(
                        "El kernel de Python se detuvo mientras ejecutaba tu código "
                        "(¿memoria agotada, os._exit() o una biblioteca que falló?)."
                    )
            try:
                msg = self.kc.stdin_channel.get_msg(timeout=0.01)
            except (TimeoutError, queue.Empty):
                continue
            if msg.get("msg_type") != "input_request":
                continue
            message = protocol.loads(msg.get("content", {}).get("prompt", ""))
            buffers = list(msg.get("buffers") or [])
            if not isinstance(message, dict):
                raise protocol.ProtocolError("the answer is not a dict")
            kind = message.get("kind")
            if kind == "callback":
                answer, answer_buffers = self._callback(message, buffers)
                self._reply(answer, answer_buffers)
                continue
            if seq is None:
                return message
            if kind != "answer" or message.get("seq") != seq:
                continue  # not the answer to this request (or one the kernel made up)
            if interrupted and not message.get("ok"):
                raise KernelFailure(
                    f"Tu código no terminó en {timeout:.0f} s y se interrumpió "
                    "(¿un ciclo que nunca termina?)."
                )
            return message, buffers

    def _callback(self, message: dict, buffers: list) -> tuple[dict, list]:
        try:
            return self.serve_callback(
                message.get("id"), message.get("args"), buffers, message.get("name")
            )
        except Exception as exc:  # a malformed request or a failing callback
            return {"ok": False, "error": str(exc)[:2000]}, []

    def _stop(self) -> None:
        self.stopped = True
        self.serving = False
        try:
            run_sync(_maybe_await)(self.km.shutdown_kernel(now=True))
        except Exception:
            pass


async def _maybe_await(value):
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value
