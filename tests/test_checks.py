"""The student-side checks: they pass right answers, fail wrong ones, and say why in Spanish."""

import re

import numpy as np
import pytest

from autograder import checks
from autograder.checks import CheckFailed


def test_relative_error_is_scale_free_and_handles_zero():
    a = np.array([1e-12, 2e-12])
    assert checks.relative_error(a, a * (1 + 1e-9)) == pytest.approx(1e-9, rel=1e-3)
    # np.allclose would accept this: absolute tolerance 1e-8 swallows tiny values
    assert np.allclose(a, 2 * a)
    assert checks.relative_error(a, 2 * a) == pytest.approx(0.5)
    assert checks.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert checks.relative_error([np.nan], [1.0]) == float("inf")


def test_check_close_accepts_within_tolerance_and_rejects_beyond():
    checks.check_close("w", np.array([[1.0], [2.0]]), np.array([[1.0], [2.0 + 1e-9]]))
    with pytest.raises(CheckFailed, match="`w` no tiene el valor esperado"):
        checks.check_close("w", np.array([[1.0], [2.1]]), np.array([[1.0], [2.0]]))


def test_check_close_names_a_known_mistake():
    expected = np.array([[0.5], [-0.25]])
    m = 40
    with pytest.raises(CheckFailed, match="parece que olvidaste dividir entre m"):
        checks.check_close(
            "dw",
            expected * m,
            expected,
            mistakes={"parece que olvidaste dividir entre m": expected * m},
        )


def test_hidden_check_does_not_reveal_the_reference():
    secret = np.array([0.123456789, 9.87654321])
    with pytest.raises(CheckFailed) as info:
        checks.check_close("y_hat", np.array([1.0, 1.0]), secret)
    assert "0.123" not in str(info.value) and "9.876" not in str(info.value)
    assert "obtenido" in str(info.value)
    with pytest.raises(CheckFailed, match="esperado"):
        checks.check_close("y_hat", np.array([1.0, 1.0]), secret, reveal=True)


def test_check_close_atol_for_zero_targets():
    checks.check_close("db", 1e-17, 0.0, atol=1e-12)
    with pytest.raises(CheckFailed, match="debería ser 0"):
        checks.check_close("db", 1e-3, 0.0, atol=1e-12)


def test_check_close_rejects_nan_and_broadcasting():
    with pytest.raises(CheckFailed, match="no finitos"):
        checks.check_close("w", np.array([np.nan, 1.0]), np.array([1.0, 1.0]))
    with pytest.raises(CheckFailed, match=r"forma \(1, 3\)"):
        checks.check_close("y_hat", np.ones((3, 1)), np.ones((1, 3)))


def test_check_shape_hints():
    with pytest.raises(CheckFailed, match="traspuesto"):
        checks.check_shape("dw", np.zeros((1, 4)), (4, 1))
    with pytest.raises(CheckFailed, match="dimensión"):
        checks.check_shape("y_hat", np.zeros(4), (1, 4))
    with pytest.raises(CheckFailed, match="arreglo de NumPy"):
        checks.check_shape("w", [[1.0]], (1, 1))


def test_check_scalar():
    assert checks.check_scalar("b", np.float64(2.5)) == 2.5
    assert checks.check_scalar("b", np.array(3.0)) == 3.0
    with pytest.raises(CheckFailed, match=r"\.item\(\)"):
        checks.check_scalar("b", np.ones((1, 1)))
    with pytest.raises(CheckFailed, match="booleano"):
        checks.check_scalar("b", True)
    with pytest.raises(CheckFailed, match="no finito"):
        checks.check_scalar("J", float("inf"))


def test_check_type_and_labels():
    checks.check_type("cost", np.float64(1.0), float)
    with pytest.raises(CheckFailed, match="tipo float"):
        checks.check_type("cost", np.ones(1), float)
    checks.check_integer_labels("y_pred", np.array([[0, 1, 1]]), (1, 3), allowed=[0, 1])
    with pytest.raises(CheckFailed, match="enteros"):
        checks.check_integer_labels("y_pred", np.array([[0.0, 1.0, 1.0]]), (1, 3))
    with pytest.raises(CheckFailed, match="solo puede tomar"):
        checks.check_integer_labels("y_pred", np.array([[0, 2, 1]]), (1, 3), allowed=[0, 1])


def test_check_array_equal():
    checks.check_array_equal("cm", np.array([[1, 0], [0, 2]]), [[1, 0], [0, 2]])
    with pytest.raises(CheckFailed, match="1 de 4"):
        checks.check_array_equal("cm", np.array([[1, 0], [1, 2]]), [[1, 0], [0, 2]])


def test_unmodified_detects_in_place_changes():
    X = np.ones((2, 3))
    with checks.unmodified(X=X):
        _ = X * 2
    with pytest.raises(CheckFailed, match="modificó el argumento `X`"):
        with checks.unmodified(X=X):
            X -= 1
    params = {"w": np.zeros(2)}
    with pytest.raises(CheckFailed, match=r"params\['w'\]"):
        with checks.unmodified(params=params):
            params["w"][0] = 1.0


def test_no_warnings_catches_overflow_but_allows_underflow():
    with checks.no_warnings("sigmoid"):
        _ = np.exp(-np.abs(np.array([-1000.0, 1000.0])))
    with checks.no_warnings("sigmoid"):
        _ = 1 / (1 + np.exp(-np.clip(np.array([-1000.0]), -500, 500)))
    with pytest.raises(CheckFailed, match="sigmoid"):
        with checks.no_warnings("sigmoid"):
            _ = 1 / (1 + np.exp(-np.array([-1000.0])))


def test_numerical_gradient_matches_analytic_in_float64():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    x = rng.normal(size=(3, 1))

    def f(v):
        return (0.5 * v.T @ A @ v).item() + float(np.sum(np.sin(v)))

    analytic = 0.5 * (A + A.T) @ x + np.cos(x)
    numeric = checks.numerical_gradient(f, x)
    assert numeric.dtype == np.float64 and numeric.shape == x.shape
    assert checks.relative_error(numeric, analytic) < 1e-9
    checks.check_gradient("dx", f, x, analytic)
    with pytest.raises(CheckFailed, match="dx"):
        checks.check_gradient("dx", f, x, 1.01 * analytic)
    # the point is not modified
    x_copy = x.copy()
    checks.numerical_gradient(f, x)
    assert np.array_equal(x, x_copy)


def test_named_mistake_reads_back_what_check_close_said():
    with pytest.raises(CheckFailed) as info:
        checks.check_close(
            "dw", np.array([4.0]), np.array([1.0]), mistakes={"olvidaste dividir entre m": [4.0]}
        )
    message = str(info.value)
    assert message == checks.mistake_message("dw", "olvidaste dividir entre m")
    assert checks.named_mistake(message) == "olvidaste dividir entre m"
    # as a test cell's error output shows it
    assert checks.named_mistake(f"CheckFailed: {message}\n") == "olvidaste dividir entre m"
    # a description may hold punctuation of its own
    assert (
        checks.named_mistake(checks.mistake_message("p", "usa `p`: g + η·p. Luego x"))
        == "usa `p`: g + η·p. Luego x"
    )
    # a failure that names no mistake
    with pytest.raises(CheckFailed) as info:
        checks.check_close("dw", np.array([5.0]), np.array([1.0]), mistakes={"x": [4.0]})
    assert checks.named_mistake(str(info.value)) is None
    assert checks.named_mistake("NameError: name 'w' is not defined") is None


# --- the optimizer harness of notebook 1.6, on toy optimizers -------------------------

_ALPHA, _ETA = 0.1, 0.8


class _Momentum:
    """A correct momentum optimizer: p = g + eta p, x = x - alpha p, one p per key."""

    def __init__(self, alpha=_ALPHA, eta=_ETA):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            p = self.p.setdefault(k, np.zeros_like(params[k]))
            p *= self.eta
            p += grads[k]
            params[k] -= self.alpha * p


class _Rebinds(_Momentum):
    def update(self, params, grads):
        for k in params:
            self.p[k] = grads[k] + self.eta * self.p.get(k, 0.0)
            params[k] = params[k] - self.alpha * self.p[k]


class _ByPosition(_Momentum):
    def update(self, params, grads):
        for k, g in zip(params, grads.values(), strict=True):
            p = self.p.setdefault(k, np.zeros_like(params[k]))
            p *= self.eta
            p += g
            params[k] -= self.alpha * p


class _SharedState(_Momentum):
    def update(self, params, grads):
        for k in params:
            self.p["all"] = grads[k] + self.eta * self.p.get("all", 0.0)
            params[k] -= self.alpha * self.p["all"]


class _ClassState(_Momentum):
    p = {}  # one dict for every object of the class

    def __init__(self, alpha=_ALPHA, eta=_ETA):
        self.alpha, self.eta = alpha, eta


class _AliasesGrads(_Momentum):
    def update(self, params, grads):
        for k in params:
            p = self.p.setdefault(k, grads[k])  # keeps the gradient itself as the state
            if p is not grads[k]:
                p *= self.eta
                p += grads[k]
            params[k] -= self.alpha * p


class _FixedKeys(_Momentum):
    def update(self, params, grads):
        for k in ("w", "b"):
            p = self.p.setdefault(k, np.zeros_like(params[k]))
            p *= self.eta
            p += grads[k]
            params[k] -= self.alpha * p


def _momentum_step(kind, x, g, state, t):
    """The test cell's side: the rule (kind "") and the mistakes it knows."""
    p = state.get("p", np.zeros_like(g))
    p = g + (0.0 if kind == "no_memory" else _ETA) * p
    state["p"] = p
    return x + _ALPHA * p if kind == "plus" else x - _ALPHA * p


_MOMENTUM_MISTAKES = {
    "sumaste α·p; hay que restarlo": "plus",
    "el momento no se guarda entre llamadas": "no_memory",
    "compartiste un solo p entre todas las claves": "shared_state",
    "emparejaste params y grads por posición; usa la misma clave: grads[k]": "by_position",
}


def _check(optimizer_class):
    checks.check_optimizer(
        optimizer_class, _momentum_step, _MOMENTUM_MISTAKES, np.random.default_rng(7)
    )


def test_check_optimizer_passes_a_correct_optimizer():
    _check(_Momentum)
    checks.check_optimizer_rules(_Momentum)


def test_check_optimizer_names_the_mistake():
    class Plus(_Momentum):
        def update(self, params, grads):
            for k in params:
                p = self.p.setdefault(k, np.zeros_like(params[k]))
                p *= self.eta
                p += grads[k]
                params[k] += self.alpha * p

    class NoMemory(_Momentum):
        def update(self, params, grads):
            for k in params:
                params[k] -= self.alpha * grads[k]

    for wrong, message in [
        (Plus, "`params['w'] (seis actualizaciones seguidas)` no es correcto: sumaste α·p"),
        (NoMemory, "no es correcto: el momento no se guarda entre llamadas"),
        (_ByPosition, "no es correcto: emparejaste params y grads por posición"),
        (_Rebinds, "reasignaste params[k]"),
        (_FixedKeys, "'w' y 'b' fijas"),
        (_AliasesGrads, "modificó el argumento `grads"),
        (_SharedState, "un solo estado entre claves"),  # keys of different shapes
    ]:
        with pytest.raises(CheckFailed, match=re.escape(message)):
            _check(wrong)
    # a class attribute as state: the next fresh optimizer starts from the last one's state
    # (check_optimizer_rules, in the visible tests, names this one)
    _ClassState.p.clear()
    with pytest.raises(CheckFailed, match="no tiene el valor esperado"):
        _check(_ClassState)


def test_check_optimizer_rules_catches_each_stated_rule():
    for wrong, message in [
        (_Rebinds, "reasignaste params[k]"),
        (_ByPosition, "cambia según qué otras claves"),
        (_SharedState, "cambia según qué otras claves"),
        (_FixedKeys, "'w' y 'b' fijas"),
        (_AliasesGrads, "modificó el argumento `grads"),
        (_ClassState, "otro optimizador de la misma clase"),
    ]:
        _ClassState.p.clear()
        with pytest.raises(CheckFailed, match=re.escape(message)):
            checks.check_optimizer_rules(wrong)


def test_drive_optimizers_explains_errors_that_come_through_the_trusted_harness():
    from autograder.harness.remote import StudentError

    class Remote:
        """What a proxy raises when the student's update fails in the kernel."""

        def __init__(self, ename, evalue):
            self.error = StudentError(ename, evalue)

        def update(self, params, grads):
            raise self.error

    params, grads = {"a": np.zeros((2, 1))}, [{"a": np.ones((2, 1))}]
    with pytest.raises(CheckFailed, match="'w' y 'b' fijas"):
        checks.drive_optimizers([Remote("KeyError", "'w'")], params, [grads])
    with pytest.raises(CheckFailed, match="un solo estado entre claves"):
        checks.drive_optimizers([Remote("ValueError", "non-broadcastable")], params, [grads])
    # anything else is the student's own error, passed on as it came
    with pytest.raises(StudentError):
        checks.drive_optimizers([Remote("ZeroDivisionError", "division by zero")], params, [grads])


# Sizes of the weight matrices the init tests of 1.7 and 1.8 look at (visible and hidden),
# with the fan-in n_(l-1) of each, and the standard-deviation range each notebook states.
INIT_RANGES = {
    "1.7": ([((128, 784), 784), ((1, 128), 128), ((64, 200), 200), ((1, 64), 64)], 1e-3, 2.0),
    "1.8": ([((128, 784), 784), ((10, 128), 128), ((64, 300), 300), ((10, 64), 64)], 0.5, 2.0),
}


@pytest.mark.parametrize("notebook", sorted(INIT_RANGES))
def test_weight_scale_accepts_both_endpoints_of_the_stated_range_for_every_seed(notebook):
    """Issue 16: at either endpoint, the sample deviation used to fail 137-156 of 200 seeds."""
    sizes, low_factor, high_factor = INIT_RANGES[notebook]
    for shape, n_prev in sizes:
        low = low_factor if notebook == "1.7" else low_factor / np.sqrt(n_prev)
        high = high_factor / np.sqrt(n_prev)
        for seed in range(200):
            rng = np.random.default_rng(seed)
            for sd in (low, high):
                checks.check_weight_scale("W", rng.standard_normal(shape) * sd, low, high)
                limit = sd * np.sqrt(3.0)  # a symmetric uniform with standard deviation sd
                checks.check_weight_scale("W", rng.uniform(-limit, limit, size=shape), low, high)


def test_weight_scale_rejects_scales_outside_the_range_and_uncentred_weights():
    rng = np.random.default_rng(0)
    with pytest.raises(CheckFailed, match="demasiado grandes"):
        checks.check_weight_scale("W2", rng.standard_normal((1, 64)), 1e-3, 2 / np.sqrt(64))
    with pytest.raises(CheckFailed, match="demasiado pequeños"):
        checks.check_weight_scale(
            "W1", 0.01 * rng.standard_normal((64, 300)), 0.5 / np.sqrt(300), 2 / np.sqrt(300)
        )
    with pytest.raises(CheckFailed, match="centrados en 0"):
        checks.check_weight_scale("W1", 0.01 * rng.random((4, 3)), 1e-3, 2 / np.sqrt(3))


def test_floats_are_shown_as_floats():
    with pytest.raises(CheckFailed) as info:
        checks.check_close("db2", 0.25, np.array(0.5), reveal=True)
    assert "esperado: 0.5\n" in str(info.value) and "dimensión 0" not in str(info.value)
    with pytest.raises(CheckFailed, match=r"0\.5 \(escalar de NumPy float32"):
        checks.check_type("cost", np.float32(0.5), float)


def test_global_rng_unchanged_catches_the_global_generator():
    with checks.global_rng_unchanged("f"):
        np.random.default_rng(3).standard_normal(4)
    with pytest.raises(CheckFailed, match="generador global"):
        with checks.global_rng_unchanged("f"):
            np.random.randn(2)


def test_require_results_names_the_cell_and_the_function():
    checks.require_results({"w_gd": 1.0}, ["w_gd"], cell="de entrenamiento", function="gd")
    with pytest.raises(CheckFailed, match="La celda de entrenamiento no terminó") as info:
        checks.require_results({}, ["w_gd"], cell="de entrenamiento", function="gradient_descent")
    assert "`w_gd`" in str(info.value) and "revisa `gradient_descent`" in str(info.value)


def test_student_call_turns_errors_into_spanish_messages():
    import math

    with pytest.raises(CheckFailed, match="usa las de NumPy"):
        with checks.student_call("sigmoid"):
            math.exp(-np.array([1.0, 2.0]))
    with pytest.raises(CheckFailed, match="un ejemplo por columna"):
        with checks.student_call("normal_equation"):
            np.ones((2, 3)) @ np.ones((4, 1))
    with pytest.raises(CheckFailed, match="borra la línea raise NotImplementedError"):
        with checks.student_call("f"):
            raise NotImplementedError()
    with pytest.raises(CheckFailed, match="no tiene el valor esperado"):  # checks pass through
        with checks.student_call("f"):
            checks.check_close("x", 1.0, 2.0)


def test_student_call_explains_an_error_that_crossed_from_the_kernel():
    from autograder.harness.remote import StudentError

    with pytest.raises(checks.CheckFailed, match=r"(?s)\(ValueError;.*a\[-0:\] es todo el eje"):
        with checks.student_call("shift_images"):
            raise StudentError("ValueError", "could not broadcast input array from shape (1,0,3)")
