"""Mutation catalogue of 1.5_RegresionLineal_NAG-ADAM: typical mistakes and correct alternatives."""

ASSIGNMENT = "1.5_RegresionLineal_NAG-ADAM"

CATALOGUE = {
    "minibatches": {
        "tests": ["test_minibatches", "test_minibatches_hidden"],
        "mistakes": {
            "no_shuffle": (
                "orden original",
                """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    return [(X[:, k : k + batch_size], y[:, k : k + batch_size]) for k in range(0, m, batch_size)]
""",
            ),
            "drop_last": (
                "último lote incompleto",
                """
def minibatches(X, y, batch_size, rng):
    perm = rng.permutation(X.shape[1])
    batches = []
    for k in range(X.shape[1] // batch_size):
        idx = perm[k * batch_size : (k + 1) * batch_size]
        batches.append((X[:, idx], y[:, idx]))
    return batches
""",
            ),
            "separate_permutations": (
                "desalineados",
                """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    Xp = X[:, rng.permutation(m)]
    yp = y[:, rng.permutation(m)]
    return [(Xp[:, k : k + batch_size], yp[:, k : k + batch_size]) for k in range(0, m, batch_size)]
""",
            ),
            "with_replacement": (
                "exactamente una vez",
                """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    idx = rng.integers(0, m, size=m)
    return [(X[:, idx[k : k + batch_size]], y[:, idx[k : k + batch_size]]) for k in range(0, m, batch_size)]
""",
            ),
            "global_random": (
                "usa el rng que recibes",
                """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    idx = np.random.permutation(m)
    return [(X[:, idx[k : k + batch_size]], y[:, idx[k : k + batch_size]]) for k in range(0, m, batch_size)]
""",
            ),
            "fixed_seed": (
                "semillas distintas",
                """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    idx = np.random.default_rng(0).permutation(m)
    return [(X[:, idx[k : k + batch_size]], y[:, idx[k : k + batch_size]]) for k in range(0, m, batch_size)]
""",
            ),
            "shuffle_rows": (
                "no las filas",
                """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    Xp, yp = rng.permutation(X), rng.permutation(y)
    return [(Xp[:, k : k + batch_size], yp[:, k : k + batch_size]) for k in range(0, m, batch_size)]
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    perm = rng.permutation(m)
    X[:] = X[:, perm]
    y[:] = y[:, perm]
    return [(X[:, k : k + batch_size], y[:, k : k + batch_size]) for k in range(0, m, batch_size)]
""",
            ),
        },
        "alternatives": {
            "shuffle_index_array": """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    idx = np.arange(m)
    rng.shuffle(idx)
    batches = []
    start = 0
    while start < m:
        stop = min(start + batch_size, m)
        batches.append((X[:, idx[start:stop]].copy(), y[:, idx[start:stop]].copy()))
        start = stop
    return batches
""",
            "choice_without_replacement": """
def minibatches(X, y, batch_size, rng):
    m = X.shape[1]
    order = rng.choice(m, size=m, replace=False)
    Xs, ys = np.take(X, order, axis=1), np.take(y, order, axis=1)
    n_batches = int(np.ceil(m / batch_size))
    return [
        (Xs[:, i * batch_size : (i + 1) * batch_size], ys[:, i * batch_size : (i + 1) * batch_size])
        for i in range(n_batches)
    ]
""",
            "stack_and_permute": """
def minibatches(X, y, batch_size, rng):
    n, m = X.shape
    both = rng.permutation(np.vstack([X, y]).T).T
    return [(both[:n, k : k + batch_size], both[n:, k : k + batch_size]) for k in range(0, m, batch_size)]
""",
        },
    },
    "gd_step": {
        "tests": ["test_gd_step", "test_gd_step_hidden"],
        "mistakes": {
            "plus_sign": (
                "errata de signo",
                """
def gd_step(x, g, alpha):
    return x + alpha * g
""",
            ),
            "no_alpha": (
                "multiplicar el gradiente por α",
                """
def gd_step(x, g, alpha):
    return x - g
""",
            ),
            "returns_step": (
                "devolviste solo el paso",
                """
def gd_step(x, g, alpha):
    return alpha * g
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def gd_step(x, g, alpha):
    x -= alpha * g
    return x
""",
            ),
            "alpha_divides": (
                "`x` no tiene el valor esperado",
                """
def gd_step(x, g, alpha):
    return x - g / alpha
""",
            ),
        },
        "alternatives": {
            "np_subtract": """
def gd_step(x, g, alpha):
    return np.subtract(x, np.multiply(alpha, g))
""",
            "copy_then_in_place": """
def gd_step(x, g, alpha):
    x_new = x.copy()
    x_new -= alpha * g
    return x_new
""",
            "loops": """
def gd_step(x, g, alpha):
    x_new = np.empty_like(x)
    for index in np.ndindex(x.shape):
        x_new[index] = x[index] - alpha * g[index]
    return x_new
""",
        },
    },
    "momentum_step": {
        "tests": ["test_momentum_step", "test_momentum_step_hidden"],
        "mistakes": {
            "alpha_in_p": (
                "con α dentro de p",
                """
def momentum_step(x, g, p, alpha, eta):
    p = eta * p + alpha * g
    return x - p, p
""",
            ),
            "average": (
                "sin el factor (1 − η)",
                """
def momentum_step(x, g, p, alpha, eta):
    p = eta * p + (1 - eta) * g
    return x - alpha * p, p
""",
            ),
            "old_p": (
                "con el p anterior",
                """
def momentum_step(x, g, p, alpha, eta):
    x = x - alpha * p
    p = g + eta * p
    return x, p
""",
            ),
            "plus_sign": (
                "hay que restarlo",
                """
def momentum_step(x, g, p, alpha, eta):
    p = g + eta * p
    return x + alpha * p, p
""",
            ),
            "eta_on_g": (
                "η multiplica al gradiente",
                """
def momentum_step(x, g, p, alpha, eta):
    p = eta * g + p
    return x - alpha * p, p
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def momentum_step(x, g, p, alpha, eta):
    p *= eta
    p += g
    x -= alpha * p
    return x, p
""",
            ),
            "returns_x_only": (
                "tupla (x, p)",
                """
def momentum_step(x, g, p, alpha, eta):
    p = g + eta * p
    return x - alpha * p
""",
            ),
        },
        "alternatives": {
            "expanded": """
def momentum_step(x, g, p, alpha, eta):
    p_new = np.add(g, eta * p)
    x_new = x - alpha * g - alpha * eta * p
    return x_new, p_new
""",
            "copy_then_in_place": """
def momentum_step(x, g, p, alpha, eta):
    p = p.copy()
    p *= eta
    p += g
    x = x.copy()
    x -= alpha * p
    return x, p
""",
            "loops": """
def momentum_step(x, g, p, alpha, eta):
    x_new, p_new = np.zeros_like(x), np.zeros_like(p)
    for index in np.ndindex(x.shape):
        p_new[index] = g[index] + eta * p[index]
        x_new[index] = x[index] - alpha * p_new[index]
    return x_new, p_new
""",
        },
    },
    "nag_step": {
        "tests": ["test_nag_step", "test_nag_step_hidden"],
        "mistakes": {
            "slide_lookahead": (
                "errata de la diapositiva",
                """
def nag_step(x, p, grad_fn, alpha, eta):
    g = grad_fn(x - alpha * p)
    p = g + eta * p
    return x - alpha * p, p
""",
            ),
            "gradient_at_x": (
                "eso es momento",
                """
def nag_step(x, p, grad_fn, alpha, eta):
    g = grad_fn(x)
    p = g + eta * p
    return x - alpha * p, p
""",
            ),
            "lookahead_without_alpha": (
                "falta α",
                """
def nag_step(x, p, grad_fn, alpha, eta):
    g = grad_fn(x - eta * p)
    p = g + eta * p
    return x - alpha * p, p
""",
            ),
            "lookahead_plus": (
                "signo menos",
                """
def nag_step(x, p, grad_fn, alpha, eta):
    g = grad_fn(x + alpha * eta * p)
    p = g + eta * p
    return x - alpha * p, p
""",
            ),
            "step_from_lookahead": (
                "desde el punto adelantado",
                """
def nag_step(x, p, grad_fn, alpha, eta):
    look = x - alpha * eta * p
    p = grad_fn(look) + eta * p
    return look - alpha * p, p
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def nag_step(x, p, grad_fn, alpha, eta):
    g = grad_fn(x - alpha * eta * p)
    p *= eta
    p += g
    x -= alpha * p
    return x, p
""",
            ),
        },
        "alternatives": {
            "expanded": """
def nag_step(x, p, grad_fn, alpha, eta):
    lookahead = np.copy(x)
    lookahead -= alpha * eta * p
    grad = grad_fn(lookahead)
    return x - alpha * grad - alpha * eta * p, grad + eta * p
""",
            "velocity_form": """
def nag_step(x, p, grad_fn, alpha, eta):
    # Sutskever's form: velocity u = -alpha * p, x_new = x + u_new
    u = -alpha * p
    u_new = eta * u - alpha * grad_fn(x + eta * u)
    return x + u_new, -u_new / alpha
""",
            "loops": """
def nag_step(x, p, grad_fn, alpha, eta):
    g = grad_fn(x - alpha * eta * p)
    x_new, p_new = np.empty_like(x), np.empty_like(p)
    for index in np.ndindex(x.shape):
        p_new[index] = g[index] + eta * p[index]
        x_new[index] = x[index] - alpha * p_new[index]
    return x_new, p_new
""",
        },
    },
    "adagrad_step": {
        "tests": ["test_adagrad_step", "test_adagrad_step_hidden"],
        "mistakes": {
            "no_accumulation": (
                "no acumulaste",
                """
def adagrad_step(x, g, s, alpha, eps):
    s = g**2
    return x - alpha * g / (np.sqrt(s) + eps), s
""",
            ),
            "eps_in_sqrt": (
                "dentro de la raíz",
                """
def adagrad_step(x, g, s, alpha, eps):
    s = s + g**2
    return x - alpha * g / np.sqrt(s + eps), s
""",
            ),
            "old_s": (
                "con el s anterior",
                """
def adagrad_step(x, g, s, alpha, eps):
    x = x - alpha * g / (np.sqrt(s) + eps)
    return x, s + g**2
""",
            ),
            "no_sqrt": (
                "en lugar de entre √s",
                """
def adagrad_step(x, g, s, alpha, eps):
    s = s + g**2
    return x - alpha * g / (s + eps), s
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def adagrad_step(x, g, s, alpha, eps):
    s += g**2
    return x - alpha * g / (np.sqrt(s) + eps), s
""",
            ),
        },
        "alternatives": {
            "square_and_power": """
def adagrad_step(x, g, s, alpha, eps):
    s_new = np.add(s, np.square(g))
    return x - alpha * g / (s_new**0.5 + eps), s_new
""",
            "loops": """
import math


def adagrad_step(x, g, s, alpha, eps):
    x_new, s_new = x.copy(), s.copy()
    for index in np.ndindex(x.shape):
        s_new[index] += g[index] * g[index]
        x_new[index] -= alpha * g[index] / (math.sqrt(s_new[index]) + eps)
    return x_new, s_new
""",
        },
    },
    "rmsprop_step": {
        "tests": ["test_rmsprop_step", "test_rmsprop_step_hidden"],
        "mistakes": {
            "swapped_eta": (
                "intercambiaste η y 1 − η",
                """
def rmsprop_step(x, g, s, alpha, eta, eps):
    s = (1 - eta) * s + eta * g**2
    return x - alpha * g / (np.sqrt(s) + eps), s
""",
            ),
            "no_one_minus_eta": (
                "falta el factor (1 − η)",
                """
def rmsprop_step(x, g, s, alpha, eta, eps):
    s = eta * s + g**2
    return x - alpha * g / (np.sqrt(s) + eps), s
""",
            ),
            "adagrad_sum": (
                "como Adagrad",
                """
def rmsprop_step(x, g, s, alpha, eta, eps):
    s = s + g**2
    return x - alpha * g / (np.sqrt(s) + eps), s
""",
            ),
            "eps_in_sqrt": (
                "dentro de la raíz",
                """
def rmsprop_step(x, g, s, alpha, eta, eps):
    s = eta * s + (1 - eta) * g**2
    return x - alpha * g / np.sqrt(s + eps), s
""",
            ),
            "old_s": (
                "con el s anterior",
                """
def rmsprop_step(x, g, s, alpha, eta, eps):
    x_new = x - alpha * g / (np.sqrt(s) + eps)
    return x_new, eta * s + (1 - eta) * g**2
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def rmsprop_step(x, g, s, alpha, eta, eps):
    s *= eta
    s += (1 - eta) * g**2
    x -= alpha * g / (np.sqrt(s) + eps)
    return x, s
""",
            ),
        },
        "alternatives": {
            "interpolation": """
def rmsprop_step(x, g, s, alpha, eta, eps):
    # η s + (1 − η) g² written as s + (1 − η)(g² − s)
    s_new = s + (1 - eta) * (g * g - s)
    return x - alpha * g / (np.sqrt(s_new) + eps), s_new
""",
            "loops": """
def rmsprop_step(x, g, s, alpha, eta, eps):
    x_new, s_new = np.empty_like(x), np.empty_like(s)
    for index in np.ndindex(x.shape):
        s_new[index] = eta * s[index] + (1 - eta) * g[index] ** 2
        x_new[index] = x[index] - alpha * g[index] / (np.sqrt(s_new[index]) + eps)
    return x_new, s_new
""",
        },
    },
    "adam_step": {
        "tests": ["test_adam_step", "test_adam_step_hidden"],
        "mistakes": {
            "swapped_eta": (
                "intercambiaste η y 1 − η",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = (1 - eta_v) * v + eta_v * g
    s = (1 - eta_s) * s + eta_s * g**2
    v_hat, s_hat = v / (1 - eta_v**t), s / (1 - eta_s**t)
    return x - alpha * v_hat / (np.sqrt(s_hat) + eps), v, s
""",
            ),
            "no_bias_correction": (
                "falta la corrección de sesgo",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = eta_v * v + (1 - eta_v) * g
    s = eta_s * s + (1 - eta_s) * g**2
    return x - alpha * v / (np.sqrt(s) + eps), v, s
""",
            ),
            "t_from_zero": (
                "como si t empezara en 0",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = eta_v * v + (1 - eta_v) * g
    s = eta_s * s + (1 - eta_s) * g**2
    v_hat, s_hat = v / (1 - eta_v ** (t + 1)), s / (1 - eta_s ** (t + 1))
    return x - alpha * v_hat / (np.sqrt(s_hat) + eps), v, s
""",
            ),
            "t_minus_one": (
                "t − 1",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = eta_v * v + (1 - eta_v) * g
    s = eta_s * s + (1 - eta_s) * g**2
    v_hat, s_hat = v / (1 - eta_v ** (t - 1)), s / (1 - eta_s ** (t - 1))
    return x - alpha * v_hat / (np.sqrt(s_hat) + eps), v, s
""",
            ),
            "eps_in_sqrt": (
                "dentro de la raíz",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = eta_v * v + (1 - eta_v) * g
    s = eta_s * s + (1 - eta_s) * g**2
    v_hat, s_hat = v / (1 - eta_v**t), s / (1 - eta_s**t)
    return x - alpha * v_hat / np.sqrt(s_hat + eps), v, s
""",
            ),
            "returns_corrected": (
                "devolviste v̂",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = eta_v * v + (1 - eta_v) * g
    s = eta_s * s + (1 - eta_s) * g**2
    v_hat, s_hat = v / (1 - eta_v**t), s / (1 - eta_s**t)
    return x - alpha * v_hat / (np.sqrt(s_hat) + eps), v_hat, s_hat
""",
            ),
            "eta_v_for_s": (
                "usaste η_v también para s",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = eta_v * v + (1 - eta_v) * g
    s = eta_v * s + (1 - eta_v) * g**2
    v_hat, s_hat = v / (1 - eta_v**t), s / (1 - eta_v**t)
    return x - alpha * v_hat / (np.sqrt(s_hat) + eps), v, s
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v *= eta_v
    v += (1 - eta_v) * g
    s *= eta_s
    s += (1 - eta_s) * g**2
    x -= alpha * (v / (1 - eta_v**t)) / (np.sqrt(s / (1 - eta_s**t)) + eps)
    return x, v, s
""",
            ),
        },
        "alternatives": {
            "kingma_efficient_form": """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    # Kingma & Ba (2015), section 2: alpha_t and eps_hat = eps * sqrt(1 - eta_s^t)
    v = eta_v * v + (1 - eta_v) * g
    s = eta_s * s + (1 - eta_s) * np.square(g)
    alpha_t = alpha * np.sqrt(1 - eta_s**t) / (1 - eta_v**t)
    eps_hat = eps * np.sqrt(1 - eta_s**t)
    return x - alpha_t * v / (np.sqrt(s) + eps_hat), v, s
""",
            "loops": """
import math


def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    x_new, v_new, s_new = x.copy(), v.copy(), s.copy()
    for index in np.ndindex(x.shape):
        v_new[index] = eta_v * v[index] + (1 - eta_v) * g[index]
        s_new[index] = eta_s * s[index] + (1 - eta_s) * g[index] ** 2
        v_hat = v_new[index] / (1 - math.pow(eta_v, t))
        s_hat = s_new[index] / (1 - math.pow(eta_s, t))
        x_new[index] = x[index] - alpha * v_hat / (math.sqrt(s_hat) + eps)
    return x_new, v_new, s_new
""",
            "interpolation": """
def adam_step(x, g, v, s, t, alpha, eta_v, eta_s, eps):
    v = v + (1 - eta_v) * (g - v)
    s = s + (1 - eta_s) * (g * g - s)
    step = (v / (1 - eta_v**t)) / (np.sqrt(s / (1 - eta_s**t)) + eps)
    return x - alpha * step, v, s
""",
        },
    },
}


# The bundled example submissions (examples/submissions/, `python -m tests.catalogue`): complete,
# untouched, and one typical mistake.
EXAMPLES = {
    "ana_completa": {},
    "beto_sin_tocar": None,
    "carla_adam_sin_correccion": {"adam_step": ("mistakes", "no_bias_correction")},
}

#: Mistakes the notebook's text discusses: a visible test must name them (test_mutations).
VISIBLE_NAMED = {"momentum_step": ["alpha_in_p", "average", "eta_on_g"]}
