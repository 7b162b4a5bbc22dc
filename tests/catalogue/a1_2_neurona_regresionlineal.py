"""Mutation catalogue of 1.2_Neurona_RegresionLineal: typical mistakes and correct alternatives.

The graded answer is one cell holding the whole ``Neuron`` class, so every
mistake is the whole class with one method wrong (names start with the method:
``init_``, ``forward_``, ``cost_``, ``backward_``, ``update_``, ``fit_``,
``predict_``), built from the correct methods below with one of them replaced.
"""

import textwrap

ASSIGNMENT = "1.2_Neurona_RegresionLineal"

_METHODS = {
    "init": """
def __init__(self, n_features, activation="linear", seed=0):
    if activation != "linear":
        raise ValueError(activation)
    self.activation = activation
    rng = np.random.default_rng(seed)
    self.w = 0.01 * rng.standard_normal((n_features, 1))
    self.b = 0.0
""",
    "forward": """
def forward(self, X):
    return self.w.T @ X + self.b
""",
    "cost": """
def cost(self, A, y):
    m = y.shape[1]
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
    return self.forward(X)
""",
}


def _neuron(**replaced):
    """Source of the class with the given methods replaced (keys as in _METHODS)."""
    methods = {**_METHODS, **replaced}
    body = "\n".join(textwrap.indent(methods[k].strip(), "    ") + "\n" for k in _METHODS)
    return "class Neuron:\n" + body


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
        {
            "init": """
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    rng = np.random.default_rng(seed)
    self.w = 0.01 * rng.standard_normal((1, n_features))
    self.b = 0.0
"""
        },
    ),
    "init_b_array": (
        "de tipo float",
        {
            "init": """
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    rng = np.random.default_rng(seed)
    self.w = 0.01 * rng.standard_normal((n_features, 1))
    self.b = np.zeros((1, 1))
"""
        },
    ),
    "init_unseeded": (
        "default_rng(seed)",
        {
            "init": """
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    rng = np.random.default_rng()
    self.w = 0.01 * rng.standard_normal((n_features, 1))
    self.b = 0.0
"""
        },
    ),
    # --- forward ---
    "forward_no_bias": (
        "olvidaste sumar el sesgo b",
        {"forward": "def forward(self, X):\n    return self.w.T @ X\n"},
    ),
    "forward_minus_bias": (
        "restaste el sesgo",
        {"forward": "def forward(self, X):\n    return self.w.T @ X - self.b\n"},
    ),
    "forward_column": (
        "forma (1, 3)",
        {"forward": "def forward(self, X):\n    return X.T @ self.w + self.b\n"},
    ),
    "forward_flat": (
        "dimensión",
        {"forward": "def forward(self, X):\n    return (self.w.T @ X + self.b).ravel()\n"},
    ),
    "forward_wrong_axis": (
        "`A` debe tener forma",
        {
            "forward": "def forward(self, X):\n"
            "    return np.sum(self.w * X, axis=1, keepdims=True).T + self.b\n"
        },
    ),
    # --- cost ---
    "cost_no_half": (
        "factor ½",
        {"cost": "def cost(self, A, y):\n    return float(np.mean((A - y) ** 2))\n"},
    ),
    "cost_no_mean": (
        "sin dividir entre m",
        {"cost": "def cost(self, A, y):\n    return float(np.sum((A - y) ** 2) / 2)\n"},
    ),
    "cost_rmse": (
        "RMSE",
        {"cost": "def cost(self, A, y):\n    return float(np.sqrt(np.mean((A - y) ** 2)))\n"},
    ),
    "cost_abs": (
        "valor absoluto",
        {"cost": "def cost(self, A, y):\n    return float(np.mean(np.abs(A - y)) / 2)\n"},
    ),
    "cost_array": (
        "de tipo float",
        {
            "cost": "def cost(self, A, y):\n"
            "    return np.sum((A - y) ** 2, axis=1, keepdims=True) / (2 * y.shape[1])\n"
        },
    ),
    # --- backward ---
    "backward_no_1_over_m": (
        "dividir entre m",
        {
            "backward": """
def backward(self, X, A, y):
    dZ = A - y
    return X @ dZ.T, float(np.sum(dZ))
"""
        },
    ),
    "backward_wrong_sign": (
        "signo cambiado",
        {
            "backward": """
def backward(self, X, A, y):
    m = X.shape[1]
    dZ = y - A
    return X @ dZ.T / m, float(np.sum(dZ) / m)
"""
        },
    ),
    "backward_factor_two": (
        "factor 2",
        {
            "backward": """
def backward(self, X, A, y):
    m = X.shape[1]
    dZ = A - y
    return 2 * X @ dZ.T / m, float(2 * np.sum(dZ) / m)
"""
        },
    ),
    "backward_transposed_dw": (
        "traspuesto",
        {
            "backward": """
def backward(self, X, A, y):
    m = X.shape[1]
    dZ = A - y
    return dZ @ X.T / m, float(np.mean(dZ))
"""
        },
    ),
    "backward_db_array": (
        "un solo número",
        {
            "backward": """
def backward(self, X, A, y):
    m = X.shape[1]
    dZ = A - y
    return X @ dZ.T / m, np.sum(dZ, axis=1, keepdims=True) / m
"""
        },
    ),
    "backward_db_no_1_over_m": (
        "dividir entre m",
        {
            "backward": """
def backward(self, X, A, y):
    m = X.shape[1]
    dZ = A - y
    return X @ dZ.T / m, float(np.sum(dZ))
"""
        },
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
    w = self.w - alpha * dw
    b = self.b - alpha * db
    return w, b
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
    costs = [self.cost(self.forward(X), y)]
    for _ in range(epochs):
        A = self.forward(X)
        dw, db = self.backward(X, A, y)
        self.update(dw, db, alpha)
        costs.append(self.cost(self.forward(X), y))
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
    self.w = np.zeros_like(self.w)
    self.b = 0.0
    costs = []
    for _ in range(epochs):
        A = self.forward(X)
        costs.append(self.cost(A, y))
        dw, db = self.backward(X, A, y)
        self.update(dw, db, alpha)
    return costs
"""
        },
    ),
    "fit_no_return": (
        "devolver la lista de costos",
        {
            "fit": """
def fit(self, X, y, alpha, epochs):
    self.costs = []
    for _ in range(epochs):
        A = self.forward(X)
        self.costs.append(self.cost(A, y))
        dw, db = self.backward(X, A, y)
        self.update(dw, db, alpha)
"""
        },
    ),
    # --- predict ---
    "predict_round": (
        "redondeaste",
        {"predict": "def predict(self, X):\n    return np.round(self.forward(X))\n"},
    ),
    "predict_int": (
        "convertiste a enteros",
        {"predict": "def predict(self, X):\n    return self.forward(X).astype(int)\n"},
    ),
    "predict_threshold": (
        "aplicaste un umbral",
        {"predict": "def predict(self, X):\n    return (self.forward(X) > 0.5).astype(int)\n"},
    ),
    "predict_no_bias": (
        "olvidaste sumar el sesgo b",
        {"predict": "def predict(self, X):\n    return self.w.T @ X\n"},
    ),
    "predict_flat": (
        "dimensión",
        {"predict": "def predict(self, X):\n    return self.forward(X).ravel()\n"},
    ),
}

_ALTERNATIVES = {
    # loops, np.dot, in-place updates of the neuron's own arrays, rng.normal
    "loops_dot_inplace": _neuron(
        init="""
def __init__(self, n_features, activation="linear", seed=0):
    if activation != "linear":
        raise ValueError(activation)
    self.activation = activation
    self.w = np.random.default_rng(seed).normal(0.0, 0.01, size=(n_features, 1))
    self.b = 0.0
""",
        forward="""
def forward(self, X):
    return np.dot(self.w.T, X) + self.b
""",
        cost="""
def cost(self, A, y):
    m = y.shape[1]
    total = 0.0
    for i in range(m):
        total += 0.5 * (A[0, i] - y[0, i]) ** 2
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
    return np.dot(self.w.T, X) + self.b
""",
    ),
    # means instead of sums, einsum, costs in a NumPy array
    "means_einsum_array_costs": _neuron(
        init="""
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    rng = np.random.default_rng(seed)
    self.w = rng.uniform(-0.05, 0.05, size=(n_features, 1))
    self.b = float(0)
""",
        forward="""
def forward(self, X):
    return np.einsum("jk,ji->ki", self.w, X) + self.b
""",
        cost="""
def cost(self, A, y):
    return np.mean((A - y) ** 2) / 2
""",
        backward="""
def backward(self, X, A, y):
    dZ = A - y
    return np.mean(X * dZ, axis=1, keepdims=True), np.mean(dZ)
""",
        update="""
def update(self, dw, db, alpha):
    self.w = np.subtract(self.w, alpha * dw)
    self.b = self.b - alpha * db
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
    ),
    # zero initialisation (deterministic too), sums over axis 0, fit with the math inline
    "zero_init_inline_fit": _neuron(
        init="""
def __init__(self, n_features, activation="linear", seed=0):
    self.activation = activation
    self.w = np.zeros((n_features, 1))
    self.b = 0.0
""",
        forward="""
def forward(self, X):
    return np.sum(self.w * X, axis=0, keepdims=True) + self.b
""",
        cost="""
def cost(self, A, y):
    e = A - y
    return (e @ e.T).item() / (2 * y.shape[1])
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
        e = self.w.T @ X + self.b - y
        costs.append(float(np.mean(e**2) / 2))
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
