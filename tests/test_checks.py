"""The student-side checks: they pass right answers, fail wrong ones, and say why in Spanish."""

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
