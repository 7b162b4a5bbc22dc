"""The data-only protocol between the trusted harness and a submission's kernel.

Values cross the boundary as *plain data* only: exact ``numpy.ndarray`` of a
numeric or boolean dtype, NumPy numeric scalars, ``bool``, ``int``, ``float``,
``complex``, ``str``, ``None``, slices, and ``list``/``tuple``/``dict`` of
those. Anything else is an opaque *handle* (a number naming an object that
stays on the side that owns it). Nothing is ever pickled.

A value is encoded into a JSON tree plus a list of raw buffers (the bytes of
the arrays). Every non-primitive node is a dict with a ``"$"`` tag::

    {"$": "nd", "dtype": "<f8", "shape": [2, 3], "buf": 0, "ref": 4}
    {"$": "list", "items": [...], "ref": 5}
    {"$": "dict", "items": [[key, value], ...], "ref": 6}
    {"$": "tuple", "items": [...]}
    {"$": "npscalar", "dtype": "<f8", "value": 1.5}
    {"$": "complex", "re": 1.0, "im": 2.0}
    {"$": "slice", "start": ..., "stop": ..., "step": ...}
    {"$": "ellipsis"}
    {"$": "rng", "bitgen": "PCG64", "state": ..., "ref": 7}
    {"$": "ref", "ref": 4}            # an object the harness sent earlier
    {"$": "handle", "id": 3, ...}      # an object of the kernel
    {"$": "callback", "id": 2}         # a function of the harness (kernel side only)
    {"$": "keras", "config": "...", "compile": "...", "weights": [...]}

``ref`` numbers name the harness's mutable objects (arrays, lists, dicts,
random generators) so that changes the student's code makes to them in place
can be written back, and so that a value returned by the kernel can be the
very object the harness passed in.

:func:`decode` is the trust boundary of the harness: it checks every node
(types, dtypes, shapes against buffer sizes, depth, count, string lengths)
and raises :class:`ProtocolError` on anything else. It never imports or
calls anything named by the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

#: Deepest nesting of containers accepted.
MAX_DEPTH = 64
#: Most nodes in one message.
MAX_NODES = 2_000_000
#: Longest string accepted, in characters.
MAX_STRING = 2_000_000
#: Largest total of array bytes in one message.
MAX_BYTES = 3 * 2**30
#: Most dimensions of an array.
MAX_NDIM = 32
#: Bit generators whose state may cross.
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")

_PRIMITIVES = (type(None), bool, int, float, str)


class ProtocolError(ValueError):
    """A message that does not follow the protocol (malformed, too big, wrong types)."""


def _dtype(text: Any) -> np.dtype:
    """Return the numeric or boolean dtype named by ``text``; raise ProtocolError otherwise."""
    if not isinstance(text, str) or len(text) > 8:
        raise ProtocolError("invalid dtype")
    try:
        dtype = np.dtype(text)
    except TypeError as exc:
        raise ProtocolError(f"invalid dtype {text!r}") from exc
    if (
        dtype.kind not in "biufc"
        or dtype.fields is not None
        or dtype.shape != ()
        or dtype.hasobject
    ):
        raise ProtocolError(f"dtype {text!r} is not numeric")
    return dtype


def is_plain_array(value: Any) -> bool:
    """Return True for an exact ``numpy.ndarray`` of a numeric or boolean dtype."""
    return type(value) is np.ndarray and value.dtype.kind in "biufc" and value.dtype.fields is None


def is_plain_scalar(value: Any) -> bool:
    """Return True for an exact NumPy numeric or boolean scalar (``np.float64(1.0)``, ``np.True_``)."""
    return isinstance(value, np.generic) and type(value) in _SCALAR_TYPES


_SCALAR_TYPES = {
    np.dtype(code).type for code in ("?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q")
} | {np.dtype(code).type for code in ("e", "f", "d", "g", "F", "D", "G")}


class Encoder:
    """Encode values into a JSON tree and buffers.

    Parameters
    ----------
    fallback : callable
        Called with a value that is not plain data; returns the node to use
        (a handle or a callback). Raises to refuse.
    ref_of : callable, optional
        Called with a mutable object (array, list, dict, generator); returns
        its ref number or None. When it returns a number for an object
        already encoded in this message, a ``ref`` node is written instead.
    special : callable, optional
        Called first with every non-primitive value; may return a node (for
        instance a Keras model) or None.
    """

    def __init__(
        self,
        fallback: Callable[[Any], dict],
        ref_of: Callable[[Any], int | None] | None = None,
        special: Callable[[Any, Encoder], dict | None] | None = None,
    ):
        self.fallback = fallback
        self.ref_of = ref_of or (lambda obj: None)
        self.special = special
        self.buffers: list[memoryview] = []
        self._seen: dict[int, int] = {}
        self._path: set[int] = set()

    def encode(self, value: Any, depth: int = 0) -> Any:
        """Return the JSON node of ``value`` (arrays' bytes go to ``self.buffers``)."""
        kind = type(value)
        if kind in _PRIMITIVES:
            return value
        if depth > MAX_DEPTH or id(value) in self._path:
            return self.fallback(value)  # too deep or cyclic: stays where it is
        if self.special is not None:
            node = self.special(value, self)
            if node is not None:
                return node
        ref = self.ref_of(value) if kind in (np.ndarray, list, dict, np.random.Generator) else None
        if ref is not None and ref in self._seen.values():
            return {"$": "ref", "ref": ref}
        if is_plain_array(value):
            data = value if value.flags.c_contiguous else value.copy(order="C")  # keeps 0-d arrays
            self.buffers.append(memoryview(data).cast("B") if data.size else memoryview(b""))
            node = {
                "$": "nd",
                "dtype": data.dtype.str,
                "shape": list(data.shape),
                "buf": len(self.buffers) - 1,
            }
            if not value.flags.writeable:
                node["ro"] = True  # a read-only array stays read-only on the other side
        elif is_plain_scalar(value):
            item = value.item()
            node = {"$": "npscalar", "dtype": value.dtype.str, "value": _scalar_item(item)}
            return node
        elif kind is complex:
            return {"$": "complex", "re": value.real, "im": value.imag}
        elif kind is slice:
            return {
                "$": "slice",
                "start": self.encode(value.start, depth + 1),
                "stop": self.encode(value.stop, depth + 1),
                "step": self.encode(value.step, depth + 1),
            }
        elif value is Ellipsis:
            return {"$": "ellipsis"}
        elif kind in (list, tuple, dict):
            self._path.add(id(value))
            try:
                if kind is dict:
                    items = [
                        [self.encode(k, depth + 1), self.encode(v, depth + 1)]
                        for k, v in dict.items(value)
                    ]
                    node = {"$": "dict", "items": items}
                else:
                    items = [self.encode(v, depth + 1) for v in value]
                    node = {"$": kind.__name__, "items": items}
            finally:
                self._path.discard(id(value))
        elif kind is np.random.Generator and type(value.bit_generator).__name__ in BIT_GENERATORS:
            bitgen = value.bit_generator
            node = {
                "$": "rng",
                "bitgen": type(bitgen).__name__,
                "state": self.encode(bitgen.state, depth + 1),
            }
        else:
            return self.fallback(value)
        if ref is not None:
            node["ref"] = ref
            self._seen[id(value)] = ref
        return node


def _scalar_item(item: Any) -> Any:
    if isinstance(item, complex):
        return [item.real, item.imag]
    return item


def dumps(tree: Any) -> str:
    """Serialize a JSON tree (NaN and infinities allowed, as numbers are data too)."""
    return json.dumps(tree, allow_nan=True, separators=(",", ":"))


def loads(text: Any) -> Any:
    """Parse a JSON message; raise ProtocolError on malformed or over-long input."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", errors="strict")
    if not isinstance(text, str):
        raise ProtocolError("the message is not text")
    if len(text) > 64 * MAX_STRING:
        raise ProtocolError("the message is too long")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed message: {str(exc)[:200]}") from None


class Decoder:
    """Decode a JSON tree and buffers into values, checking everything.

    Parameters
    ----------
    buffers : list of bytes-like
        The raw buffers of the message.
    resolve_ref : callable
        Called with a ref number; returns the object it names (raises
        ProtocolError for an unknown one).
    make_handle : callable
        Called with a ``handle`` (or ``callback``) node; returns the local
        object that stands for it.
    special : callable, optional
        Called with a node whose tag this class does not know (for instance
        ``keras``); returns the value or raises ProtocolError.
    on_ref : callable, optional
        Called with ``(ref, value)`` for every decoded node that carries a
        ref; returns the object to use (the receiver may update its own
        object in place and return it, so identities hold across the boundary).
    """

    def __init__(
        self,
        buffers: list,
        resolve_ref: Callable[[int], Any],
        make_handle: Callable[[dict], Any],
        special: Callable[[dict, Decoder], Any] | None = None,
        on_ref: Callable[[int, Any], Any] | None = None,
    ):
        self.buffers = [memoryview(b).cast("B") for b in buffers]
        self.resolve_ref = resolve_ref
        self.make_handle = make_handle
        self.special = special
        self.on_ref = on_ref
        self.nodes = 0
        self.bytes = 0

    def decode(self, node: Any, depth: int = 0) -> Any:
        """Return the value of ``node``."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ProtocolError("too many values in one message")
        if depth > MAX_DEPTH + 4:
            raise ProtocolError("values nested too deeply")
        kind = type(node)
        if kind is str:
            if len(node) > MAX_STRING:
                raise ProtocolError("a string is too long")
            return node
        if kind in (type(None), bool, int, float):
            return node
        if kind is not dict:
            raise ProtocolError(f"unexpected {kind.__name__} in a message")
        tag = node.get("$")
        if tag == "nd":
            value = self._array(node)
        elif tag in ("list", "tuple"):
            items = node.get("items")
            if type(items) is not list:
                raise ProtocolError("a list without items")
            value = [self.decode(item, depth + 1) for item in items]
            if tag == "tuple":
                return tuple(value)
        elif tag == "dict":
            items = node.get("items")
            if type(items) is not list:
                raise ProtocolError("a dict without items")
            value = {}
            for pair in items:
                if type(pair) is not list or len(pair) != 2:
                    raise ProtocolError("a malformed dict item")
                key = self.decode(pair[0], depth + 1)
                try:
                    hash(key)
                except TypeError:
                    raise ProtocolError("an unhashable dict key") from None
                if not _plain_key(key):
                    raise ProtocolError("a dict key that is not plain data")
                value[key] = self.decode(pair[1], depth + 1)
        elif tag == "npscalar":
            return self._scalar(node)
        elif tag == "complex":
            re, im = node.get("re"), node.get("im")
            if type(re) not in (int, float) or type(im) not in (int, float):
                raise ProtocolError("a malformed complex number")
            return complex(re, im)
        elif tag == "slice":
            parts = [self.decode(node.get(k), depth + 1) for k in ("start", "stop", "step")]
            if not all(p is None or type(p) is int or is_plain_scalar(p) for p in parts):
                raise ProtocolError("a malformed slice")
            return slice(*parts)
        elif tag == "ellipsis":
            return Ellipsis
        elif tag == "rng":
            value = self._generator(node, depth)
        elif tag == "ref":
            ref = node.get("ref")
            if type(ref) is not int:
                raise ProtocolError("a malformed ref")
            return self.resolve_ref(ref)
        elif tag in ("handle", "callback"):
            if type(node.get("id")) is not int:
                raise ProtocolError("a malformed handle")
            return self.make_handle(node)
        elif self.special is not None and isinstance(tag, str):
            return self.special(node, self)
        else:
            raise ProtocolError(f"unknown value kind {str(tag)[:40]!r}")
        ref = node.get("ref")
        if ref is not None:
            if type(ref) is not int:
                raise ProtocolError("a malformed ref")
            if self.on_ref is not None:
                value = self.on_ref(ref, value)
        return value

    def _array(self, node: dict) -> np.ndarray:
        dtype = _dtype(node.get("dtype"))
        shape = node.get("shape")
        index = node.get("buf")
        if (
            type(shape) is not list
            or len(shape) > MAX_NDIM
            or not all(type(d) is int and 0 <= d < 2**40 for d in shape)
        ):
            raise ProtocolError("a malformed array shape")
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise ProtocolError("an array without its data")
        size = 1
        for d in shape:
            size *= d
        nbytes = size * dtype.itemsize
        buffer = self.buffers[index]
        if nbytes != buffer.nbytes:
            raise ProtocolError(
                f"an array of shape {tuple(shape)} declares {nbytes} bytes but carries {buffer.nbytes}"
            )
        self.bytes += nbytes
        if self.bytes > MAX_BYTES:
            raise ProtocolError("too much array data in one message")
        array = np.frombuffer(buffer, dtype=dtype) if nbytes else np.zeros(0, dtype=dtype)
        array = array.reshape(shape).astype(dtype.newbyteorder("="), copy=True)
        if node.get("ro") is True:
            array.setflags(write=False)
        return array

    def _scalar(self, node: dict) -> Any:
        dtype = _dtype(node.get("dtype"))
        item = node.get("value")
        if dtype.kind == "c":
            if type(item) is not list or len(item) != 2:
                raise ProtocolError("a malformed complex scalar")
            item = complex(*item)
        elif dtype.kind == "b":
            if type(item) is not bool:
                raise ProtocolError("a malformed boolean scalar")
        elif dtype.kind in "iu":
            if type(item) is not int:
                raise ProtocolError("a malformed integer scalar")
        elif type(item) not in (int, float):
            raise ProtocolError("a malformed float scalar")
        try:
            return dtype.newbyteorder("=").type(item)
        except (OverflowError, ValueError) as exc:
            raise ProtocolError(f"a scalar out of range: {exc}") from None

    def _generator(self, node: dict, depth: int) -> np.random.Generator:
        name = node.get("bitgen")
        if name not in BIT_GENERATORS:
            raise ProtocolError("an unknown random generator")
        state = self.decode(node.get("state"), depth + 1)
        bitgen = getattr(np.random, name)()
        try:
            bitgen.state = state
        except (TypeError, ValueError, KeyError) as exc:
            raise ProtocolError(f"an invalid random generator state: {exc}") from None
        return np.random.Generator(bitgen)


def _plain_key(key: Any) -> bool:
    if type(key) in _PRIMITIVES or is_plain_scalar(key) or type(key) is complex:
        return True
    return type(key) is tuple and all(_plain_key(k) for k in key)
