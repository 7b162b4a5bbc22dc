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
import contextlib
import signal
import threading
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

# --- Bounds on what the kernel may send (each checked before the allocation it prevents) ---
#: Largest single ZeroMQ frame the harness's client accepts (``zmq.MAXMSGSIZE``, set before
#: connecting: libzmq refuses a bigger frame at its header, before allocating it, and drops the
#: connection). The largest honest frame is one array: 1.8's ``to_columns`` on all of MNIST is
#: 784 x 60000 float64 = 376 MB.
MAX_FRAME_BYTES = 512 * 2**20
#: Most binary buffers (frames after the message's own four) in one message: an honest answer
#: carries one per array, a list of a few thousand arrays at most (a history of parameters).
MAX_FRAMES = 20_000
#: Most bytes of binary buffers in one message, checked before the message is deserialized or
#: decoded (an honest answer is at most a few of the 376 MB arrays above). libzmq holds a whole
#: multipart message before handing it over, so this bound saves the decoding copies; the
#: frames themselves are bounded by MAX_FRAME_BYTES each.
MAX_MESSAGE_BYTES = 1 * 2**30
#: Most bytes of a message's JSON content (the protocol's tree; arrays travel as buffers, so an
#: honest tree is small: a list of 100 000 floats is about 2 MB).
MAX_CONTENT_BYTES = 32 * 2**20
#: Messages received and ignored (not the awaited answer) within one request before the request
#: is given up (the kernel is interrupted if it does not answer within INTERRUPT_GRACE): a flood
#: of small messages would otherwise keep the harness parsing until the deadline. An honest
#: agent sends none, or a few repeated "ready" messages.
MAX_IGNORED_MESSAGES = 1000
#: Callbacks the kernel may make within one request (an honest training loop that calls a
#: test's ``grad_fn`` makes one per iteration: a few thousand).
MAX_CALLBACKS = 1_000_000
#: Messages the harness's client queues before libzmq stops reading from the kernel (the
#: default, 1000, times MAX_FRAME_BYTES would allow gigabytes of queued data).
RECEIVE_HWM = 8
#: Seconds between repeated alarms once a cell's deadline has passed (see :class:`CellClock`).
ALARM_REPEAT = 0.5

_SILENT = (
    "Tu kernel no respondió a la petición de las pruebas (¿cambiaste o borraste algo del "
    "calificador en tu notebook?), así que esta prueba no pudo usar tu código."
)


class KernelFailure(Exception):
    """The kernel did not answer as the protocol requires (the message is for the student)."""


class KernelStopped(KernelFailure):
    """The kernel died or had to be stopped; no later request can be answered."""


class HarnessTimeout(BaseException):
    """The harness's own work for a cell (references, replays, rebuilds) passed the cell's deadline.

    A ``BaseException``, so that no ``except Exception`` in the instructor's
    code or in a reference keeps working past the deadline.
    """

    def __init__(self, seconds: float | None = None):
        limit = f" ({seconds:.0f} s)" if seconds else ""
        super().__init__(
            f"esta celda agotó su tiempo{limit} mientras las pruebas trabajaban con lo que "
            "devolvió o pidió tu código (por ejemplo, llamadas a funciones de las pruebas en un "
            "ciclo muy largo); se detuvo y vale 0. Las demás celdas se califican normalmente."
        )


class CellClock:
    """The deadline of the harness's own work for the current cell.

    While :meth:`armed`, in the main thread, a ``SIGALRM`` at the deadline
    (repeated every :data:`ALARM_REPEAT` seconds) raises
    :class:`HarnessTimeout` wherever the harness's code runs, except inside
    :meth:`shield` sections (the protocol's sends and waits, which check
    :attr:`expired` themselves and stop the kernel's request cleanly). In
    another thread (a Dask worker), there is no alarm: the protocol's loops
    and the references check :attr:`expired` instead.
    """

    def __init__(self):
        self.deadline: float | None = None
        self.seconds: float | None = None
        self._shielded = 0
        self._active = False

    @property
    def expired(self) -> bool:
        """Whether the armed deadline has passed."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    def check(self) -> None:
        """Raise :class:`HarnessTimeout` when the deadline has passed."""
        if self.expired:
            raise HarnessTimeout(self.seconds)

    @contextlib.contextmanager
    def armed(self, deadline: float | None):
        """Bound the harness's work in the ``with`` block by ``deadline`` (``time.monotonic``)."""
        if deadline is None or self.deadline is not None:  # none given, or nested: outer one holds
            yield
            return
        self.deadline = deadline
        self.seconds = None
        alarm = threading.current_thread() is threading.main_thread()
        previous = None
        if alarm:
            previous = signal.signal(signal.SIGALRM, self._fire)
            self._active = True
            signal.setitimer(
                signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001), ALARM_REPEAT
            )
        try:
            yield
        finally:
            self._active = False
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            self.deadline = None

    @contextlib.contextmanager
    def shield(self):
        """Defer the alarm in the ``with`` block (the code there checks :attr:`expired`)."""
        self._shielded += 1
        try:
            yield
        finally:
            self._shielded -= 1

    @contextlib.contextmanager
    def unshielded(self):
        """Let the alarm raise again inside a shielded section (the harness's callbacks)."""
        saved, self._shielded = self._shielded, 0
        try:
            self.check()
            yield
        finally:
            self._shielded = saved

    def _fire(self, signum, frame) -> None:
        if self._active and not self._shielded:
            raise HarnessTimeout(self.seconds)


#: The one clock of this process (``SIGALRM`` is process-wide).
CLOCK = CellClock()

_TOO_BIG = (
    "tu kernel envió un mensaje demasiado grande para el calificador ({what}); "
    "revisa qué devuelve tu función (¿arreglos enormes o repetidos?)."
)
_FLOOD = (
    "tu kernel envió demasiados mensajes que nadie pidió mientras se esperaba una respuesta, "
    "así que se interrumpió y esta prueba no pudo usar tu código."
)


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
        import zmq
        from jupyter_client import BlockingKernelClient

        self.km = km
        # A context of our own whose options every socket of this client gets before it
        # connects: libzmq then refuses an oversized frame before allocating it.
        self.context = zmq.Context()
        self.context.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)
        self.context.setsockopt(zmq.RCVHWM, RECEIVE_HWM)
        # A client of our own (synchronous, a session of its own): the kernel answers on the
        # stdin socket of whoever sent the comm message, so this traffic never mixes with
        # nbclient's, and no event loop sits between the harness and the kernel.
        self.kc = BlockingKernelClient(context=self.context)
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
        CLOCK.check()  # past the cell's deadline: no new work for the kernel
        with CLOCK.shield():
            return self._request(request, buffers, timeout)

    def end(self) -> None:
        """End the exchange of the current test cell: the kernel goes back to its cells."""
        if self.started and not self.stopped:
            self.started = self.serving = False
            with CLOCK.shield():
                self._reply({"op": "end"}, [])

    def close(self) -> None:
        """Close the harness's own client (the kernel is not touched)."""
        self.kc.stop_channels()
        self.context.destroy(linger=0)

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
        for _ in range(MAX_IGNORED_MESSAGES):  # what an earlier exchange left behind is stale
            if self._receive() is None:
                break
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
        failure: str | None = None  # why the request was given up before its deadline
        ignored = callbacks = 0
        last_alive_check = time.monotonic()
        while True:
            now = time.monotonic()
            if seq is not None and CLOCK.expired and not interrupted and failure is None:
                deadline = min(deadline, now)  # the cell's time is up: interrupt the kernel
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
                    (failure + " El kernel no respondió a la interrupción y se detuvo.")
                    if failure
                    else f"Tu código no terminó en {timeout:.0f} s y no respondió a la "
                    "interrupción; se detuvo el kernel (¿un ciclo que nunca termina?)."
                )
            if now - last_alive_check > 1.0:
                last_alive_check = now
                if not run_sync(_maybe_await)(self.km.is_alive()):
                    self.stopped = True
                    raise KernelStopped(
                        "El kernel de Python se detuvo mientras ejecutaba tu código "
                        "(¿memoria agotada, os._exit() o una biblioteca que falló?)."
                    )
            received = self._receive()
            if received is None:
                continue
            msg, too_big = received
            if msg.get("msg_type") != "input_request":
                message = None
            else:
                message = protocol.loads(msg.get("content", {}).get("prompt", ""))
                if not isinstance(message, dict):
                    raise protocol.ProtocolError("the answer is not a dict")
            kind = message.get("kind") if message is not None else None
            if seq is None:
                if kind == "ready" and not too_big:
                    return message
                continue  # a stale message of an earlier exchange: never served
            if kind == "callback":
                callbacks += 1
                if failure is None and CLOCK.expired:  # the kernel kept the harness working
                    failure = str(HarnessTimeout(CLOCK.seconds))
                if too_big or failure or callbacks > MAX_CALLBACKS:
                    # no harness work any more for this request: the student's code gets an error
                    error = _TOO_BIG.format(what=too_big) if too_big else (failure or _FLOOD)
                    self._reply({"ok": False, "error": error}, [])
                    if not too_big and failure is None:
                        failure = _FLOOD
                    if failure is not None and not interrupted:
                        # the refusal raises in the student's code, which then answers; a
                        # kernel that keeps asking is interrupted after the grace
                        deadline = min(deadline, now + INTERRUPT_GRACE)
                    continue
                try:
                    with CLOCK.unshielded():
                        answer, answer_buffers = self._callback(message, msg["buffers"])
                except HarnessTimeout as exc:
                    failure = str(exc)
                    if not interrupted:
                        deadline = min(deadline, time.monotonic() + INTERRUPT_GRACE)
                    answer, answer_buffers = {"ok": False, "error": str(exc)}, []
                self._reply(answer, answer_buffers)
                continue
            if kind != "answer" or message.get("seq") != seq:
                ignored += 1  # not the answer to this request (or one the kernel made up)
                if ignored > MAX_IGNORED_MESSAGES and failure is None:
                    failure = _FLOOD
                    if not interrupted:
                        deadline = min(deadline, now + INTERRUPT_GRACE)
                continue
            if too_big:
                raise KernelFailure(_TOO_BIG.format(what=too_big))
            if failure is not None:
                raise KernelFailure(failure)
            if interrupted and not message.get("ok"):
                raise KernelFailure(
                    f"Tu código no terminó en {timeout:.0f} s y se interrumpió "
                    "(¿un ciclo que nunca termina?)."
                )
            return message, msg["buffers"]

    def _receive(self) -> tuple[dict, str | None] | None:
        """Receive one message on the stdin channel within the bounds, or None after 10 ms.

        Returns the message (``buffers`` a list) and, when it broke a bound,
        what it broke (its buffers are then dropped, never deserialized).
        """
        socket = self.kc.stdin_channel.socket
        if not socket.poll(10):
            return None
        frames = socket.recv_multipart(copy=False)
        _, parts = self.kc.session.feed_identities(frames, copy=False)
        buffers = parts[5:]  # signature, header, parent, metadata, content, then the buffers
        too_big = None
        if len(buffers) > MAX_FRAMES:
            too_big = f"{len(buffers)} bloques binarios; el máximo es {MAX_FRAMES}"
        else:
            total = sum(len(frame) for frame in buffers)
            if total > MAX_MESSAGE_BYTES:
                too_big = (
                    f"{total / 2**20:.0f} MiB de datos; el máximo es "
                    f"{MAX_MESSAGE_BYTES / 2**20:.0f} MiB"
                )
        if len(parts) < 5 or len(parts[4]) > MAX_CONTENT_BYTES:
            return None  # not a message, or a tree far too long: dropped unread
        if too_big:
            del frames, buffers
            parts = parts[:5]
        try:
            msg = self.kc.session.deserialize(parts, content=True, copy=False)
        except Exception:  # a bad signature or malformed frames: not a message of the agent
            return None
        msg["buffers"] = [] if too_big else list(msg.get("buffers") or [])
        return msg, too_big

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
