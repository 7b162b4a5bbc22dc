"""The data-only protocol between the trusted harness and a submission's kernel.

Values cross the boundary as *plain data* only: exact ``numpy.ndarray`` of a
numeric, boolean, ``datetime64``/``timedelta64``, fixed-width string or bytes
dtype (or a structured dtype of such fields), NumPy numeric scalars, dates and
durations, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``,
``None``, slices, ``list``/``tuple``/``dict``/``set``/``frozenset`` of those
(``Counter`` and ``OrderedDict`` too), and pandas ``DataFrame``/``Series``/
``Index`` whose columns are such arrays or plain values. Anything else is an
opaque *handle* (a number naming an object that stays on the side that owns
it). Nothing is ever pickled.

A value is encoded into a JSON tree plus a list of raw buffers (the bytes of
the arrays). Every non-primitive node is a dict with a ``"$"`` tag::

    {"$": "nd", "dtype": "<f8", "shape": [2, 3], "buf": 0, "ref": 4}
    {"$": "nd", "dtype": {"names": [...], "formats": [...], "offsets": [...], "itemsize": 12}, ...}
    {"$": "bytes", "buf": 1}
    {"$": "set", "items": [...]}    {"$": "frozenset", "items": [...]}
    {"$": "dict", "items": [...], "cls": "Counter"}
    {"$": "pd.frame", "columns": <index>, "index": <index>, "data": [<column>, ...]}
    {"$": "pd.series", "values": <column>, "index": <index>, "name": ...}
    {"$": "pd.index", "values": <column>, "name": ..., "freq": "D"}
    {"$": "pd.range", "start": 0, "stop": 10, "step": 1, "name": ...}
    {"$": "pd.col", "dtype": null, "values": <nd>}    # or "object"/"str"/"string" with "items"
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

import collections
import json
import sys
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


#: dict subclasses of the standard library that cross as their items (and are rebuilt).
_DICT_KINDS = {
    collections.Counter: "Counter",
    collections.OrderedDict: "OrderedDict",
    collections.defaultdict: "defaultdict",
}
_DICT_CLASSES = {"Counter": collections.Counter, "OrderedDict": collections.OrderedDict}


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


#: Kinds of NumPy dtypes whose arrays cross as data (numbers, booleans, dates and
#: durations, fixed-width text and bytes); structured arrays of fields of these too.
DATA_KINDS = "biufcMmUS"
#: Most fields of a structured array.
MAX_FIELDS = 1000


def _simple_data_dtype(dtype: np.dtype) -> bool:
    return (
        dtype.kind in DATA_KINDS
        and dtype.fields is None
        and dtype.shape == ()
        and not dtype.hasobject
        and dtype.itemsize > 0
    )


def is_data_array(value: Any) -> bool:
    """Return True for an exact ``numpy.ndarray`` that crosses as data.

    Numeric, boolean, ``datetime64``, ``timedelta64``, fixed-width string and
    bytes dtypes, and structured dtypes whose fields are all of those.
    """
    if type(value) is not np.ndarray:
        return False
    dtype = value.dtype
    if dtype.fields is None:
        return _simple_data_dtype(dtype)
    return (
        0 < len(dtype.fields) <= MAX_FIELDS
        and not dtype.hasobject
        and all(_simple_data_dtype(f[0]) for f in dtype.fields.values())
    )


def _dtype_node(dtype: np.dtype) -> Any:
    """Return the JSON form of a data dtype: its string, or the fields of a structured one."""
    if dtype.fields is None:
        return dtype.str
    return {
        "names": list(dtype.names),
        "formats": [dtype.fields[n][0].str for n in dtype.names],
        "offsets": [dtype.fields[n][1] for n in dtype.names],
        "itemsize": dtype.itemsize,
    }


def _simple_dtype(text: Any) -> np.dtype:
    if not isinstance(text, str) or len(text) > 16:
        raise ProtocolError("invalid dtype")
    try:
        dtype = np.dtype(text)
    except TypeError as exc:
        raise ProtocolError(f"invalid dtype {text[:20]!r}") from exc
    if not _simple_data_dtype(dtype):
        raise ProtocolError(f"dtype {text!r} is not data")
    return dtype


def _array_dtype(node: Any) -> np.dtype:
    """Return the data dtype a message names (see :func:`is_data_array`); raise ProtocolError otherwise."""
    if not isinstance(node, dict):
        return _simple_dtype(node)
    names, formats = node.get("names"), node.get("formats")
    offsets, itemsize = node.get("offsets"), node.get("itemsize")
    if (
        type(names) is not list
        or type(formats) is not list
        or type(offsets) is not list
        or not 0 < len(names) == len(formats) == len(offsets) <= MAX_FIELDS
        or type(itemsize) is not int
        or not 0 < itemsize <= 2**20
        or not all(type(n) is str and 0 < len(n) <= 200 for n in names)
        or len(set(names)) != len(names)
        or not all(type(o) is int and 0 <= o < itemsize for o in offsets)
    ):
        raise ProtocolError("a malformed structured dtype")
    fields = [_simple_dtype(f) for f in formats]
    try:
        dtype = np.dtype(
            {"names": names, "formats": fields, "offsets": offsets, "itemsize": itemsize}
        )
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"a malformed structured dtype: {str(exc)[:100]}") from None
    return dtype


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
        if is_data_array(value):
            node = self._nd(value)
        elif kind is np.str_:
            return str(value)
        elif kind in (bytes, np.bytes_):
            self.buffers.append(memoryview(bytes(value)))
            return {"$": "bytes", "buf": len(self.buffers) - 1}
        elif kind in (np.datetime64, np.timedelta64):
            node = self._nd(np.array(value))
            node["scalar"] = True
            return node
        elif _pandas_kind(value) is not None:
            node = self._pandas(value, depth)
            return node if node is not None else self.fallback(value)
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
        elif kind in (set, frozenset):
            self._path.add(id(value))
            try:
                items = [self.encode(v, depth + 1) for v in value]
            finally:
                self._path.discard(id(value))
            return {"$": kind.__name__, "items": items}
        elif kind in _DICT_KINDS:  # Counter, OrderedDict, defaultdict: their items, as data
            self._path.add(id(value))
            try:
                items = [
                    [self.encode(k, depth + 1), self.encode(v, depth + 1)]
                    for k, v in dict.items(value)
                ]
            finally:
                self._path.discard(id(value))
            return {"$": "dict", "items": items, "cls": _DICT_KINDS[kind]}
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

    def _nd(self, value: np.ndarray) -> dict:
        """Return the node of a data array (its bytes go to the buffers)."""
        data = value if value.flags.c_contiguous else value.copy(order="C")  # keeps 0-d arrays
        if data.size and data.dtype.itemsize:
            self.buffers.append(memoryview(data.reshape(-1).view(np.uint8)))
        else:
            self.buffers.append(memoryview(b""))
        node = {
            "$": "nd",
            "dtype": _dtype_node(data.dtype),
            "shape": list(data.shape),
            "buf": len(self.buffers) - 1,
        }
        if not value.flags.writeable:
            node["ro"] = True  # a read-only array stays read-only on the other side
        return node

    # --- pandas --------------------------------------------------------------------

    def _label(self, value: Any) -> Any:
        """Return the node of a column, index or series name (``_NotData`` when not data)."""
        if type(value) in _PRIMITIVES or is_plain_scalar(value):
            return self.encode(value)
        if type(value) is tuple and len(value) <= 32:
            return {"$": "tuple", "items": [self._label(v) for v in value]}
        raise _NotData

    def _column(self, values: Any) -> dict:
        """Return the node of the values of a Series or Index (``_NotData`` when not data)."""
        dtype = values.dtype
        if isinstance(dtype, np.dtype):
            array = values.to_numpy(copy=False) if hasattr(values, "to_numpy") else values
            if dtype.kind in DATA_KINDS and is_data_array(np.asarray(array)):
                return {"$": "pd.col", "dtype": None, "values": self._nd(np.asarray(array))}
            if dtype.kind == "O":
                items = list(np.asarray(array))
                if all(type(i) in _PRIMITIVES for i in items):
                    return {"$": "pd.col", "dtype": "object", "items": items}
            raise _NotData
        name = str(dtype)
        if name in ("str", "string"):
            items = list(values.to_numpy(dtype=object, na_value=None))
            if all(type(i) is str or i is None for i in items):
                return {"$": "pd.col", "dtype": name, "items": items}
        raise _NotData

    def _index(self, index: Any) -> dict:
        pd = sys.modules["pandas"]
        kind = type(index)
        if kind is pd.RangeIndex:
            return {
                "$": "pd.range",
                "start": index.start,
                "stop": index.stop,
                "step": index.step,
                "name": self._label(index.name),
            }
        if kind not in (pd.Index, pd.DatetimeIndex, pd.TimedeltaIndex):
            raise _NotData
        if kind is pd.DatetimeIndex and index.tz is not None:
            raise _NotData
        freq = getattr(index, "freqstr", None)
        return {
            "$": "pd.index",
            "values": self._column(index),
            "name": self._label(index.name),
            "freq": freq if isinstance(freq, str) and len(freq) <= 40 else None,
        }

    def _pandas(self, value: Any, depth: int) -> dict | None:
        """Return the node of a pandas DataFrame, Series or Index of data (None for other ones)."""
        kind = _pandas_kind(value)
        try:
            if kind == "index":
                return self._index(value)
            if kind == "series":
                return {
                    "$": "pd.series",
                    "values": self._column(value),
                    "index": self._index(value.index),
                    "name": self._label(value.name),
                }
            columns = [self._column(value.iloc[:, i]) for i in range(value.shape[1])]
            return {
                "$": "pd.frame",
                "columns": self._index(value.columns),
                "index": self._index(value.index),
                "data": columns,
            }
        except _NotData:
            return None


class _NotData(Exception):
    """A pandas object holds something that is not data (it crosses as a handle)."""


def _pandas_kind(value: Any) -> str | None:
    """Return "frame", "series" or "index" for an exact pandas container; None otherwise."""
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    kind = type(value)
    if kind is pd.DataFrame:
        return "frame"
    if kind is pd.Series:
        return "series"
    if kind in (pd.Index, pd.RangeIndex, pd.DatetimeIndex, pd.TimedeltaIndex):
        return "index"
    return None


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
            cls = node.get("cls")
            if cls is not None:
                if cls == "defaultdict":  # its factory stays behind: a plain dict of its items
                    return value
                if cls not in _DICT_CLASSES:
                    raise ProtocolError("an unknown kind of dict")
                return _DICT_CLASSES[cls](value)
        elif tag in ("set", "frozenset"):
            items = node.get("items")
            if type(items) is not list:
                raise ProtocolError("a set without items")
            members = [self.decode(item, depth + 1) for item in items]
            if not all(_plain_key(m) for m in members):
                raise ProtocolError("a set member that is not plain data")
            return set(members) if tag == "set" else frozenset(members)
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
        elif tag == "bytes":
            return self._bytes(node)
        elif tag in ("pd.frame", "pd.series", "pd.index", "pd.range"):
            return self._pandas(node, depth)
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

    def _bytes(self, node: dict) -> bytes:
        index = node.get("buf")
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise ProtocolError("bytes without their data")
        self.bytes += self.buffers[index].nbytes
        if self.bytes > MAX_BYTES:
            raise ProtocolError("too much array data in one message")
        return bytes(self.buffers[index])

    def _pandas(self, node: dict, depth: int) -> Any:
        """Rebuild a pandas DataFrame, Series or Index (every part checked like any value)."""
        import pandas as pd

        tag = node["$"]
        try:
            if tag in ("pd.range", "pd.index"):
                return self._pd_index(node, depth)
            index = self._pd_index(node.get("index"), depth)
            if tag == "pd.series":
                values = self._pd_column(node.get("values"), len(index), depth)
                name = self._pd_label(node.get("name"), depth)
                return pd.Series(values, index=index, name=name, copy=False)
            columns = self._pd_index(node.get("columns"), depth)
            data = node.get("data")
            if type(data) is not list or len(data) != len(columns):
                raise ProtocolError("a malformed DataFrame")
            parts = {
                i: pd.Series(self._pd_column(c, len(index), depth), index=index, copy=False)
                for i, c in enumerate(data)
            }
            frame = pd.DataFrame(parts, index=index)
            frame.columns = columns
            return frame
        except ProtocolError:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            raise ProtocolError(f"a malformed pandas object: {str(exc)[:200]}") from None

    def _pd_label(self, node: Any, depth: int) -> Any:
        label = self.decode(node, depth + 1)
        if not _plain_key(label):
            raise ProtocolError("a pandas name that is not plain data")
        return label

    def _pd_index(self, node: Any, depth: int) -> Any:
        import pandas as pd

        if type(node) is not dict:
            raise ProtocolError("a malformed pandas index")
        self.nodes += 1
        name = self._pd_label(node.get("name"), depth)
        if node.get("$") == "pd.range":
            parts = [node.get(k) for k in ("start", "stop", "step")]
            if not all(type(p) is int and abs(p) < 2**62 for p in parts) or parts[2] == 0:
                raise ProtocolError("a malformed range index")
            return pd.RangeIndex(*parts, name=name)
        if node.get("$") != "pd.index":
            raise ProtocolError("a malformed pandas index")
        values = self._pd_column(node.get("values"), None, depth)
        freq = node.get("freq")
        if freq is not None and (type(freq) is not str or len(freq) > 40):
            raise ProtocolError("a malformed index frequency")
        if freq is not None and getattr(values, "dtype", None) is not None:
            kind = getattr(values.dtype, "kind", "")
            if kind == "M":
                return pd.DatetimeIndex(values, name=name, freq=freq)
            if kind == "m":
                return pd.TimedeltaIndex(values, name=name, freq=freq)
        return pd.Index(values, name=name, copy=False)

    def _pd_column(self, node: Any, length: int | None, depth: int) -> Any:
        import pandas as pd

        if type(node) is not dict or node.get("$") != "pd.col":
            raise ProtocolError("a malformed pandas column")
        self.nodes += 1
        kind = node.get("dtype")
        if kind is None:
            values = self.decode(node.get("values"), depth + 1)
            if type(values) is not np.ndarray or values.ndim != 1:
                raise ProtocolError("a pandas column that is not a 1-d array")
        elif kind in ("object", "str", "string"):
            items = node.get("items")
            if type(items) is not list:
                raise ProtocolError("a malformed pandas column")
            self.nodes += len(items)
            if self.nodes > MAX_NODES:
                raise ProtocolError("too many values in one message")
            if not all(type(i) in _PRIMITIVES for i in items):
                raise ProtocolError("a pandas column of values that are not plain data")
            if any(type(i) is str and len(i) > MAX_STRING for i in items):
                raise ProtocolError("a string is too long")
            if kind == "object":
                values = np.empty(len(items), dtype=object)
                values[:] = items
            else:
                if not all(type(i) is str or i is None for i in items):
                    raise ProtocolError("a text column with values that are not text")
                values = pd.array(items, dtype=kind)
        else:
            raise ProtocolError("an unknown pandas column type")
        if length is not None and len(values) != length:
            raise ProtocolError("a pandas column whose length differs from its index")
        return values

    def _array(self, node: dict) -> np.ndarray:
        dtype = _array_dtype(node.get("dtype"))
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
        target = dtype.newbyteorder("=") if dtype.fields is None else dtype
        array = array.reshape(shape).astype(target, copy=True)
        if node.get("scalar") is True:
            if array.ndim != 0 or dtype.kind not in "Mm":
                raise ProtocolError("a malformed date or duration")
            return array[()]
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
