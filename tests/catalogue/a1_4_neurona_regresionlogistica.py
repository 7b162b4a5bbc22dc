"""Mutation catalogue of 1.4_Neurona_RegresionLogistica: typical mistakes and correct alternatives.

The graded answer is one cell holding the whole ``Neuron`` class (activations
"linear" and "sigmoid"), so every mistake is the whole class with one method
wrong (names start with the method: ``init_``, ``forward_``, ``cost_``,
``backward_``, ``update_``, ``fit_``, ``predict_``), built from the correct
methods below with one of them replaced. The notebook's locked cell defines the
stable ``sigmoid`` the class uses.
"""

import textwrap

ASSIGNMENT = "1.4_Neurona_RegresionLogistica"

_METHODS = {
    "init": """
def __init__(self, n_features, activation="linear", seed=0):
    if activation not in ("linear", "sigmoid"):
        raise ValueError(activation)
    self.activation = activation
    rng = np.random.default_rng(seed)
    self.w = 0.01 * rng.standard_normal((n_features, 1))
    self.b = 0.0
""",
    "forward": """
def forward(self, X):
    Z = self.w.T @ X + self.b
    if self.activation == "sigmoid":
        return sigmoid(Z)
    return Z
""",
    "cost": """
def cost(self, A, y):
    m = y.shape[1]
    if self.activation == "sigmoid":
        P = np.clip(A, 1e-12, 1 - 1e-12)
        return float(-np.sum(y * np.log(P) + (1 - y) * np.log(1 - P)) / m)
    return float(np.sum((A - y) ** 2) / (2 * m))
""",
    "backward": """
def backward(self, X, A, y):
    m = X.shape[1]
    dZ = A - y
    return X @ dZ.T / m, float(np.sum(dZ) / m)
""",
    "update": """
def update(self, dw, db, alpha):
    self.w = self.w - alpha * dw
    self.b = self.b - alpha * db
""",
    "fit": """
def fit(self, X, y, alpha, epochs):
    costs = []
    for _ in range(epochs):
        A = self.forward(X)
        costs.append(self.cost(A, y))
        dw, db = self.backward(X, A, y)
        self.update(dw, db, alpha)
    return costs
""",
    "predict": """
def predict(self, X):
    A = self.forward(X)
    if self.activation == "sigmoid":
        return (A > 0.5).astype(int)
    return A
""",
}


def _neuron(**replaced):
    """Source of the class with the given methods replaced (keys as in _METHODS)."""
    methods = {**_METHODS, **replaced}
    body = "\n".join(textwrap.indent(methods[k].strip(), "    ") + "\n" for k in _METHODS)
    return "class Neuron:\n" + body


def _init(line):
    return f"""
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    rng = np.random.default_rng(seed)
    {line}
"""


def _forward(expression):
    return f"""
def forward(self, X):
    Z = self.w.T @ X + self.b
    if self.activation == "sigmoid":
        return {expression}
    return Z
"""


def _sigmoid_cost(expression):
    return f"""
def cost(self, A, y):
    m = y.shape[1]
    if self.activation == "sigmoid":
        P = np.clip(A, 1e-12, 1 - 1e-12)
        return {expression}
    return float(np.sum((A - y) ** 2) / (2 * m))
"""


def _backward(dZ, dw="X @ dZ.T / m", db="float(np.sum(dZ) / m)"):
    return f"""
def backward(self, X, A, y):
    m = X.shape[1]
    dZ = {dZ}
    return {dw}, {db}
"""


def _predict(expression):
    return f"""
def predict(self, X):
    A = self.forward(X)
    if self.activation == "sigmoid":
        return {expression}
    return A
"""


_MISTAKES = {
    # --- __init__ ---
    "init_global_rng": (
        "generador global",
        {
            "init": """
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    np.random.seed(seed)
    self.w = 0.01 * np.random.randn(n_features, 1)
    self.b = 0.0
"""
        },
    ),
    "init_w_row": (
        "traspuesto",
        {"init": _init("self.w, self.b = 0.01 * rng.standard_normal((1, n_features)), 0.0")},
    ),
    "init_b_array": (
        "de tipo float",
        {
            "init": _init(
                "self.w, self.b = 0.01 * rng.standard_normal((n_features, 1)), np.zeros(1)"
            )
        },
    ),
    "init_unseeded": (
        "default_rng(seed)",
        {
            "init": """
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    self.w = 0.01 * np.random.default_rng().standard_normal((n_features, 1))
    self.b = 0.0
"""
        },
    ),
    # --- forward ---
    "forward_no_sigmoid": ("olvidaste aplicar la sigmoide", {"forward": _forward("Z")}),
    "forward_naive_sigmoid": ("aviso numérico", {"forward": _forward("1 / (1 + np.exp(-Z))")}),
    "forward_sigmoid_of_minus_z": ("revisa el signo", {"forward": _forward("sigmoid(-Z)")}),
    "forward_no_bias": (
        "olvidaste sumar el sesgo b",
        {"forward": _forward("sigmoid(self.w.T @ X)")},
    ),
    "forward_always_sigmoid": (
        "aplicaste la sigmoide también",
        {"forward": "def forward(self, X):\n    return sigmoid(self.w.T @ X + self.b)\n"},
    ),
    # --- cost ---
    "cost_no_minus": (
        "falta el signo menos",
        {"cost": _sigmoid_cost("float(np.sum(y * np.log(P) + (1 - y) * np.log(1 - P)) / m)")},
    ),
    "cost_no_mean": (
        "sin dividir entre m",
        {"cost": _sigmoid_cost("float(-np.sum(y * np.log(P) + (1 - y) * np.log(1 - P)))")},
    ),
    "cost_swapped_terms": (
        "intercambiaste",
        {"cost": _sigmoid_cost("float(-np.sum((1 - y) * np.log(P) + y * np.log(1 - P)) / m)")},
    ),
    "cost_log10": (
        "log10",
        {"cost": _sigmoid_cost("float(-np.sum(y * np.log10(P) + (1 - y) * np.log10(1 - P)) / m)")},
    ),
    "cost_no_clip": (
        "np.clip",
        {"cost": _sigmoid_cost("float(-np.sum(y * np.log(A) + (1 - y) * np.log(1 - A)) / m)")},
    ),
    "cost_clip_in_place": (
        "tu función modificó el argumento `A`",
        {
            "cost": _sigmoid_cost(
                "float(-np.sum(y * np.log(np.clip(A, 1e-12, 1 - 1e-12, out=A))"
                " + (1 - y) * np.log(1 - A)) / m)"
            )
        },
    ),
    "cost_squared_for_sigmoid": (
        "usaste el costo cuadrático",
        {"cost": _sigmoid_cost("float(np.sum((A - y) ** 2) / (2 * m))")},
    ),
    # --- backward ---
    "backward_no_1_over_m": (
        "dividir entre m",
        {"backward": _backward("A - y", dw="X @ dZ.T", db="float(np.sum(dZ))")},
    ),
    "backward_wrong_sign": ("signo cambiado", {"backward": _backward("y - A")}),
    "backward_squared_derivative": (
        "derivada del costo cuadrático",
        {"backward": _backward("(A - y) * A * (1 - A) if self.activation == 'sigmoid' else A - y")},
    ),
    "backward_uses_z": ("usaste Z − y", {"backward": _backward("self.w.T @ X + self.b - y")}),
    "backward_transposed_dw": ("traspuesto", {"backward": _backward("A - y", dw="dZ @ X.T / m")}),
    "backward_db_array": (
        "un solo número",
        {"backward": _backward("A - y", db="np.sum(dZ, axis=1, keepdims=True) / m")},
    ),
    # --- update ---
    "update_plus_sign": (
        "errata de la diapositiva",
        {
            "update": """
def update(self, dw, db, alpha):
    self.w = self.w + alpha * dw
    self.b = self.b + alpha * db
"""
        },
    ),
    "update_no_alpha": (
        "tasa de aprendizaje α",
        {
            "update": """
def update(self, dw, db, alpha):
    self.w = self.w - dw
    self.b = self.b - db
"""
        },
    ),
    "update_not_stored": (
        "self.w no cambió",
        {
            "update": """
def update(self, dw, db, alpha):
    return self.w - alpha * dw, self.b - alpha * db
"""
        },
    ),
    "update_b_not_updated": (
        "b nunca se actualiza",
        {
            "update": """
def update(self, dw, db, alpha):
    self.w = self.w - alpha * dw
"""
        },
    ),
    "update_modifies_dw": (
        "modificó el argumento `dw`",
        {
            "update": """
def update(self, dw, db, alpha):
    dw *= alpha
    self.w = self.w - dw
    self.b = self.b - alpha * db
"""
        },
    ),
    # --- fit ---
    "fit_cost_after_update": (
        "después de actualizar",
        {
            "fit": """
def fit(self, X, y, alpha, epochs):
    costs = []
    for _ in range(epochs):
        A = self.forward(X)
        dw, db = self.backward(X, A, y)
        self.update(dw, db, alpha)
        costs.append(self.cost(self.forward(X), y))
    return costs
"""
        },
    ),
    "fit_extra_cost": (
        "elementos",
        {
            "fit": """
def fit(self, X, y, alpha, epochs):
    costs = []
    for _ in range(epochs + 1):
        A = self.forward(X)
        costs.append(self.cost(A, y))
        if len(costs) <= epochs:
            self.update(*self.backward(X, A, y), alpha)
    return costs
"""
        },
    ),
    "fit_gradient_once": (
        "una sola vez",
        {
            "fit": """
def fit(self, X, y, alpha, epochs):
    costs = []
    dw, db = self.backward(X, self.forward(X), y)
    for _ in range(epochs):
        costs.append(self.cost(self.forward(X), y))
        self.update(dw, db, alpha)
    return costs
"""
        },
    ),
    "fit_restarts_from_zero": (
        "volvió a empezar",
        {
            "fit": """
def fit(self, X, y, alpha, epochs):
    self.w, self.b = np.zeros(self.w.shape), 0.0
    costs = []
    for _ in range(epochs):
        A = self.forward(X)
        costs.append(self.cost(A, y))
        self.update(*self.backward(X, A, y), alpha)
    return costs
"""
        },
    ),
    "fit_no_return": (
        "devolver la lista de costos",
        {
            "fit": """
def fit(self, X, y, alpha, epochs):
    for _ in range(epochs):
        A = self.forward(X)
        self.update(*self.backward(X, A, y), alpha)
"""
        },
    ),
    # --- predict ---
    "predict_inverted": (
        "invertiste la comparación",
        {"predict": _predict("(A < 0.5).astype(int)")},
    ),
    "predict_bool": ("enteros", {"predict": _predict("A > 0.5")}),
    "predict_probabilities": ("enteros", {"predict": _predict("A")}),
    "predict_z_threshold": (
        "comparaste z",
        {"predict": _predict("(self.w.T @ X + self.b > 0.5).astype(int)")},
    ),
    "predict_naive_sigmoid": (
        "aviso numérico",
        {
            "predict": """
def predict(self, X):
    Z = self.w.T @ X + self.b
    if self.activation == "sigmoid":
        return (1 / (1 + np.exp(-Z)) > 0.5).astype(int)
    return Z
"""
        },
    ),
    "predict_threshold_linear": (
        "aplicaste el umbral también",
        {"predict": "def predict(self, X):\n    return (self.forward(X) > 0.5).astype(int)\n"},
    ),
}

_ALTERNATIVES = {
    # loops, np.dot, in-place updates of the neuron's own arrays, σ through tanh, predict on z
    "loops_tanh_inplace": _neuron(
        init="""
def __init__(self, n_features, activation="linear", seed=0):
    if activation not in ("linear", "sigmoid"):
        raise ValueError(activation)
    self.activation = activation
    self.w = np.random.default_rng(seed).normal(0.0, 0.01, size=(n_features, 1))
    self.b = 0.0
""",
        forward="""
def forward(self, X):
    Z = np.dot(self.w.T, X) + self.b
    return 0.5 * (1.0 + np.tanh(Z / 2.0)) if self.activation == "sigmoid" else Z
""",
        cost="""
def cost(self, A, y):
    import math
    m = y.shape[1]
    total = 0.0
    for i in range(m):
        a, t = float(A[0, i]), float(y[0, i])
        if self.activation == "sigmoid":
            a = min(max(a, 1e-15), 1 - 1e-15)
            total -= t * math.log(a) + (1 - t) * math.log(1 - a)
        else:
            total += 0.5 * (a - t) ** 2
    return total / m
""",
        backward="""
def backward(self, X, A, y):
    n, m = X.shape
    dw = np.zeros((n, 1))
    db = 0.0
    for i in range(m):
        err = A[0, i] - y[0, i]
        dw[:, 0] += err * X[:, i] / m
        db += err / m
    return dw, db
""",
        update="""
def update(self, dw, db, alpha):
    self.w -= alpha * dw
    self.b -= alpha * db
""",
        predict="""
def predict(self, X):
    Z = np.dot(self.w.T, X) + self.b
    return (Z > 0).astype(int) if self.activation == "sigmoid" else Z
""",
    ),
    # means, einsum, ε = 1e-7 (the largest accepted), costs in a NumPy array
    "means_einsum_eps7": _neuron(
        init="""
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    rng = np.random.default_rng(seed)
    self.w = rng.uniform(-0.05, 0.05, size=(n_features, 1))
    self.b = float(0)
""",
        forward="""
def forward(self, X):
    Z = np.einsum("jk,ji->ki", self.w, X) + self.b
    if self.activation == "linear":
        return Z
    return sigmoid(Z)
""",
        cost="""
def cost(self, A, y):
    if self.activation == "linear":
        return np.mean((A - y) ** 2) / 2
    P = np.clip(A, 1e-7, 1 - 1e-7)
    return -np.mean(y * np.log(P) + (1 - y) * np.log(1 - P))
""",
        backward="""
def backward(self, X, A, y):
    dZ = A - y
    return np.mean(X * dZ, axis=1, keepdims=True), np.mean(dZ)
""",
        fit="""
def fit(self, X, y, alpha, epochs):
    costs = np.zeros(epochs)
    for epoch in range(epochs):
        A = self.forward(X)
        costs[epoch] = self.cost(A, y)
        self.update(*self.backward(X, A, y), alpha)
    return costs
""",
        predict="""
def predict(self, X):
    A = self.forward(X)
    return np.where(A > 0.5, 1, 0) if self.activation == "sigmoid" else A
""",
    ),
    # zero initialisation, σ through logaddexp, fit with the math inline
    "zero_init_logaddexp_inline_fit": _neuron(
        init="""
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    self.w = np.zeros((n_features, 1))
    self.b = 0.0
""",
        forward="""
def forward(self, X):
    Z = np.sum(self.w * X, axis=0, keepdims=True) + self.b
    if self.activation == "sigmoid":
        return np.exp(-np.logaddexp(0.0, -Z))
    return Z
""",
        cost="""
def cost(self, A, y):
    m = y.shape[1]
    if self.activation == "sigmoid":
        P = np.minimum(np.maximum(A, 1e-12), 1 - 1e-12)
        return -(y @ np.log(P).T + (1 - y) @ np.log(1 - P).T).item() / m
    e = A - y
    return (e @ e.T).item() / (2 * m)
""",
        backward="""
def backward(self, X, A, y):
    m = y.shape[1]
    dZ = A - y
    return (dZ @ X.T).T / m, dZ.sum() / m
""",
        update="""
def update(self, dw, db, alpha):
    self.w, self.b = self.w - alpha * dw, self.b - alpha * db
    return self
""",
        fit="""
def fit(self, X, y, alpha, epochs):
    m = X.shape[1]
    costs = []
    for _ in range(epochs):
        A = self.forward(X)
        costs.append(self.cost(A, y))
        e = A - y
        self.w = self.w - alpha * (X @ e.T) / m
        self.b = self.b - alpha * float(np.mean(e))
    return costs
""",
    ),
}

_TESTS = [
    f"test_Neuron{suffix}{hidden}"
    for suffix in ("", "_forward", "_cost", "_backward", "_update", "_fit", "_predict")
    for hidden in ("", "_hidden")
]

CATALOGUE = {
    "Neuron": {
        "tests": _TESTS,
        "mistakes": {
            name: (fragment, _neuron(**methods)) for name, (fragment, methods) in _MISTAKES.items()
        },
        "alternatives": _ALTERNATIVES,
    },
}


# The bundled example submissions (examples/submissions/, `python -m tests.catalogue`): complete,
# untouched, and one typical mistake.
EXAMPLES = {
    "ana_completa": {},
    "beto_sin_tocar": None,
    "carla_olvida_dividir_m": {"Neuron": ("mistakes", "backward_no_1_over_m")},
}

#: Mistakes the notebook's text discusses: a visible test must name them (test_mutations).
VISIBLE_NAMED = {"Neuron": ["backward_squared_derivative"]}
