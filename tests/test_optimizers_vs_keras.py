"""The six update rules of assignments 1.5 and 1.6 agree with ``keras.optimizers``.

Small, independent NumPy references of the rules as the notebooks state them
(state starts at zeros, Adam's ``t`` starts at 1, epsilon outside the square
root) run next to Keras' optimizers on random float64 problems for several
steps. Where Keras follows another convention the test applies the documented
translation:

- Momentum: Keras' buffer is ``m = -alpha * p``.
- Nesterov: the Keras variable is the look-ahead point ``x - alpha * eta * p``
  of 1.5's ``nag_step`` (1.6's ``NAG`` class stores that same point).
- Adagrad and RMSProp: Keras puts epsilon inside the square root (and Adagrad's
  accumulator starts at 0.1 by default): they agree exactly with epsilon = 0
  and an initial accumulator of 0.
- Adam: Keras adds epsilon to the uncorrected ``sqrt(s)``; handing it
  ``eps * sqrt(1 - eta_s**t)`` at step ``t`` gives exactly our step.

Hyperparameters are np.float64: Keras turns Python floats into float32 tensors.
TensorFlow is imported lazily, so collecting the rest of the suite stays fast.
"""

import numpy as np
import pytest

from autograder.checks import relative_error

STEPS = 8
TOL = 1e-12
SHAPES = [(3, 2), (4,), (1, 1)]
ALPHA, ETA, ETA_V, ETA_S, EPS = (
    np.float64(0.05),
    np.float64(0.8),
    np.float64(0.9),
    np.float64(0.99),
    np.float64(0.1),
)

#: One process runs this module: its module-scoped fixture is built once (make test uses
#: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("optimizers_vs_keras")


@pytest.fixture(scope="module")
def keras():
    """Keras in float64, restored to the previous floatx afterwards."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    previous = keras.backend.floatx()
    keras.backend.set_floatx("float64")
    yield keras
    keras.backend.set_floatx(previous)


def _problem(seed):
    """Initial parameters and a sequence of unrelated gradients, one array per shape."""
    rng = np.random.default_rng(seed)
    x0 = [rng.normal(size=shape) for shape in SHAPES]
    grads = [[rng.normal(size=shape) for shape in SHAPES] for _ in range(STEPS)]
    return x0, grads


def _run_keras(keras, optimizer, x0, grads, before_step=None):
    """Apply the gradients with a Keras optimizer to float64 variables; return their values."""
    variables = [keras.Variable(x, dtype="float64") for x in x0]
    for t, step in enumerate(grads, start=1):
        if before_step is not None:
            before_step(optimizer, t)
        optimizer.apply_gradients(
            zip([keras.ops.convert_to_tensor(g) for g in step], variables, strict=True)
        )
    return [np.asarray(v.numpy()) for v in variables], optimizer


def _run_reference(rule, x0, grads):
    """Apply ``rule(x, g, state, t) -> x`` per array, with one state dict per array."""
    xs, states = [x.copy() for x in x0], [{} for _ in x0]
    for t, step in enumerate(grads, start=1):
        xs = [rule(x, g, state, t) for x, g, state in zip(xs, step, states, strict=True)]
    return xs


def _assert_close(ours, theirs, tol=TOL):
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape
        assert relative_error(a, b) <= tol, relative_error(a, b)


# --- the rules, as the notebooks state them -------------------------------------------------


def sgd(x, g, state, t):
    return x - ALPHA * g


def momentum(x, g, state, t):
    state["p"] = g + ETA * state.get("p", np.zeros_like(x))
    return x - ALPHA * state["p"]


def adagrad(x, g, state, t, eps=EPS):
    state["s"] = state.get("s", np.zeros_like(x)) + g**2
    return x - ALPHA * g / (np.sqrt(state["s"]) + eps)


def rmsprop(x, g, state, t, eps=EPS):
    state["s"] = ETA * state.get("s", np.zeros_like(x)) + (1 - ETA) * g**2
    return x - ALPHA * g / (np.sqrt(state["s"]) + eps)


def adam(x, g, state, t, eps=EPS):
    state["v"] = ETA_V * state.get("v", np.zeros_like(x)) + (1 - ETA_V) * g
    state["s"] = ETA_S * state.get("s", np.zeros_like(x)) + (1 - ETA_S) * g**2
    v_hat = state["v"] / (1 - ETA_V**t)
    s_hat = state["s"] / (1 - ETA_S**t)
    return x - ALPHA * v_hat / (np.sqrt(s_hat) + eps)


def nag_step(x, p, grad_fn):
    """1.5: gradient at the look-ahead point x - alpha * eta * p, then as momentum."""
    g = grad_fn(x - ALPHA * ETA * p)
    p = g + ETA * p
    return x - ALPHA * p, p


def nag_class_update(x, g, state):
    """1.6's NAG: x holds the look-ahead point, g is the gradient there."""
    state["p"] = g + ETA * state.get("p", np.zeros_like(x))
    return x - ALPHA * (g + ETA * state["p"])


# --- the comparisons --------------------------------------------------------------------------


def test_sgd(keras):
    x0, grads = _problem(1)
    theirs, _ = _run_keras(keras, keras.optimizers.SGD(learning_rate=ALPHA), x0, grads)
    _assert_close(_run_reference(sgd, x0, grads), theirs)


def test_momentum_and_its_buffer(keras):
    x0, grads = _problem(2)
    theirs, opt = _run_keras(
        keras, keras.optimizers.SGD(learning_rate=ALPHA, momentum=ETA), x0, grads
    )
    _assert_close(_run_reference(momentum, x0, grads), theirs)
    # Keras' buffer is -alpha * p
    states = [{} for _ in x0]
    for step in grads:
        for x, g, state in zip(x0, step, states, strict=True):
            momentum(x, g, state, 0)
    buffers = [np.asarray(m.numpy()) for m in opt.momentums]
    _assert_close([-ALPHA * state["p"] for state in states], buffers)


def test_python_floats_are_rounded_to_float32(keras):
    """Why the notebook passes np.float64: with Python floats the agreement stops at float32 level."""
    x0, grads = _problem(3)
    theirs, _ = _run_keras(keras, keras.optimizers.SGD(learning_rate=0.05, momentum=0.8), x0, grads)
    err = max(
        relative_error(a, b)
        for a, b in zip(_run_reference(momentum, x0, grads), theirs, strict=True)
    )
    assert 1e-10 < err < 1e-5


def test_nesterov_tracks_the_look_ahead_point(keras):
    """Gradients of a quadratic taken at the Keras variable: it follows x - alpha*eta*p of 1.5."""
    rng = np.random.default_rng(4)
    d = 5
    a = rng.normal(size=(d, d))
    h, c = a @ a.T / d + np.eye(d), rng.normal(size=(d, 1))
    x0 = rng.normal(size=(d, 1))

    def grad_fn(z):
        return h @ z + c

    opt = keras.optimizers.SGD(learning_rate=ALPHA, momentum=ETA, nesterov=True)
    var = keras.Variable(x0, dtype="float64")
    x, p = x0.copy(), np.zeros_like(x0)  # 1.5's pair
    look, state = x0.copy(), {}  # 1.6's NAG class
    for _ in range(STEPS):
        g_keras = grad_fn(np.asarray(var.numpy()))
        opt.apply_gradients([(keras.ops.convert_to_tensor(g_keras), var)])
        x, p = nag_step(x, p, grad_fn)
        look = nag_class_update(look, grad_fn(look), state)
        keras_x = np.asarray(var.numpy())
        assert relative_error(keras_x, x - ALPHA * ETA * p) <= TOL
        assert relative_error(keras_x, look) <= TOL
        np.testing.assert_allclose(state["p"], p, rtol=1e-12, atol=0)
    # and the Keras variable is not 1.5's x itself
    assert relative_error(np.asarray(var.numpy()), x) > 1e-6


def test_adagrad_with_eps_zero_and_no_initial_accumulator(keras):
    x0, grads = _problem(5)
    opt = keras.optimizers.Adagrad(
        learning_rate=ALPHA, initial_accumulator_value=np.float64(0.0), epsilon=np.float64(0.0)
    )
    theirs, _ = _run_keras(keras, opt, x0, grads)
    _assert_close(
        _run_reference(lambda x, g, s, t: adagrad(x, g, s, t, eps=0.0), x0, grads), theirs
    )


def test_adagrad_puts_eps_inside_the_square_root(keras):
    x0, grads = _problem(6)
    opt = keras.optimizers.Adagrad(
        learning_rate=ALPHA, initial_accumulator_value=np.float64(0.0), epsilon=EPS
    )
    theirs, _ = _run_keras(keras, opt, x0, grads)

    def inside(x, g, state, t):
        state["s"] = state.get("s", np.zeros_like(x)) + g**2
        return x - ALPHA * g / np.sqrt(state["s"] + EPS)

    _assert_close(_run_reference(inside, x0, grads), theirs)
    ours = _run_reference(adagrad, x0, grads)
    assert max(relative_error(a, b) for a, b in zip(ours, theirs, strict=True)) > 1e-4


def test_rmsprop_with_eps_zero(keras):
    x0, grads = _problem(7)
    opt = keras.optimizers.RMSprop(learning_rate=ALPHA, rho=ETA, epsilon=np.float64(0.0))
    theirs, _ = _run_keras(keras, opt, x0, grads)
    _assert_close(
        _run_reference(lambda x, g, s, t: rmsprop(x, g, s, t, eps=0.0), x0, grads), theirs
    )


def test_rmsprop_puts_eps_inside_the_square_root(keras):
    x0, grads = _problem(8)
    theirs, _ = _run_keras(
        keras, keras.optimizers.RMSprop(learning_rate=ALPHA, rho=ETA, epsilon=EPS), x0, grads
    )

    def inside(x, g, state, t):
        state["s"] = ETA * state.get("s", np.zeros_like(x)) + (1 - ETA) * g**2
        return x - ALPHA * g / np.sqrt(state["s"] + EPS)

    _assert_close(_run_reference(inside, x0, grads), theirs)


def test_adam_with_eps_hat_per_step(keras):
    x0, grads = _problem(9)
    opt = keras.optimizers.Adam(learning_rate=ALPHA, beta_1=ETA_V, beta_2=ETA_S, epsilon=EPS)

    def eps_hat(optimizer, t):
        optimizer.epsilon = EPS * np.sqrt(1 - ETA_S**t)

    theirs, _ = _run_keras(keras, opt, x0, grads, before_step=eps_hat)
    _assert_close(_run_reference(adam, x0, grads), theirs)


def test_adam_with_eps_zero_and_constant_eps(keras):
    x0, grads = _problem(10)
    opt = keras.optimizers.Adam(
        learning_rate=ALPHA, beta_1=ETA_V, beta_2=ETA_S, epsilon=np.float64(0.0)
    )
    theirs, _ = _run_keras(keras, opt, x0, grads)
    _assert_close(_run_reference(lambda x, g, s, t: adam(x, g, s, t, eps=0.0), x0, grads), theirs)
    # with the same constant epsilon the two differ: Keras' epsilon is our eps * sqrt(1 - eta_s^t)
    opt = keras.optimizers.Adam(learning_rate=ALPHA, beta_1=ETA_V, beta_2=ETA_S, epsilon=EPS)
    theirs, _ = _run_keras(keras, opt, x0, grads)
    ours = _run_reference(adam, x0, grads)
    assert max(relative_error(a, b) for a, b in zip(ours, theirs, strict=True)) > 1e-4
