"""Requests from the harness to the kernel's agent, over a Jupyter comm.

A request is a ``comm_msg`` on the shell channel; the answer is a
``comm_msg`` on IOPub carrying the same sequence number. While it waits,
the channel also serves the kernel's callbacks (a test's ``grad_fn`` called
by the student's code), which arrive as ``input_request`` messages on the
stdin channel. Every request has a deadline: past it, the kernel is
interrupted, and if it still does not answer it is stopped.

Nothing the kernel sends is trusted: answers are parsed with
:func:`autograder.protocol.loads` and decoded by the caller, anything that
does not match the request is ignored, and every failure becomes a
:class:`KernelFailure` with a Spanish message for the student.
"""

from __future__ import annotations

import asyncio
import base64
import json
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
        the kernel; returns the JSON text of the answer.
    """

    def __init__(self, km, kc, serve_callback: Callable[[int, Any, list], str]):
        self.km = km
        self.kc = kc
        self.serve_callback = serve_callback
        self.comm_id = uuid.uuid4().hex
        self.opened = False
        self.stopped = False
        self.seq = 0

    def request(self, request: dict, buffers: list, timeout: float) -> tuple[dict, list]:
        """Send ``request`` and return the agent's answer (a dict and its buffers)."""
        if self.stopped:
            raise KernelStopped(
                "El kernel de tu notebook se detuvo antes, así que esta prueba no pudo usar tu código."
            )
        return run_sync(self._request)(request, buffers, timeout)

    async def _send(self, msg_type: str, content: dict, buffers: list | None = None) -> str:
        msg = self.kc.session.msg(msg_type, content)
        self.kc.session.send(self.kc.shell_channel.socket, msg, buffers=buffers or [])
        return msg["header"]["msg_id"]

    async def _request(self, request: dict, buffers: list, timeout: float) -> tuple[dict, list]:
        if not self.opened:
            await self._send(
                "comm_open", {"comm_id": self.comm_id, "target_name": TARGET, "data": {}}
            )
            self.opened = True
        self.seq += 1
        seq = self.seq
        content = {"comm_id": self.comm_id, "data": {"seq": seq, "m": protocol.dumps(request)}}
        msg_id = await self._send("comm_msg", content, buffers)
        deadline = time.monotonic() + timeout
        interrupted = False
        idle_at = None
        last_alive_check = time.monotonic()
        while True:
            now = time.monotonic()
            if now > deadline:
                if not interrupted:
                    interrupted = True
                    deadline = now + INTERRUPT_GRACE
                    await _maybe_await(self.km.interrupt_kernel())
                    continue
                await self._stop()
                raise KernelStopped(
                    f"Tu código no terminó en {timeout:.0f} s y no respondió a la interrupción; "
                    "se detuvo el kernel (¿un ciclo que nunca termina?)."
                )
            if now - last_alive_check > 1.0:
                last_alive_check = now
                if not await _maybe_await(self.km.is_alive()):
                    self.stopped = True
                    raise KernelStopped(
                        "El kernel de Python se detuvo mientras ejecutaba tu código "
                        "(¿memoria agotada, os._exit() o una biblioteca que falló?)."
                    )
            if idle_at is not None and now - idle_at > 2.0:
                raise KernelFailure(
                    "Tu kernel no respondió a la petición de las pruebas (¿cambiaste o borraste "
                    "algo del calificador en tu notebook?)."
                )
            await self._serve_stdin()
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=0.02)
            except (TimeoutError, queue.Empty):
                continue
            parent = msg.get("parent_header", {}).get("msg_id")
            kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
            if kind == "status" and parent == msg_id:
                if msg.get("content", {}).get("execution_state") == "idle":
                    idle_at = idle_at or time.monotonic()
                continue
            if kind != "comm_msg" or parent != msg_id:
                continue
            data = msg.get("content", {}).get("data")
            if not isinstance(data, dict) or msg.get("content", {}).get("comm_id") != self.comm_id:
                continue
            reply = protocol.loads(data.get("m", ""))
            if not isinstance(reply, dict):
                raise protocol.ProtocolError("the answer is not a dict")
            if reply.get("seq") != seq:
                continue  # an answer to another request (or one the kernel made up)
            if interrupted and not reply.get("ok"):
                raise KernelFailure(
                    f"Tu código no terminó en {timeout:.0f} s y se interrumpió (¿un ciclo que nunca termina?)."
                )
            return reply, list(msg.get("buffers") or [])

    async def _serve_stdin(self) -> None:
        """Answer the kernel's callback requests (``input_request`` on the stdin channel)."""
        while True:
            try:
                msg = await self.kc.stdin_channel.get_msg(timeout=0)
            except (TimeoutError, queue.Empty):
                return
            if msg.get("msg_type") != "input_request":
                continue
            prompt = msg.get("content", {}).get("prompt", "")
            try:
                payload = json.loads(prompt) if len(prompt) < 64 * protocol.MAX_STRING else None
                if not isinstance(payload, dict) or payload.get("autograder") != "callback":
                    raise protocol.ProtocolError("not a callback request")
                buffers = [base64.b64decode(b, validate=True) for b in payload.get("b", [])]
                answer = self.serve_callback(
                    int(payload["id"]), protocol.loads(payload["m"]), buffers
                )
            except Exception as exc:  # a malformed request or a failing callback
                answer = json.dumps({"ok": False, "error": str(exc)[:2000]})
            self.kc.input(answer)

    async def _stop(self) -> None:
        self.stopped = True
        try:
            await _maybe_await(self.km.shutdown_kernel(now=True))
        except Exception:
            pass


async def _maybe_await(value):
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value
