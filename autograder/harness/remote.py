"""Proxies of the student's objects, and how values cross between harness and kernel.

A test cell that calls ``standardize(A, B)`` in the harness calls a
:class:`Remote` standing for the kernel's function: the arguments are
encoded as plain data, the kernel runs the function, and the answer comes
back as plain data (or as another :class:`Remote` for an object that is not
data, such as a ``Neuron``). Arrays, lists, dicts and random generators that
the harness passes keep their identity across the boundary (a *mirror*), so
a student's function that changes them in place changes the harness's
objects the same way, and a checked "inputs unmodified" or "updates in place"
means what it says.

A Keras model returned by the student crosses as its architecture, compile
settings and weights, and is rebuilt here with Keras' safe deserialization
after an allow-list check, so the tests inspect and train a real model in
trusted code.

Proxies never decide anything by asking the kernel to compare: ``==`` is
identity, and a proxy is never an ``ndarray`` or a ``float``.
"""

from __future__ import annotations

import contextlib
import json
import sys
import types
import warnings
from typing import Any

import numpy as np

from autograder import protocol

from .channel import CLOCK, Channel, KernelFailure

#: Seconds a single request may take when the caller gives no deadline.
DEFAULT_TIMEOUT = 300.0

_WARNINGS = {
    cls.__name__: cls
    for cls in (
        RuntimeWarning,
        UserWarning,
        DeprecationWarning,
        FutureWarning,
        PendingDeprecationWarning,
        SyntaxWarning,
        ImportWarning,
        UnicodeWarning,
        BytesWarning,
        ResourceWarning,
    )
}


class StudentError(Exception):
    """The student's code raised an exception in the kernel (or the kernel failed).

    :func:`student_error` makes it an instance of a harness-made subclass of
    the builtin exception the student's one derives from, so tests that
    expect a ``ValueError`` catch it as stock nbgrader's would.
    """

    def __init__(self, ename: str, evalue: str, traceback: list[str] | None = None):
        super().__init__(evalue)
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback or [f"{ename}: {evalue}"]

    def __str__(self) -> str:
        return self.evalue


#: Builtin exceptions a student's exception may become (a harness-made subclass of each).
#: Only ``Exception`` subclasses whose constructor takes any arguments; the kernel names
#: them, the harness picks the class, so the kernel never chooses code to run here.
BUILTIN_ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        ArithmeticError,
        AssertionError,
        AttributeError,
        BufferError,
        EOFError,
        FileExistsError,
        FileNotFoundError,
        FloatingPointError,
        ImportError,
        IndexError,
        IsADirectoryError,
        KeyError,
        LookupError,
        MemoryError,
        ModuleNotFoundError,
        NameError,
        NotADirectoryError,
        NotImplementedError,
        OSError,
        OverflowError,
        PermissionError,
        RecursionError,
        RuntimeError,
        StopIteration,
        TimeoutError,
        TypeError,
        UnboundLocalError,
        ValueError,
        ZeroDivisionError,
        Exception,
    )
}
#: Exceptions of the libraries every course has (NumPy's), by name, like :data:`BUILTIN_ERRORS`.
LIBRARY_ERRORS: dict[str, type[Exception]] = {
    "LinAlgError": np.linalg.LinAlgError,
    "AxisError": np.exceptions.AxisError,
}
#: Most exception classes made for one grader process (then plain :class:`StudentError`).
MAX_ERROR_CLASSES = 2000
_ERROR_CLASSES: dict[tuple[str, str], type[StudentError]] = {}


def error_class(ename: str, mro: Any = None) -> type[StudentError] | None:
    """Return the harness-made exception class for a student's exception class, or None.

    It is named ``ename`` and derives from :class:`StudentError` and from the
    first of :data:`BUILTIN_ERRORS` or :data:`LIBRARY_ERRORS` among ``ename``
    and ``mro`` (the names of the student's class's bases, most derived
    first). The same name and base
    give the same class, so a test's ``except SaldoInsuficiente`` (the
    student's class, read from the kernel) catches what the student raises.
    """
    names = [ename]
    if isinstance(mro, list):
        names += [n for n in mro[:40] if isinstance(n, str)]
    known = {**BUILTIN_ERRORS, **LIBRARY_ERRORS}
    base = next((known[n] for n in names if n in known), None)
    if base is None:
        return None
    name = ename if ename.isidentifier() and len(ename) <= 80 else base.__name__
    key = (name, base.__name__)
    cls = _ERROR_CLASSES.get(key)
    if cls is None and len(_ERROR_CLASSES) < MAX_ERROR_CLASSES:
        module = "builtins" if name == base.__name__ else "__main__"
        cls = type(name, (StudentError, base), {"__module__": module, "__qualname__": name})
        _ERROR_CLASSES[key] = cls
    return cls


def student_error(
    ename: str, evalue: str, traceback: list[str] | None = None, mro: Any = None, args: Any = None
) -> StudentError:
    """Return the :class:`StudentError` for an exception the kernel reports.

    Its class is named ``ename`` and derives from :class:`StudentError` and
    from the first builtin exception of :data:`BUILTIN_ERRORS` among
    ``ename`` and the names of its classes (``mro``, most derived first), so
    ``pytest.raises(ValueError)`` and ``except ValueError`` catch the
    student's ``ValueError`` and its subclasses. ``args`` (plain data only)
    become the exception's ``args``.
    """
    error = (error_class(ename, mro) or StudentError)(ename, evalue, traceback)
    if (
        isinstance(args, list)
        and len(args) <= 8
        and all(type(a) in (str, int, float, bool, type(None)) for a in args)
    ):
        error.args = tuple(a[:4000] if isinstance(a, str) else a for a in args)
    return error


class Bridge:
    """Encode, send and decode for one notebook: mirrors, callbacks and the deadline.

    Parameters
    ----------
    channel : Channel
        The protocol channel to the kernel.
    """

    def __init__(self, channel: Channel):
        self.channel = channel
        self.channel.serve_callback = self._serve_callback
        self.mirrors: dict[int, Any] = {}
        self.mirror_ids: dict[int, int] = {}
        self.callbacks: dict[int, Any] = {}
        self.snapshots: dict[int, Any] = {}
        self.deadline: float | None = None
        self.generation = 0
        self.last_ref = 0
        self.last_callback = 0
        #: Refs of the arguments of the callbacks being served (innermost last).
        self.pinned: list[set[int]] = []

    def new_generation(self) -> None:
        """Start a new test cell: objects mirrored for earlier cells are forgotten on both sides."""
        self.generation += 1
        self.mirrors.clear()
        self.mirror_ids.clear()
        self.callbacks.clear()
        self.snapshots.clear()
        self.last_ref = 0

    @staticmethod
    def _state(obj: Any) -> Any:
        if isinstance(
            obj, np.ndarray
        ):  # bytes compare ~25x faster than array_equal on small arrays
            return (obj.shape, obj.dtype.str, obj.tobytes())
        if isinstance(obj, dict):
            return [(k, id(v)) for k, v in obj.items()]
        if isinstance(obj, list):
            return [id(v) for v in obj]
        if isinstance(obj, np.random.Generator):
            return json.dumps(obj.bit_generator.state, default=str)
        return None

    def _changed_here(self) -> list[Any]:
        """Return the kernel's objects that the harness's code changed in place since they crossed.

        Objects only the mirror table still holds are forgotten on the way:
        nothing here can change or look at them any more.
        """
        changed = []
        for ref, obj in list(self.mirrors.items()):
            if sys.getrefcount(obj) <= 4:  # the table, this list, `obj` and the call's argument
                del self.mirrors[ref]
                self.snapshots.pop(ref, None)
                continue
            if ref > 0:
                continue
            if self.snapshots.get(ref) != self._state(obj):
                changed.append(obj)
                self.snapshots[ref] = self._state(obj)
        return changed

    def _forget(self, gone: Any) -> None:
        """Stop mirroring what the kernel let go of: it cannot see changes to those any more.

        Such an object, if passed to the kernel again, crosses whole, as a
        new one. A kernel that names objects it still holds only loses the
        tests' later in-place changes to them.
        """
        if not isinstance(gone, list):
            raise protocol.ProtocolError("malformed list of forgotten objects")
        pinned = set().union(*self.pinned) if self.pinned else set()
        for ref in gone[:100_000]:
            if type(ref) is int and ref not in pinned:  # a callback's arguments stay until it ends
                self.mirrors.pop(ref, None)
                self.snapshots.pop(ref, None)

    # --- encoding (harness -> kernel) -------------------------------------------

    def _ref_of(self, obj: Any) -> int:
        ref = self.mirror_ids.get(id(obj))
        if ref is None or self.mirrors.get(ref) is not obj:
            self.last_ref += 1  # never reused within a cell: the kernel may still hold the number
            ref = self.last_ref
            self.mirrors[ref] = obj
            self.mirror_ids[id(obj)] = ref
        return ref

    def _fallback(self, value: Any) -> dict:
        if isinstance(value, Remote):
            if object.__getattribute__(value, "_bridge") is not self:
                raise TypeError("un objeto de otro notebook no puede pasarse a tu código")
            return {"$": "handle", "id": object.__getattribute__(value, "_id")}
        if not isinstance(value, (type, types.ModuleType)) and (
            callable(value) or type(value).__module__ in ("__main__", "builtins")
        ):
            # a test's function, or an object of a class the tests define (an optimizer)
            self.last_callback += (
                1  # never reused: a stub kept from an earlier cell reaches nothing
            )
            ident = self.last_callback
            self.callbacks[ident] = value
            return {"$": "callback", "id": ident}
        raise TypeError(
            f"las pruebas no pueden pasar un objeto de tipo {type(value).__name__} a tu código"
        )

    def encode(self, value: Any) -> tuple[Any, list]:
        """Encode a value sent to the kernel (non-data objects become handles or callbacks)."""
        encoder = protocol.Encoder(self._fallback, self._ref_of)
        return encoder.encode(value), encoder.buffers

    # --- decoding (kernel -> harness) -------------------------------------------

    def _resolve(self, ref: int) -> Any:
        if ref not in self.mirrors:
            raise protocol.ProtocolError("an unknown ref")
        return self.mirrors[ref]

    def _make(self, node: dict) -> Any:
        if node["$"] != "handle":
            raise protocol.ProtocolError("a callback cannot come from the kernel")
        kind = node.get("kind")
        name = str(node.get("type", "?"))[:80]
        if kind == "class":
            mro = node.get("mro")
            if isinstance(mro, list) and "BaseException" in mro:
                # the student's exception class: a class of the harness's own making
                made = error_class(name, mro)
                if made is not None:
                    return made
            return RemoteClass(self, node["id"], name)
        if kind == "generator":
            return RemoteGenerator(self, node["id"], name, False)
        return Remote(self, node["id"], name, kind == "function")

    def _keep(self, ref: int, value: Any) -> Any:
        """Apply the kernel's new state of a mirrored object to the harness's own object.

        Positive numbers name the harness's objects; negative ones, the
        kernel's, of which the harness keeps one copy each (so an object
        that comes back twice is the same object here too).
        """
        old = self.mirrors.get(ref)
        if old is None:
            if ref > 0:
                return value  # an object the harness let go of: nobody here can see the change
            self.mirrors[ref] = value
            self.mirror_ids[id(value)] = ref
            self.snapshots[ref] = self._state(value)
            return value
        if isinstance(old, np.ndarray):
            if not isinstance(value, np.ndarray) or value.shape != old.shape:
                return value  # an object that is no longer the same array
            if old.flags.writeable:
                np.copyto(old, value, casting="unsafe")
        elif isinstance(old, list) and isinstance(value, list):
            if value is not old:
                old[:] = value
        elif isinstance(old, dict) and isinstance(value, dict):
            if value is not old:
                old.clear()
                old.update(value)
        elif isinstance(old, np.random.Generator) and isinstance(value, np.random.Generator):
            old.bit_generator.state = value.bit_generator.state
        else:
            return value
        if ref < 0:
            self.snapshots[ref] = self._state(old)
        return old

    def _special(self, node: dict, decoder: protocol.Decoder) -> Any:
        if node.get("$") == "keras":
            return rebuild_keras_model(node, decoder)
        raise protocol.ProtocolError(f"unknown value kind {str(node.get('$'))[:40]!r}")

    def decode(self, tree: Any, buffers: list) -> Any:
        """Decode a value from the kernel, checking it (see :class:`protocol.Decoder`)."""
        decoder = protocol.Decoder(buffers, self._resolve, self._make, self._special, self._keep)
        return decoder.decode(tree)

    # --- requests ------------------------------------------------------------------

    def _timeout(self) -> float:
        import time

        if self.deadline is None:
            return DEFAULT_TIMEOUT
        return max(1.0, self.deadline - time.monotonic())

    def request(self, op: str, target: Any, args: Any = None, name: str | None = None) -> Any:
        """Send one request about ``target`` and return the decoded answer.

        Raises :class:`StudentError` when the student's code raised, with
        the kernel's exception name, message and traceback.
        """
        request: dict[str, Any] = {"op": op, "target": target, "gen": self.generation}
        encoder = protocol.Encoder(self._fallback, self._ref_of)
        changed = self._changed_here()
        if changed:  # e.g. a test set neuron.params["w"][...] = 0 on its copy
            request["sync"] = encoder.encode(changed)
        if args is not None or op in ("call", "setattr", "getitem", "setitem", "isinstance"):
            request["args"] = encoder.encode(args)
        buffers = encoder.buffers
        if name is not None:
            request["name"] = name
        try:
            reply, reply_buffers = self.channel.request(request, buffers, self._timeout())
            if not reply.get("ok"):
                raise student_error(
                    _text(reply.get("ename"), 200) or "Error",
                    _text(reply.get("evalue"), 4000),
                    [_text(line, 2000) for line in reply.get("traceback", [])[:30]]
                    if isinstance(reply.get("traceback"), list)
                    else None,
                    reply.get("mro"),
                    reply.get("args"),
                )
            value = self.decode(reply.get("value"), reply_buffers)
            after = reply.get("after", [])
            if not isinstance(after, list):
                raise protocol.ProtocolError("malformed changes")
            for item in after:
                if not isinstance(item, list) or len(item) != 2 or type(item[0]) is not int:
                    raise protocol.ProtocolError("malformed change")
                self._keep(item[0], self.decode(item[1], reply_buffers))
            self._forget(reply.get("gone", []))
        except protocol.ProtocolError as exc:
            raise StudentError(
                "ErrorDeProtocolo",
                "tu kernel respondió con datos que el calificador no puede leer "
                f"({exc}); revisa qué devuelve tu función.",
            ) from None
        except KernelFailure as exc:
            raise StudentError("KernelSinRespuesta", str(exc)) from None
        out = reply.get("out")
        if isinstance(out, str) and out:
            sys.stdout.write(out[:100_000])
        for item in (
            reply.get("warnings", [])[:20] if isinstance(reply.get("warnings"), list) else []
        ):
            if isinstance(item, list) and len(item) == 2:
                category = _WARNINGS.get(str(item[0]), UserWarning)
                warnings.warn(_text(item[1], 500), category, stacklevel=3)
        return value

    def get_global(self, name: str) -> Any:
        """Return the kernel's global ``name``: data, a proxy, or :class:`Missing`."""
        try:
            reply, buffers = self.channel.request(
                {"op": "get_global", "name": name, "gen": self.generation}, [], self._timeout()
            )
            if reply.get("missing"):
                return Missing(name)
            if not reply.get("ok"):
                return Missing(name)
            return self.decode(reply.get("value"), buffers)
        except KernelFailure as exc:
            return Missing(name, str(exc))
        except protocol.ProtocolError as exc:
            return Missing(
                name,
                f"tu kernel respondió con datos que el calificador no puede leer al pedir "
                f"`{name}` ({exc}); revisa que no hayas cambiado nada del calificador.",
            )

    def bind(self, functions: dict[str, Any]) -> bool:
        """Bind the kernel's globals ``functions`` names to callbacks until the exchange ends.

        Returns whether the kernel did it. A kernel that refuses only keeps
        its own functions (see :mod:`autograder.harness.isolation`).
        """
        encoder = protocol.Encoder(self._fallback, self._ref_of)
        request = {"op": "bind", "gen": self.generation, "args": encoder.encode(functions)}
        with _kernel_errors():
            reply, _ = self.channel.request(request, encoder.buffers, self._timeout())
        return reply.get("ok") is True

    def global_rng_state(self) -> list:
        """Return the state of NumPy's global generator in the kernel (``get_state(legacy=True)``).

        The kernel reports it: a kernel patched to lie can hide its use of
        the global generator, so rules about it are the one kind of check
        that rests on the kernel's word (they decide no other verdict).
        """
        with _kernel_errors():
            reply, buffers = self.channel.request(
                {"op": "global_rng_state", "gen": self.generation}, [], self._timeout()
            )
            value = self.decode(reply.get("value"), buffers)
            if not isinstance(value, list) or len(value) != 5:
                raise protocol.ProtocolError("a malformed state of the global generator")
        return value

    def _serve_callback(
        self, ident: Any, tree: Any, buffers: list, name: Any = None
    ) -> tuple[dict, list]:
        """Use a harness object for the student's code; return the answer for the kernel.

        Only public names may be read (``name`` never starts with ``_``), so
        the kernel cannot walk from a test's object into the harness's
        internals. The kernel's arrays, lists and dicts in the arguments
        are sent back when the harness's code changed them.
        """
        target = self.callbacks.get(ident) if type(ident) is int else None
        if target is None:
            raise protocol.ProtocolError("an unknown callback")
        arrived: list[int] = []
        self.pinned.append(set())

        def keep(ref: int, value: Any) -> Any:
            arrived.append(ref)
            self.pinned[-1].add(ref)
            return self._keep(ref, value)

        try:
            return self._run_callback(target, tree, buffers, name, keep, arrived)
        finally:
            self.pinned.pop()

    def _run_callback(self, target, tree, buffers, name, keep, arrived) -> tuple[dict, list]:

        decoder = protocol.Decoder(buffers, self._resolve, self._make, self._special, keep)
        arguments = decoder.decode(tree)
        if not isinstance(arguments, list) or len(arguments) != 2:
            raise protocol.ProtocolError("malformed callback arguments")
        args, kwargs = arguments
        if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise protocol.ProtocolError("malformed callback arguments")
        if name is not None:
            if not isinstance(name, str) or name.startswith("_") or not name.isidentifier():
                raise protocol.ProtocolError("only public attributes of the tests' objects")
            result = getattr(target, name)
        else:
            if not callable(target):
                raise protocol.ProtocolError("this object of the tests cannot be called")
            result = target(*args, **kwargs)
        if isinstance(result, (type, types.ModuleType)):
            raise protocol.ProtocolError("the tests' classes and modules stay in the harness")
        # the objects that came in keep their numbers, so the kernel updates its own in place
        encoder = protocol.Encoder(self._fallback, self._ref_of)
        value = encoder.encode(result)
        after = encoder.encode(
            [self.mirrors[ref] for ref in dict.fromkeys(arrived) if ref in self.mirrors]
        )
        return {"ok": True, "value": value, "after": after}, encoder.buffers


@contextlib.contextmanager
def _kernel_errors():
    """Turn a malformed reply or a failed kernel into a :class:`StudentError` in Spanish."""
    try:
        yield
    except protocol.ProtocolError as exc:
        raise StudentError(
            "ErrorDeProtocolo",
            f"tu kernel respondió con datos que el calificador no puede leer ({exc}).",
        ) from None
    except KernelFailure as exc:
        raise StudentError("KernelSinRespuesta", str(exc)) from None


def _text(value: Any, limit: int) -> str:
    return str(value)[:limit] if value is not None else ""


class Remote:
    """An object of the student's kernel (a function, an instance), reached through the protocol."""

    __slots__ = ("_bridge", "_id", "_type", "_callable")

    def __init__(self, bridge: Bridge, ident: int, type_name: str, is_callable: bool = True):
        object.__setattr__(self, "_bridge", bridge)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "_type", type_name)
        object.__setattr__(self, "_callable", is_callable)

    def _node(self) -> dict:
        return {"$": "handle", "id": object.__getattribute__(self, "_id")}

    def _ask(self, op: str, args: Any = None, name: str | None = None) -> Any:
        bridge = object.__getattribute__(self, "_bridge")
        return bridge.request(op, self._node(), args, name)

    def __call__(self, *args, **kwargs):
        """Call the kernel's object with plain-data arguments."""
        return self._ask("call", [list(args), kwargs])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask("setattr", value, name=name)

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._ask("setitem", [key, value])

    def __len__(self) -> int:
        value = self._ask("len")
        if type(value) is not int:
            raise TypeError("len() de tu objeto no devolvió un entero")
        return value

    def __iter__(self):
        value = self._ask("iter")
        if isinstance(value, Remote):
            return value  # the kernel's iterator: its items come one request each
        return iter(value if isinstance(value, (list, tuple)) else [])

    def __next__(self):
        """Ask the kernel for the next item (its ``StopIteration`` ends the loop here too)."""
        return self._ask("next")

    def __float__(self) -> float:
        value = self._ask("float")
        if type(value) is not float:
            raise TypeError("float() de tu objeto no devolvió un número")
        return value

    def __int__(self) -> int:
        value = self._ask("int")
        if type(value) is not int:
            raise TypeError("int() de tu objeto no devolvió un entero")
        return value

    def __bool__(self) -> bool:
        return self._ask("bool") is True

    def __repr__(self) -> str:
        return f"<objeto de tipo {object.__getattribute__(self, '_type')} de tu notebook>"

    __str__ = __repr__

    def __eq__(self, other: Any) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


class RemoteGenerator(Remote):
    """A generator of the student's kernel: ``isinstance(g, types.GeneratorType)`` holds."""

    __slots__ = ()

    @property
    def __class__(self):  # noqa: D105  (what isinstance and the ABCs look at)
        return types.GeneratorType

    def __iter__(self):
        return self


class RemoteClass(Remote):
    """A class of the student's kernel: calling it makes an instance; ``isinstance`` asks the kernel."""

    __slots__ = ()

    def __init__(self, bridge: Bridge, ident: int, type_name: str):
        super().__init__(bridge, ident, type_name, True)

    @property
    def __name__(self) -> str:  # noqa: D105
        return object.__getattribute__(self, "_type")

    def __instancecheck__(self, instance: Any) -> bool:
        if not isinstance(instance, Remote):
            return False
        return self._ask("isinstance", instance) is True

    def __repr__(self) -> str:
        return f"<clase {object.__getattribute__(self, '_type')} de tu notebook>"


class Missing:
    """A name the tests need that the student's notebook did not define."""

    def __init__(self, name: str, detail: str = ""):
        self._name = name
        self._detail = detail

    def _fail(self, *args, **kwargs):
        if self._detail:  # the kernel failed to answer: say that, not "not defined"
            raise StudentError("KernelSinRespuesta", self._detail)
        raise StudentError(
            "NameError",
            f"`{self._name}` no está definida en tu notebook: completa su celda y ejecútala "
            "(Kernel → Restart & Run All) antes de entregar.",
        )

    __call__ = _fail

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_name", "_detail"):
            raise AttributeError(name)
        self._fail()

    def __repr__(self) -> str:
        return f"<{self._name}: no definida>"


# --- Keras models -----------------------------------------------------------------

#: Keras classes a student's model may be made of (architecture, optimizer, loss, metrics).
KERAS_CLASSES = {
    "Sequential",
    "Functional",
    "InputLayer",
    "Flatten",
    "Dense",
    "Dropout",
    "Activation",
    "Rescaling",
    "Reshape",
    "BatchNormalization",
    "LayerNormalization",
    "Normalization",
    "GaussianNoise",
    "Softmax",
    "ReLU",
    "LeakyReLU",
    "Adam",
    "AdamW",
    "SGD",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "Nadam",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "MeanMetricWrapper",
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
    "RandomNormal",
    "RandomUniform",
    "Zeros",
    "Ones",
    "Constant",
    "L1",
    "L2",
    "L1L2",
    "DTypePolicy",
    "FloatDTypePolicy",
    "ExponentialDecay",
    "InverseTimeDecay",
    "PiecewiseConstantDecay",
    "__keras_tensor__",  # a link between layers of a functional model (shape, dtype, history)
}
#: Keras' own losses, metrics and activations that a model may name as function objects.
KERAS_FUNCTIONS = frozenset(
    {"mean_squared_error", "mse", "mean_absolute_error", "mae", "binary_crossentropy"}
    | {"categorical_crossentropy", "sparse_categorical_crossentropy", "accuracy"}
    | {"binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"}
    | {"relu", "sigmoid", "tanh", "softmax", "linear", "elu", "selu", "gelu", "swish"}
    | {"silu", "softplus", "softsign", "leaky_relu", "relu6", "exponential", "hard_sigmoid"}
)
KERAS_MODULES = (
    "keras",
    "keras.layers",
    "keras.models",
    "keras.optimizers",
    "keras.losses",
    "keras.metrics",
    "keras.initializers",
    "keras.regularizers",
    "keras.constraints",
    "keras.activations",
    "keras.optimizers.schedules",
    "keras.src.models.functional",
    "keras.src.models.sequential",
)


#: Most layers in a student's model, nested models' layers included (the course's models have
#: under ten; the bound keeps a 2 KB config from describing thousands of layers).
MAX_KERAS_LAYERS = 100
#: Most units (``units``, ``filters``) of one layer: the course's widest layer has 128 units.
MAX_KERAS_UNITS = 8192
#: Most features of one layer's input or output (a flattened 28 x 28 image has 784).
MAX_KERAS_FEATURES = 2**20
#: Most models nested in one another (a Sequential inside a Sequential counts 2).
MAX_KERAS_NESTING = 4
#: Most parameters of a student's model, counted from its config before anything is built (the
#: course's models have about 10^5; 10^7 float32 parameters are 40 MB, and Keras keeps a few
#: copies of them when training: gradients and the optimizer's slots).
MAX_KERAS_PARAMS = 10_000_000
#: The same bound for the weights that travel with a built model (counted from their declared
#: shapes before they are decoded).
MAX_KERAS_WEIGHTS = MAX_KERAS_PARAMS

_KERAS_MODELS = ("Sequential", "Functional")


def _too_big(what: str) -> protocol.ProtocolError:
    return protocol.ProtocolError(
        f"el modelo de Keras que devolvió tu código es demasiado grande para calificarlo: {what}; "
        "revisa el número de capas y de unidades"
    )


def _dims(value: Any) -> tuple[int, ...] | None:
    """Return the feature dimensions of a declared shape (the batch dimension dropped), checked."""
    if not isinstance(value, list) or len(value) > protocol.MAX_NDIM:
        return None
    dims = value[1:]
    if not all(d is None or (type(d) is int and d >= 0) for d in dims):
        raise protocol.ProtocolError("a malformed Keras shape")
    if any(d is None for d in dims):
        return None
    features = 1
    for d in dims:
        features *= d
        if features > MAX_KERAS_FEATURES:
            raise _too_big(f"una capa con más de {MAX_KERAS_FEATURES} valores por ejemplo")
    return tuple(dims)


def keras_config_size(config: Any) -> tuple[int, int]:
    """Return ``(layers, parameters)`` of a serialized Keras model, computed from its config alone.

    Raises ProtocolError (with a Spanish message) as soon as a bound is
    exceeded: :data:`MAX_KERAS_LAYERS`, :data:`MAX_KERAS_UNITS`,
    :data:`MAX_KERAS_FEATURES`, :data:`MAX_KERAS_NESTING` or
    :data:`MAX_KERAS_PARAMS`. Layers are followed in the order they are
    written, each one's input being the previous one's output (what
    ``Sequential`` does; the allow-listed layers make no branches); a
    dimension that is unknown until the model sees data counts as zero,
    and is then bounded by the tests' own data and :data:`MAX_KERAS_UNITS`.
    """
    state = {"layers": 0, "params": 0, "shape": None}

    def visit(node: Any, nesting: int, depth: int) -> None:
        if depth > 40:
            raise protocol.ProtocolError("the Keras model is nested too deeply")
        if isinstance(node, list):
            for item in node:
                visit(item, nesting, depth + 1)
            return
        if not isinstance(node, dict):
            return
        name = node.get("class_name")
        layer = isinstance(name, str) and isinstance(node.get("config"), dict)
        if layer and name in _KERAS_MODELS:
            nesting += 1
            if nesting > MAX_KERAS_NESTING:
                raise _too_big(f"más de {MAX_KERAS_NESTING} modelos anidados")
        if layer and name in KERAS_CLASSES and name[:1].isupper() and _is_layer(name):
            layer_step(name, node)
        for key, value in node.items():
            if key not in ("build_config",):
                visit(value, nesting, depth + 1)

    def layer_step(name: str, node: dict) -> None:
        config = node["config"]
        state["layers"] += 1
        if state["layers"] > MAX_KERAS_LAYERS:
            raise _too_big(f"más de {MAX_KERAS_LAYERS} capas")
        build = node.get("build_config")
        declared = None
        if isinstance(build, dict) and "input_shape" in build:
            declared = _dims(build["input_shape"])
        for key in ("batch_shape", "batch_input_shape"):
            if key in config:
                declared = _dims(config[key]) or declared
        if declared is not None:
            state["shape"] = declared
        shape = state["shape"]
        for key in ("units", "filters"):
            if key in config:
                units = config[key]
                if type(units) is not int or units < 1:
                    raise protocol.ProtocolError(f"a malformed Keras layer ({key})")
                if units > MAX_KERAS_UNITS:
                    raise _too_big(f"una capa de {units} unidades (el máximo es {MAX_KERAS_UNITS})")
        last = shape[-1] if shape else 0
        if name == "Dense":
            units = config.get("units")
            if type(units) is not int:
                raise protocol.ProtocolError("a malformed Keras layer (units)")
            state["params"] += last * units + units
            state["shape"] = (*shape[:-1], units) if shape else (units,)
            _dims([None, *state["shape"]])
        elif name == "Flatten" and shape is not None:
            features = 1
            for d in shape:
                features *= d
            state["shape"] = (features,)
        elif name == "Reshape":
            target = config.get("target_shape")
            state["shape"] = _dims([None, *target]) if isinstance(target, list) else None
        elif name in ("BatchNormalization", "Normalization"):
            state["params"] += 4 * last
        elif name == "LayerNormalization":
            state["params"] += 2 * last
        if state["params"] > MAX_KERAS_PARAMS:
            raise _too_big(
                f"más de {MAX_KERAS_PARAMS:,} parámetros".replace(",", " ")
                + " (contados desde su descripción, antes de construirlo)"
            )

    visit(config, 0, 0)
    return state["layers"], state["params"]


def _is_layer(name: str) -> bool:
    """Whether an allow-listed class name is a layer (not an optimizer, loss, initializer...)."""
    return name in _KERAS_LAYERS


_KERAS_LAYERS = frozenset(
    {"InputLayer", "Flatten", "Dense", "Dropout", "Activation", "Rescaling", "Reshape"}
    | {"BatchNormalization", "LayerNormalization", "Normalization", "GaussianNoise"}
    | {"Softmax", "ReLU", "LeakyReLU"}
)


def check_keras_weights(nodes: list) -> None:
    """Raise ProtocolError unless the weights' declared shapes stay within :data:`MAX_KERAS_WEIGHTS`.

    Only the nodes are read (nothing is decoded or copied yet).
    """
    if len(nodes) > 2 * MAX_KERAS_LAYERS * 4:
        raise _too_big(f"{len(nodes)} arreglos de pesos")
    total = 0
    for node in nodes:
        shape = node.get("shape") if isinstance(node, dict) else None
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            raise protocol.ProtocolError("Keras weights must be arrays")
        size = 1
        for d in shape:
            size *= d
        total += size
        if total > MAX_KERAS_WEIGHTS:
            raise _too_big(f"pesos con más de {MAX_KERAS_WEIGHTS:,} valores".replace(",", " "))


def check_keras_config(config: Any, depth: int = 0) -> None:
    """Raise ProtocolError unless a serialized Keras object uses only allow-listed classes.

    Every ``class_name`` must be a known Keras class, every ``module`` one of
    Keras' public modules, and no function (``lambda``, ``function``) may be
    serialized.
    """
    if depth > 40:
        raise protocol.ProtocolError("the Keras model is nested too deeply")
    if isinstance(config, dict):
        if "class_name" in config and "config" in config:
            name = config.get("class_name")
            module = config.get("module")
            if name == "function":  # a loss or activation passed as a Keras function object
                if (
                    module not in ("builtins", *KERAS_MODULES)
                    or config.get("config") not in KERAS_FUNCTIONS
                ):
                    raise protocol.ProtocolError(
                        f"Keras function {str(config.get('config'))[:60]!r} is not allowed"
                    )
                return
            if name in ("__lambda__", "Lambda", "__typespec__") or (
                isinstance(name, str) and name not in KERAS_CLASSES
            ):
                raise protocol.ProtocolError(f"Keras class {str(name)[:60]!r} is not allowed")
            if module is not None and module not in KERAS_MODULES:
                raise protocol.ProtocolError(f"Keras module {str(module)[:60]!r} is not allowed")
            registered = config.get("registered_name")
            if (
                registered is not None
                and registered != name
                and not str(registered).startswith("keras")
            ):
                raise protocol.ProtocolError("a custom Keras object is not allowed")
        for value in config.values():
            check_keras_config(value, depth + 1)
    elif isinstance(config, list):
        for value in config:
            check_keras_config(value, depth + 1)


def rebuild_keras_model(node: dict, decoder: protocol.Decoder) -> Any:
    """Rebuild, in the harness, a Keras model the student's kernel described.

    Everything is checked before Keras is imported or anything is built:
    the allow-list (:func:`check_keras_config`), the model's size
    (:func:`keras_config_size`) and the weights' declared sizes
    (:func:`check_keras_weights`).
    """
    config_text = node.get("config")
    compile_text = node.get("compile")
    if not isinstance(config_text, str) or len(config_text) > 2_000_000:
        raise protocol.ProtocolError("a malformed Keras model")
    config = protocol.loads(config_text)
    check_keras_config(config)
    keras_config_size(config)  # layers, units and parameters bounded before anything is built
    compile_config = None
    if compile_text is not None:
        if not isinstance(compile_text, str) or len(compile_text) > 200_000:
            raise protocol.ProtocolError("a malformed Keras compile configuration")
        compile_config = protocol.loads(compile_text)
        check_keras_config(compile_config)
    weights = node.get("weights", [])
    if not isinstance(weights, list):
        raise protocol.ProtocolError("malformed Keras weights")
    check_keras_weights(weights)
    weights = [decoder.decode(w) for w in weights]
    if not all(protocol.is_plain_array(w) for w in weights):
        raise protocol.ProtocolError("Keras weights must be arrays")
    CLOCK.check()  # no rebuild past the cell's deadline
    import keras

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = keras.models.model_from_json(config_text)
            if weights and model.built:
                model.set_weights(weights)
            if isinstance(compile_config, dict):
                model.compile_from_config(compile_config)
    except Exception as exc:
        raise protocol.ProtocolError(
            f"the Keras model could not be rebuilt: {type(exc).__name__}: {str(exc)[:300]}"
        ) from None
    return model
