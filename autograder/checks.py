"""Checks used by the visible and hidden test cells of the course notebooks.

Every check raises :class:`CheckFailed` (an ``AssertionError``) with a Spanish
message for the student that names the variable, says what was expected and
what came out, and gives a hint. The module holds no solutions: a test cell
computes its own reference and passes it in. Reference values are only shown
when the caller asks for it (``reveal=True``, for the small hand-checkable
examples of the visible tests); hidden tests report the relative error and
what the student's code returned, never the expected array.

Known mistakes: a hidden test may pass ``mistakes={message: wrong_value}``.
When the student's answer is not the expected one but equals one of those
wrong values (the output of a catalogued mistake, such as the gradient without
``1/m``), the failure message names the mistake, always in the form of
:func:`mistake_message`; :func:`named_mistake` reads the mistake back from a
test cell's error output (the instructor's report counts them).
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np

__all__ = [
    "CheckFailed",
    "relative_error",
    "check_type",
    "check_scalar",
    "check_shape",
    "check_close",
    "check_array_equal",
    "check_unmodified",
    "unmodified",
    "no_warnings",
    "numerical_gradient",
    "check_gradient",
    "check_integer_labels",
    "check_weight_scale",
    "global_rng_unchanged",
    "require_results",
    "student_call",
    "is_integer",
    "mistake_message",
    "named_mistake",
    "drive_optimizers",
    "check_optimizer",
    "check_optimizer_rules",
    "hidden_rng",
    "hidden_seed",
    "HIDDEN_SEED",
]

#: Default relative tolerance of :func:`check_close`.
RTOL = 1e-6


class CheckFailed(AssertionError):
    """A check of a test cell failed; the message is meant for the student."""


def _fail(message: str, hint: str | None = None) -> None:
    if hint:
        message = f"{message}\nPista: {hint}"
    raise CheckFailed(message)


def mistake_message(name: str, mistake: str) -> str:
    """Return the message of a failed check that recognised a known mistake.

    Every check that names a catalogued mistake words it this way, so that
    :func:`named_mistake` can read the mistake back from the graded notebook.

    Parameters
    ----------
    name : str
        How the value is called in the notebook.
    mistake : str
        The Spanish description of the mistake (the key of ``mistakes``).

    Returns
    -------
    str
        ``"`name` no es correcto: mistake."``
    """
    return f"`{name}` no es correcto: {mistake}."


_NAMED_MISTAKE = re.compile(r"`[^`\n]*` no es correcto: (?P<mistake>.+)\.", re.DOTALL)


def named_mistake(error: str) -> str | None:
    """Return the known mistake a failed check named, or None.

    Parameters
    ----------
    error : str
        The message of the exception, or the ``"ename: evalue"`` line of a
        test cell's error output.

    Returns
    -------
    str or None
        The mistake's Spanish description, exactly as the student read it,
        when the message is one of :func:`mistake_message`; otherwise None.
    """
    text = error.strip()
    for prefix in ("CheckFailed: ", "AssertionError: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    match = _NAMED_MISTAKE.fullmatch(text)
    return match["mistake"] if match else None


def _describe(value: Any, max_items: int = 6) -> str:
    """Return a short, readable description of ``value`` for a message."""
    if isinstance(value, np.generic) and not isinstance(value, (np.bool_, np.str_, np.bytes_)):
        return f"{value.item()!r} (escalar de NumPy {value.dtype})"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"{value.item()!r} (arreglo de dimensión 0, no un número de Python)"
        flat = value.ravel()
        items = np.array2string(flat[:max_items], precision=6, separator=", ")
        more = ", ..." if flat.size > max_items else ""
        return f"arreglo de forma {value.shape} y dtype {value.dtype}: {items[:-1]}{more}]"
    if isinstance(value, (list, tuple)):
        kind = "lista" if isinstance(value, list) else "tupla"
        return f"{kind} de longitud {len(value)}"
    return f"{value!r} (tipo {type(value).__name__})"


def relative_error(actual: Any, expected: Any) -> float:
    """Return ``||actual - expected|| / max(||actual||, ||expected||)``.

    The Euclidean norm runs over all entries, so entries near zero do not blow
    the error up, and the error does not depend on the scale of the values
    (``np.allclose``'s absolute tolerance of 1e-8 accepts anything for tiny
    values). Two zero arrays have relative error 0.

    Parameters
    ----------
    actual, expected : array_like
        Arrays of the same shape (or scalars).

    Returns
    -------
    float
        The relative error; ``inf`` when either input holds NaN or infinity.
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(e))):
        return float("inf")
    scale = max(np.linalg.norm(a), np.linalg.norm(e))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - e) / scale)


def check_type(
    name: str, value: Any, expected: type | tuple[type, ...], hint: str | None = None
) -> None:
    """Check that ``value`` is an instance of ``expected``.

    Parameters
    ----------
    name : str
        How the value is called in the notebook (``"w"``, ``"costs"``, ...).
    value : object
        What the student's code returned.
    expected : type or tuple of types
        Accepted types.
    hint : str, optional
        A Spanish hint added to the message.
    """
    if not isinstance(value, expected):
        types = expected if isinstance(expected, tuple) else (expected,)
        names = " o ".join(t.__name__ for t in types)
        _fail(f"`{name}` debe ser de tipo {names}, pero es {_describe(value)}.", hint)


def check_scalar(name: str, value: Any, hint: str | None = None) -> float:
    """Check that ``value`` is one real number and return it as a Python float.

    Python and NumPy real scalars and 0-d arrays are accepted; arrays with
    more than one dimension (even of shape ``(1, 1)``) and booleans are not.

    Parameters
    ----------
    name : str
        How the value is called in the notebook.
    value : object
        What the student's code returned.
    hint : str, optional
        A Spanish hint added to the message.

    Returns
    -------
    float
        The value as a Python float.
    """
    if isinstance(value, (bool, np.bool_)):
        _fail(f"`{name}` debe ser un número real, pero es un booleano ({value!r}).", hint)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if not isinstance(value, (Real, np.floating, np.integer)) or isinstance(value, complex):
        _fail(
            f"`{name}` debe ser un número (float), pero es {_describe(value)}.",
            hint
            or "si tienes un arreglo de un solo elemento, conviértelo en número con .item() (o indexando, p. ej. a[0, 0]).",
        )
    number = float(value)
    if not np.isfinite(number):
        _fail(
            f"`{name}` vale {number}: el cálculo produjo un valor no finito.",
            hint or "revisa si hay divisiones entre cero, logaritmos de 0 o desbordamientos.",
        )
    return number


def check_shape(name: str, value: Any, expected: tuple[int, ...], hint: str | None = None) -> None:
    """Check that ``value`` is a NumPy array of shape ``expected``.

    Parameters
    ----------
    name : str
        How the array is called in the notebook.
    value : object
        What the student's code returned.
    expected : tuple of int
        The expected shape.
    hint : str, optional
        A Spanish hint added to the message.
    """
    expected = tuple(int(d) for d in expected)
    if not isinstance(value, np.ndarray):
        _fail(
            f"`{name}` debe ser un arreglo de NumPy de forma {expected}, pero es {_describe(value)}.",
            hint,
        )
    if value.shape != expected:
        if value.shape == expected[::-1] and len(expected) == 2:
            hint = (
                hint
                or "parece traspuesto: revisa el orden de las dimensiones (un ejemplo por columna)."
            )
        elif value.ndim != len(expected):
            hint = (
                hint
                or "revisa que no se pierda ni sobre una dimensión (por ejemplo (m,) frente a (1, m))."
            )
        _fail(f"`{name}` debe tener forma {expected}, pero tiene forma {value.shape}.", hint)


def check_close(
    name: str,
    actual: Any,
    expected: Any,
    rtol: float = RTOL,
    mistakes: Mapping[str, Any] | None = None,
    reveal: bool = False,
    hint: str | None = None,
    atol: float = 0.0,
) -> None:
    """Check that ``actual`` equals ``expected`` up to a relative error.

    Shapes must agree exactly (no broadcasting). When the values differ and
    ``actual`` equals one of the ``mistakes`` values, the message names that
    mistake.

    Parameters
    ----------
    name : str
        How the value is called in the notebook.
    actual : array_like or float
        What the student's code returned.
    expected : array_like or float
        The reference, computed by the test cell.
    rtol : float, default 1e-6
        Largest accepted :func:`relative_error`.
    mistakes : mapping of str to array_like, optional
        Spanish description of a known mistake -> the value that mistake
        produces on the same input.
    reveal : bool, default False
        Show the expected value in the message (only for visible, hand-checkable
        examples; hidden tests must not reveal the reference).
    hint : str, optional
        A Spanish hint added to the generic message.
    atol : float, default 0.0
        Also accept ``||actual - expected|| <= atol``; needed when the
        expected value is (close to) zero, where a relative error means nothing.
    """
    expected_arr = np.asarray(expected, dtype=np.float64)
    if expected_arr.ndim == 0:
        actual_num = check_scalar(name, actual)
        actual_arr = np.asarray(actual_num)
    else:
        check_shape(name, actual, expected_arr.shape)
        if not np.issubdtype(actual.dtype, np.number):
            _fail(f"`{name}` debe contener números, pero su dtype es {actual.dtype}.", hint)
        actual_arr = actual
    if not np.all(np.isfinite(np.asarray(actual_arr, dtype=np.float64))):
        _fail(
            f"`{name}` contiene valores no finitos (NaN o infinito).",
            hint
            or "revisa divisiones entre cero, logaritmos de 0, desbordamientos o una tasa de aprendizaje demasiado grande.",
        )
    err = relative_error(actual_arr, expected_arr)
    if err <= rtol:
        return
    distance = float(np.linalg.norm(np.asarray(actual_arr, dtype=np.float64) - expected_arr))
    if distance <= atol:
        return
    for description, wrong in (mistakes or {}).items():
        wrong_arr = np.asarray(wrong, dtype=np.float64)
        if wrong_arr.shape == np.shape(actual_arr) and relative_error(actual_arr, wrong_arr) <= max(
            rtol, 1e-9
        ):
            _fail(mistake_message(name, description))
    if atol and not np.any(expected_arr):
        message = (
            f"`{name}` debería ser 0, pero se aleja de 0 en {distance:.2e} (tolerancia {atol:.0e})."
        )
    else:
        message = f"`{name}` no tiene el valor esperado (error relativo {err:.2e}, tolerancia {rtol:.0e})."
    if reveal:
        shown = _describe(expected_arr) if expected_arr.ndim else repr(float(expected_arr))
        message += f"\n  esperado: {shown}"
    message += f"\n  obtenido: {_describe(np.asarray(actual_arr)) if np.ndim(actual_arr) else repr(float(actual_arr))}"
    _fail(message, hint)


def check_array_equal(
    name: str, actual: Any, expected: Any, reveal: bool = False, hint: str | None = None
) -> None:
    """Check that ``actual`` is an array exactly equal to ``expected`` (same shape, same entries).

    Meant for integer outputs (predicted labels, counts, indices).

    Parameters
    ----------
    name : str
        How the value is called in the notebook.
    actual : numpy.ndarray
        What the student's code returned.
    expected : array_like
        The reference.
    reveal : bool, default False
        Show the expected value in the message.
    hint : str, optional
        A Spanish hint added to the message.
    """
    expected = np.asarray(expected)
    check_shape(name, actual, expected.shape)
    wrong = int(np.count_nonzero(actual != expected))
    if wrong:
        message = f"`{name}` difiere del valor esperado en {wrong} de {expected.size} elementos."
        if reveal:
            message += f"\n  esperado: {_describe(expected)}"
        message += f"\n  obtenido: {_describe(actual)}"
        _fail(message, hint)


def check_unmodified(name: str, before: Any, after: Any) -> None:
    """Check that an input argument was not modified in place.

    Parameters
    ----------
    name : str
        The argument's name.
    before : object
        A deep copy taken before the call.
    after : object
        The same object after the call.
    """
    if isinstance(before, Mapping):
        for key in before:
            check_unmodified(
                f"{name}[{key!r}]",
                before[key],
                after.get(key) if isinstance(after, Mapping) else None,
            )
        return
    same = (
        isinstance(after, np.ndarray)
        and np.shape(before) == after.shape
        and np.array_equal(before, after, equal_nan=np.issubdtype(after.dtype, np.floating))
        if isinstance(before, np.ndarray)
        else before == after
    )
    if not same:
        _fail(
            f"tu función modificó el argumento `{name}` que recibe.",
            "no cambies las entradas en su lugar (por ejemplo con -=, +=, o X[...] = ...); "
            "trabaja sobre una copia o crea arreglos nuevos.",
        )


@contextlib.contextmanager
def unmodified(**arguments: Any) -> Iterator[None]:
    """Context manager: the named arguments must be equal before and after the block.

    Examples
    --------
    >>> X = np.ones((2, 3))
    >>> with unmodified(X=X):
    ...     total = X.sum()
    """
    copies = {name: copy.deepcopy(value) for name, value in arguments.items()}
    yield
    for name, value in arguments.items():
        check_unmodified(name, copies[name], value)


@contextlib.contextmanager
def no_warnings(name: str) -> Iterator[None]:
    """Context manager: the block must not raise warnings or floating-point errors.

    Overflow, division by zero and invalid operations in NumPy, and any Python
    warning, become a failed check that names the function; underflow, which
    NumPy ignores by default, stays allowed.

    Parameters
    ----------
    name : str
        The function under test, for the message.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            # underflow is harmless (exp(-1000) -> 0.0) and silent in NumPy by default
            with np.errstate(all="raise", under="ignore"):
                yield
        except (FloatingPointError, Warning) as exc:
            _fail(
                f"`{name}` produjo un aviso numérico: {exc}.",
                "evita desbordamientos: por ejemplo, no calcules np.exp de números grandes positivos.",
            )


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Approximate the gradient of a scalar function by centered differences, in float64.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; it may read ``x`` but must not keep a reference to it.
    x : numpy.ndarray
        Point where the gradient is taken (any shape); it is not modified.
    h : float, default 1e-5
        Step of the centered difference ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``.

    Returns
    -------
    numpy.ndarray
        Array of the shape of ``x``, dtype float64.
    """
    point = np.array(x, dtype=np.float64)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        f_plus = float(f(point.copy()))
        point[index] = original - h
        f_minus = float(f(point.copy()))
        point[index] = original
        grad[index] = (f_plus - f_minus) / (2.0 * h)
    return grad


def check_gradient(
    name: str,
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic: Any,
    h: float = 1e-5,
    rtol: float = 1e-7,
    mistakes: Mapping[str, Any] | None = None,
) -> None:
    """Check an analytic gradient against centered differences of ``f`` at ``x``.

    Parameters
    ----------
    name : str
        How the gradient is called in the notebook (``"dw"``, ``"dW1"``, ...).
    f : callable
        The scalar cost as a function of the parameter.
    x : numpy.ndarray
        The parameter value.
    analytic : array_like
        The student's gradient.
    h : float, default 1e-5
        Finite-difference step.
    rtol : float, default 1e-7
        Largest accepted relative error (float64 centered differences reach
        about 1e-9 on smooth costs).
    mistakes : mapping of str to array_like, optional
        Known mistakes, as in :func:`check_close`.
    """
    numeric = numerical_gradient(f, x, h)
    check_close(
        name,
        analytic,
        numeric,
        rtol=rtol,
        mistakes=mistakes,
        hint="compara tu fórmula con la derivada de la función de costo; "
        "revisa el signo, el factor 1/m y las trasposiciones.",
    )


def check_integer_labels(
    name: str, value: Any, shape: tuple[int, ...], allowed: Any = None
) -> None:
    """Check an array of integer labels: shape, an integer dtype and, optionally, the allowed values.

    Parameters
    ----------
    name : str
        How the array is called in the notebook.
    value : object
        What the student's code returned.
    shape : tuple of int
        The expected shape.
    allowed : array_like, optional
        The values the labels may take (for example ``[0, 1]``).
    """
    check_shape(name, value, shape)
    if not np.issubdtype(value.dtype, np.integer):
        _fail(
            f"`{name}` debe contener enteros, pero su dtype es {value.dtype}.",
            "convierte el resultado con .astype(int).",
        )
    if allowed is not None:
        extra = np.setdiff1d(np.unique(value), np.asarray(allowed))
        if extra.size:
            _fail(
                f"`{name}` solo puede tomar los valores {list(np.asarray(allowed))}, pero contiene {list(extra[:5])}."
            )


#: How many standard errors of the sample standard deviation :func:`check_weight_scale` adds on
#: each side of the stated range (a correct value fails with probability below 1e-8).
SCALE_MARGIN_SE = 6.0


def check_weight_scale(
    name: str, weights: Any, low: float, high: float, hint: str | None = None
) -> None:
    """Check that random initial weights are centred and have a standard deviation in ``[low, high]``.

    The notebook states the range ``[low, high]`` for the distribution's
    standard deviation; a test only sees a sample of it. The sample standard
    deviation of ``N`` draws has a relative standard error of about
    ``1 / sqrt(2 N)`` (normal draws; less for uniform ones), so the accepted
    band is the stated one widened by :data:`SCALE_MARGIN_SE` such errors on
    each side: every scale in the stated range passes for every seed (the
    chance of a false failure is below 1e-8), while scales well outside it
    still fail. Centred means ``|mean| <= 6 sd / sqrt(N)`` (the sample mean
    of centred draws is within 6 standard errors of 0).

    Parameters
    ----------
    name : str
        How the weights are called in the notebook (``"W1"``).
    weights : numpy.ndarray
        The student's initial weights (at least 8 entries).
    low, high : float
        The stated range of the standard deviation.
    hint : str, optional
        A Spanish hint added to the message when the scale is wrong.
    """
    values = np.asarray(weights, dtype=np.float64).ravel()
    count = values.size
    margin = SCALE_MARGIN_SE / np.sqrt(2.0 * count)
    sd = float(np.std(values))
    mean = float(np.mean(values))
    if sd > high * (1.0 + margin):
        _fail(
            f"Los pesos de `{name}` son demasiado grandes: su desviación estándar es {sd:.3g} "
            f"y debe estar entre {low:.3g} y {high:.3g}.",
            hint,
        )
    if sd < low * (1.0 - margin):
        _fail(
            f"Los pesos de `{name}` son demasiado pequeños: su desviación estándar es {sd:.3g} "
            f"y debe estar entre {low:.3g} y {high:.3g}.",
            hint,
        )
    if abs(mean) > SCALE_MARGIN_SE * sd / np.sqrt(count):
        _fail(
            f"Los pesos de `{name}` deben estar centrados en 0, pero su media es {mean:.3g} "
            f"(desviación estándar {sd:.3g}).",
            "usa normales centrados (rng.standard_normal) o uniformes simétricos "
            "(rng.uniform(-a, a, ...)), no uniformes en [0, 1) (rng.random).",
        )


def _global_state() -> tuple:
    """NumPy's global generator where the student's code runs (the kernel, under the harness)."""
    if kernel_rng_state is not None:
        return tuple(kernel_rng_state())
    return np.random.get_state(legacy=True)


@contextlib.contextmanager
def global_rng_unchanged(name: str) -> Iterator[None]:
    """Context manager: the block must neither use nor reseed NumPy's global random generator.

    ``np.random.seed``, ``np.random.randn``, ``np.random.rand``... change the
    state that every other part of a program shares; the course asks for
    ``np.random.default_rng(seed)`` instead.

    Parameters
    ----------
    name : str
        The function under test, for the message.
    """
    before = _global_state()
    yield
    after = _global_state()
    same = before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]
    if not same:
        _fail(
            f"`{name}` usó o cambió el generador global de NumPy (np.random.seed, np.random.randn, ...).",
            "crea rng = np.random.default_rng(seed) y saca todos los números aleatorios de rng.",
        )


def require_results(
    namespace: Mapping[str, Any], names: list[str] | tuple[str, ...], cell: str, function: str
) -> None:
    """Check that an earlier cell produced the variables a test needs, before using them.

    A test cell that uses a result of an earlier cell (a trained model, the
    gradients of a comparison) would otherwise fail with a bare ``NameError``
    in English when that cell crashed. This says, in Spanish, which cell did
    not finish and which function to look at.

    Parameters
    ----------
    namespace : mapping
        Where to look for the names: ``globals()`` of the test cell.
    names : sequence of str
        The variables the test needs.
    cell : str
        How the earlier cell is called for the student (``"de entrenamiento"``).
    function : str
        The graded function to review first (``"nn_model"``).

    Examples
    --------
    >>> require_results({"w_gd": 1.0}, ["w_gd"], cell="de entrenamiento", function="gradient_descent")
    """
    missing = [name for name in names if name not in namespace]
    if missing:
        listed = ", ".join(f"`{name}`" for name in missing)
        _fail(
            f"La celda {cell} no terminó (o no se ejecutó): falta {listed}, que esta prueba necesita.",
            f"revisa `{function}` (y las pruebas de las funciones que usa), vuelve a ejecutar "
            f"la celda {cell} y después esta.",
        )


def _kind(exc: BaseException) -> str:
    """Return the exception's name (under the harness, the name it had in the kernel)."""
    return str(getattr(exc, "ename", "") or type(exc).__name__)


def _is(exc: BaseException, cls: type) -> bool:
    """``isinstance``, also for an exception that crossed from the kernel (named by ``ename``)."""
    return isinstance(exc, cls) or _kind(exc) == cls.__name__


def _explain(exc: BaseException) -> str:
    """Return a Spanish hint for an exception raised by the student's code."""
    text = str(exc)
    if _is(exc, NotImplementedError):
        return "todavía no completaste la función: escribe tu código y borra la línea raise NotImplementedError()."
    if _is(exc, TypeError) and ("arrays can be converted" in text or "Python scalars" in text):
        return (
            "usaste una función del módulo math (math.exp, math.log, ...) con un arreglo: "
            "usa las de NumPy (np.exp, np.log, ...), que trabajan con arreglos."
        )
    if _is(exc, ValueError) and "could not broadcast input array" in text:
        return (
            "una asignación por cortes (slices) recibió un bloque de otra forma: revisa los límites "
            "de los cortes (ojo: a[-0:] es todo el eje, porque −0 = 0, no un corte vacío)."
        )
    if _is(exc, ValueError) and any(
        w in text for w in ("matmul", "shapes", "broadcast", "aligned")
    ):
        return (
            "las formas no encajan en un producto o una operación: revisa las formas y las "
            "trasposiciones (en la unidad 1, X tiene forma (n, m): un ejemplo por columna)."
        )
    if _is(exc, IndexError):
        return "un índice se sale del arreglo: revisa los ejes (axis) y las formas."
    if _is(exc, KeyError):
        return "falta una clave en un diccionario: revisa los nombres de las claves."
    if _is(exc, NameError):
        return "usaste un nombre que no está definido: ¿ejecutaste las celdas anteriores?"
    return "lee el mensaje de Python y revisa la línea de tu función que lo produjo."


@contextlib.contextmanager
def student_call(name: str) -> Iterator[None]:
    """Context manager: an exception raised by the student's code becomes a Spanish message.

    Check failures pass through unchanged; any other exception (a
    ``TypeError`` from ``math.exp`` on an array, a shape mismatch in ``@``,
    an ``IndexError``...) is reported as a failed check that names the
    function, explains the usual cause in Spanish and keeps Python's own
    message for reference.

    Parameters
    ----------
    name : str
        The function under test, for the message.
    """
    try:
        yield
    except AssertionError:
        raise
    except Exception as exc:
        raise CheckFailed(
            f"`{name}` produjo un error al ejecutarse ({_kind(exc)}; mensaje de Python: {exc}).\n"
            f"Pista: {_explain(exc)}"
        ) from None


def is_integer(value: Any) -> bool:
    """Return True for Python and NumPy integers (not booleans)."""
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


# --- optimizers as objects (notebook 1.6) ----------------------------------------

#: Mistake kinds that :func:`check_optimizer` reproduces itself, around the step.
OPTIMIZER_LOOP_MISTAKES = ("by_position", "shared_state", "t_per_key", "t_fixed")

_KEY_ERROR_HINT = (
    "¿Usaste las claves 'w' y 'b' fijas, o leíste el estado de una clave antes de crearlo? "
    "Recorre las claves de params (for k in params) y crea el estado de cada clave, en ceros, "
    "la primera vez."
)
_CLASS_STATE_HINT = (
    "con dos optimizadores usados por turnos el resultado cambia: ¿guardaste el estado como "
    "atributo de la clase? Créalo en __init__ (self.p = {}), para que cada objeto tenga el suyo."
)


def drive_optimizers(
    optimizers: list[Any],
    params: Mapping[str, np.ndarray],
    grads_sequences: list[list[Mapping[str, np.ndarray]]],
) -> list[dict[str, np.ndarray]]:
    """Run optimizers in turns, each on its own copy of ``params``, and check the contract of ``update``.

    At step ``i``, ``optimizers[j].update(run_j, grads_sequences[j][i])`` is
    called for every ``j`` in turn. After each call every ``run_j[k]`` must
    still be the array it was (updated in place); at the end no gradient
    handed to ``update`` may have changed, not even later through the
    optimizer's state.

    Parameters
    ----------
    optimizers : list
        Objects with a method ``update(params, grads)``.
    params : mapping of str to numpy.ndarray
        The starting parameters; each optimizer gets its own copy, ``params``
        itself is not touched.
    grads_sequences : list of lists of mappings
        ``grads_sequences[j]`` is the gradients handed to ``optimizers[j]``,
        one mapping per update; all the lists have the same length.

    Returns
    -------
    list of dict
        The parameters of each optimizer after its last update.

    Raises
    ------
    CheckFailed
        When ``update`` raises ``KeyError`` or ``ValueError``, rebinds
        ``params[k]`` or modifies a gradient.
    """
    runs = [{k: v.copy() for k, v in params.items()} for _ in optimizers]
    objects = [dict(run) for run in runs]
    before = [[{k: g.copy() for k, g in grads.items()} for grads in seq] for seq in grads_sequences]
    for i in range(len(grads_sequences[0])):
        for opt, run, objs, seq in zip(optimizers, runs, objects, grads_sequences, strict=True):
            try:
                opt.update(run, seq[i])
            except Exception as exc:  # two kinds are explained, the rest re-raised as they came
                # under the trusted harness the student's exception arrives as a StudentError
                # that carries the kernel's exception name in ``ename``
                kind = getattr(exc, "ename", type(exc).__name__)
                if kind == "KeyError":
                    raise CheckFailed(
                        f"update lanzó KeyError {exc} con params de claves {list(objs)}. "
                        + _KEY_ERROR_HINT
                    ) from None
                if kind == "ValueError":
                    shapes = {k: v.shape for k, v in objs.items()}
                    raise CheckFailed(
                        f"update lanzó ValueError ({exc}) con params de formas {shapes}. "
                        "¿Compartiste un solo estado entre claves de formas distintas? Cada clave de "
                        "params necesita su propio estado, con la forma de params[k] (self.p[k], ...)."
                    ) from None
                raise
            for k, obj in objs.items():
                if run.get(k) is not obj:
                    raise CheckFailed(
                        "reasignaste params[k] en lugar de actualizar el arreglo en su lugar: "
                        f"después de update, params[{k!r}] ya no es el mismo arreglo. Usa "
                        "params[k] -= ... o params[k][...] = ..., no params[k] = params[k] - ..."
                    )
    for seq, seq_before in zip(grads_sequences, before, strict=True):
        for grads, grads_before in zip(seq, seq_before, strict=True):
            check_unmodified("grads", grads_before, grads)
    return runs


def _optimizer_reference(
    step: Callable[..., np.ndarray],
    kind: str,
    params: Mapping[str, np.ndarray],
    grads_sequence: list[Mapping[str, np.ndarray]],
) -> dict[str, np.ndarray]:
    """Parameters after every update of the rule (``kind == ""``) or of a mistake."""
    params = {k: v.copy() for k, v in params.items()}
    states: dict[str, dict] = {}
    t = 1
    for grads in grads_sequence:
        for j, k in enumerate(params):
            g = list(grads.values())[j] if kind == "by_position" else grads[k]
            state = states.setdefault("shared" if kind == "shared_state" else k, {})
            params[k] = step(kind, params[k], g, state, t)
            t += kind == "t_per_key"
        t += kind not in ("t_per_key", "t_fixed")
    return params


def _compare_optimizer(step, mistakes, label, out, params, grads_sequence, hint=None):
    expected = _optimizer_reference(step, "", params, grads_sequence)
    wrong = {}
    for message, kind in mistakes.items():
        try:
            with np.errstate(all="ignore"):
                wrong[message] = _optimizer_reference(step, kind, params, grads_sequence)
        except ValueError:  # a mistake that cannot even run on these shapes
            pass
    for k in expected:
        check_close(
            f"params[{k!r}] {label}",
            out[k],
            expected[k],
            mistakes={message: values[k] for message, values in wrong.items()},
            hint=hint,
        )


def check_optimizer(
    make: Callable[[], Any],
    step: Callable[[str, np.ndarray, np.ndarray, dict, int], np.ndarray],
    mistakes: Mapping[str, str],
    rng: np.random.Generator,
) -> None:
    """Check an optimizer class of notebook 1.6 against a reference step, naming known mistakes.

    The optimizer runs four scenarios through :func:`drive_optimizers`: six
    updates in a row on the neuron's keys ``"w"`` (3, 1) and ``"b"`` (1, 1),
    one update, four updates on keys ``"W1"`` and ``"W2"`` of the same shape
    with the gradients listed in another order, and two optimizers used in
    turns on their own parameters. Each result is compared with the reference
    that ``step`` gives, and with what every mistake of ``mistakes`` would
    give, so that a wrong answer that matches one is named. This function
    holds no update rule: the test cell passes it in.

    Parameters
    ----------
    make : callable
        ``make()`` returns a fresh optimizer (an object with ``update(params, grads)``).
    step : callable
        ``step(kind, x, g, state, t) -> x_new``: one update of one parameter
        array ``x`` with gradient ``g`` at update number ``t`` (from 1);
        ``state`` is the dict of that key's state (empty at first), which
        ``step`` reads and updates. ``kind == ""`` is the correct rule, any
        other value a mistake; it must not modify ``x``, ``g`` or arrays it
        keeps. The kinds of :data:`OPTIMIZER_LOOP_MISTAKES` are reproduced
        around the step (grads paired by position, one state for all keys,
        ``t`` growing once per key, ``t`` fixed at 1) and reach ``step``
        like the rule.
    mistakes : mapping of str to str
        Spanish description of a known mistake -> its ``kind``.
    rng : numpy.random.Generator
        Source of the random parameters and gradients (a seeded generator,
        so the hidden test is the same on every run).

    Raises
    ------
    CheckFailed
        At the first wrong result, naming the mistake when it matches one.
    """

    def compare(label, out, params, grads_sequence, hint=None):
        _compare_optimizer(step, mistakes, label, out, params, grads_sequence, hint)

    # the neuron's keys and shapes: six updates in a row (they tell the mistakes apart), then one
    params = {"w": rng.normal(size=(3, 1)), "b": rng.normal(size=(1, 1))}
    gseq = [{"w": rng.normal(size=(3, 1)), "b": rng.normal(size=(1, 1))} for _ in range(6)]
    compare(
        "(seis actualizaciones seguidas)",
        drive_optimizers([make()], params, [gseq])[0],
        params,
        gseq,
    )
    compare(
        "(una actualización)", drive_optimizers([make()], params, [gseq[:1]])[0], params, gseq[:1]
    )
    # other keys, both of the same shape, grads listed in another order than params
    params = {"W1": rng.normal(size=(2, 3)), "W2": rng.normal(size=(2, 3))}
    gseq = [{k: rng.normal(size=(2, 3)) for k in ["W2", "W1"]} for _ in range(4)]
    compare(
        "(claves W1 y W2, cuatro actualizaciones)",
        drive_optimizers([make()], params, [gseq])[0],
        params,
        gseq,
    )
    # two optimizers used in turns, each on its own parameters, must not share their state
    params = {"w": rng.normal(size=(2, 1)), "b": rng.normal(size=(1, 1))}
    gseq = [{"w": rng.normal(size=(2, 1)), "b": rng.normal(size=(1, 1))} for _ in range(4)]
    gseq_2 = [{k: rng.normal(size=g[k].shape) for k in g} for g in gseq]
    run_1, run_2 = drive_optimizers([make(), make()], params, [gseq, gseq_2])
    compare(
        "(el primero de dos optimizadores usados por turnos)",
        run_1,
        params,
        gseq,
        _CLASS_STATE_HINT,
    )
    compare(
        "(el segundo de dos optimizadores usados por turnos)",
        run_2,
        params,
        gseq_2,
        _CLASS_STATE_HINT,
    )


def check_optimizer_rules(make: Callable[[], Any], seed: int = 0) -> None:
    """Check the rules every optimizer of notebook 1.6 follows, without knowing its update rule.

    The optimizer is only compared with itself: each key's result must not
    depend on which other keys ``params`` holds or in which order ``grads``
    lists them, and an optimizer's result must not change when another
    optimizer of the same class is used in between. On top of that,
    :func:`drive_optimizers` checks that ``params`` is updated in place and
    that no gradient is modified. Meant for the visible tests: it reveals no
    reference value.

    Parameters
    ----------
    make : callable
        ``make()`` returns a fresh optimizer (an object with ``update(params, grads)``).
    seed : int, default 0
        Seed of the random parameters and gradients.

    Raises
    ------
    CheckFailed
        With a Spanish message naming the rule that was broken.
    """
    rng = np.random.default_rng(seed)
    steps = 3
    params = {"a": rng.normal(size=(2, 3)), "c": rng.normal(size=(2, 3))}
    # grads listed in another order than params, to catch pairing by position
    gseq = [{k: rng.normal(size=(2, 3)) for k in ["c", "a"]} for _ in range(steps)]
    other = [{k: rng.normal(size=(2, 3)) for k in g} for g in gseq]
    shared = (
        "params[{k!r}] cambia si otro optimizador de la misma clase se usó antes o se usa entre "
        "tus llamadas a update: los objetos comparten el estado."
    )
    shared_hint = (
        "crea el estado en __init__ (por ejemplo self.p = {}), no como atributo de la clase, "
        "para que cada objeto tenga el suyo."
    )
    # one state per object: two fresh optimizers, alone or used in turns, give the same result
    together = drive_optimizers([make()], params, [gseq])[0]
    again = drive_optimizers([make()], params, [gseq])[0]
    first, _ = drive_optimizers([make(), make()], params, [gseq, other])
    for k in params:
        if (
            max(relative_error(again[k], together[k]), relative_error(first[k], together[k]))
            > 1e-12
        ):
            _fail(shared.format(k=k), shared_hint)
    # the keys come from params, and every key has its own state
    for k in params:
        alone = drive_optimizers([make()], {k: params[k]}, [[{k: g[k]} for g in gseq]])[0]
        if relative_error(together[k], alone[k]) > 1e-12:
            _fail(
                f"params[{k!r}] cambia según qué otras claves haya en params: con las claves "
                f"{list(params)} no da lo mismo que con la clave {k!r} sola.",
                "cada clave k usa su propio gradiente grads[k] (la misma clave, no la misma posición) "
                "y su propio estado (self.p[k], self.s[k], ...); en Adam, t aumenta una vez por "
                "llamada a update, no una vez por clave.",
            )


#: Set by the trusted harness while it runs a test cell: a function returning the state of
#: NumPy's global generator in the student's kernel (where the student's code runs).
#: ``None`` when the tests run in the student's own kernel.
kernel_rng_state: Callable[[], Any] | None = None


# --- the inputs of the hidden tests ---------------------------------------------------

#: The seed of the hidden tests wherever nobody chose another: ``autograder validate``,
#: the catalogues and a student's own kernel. Fixed, so those runs are reproducible.
HIDDEN_SEED = 20261208
#: Environment variable that sets the seed in a kernel where the tests run themselves
#: (grading without the trusted harness).
HIDDEN_SEED_VARIABLE = "AUTOGRADER_HIDDEN_SEED"
#: The seed of the submission being graded, set by the grader (see :func:`hidden_seed`).
_hidden_seed: int | None = None


def current_hidden_seed() -> int:
    """Return the seed :func:`hidden_rng` uses now.

    The one set by :func:`hidden_seed` while the grader runs a submission's tests,
    else :data:`HIDDEN_SEED_VARIABLE` from the environment, else :data:`HIDDEN_SEED`.
    """
    if _hidden_seed is not None:
        return _hidden_seed
    value = os.environ.get(HIDDEN_SEED_VARIABLE, "").strip()
    if value:
        try:
            return int(value)
        except ValueError:
            pass
    return HIDDEN_SEED


@contextlib.contextmanager
def hidden_seed(seed: int | None) -> Iterator[None]:
    """Context manager: :func:`hidden_rng` draws from ``seed`` inside the block.

    Parameters
    ----------
    seed : int or None
        The seed the grader chose for one submission (``None`` keeps the default).
    """
    global _hidden_seed
    saved = _hidden_seed
    _hidden_seed = None if seed is None else int(seed)
    try:
        yield
    finally:
        _hidden_seed = saved


def hidden_rng(key: str = "") -> np.random.Generator:
    """Return a fresh random generator for the inputs of a hidden test.

    When grading, the seed is drawn anew for each submission and never shown to
    the student, so a table of inputs and answers learned from one grading is
    worth nothing in another; elsewhere it is :data:`HIDDEN_SEED`.

    Parameters
    ----------
    key : str, default ""
        Names the test (for instance the function it grades): tests with different
        keys draw independent streams from the same seed.

    Returns
    -------
    numpy.random.Generator
        A generator seeded with the submission's seed and ``key``.
    """
    words = [current_hidden_seed() % 2**63, zlib.crc32(str(key).encode("utf-8"))]
    return np.random.default_rng(np.random.SeedSequence(words))
