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
``1/m``), the failure message names the mistake.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
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
]

#: Default relative tolerance of :func:`check_close`.
RTOL = 1e-6


class CheckFailed(AssertionError):
    """A check of a test cell failed; the message is meant for the student."""


def _fail(message: str, hint: str | None = None) -> None:
    if hint:
        message = f"{message}\nPista: {hint}"
    raise CheckFailed(message)


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
            _fail(f"`{name}` no es correcto: {description}.")
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


def _explain(exc: BaseException) -> str:
    """Return a Spanish hint for an exception raised by the student's code."""
    text = str(exc)
    if isinstance(exc, NotImplementedError):
        return "todavía no completaste la función: escribe tu código y borra la línea raise NotImplementedError()."
    if isinstance(exc, TypeError) and (
        "arrays can be converted" in text or "Python scalars" in text
    ):
        return (
            "usaste una función del módulo math (math.exp, math.log, ...) con un arreglo: "
            "usa las de NumPy (np.exp, np.log, ...), que trabajan con arreglos."
        )
    if isinstance(exc, ValueError) and "could not broadcast input array" in text:
        return (
            "una asignación por cortes (slices) recibió un bloque de otra forma: revisa los límites "
            "de los cortes (ojo: a[-0:] es todo el eje, porque −0 = 0, no un corte vacío)."
        )
    if isinstance(exc, ValueError) and any(
        w in text for w in ("matmul", "shapes", "broadcast", "aligned")
    ):
        return (
            "las formas no encajan en un producto o una operación: revisa las formas y las "
            "trasposiciones (en la unidad 1, X tiene forma (n, m): un ejemplo por columna)."
        )
    if isinstance(exc, IndexError):
        return "un índice se sale del arreglo: revisa los ejes (axis) y las formas."
    if isinstance(exc, KeyError):
        return "falta una clave en un diccionario: revisa los nombres de las claves."
    if isinstance(exc, NameError):
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
            f"`{name}` produjo un error al ejecutarse ({type(exc).__name__}; mensaje de Python: {exc}).\n"
            f"Pista: {_explain(exc)}"
        ) from None


def is_integer(value: Any) -> bool:
    """Return True for Python and NumPy integers (not booleans)."""
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))
