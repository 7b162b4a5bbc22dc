"""Mutation catalogue of 1.8_Proyecto_shallowNN_MNIST: typical mistakes and correct alternatives."""

ASSIGNMENT = "1.8_Proyecto_shallowNN_MNIST"

CATALOGUE = {
    "one_hot": {
        "tests": ["test_one_hot", "test_one_hot_hidden"],
        "mistakes": {
            "transposed": (
                "traspuesto",
                """
def one_hot(y, num_classes):
    return np.eye(num_classes)[y[0]]
""",
            ),
            "classes_from_max": (
                "aunque alguna clase no aparezca",
                """
def one_hot(y, num_classes):
    k = int(y.max()) + 1
    Y = np.zeros((k, y.shape[1]))
    Y[y[0], np.arange(y.shape[1])] = 1.0
    return Y
""",
            ),
            "boolean": (
                "dtype",
                """
def one_hot(y, num_classes):
    return np.arange(num_classes).reshape(-1, 1) == y
""",
            ),
            "shifted": (
                "desplazadas",
                """
def one_hot(y, num_classes):
    Y = np.zeros((num_classes, y.shape[1]))
    Y[y[0] - 1, np.arange(y.shape[1])] = 1.0
    return Y
""",
            ),
            "eye_3d": (
                "indexaste con el arreglo",
                """
def one_hot(y, num_classes):
    return np.eye(num_classes)[y]
""",
            ),
            "inverted": (
                "pusiste 0",
                """
def one_hot(y, num_classes):
    Y = np.ones((num_classes, y.shape[1]))
    Y[y[0], np.arange(y.shape[1])] = 0.0
    return Y
""",
            ),
        },
        "alternatives": {
            "eye_columns": """
def one_hot(y, num_classes):
    return np.eye(num_classes)[:, y.ravel()]
""",
            "broadcast_compare": """
def one_hot(y, num_classes):
    return (np.arange(num_classes)[:, np.newaxis] == y).astype(float)
""",
            "loop": """
def one_hot(y, num_classes):
    m = y.shape[1]
    Y = np.zeros((num_classes, m))
    for i in range(m):
        Y[int(y[0, i]), i] = 1
    return Y
""",
        },
    },
    "initialize_parameters": {
        "tests": ["test_initialize_parameters", "test_initialize_parameters_hidden"],
        "mistakes": {
            "global_seed": (
                "generador global",
                """
def initialize_parameters(n0, n1, n2, seed):
    np.random.seed(seed)
    return {
        "W1": np.random.randn(n1, n0) / np.sqrt(n0),
        "b1": np.zeros((n1, 1)),
        "W2": np.random.randn(n2, n1) / np.sqrt(n1),
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "scale_001": (
                "debe estar entre",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n1, n0)) * 0.01,
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n2, n1)) * 0.01,
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "unscaled": (
                "debe estar entre",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n1, n0)),
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n2, n1)),
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "transposed_weights": (
                "traspuesto",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n0, n1)) / np.sqrt(n0),
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n1, n2)) / np.sqrt(n1),
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "flat_biases": (
                "dimensión",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n1, n0)) / np.sqrt(n0),
        "b1": np.zeros(n1),
        "W2": rng.standard_normal((n2, n1)) / np.sqrt(n1),
        "b2": np.zeros(n2),
    }
""",
            ),
            "uniform_positive": (
                "centrados en 0",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": 2 * rng.random((n1, n0)) / np.sqrt(n0),
        "b1": np.zeros((n1, 1)),
        "W2": 2 * rng.random((n2, n1)) / np.sqrt(n1),
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "no_seed": (
                "no usaste la semilla",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng()
    return {
        "W1": rng.standard_normal((n1, n0)) / np.sqrt(n0),
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n2, n1)) / np.sqrt(n1),
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
        },
        "alternatives": {
            "normal_loc_scale": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    parameters = {}
    parameters["W1"] = rng.normal(0.0, 1.0 / np.sqrt(n0), size=(n1, n0))
    parameters["b1"] = np.zeros((n1, 1))
    parameters["W2"] = rng.normal(0.0, 1.0 / np.sqrt(n1), size=(n2, n1))
    parameters["b2"] = np.zeros((n2, 1))
    return parameters
""",
            "glorot_uniform": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    limit1 = np.sqrt(6.0 / (n0 + n1))
    limit2 = np.sqrt(6.0 / (n1 + n2))
    return {
        "W1": rng.uniform(-limit1, limit1, size=(n1, n0)),
        "b1": np.zeros((n1, 1)),
        "W2": rng.uniform(-limit2, limit2, size=(n2, n1)),
        "b2": np.zeros((n2, 1)),
    }
""",
            "he_normal": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((n1, n0)) * np.sqrt(2.0 / n0)
    W2 = rng.standard_normal((n2, n1)) * np.sqrt(2.0 / n1)
    return {"W1": W1, "b1": np.zeros((n1, 1)), "W2": W2, "b2": np.zeros((n2, 1))}
""",
            # both endpoints of the stated range, 0.5/√n and 2/√n (issue 16: they used to fail)
            "endpoint_low_half_over_sqrt_n": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((n1, n0)) * 0.5 / np.sqrt(n0)
    W2 = rng.standard_normal((n2, n1)) * 0.5 / np.sqrt(n1)
    return {"W1": W1, "b1": np.zeros((n1, 1)), "W2": W2, "b2": np.zeros((n2, 1))}
""",
            "endpoint_high_2_over_sqrt_n": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((n1, n0)) * 2 / np.sqrt(n0)
    W2 = rng.standard_normal((n2, n1)) * 2 / np.sqrt(n1)
    return {"W1": W1, "b1": np.zeros((n1, 1)), "W2": W2, "b2": np.zeros((n2, 1))}
""",
        },
    },
    "forward_propagation": {
        "tests": ["test_forward_propagation", "test_forward_propagation_hidden"],
        "mistakes": {
            "swapped_activations": (
                "intercambiaste",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = sigmoid(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = np.tanh(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
            "sigmoid_hidden": (
                "no la sigmoide",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = sigmoid(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
            "no_tanh": (
                "olvidaste la activación tanh",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = Z1
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
            "softmax_output": (
                "softmax",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    A2 = E / E.sum(axis=0, keepdims=True)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
            "no_bias": (
                "sesgos",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
            "cache_missing_z": (
                "le falta la clave",
                """
def forward_propagation(X, parameters):
    A1 = np.tanh(parameters["W1"] @ X + parameters["b1"])
    A2 = sigmoid(parameters["W2"] @ A1 + parameters["b2"])
    return A2, {"A1": A1, "A2": A2}
""",
            ),
            "naive_sigmoid": (
                "aviso numérico",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = 1 / (1 + np.exp(-Z2))
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
        },
        "alternatives": {
            "dot_logaddexp": """
def forward_propagation(X, parameters):
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = np.exp(-np.logaddexp(0.0, -Z2))
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache
""",
            "matmul_expit": """
def forward_propagation(X, parameters):
    from scipy.special import expit

    Z1 = np.matmul(parameters["W1"], X) + parameters["b1"].reshape(-1, 1)
    A1 = (np.exp(2 * np.clip(Z1, -350, 350)) - 1) / (np.exp(2 * np.clip(Z1, -350, 350)) + 1)
    Z2 = np.matmul(parameters["W2"], A1) + parameters["b2"].reshape(-1, 1)
    A2 = expit(Z2)
    return A2, dict(Z1=Z1, A1=A1, Z2=Z2, A2=A2)
""",
            "transposed_rows": """
def forward_propagation(X, parameters):
    Z1 = (X.T @ parameters["W1"].T + parameters["b1"].T).T
    A1 = np.tanh(Z1)
    Z2 = (A1.T @ parameters["W2"].T + parameters["b2"].T).T
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
        },
    },
    "compute_cost": {
        "tests": ["test_compute_cost", "test_compute_cost_hidden"],
        "mistakes": {
            "mean_over_all": (
                "m·n2",
                """
def compute_cost(A2, Y):
    return float(np.mean((A2 - Y) ** 2) / 2)
""",
            ),
            "keras_mse": (
                "loss='mse'",
                """
def compute_cost(A2, Y):
    return float(np.mean((A2 - Y) ** 2))
""",
            ),
            "no_half": (
                "factor ½",
                """
def compute_cost(A2, Y):
    return float(np.sum((A2 - Y) ** 2) / Y.shape[1])
""",
            ),
            "no_1_over_m": (
                "dividir entre m",
                """
def compute_cost(A2, Y):
    return float(np.sum((A2 - Y) ** 2) / 2)
""",
            ),
            "norm_not_squared": (
                "sin elevar al cuadrado",
                """
def compute_cost(A2, Y):
    return float(np.sum(np.sqrt(np.sum((A2 - Y) ** 2, axis=0))) / (2 * Y.shape[1]))
""",
            ),
            "cross_entropy": (
                "entropía cruzada",
                """
def compute_cost(A2, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)
""",
            ),
            "array_result": (
                "de tipo float",
                """
def compute_cost(A2, Y):
    return np.sum((A2 - Y) ** 2, axis=(0, 1), keepdims=True) / (2 * Y.shape[1])
""",
            ),
        },
        "alternatives": {
            "mean_of_column_sums": """
def compute_cost(A2, Y):
    return np.mean(np.sum((A2 - Y) ** 2, axis=0)) / 2
""",
            "frobenius_norm": """
def compute_cost(A2, Y):
    return (np.linalg.norm(A2 - Y) ** 2 / (2 * Y.shape[1])).item()
""",
            "loop": """
def compute_cost(A2, Y):
    m = Y.shape[1]
    total = 0.0
    for i in range(m):
        e = A2[:, i] - Y[:, i]
        total += 0.5 * float(e @ e)
    return total / m
""",
        },
    },
    "backward_propagation": {
        "tests": ["test_backward_propagation", "test_backward_propagation_hidden"],
        "mistakes": {
            "no_sigmoid_prime": (
                "derivada de la sigmoide",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
""",
            ),
            "no_tanh_prime": (
                "derivada de tanh",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - Y) * A2 * (1 - A2)
    dZ1 = parameters["W2"].T @ dZ2
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
""",
            ),
            "tanh_prime_of_z": (
                "1 − Z1²",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - Y) * A2 * (1 - A2)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - cache["Z1"] ** 2)
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
""",
            ),
            "no_1_over_m": (
                "dividir entre m",
                """
def backward_propagation(parameters, cache, X, Y):
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - Y) * A2 * (1 - A2)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {"dW1": dZ1 @ X.T, "db1": dZ1.sum(axis=1, keepdims=True),
            "dW2": dZ2 @ A1.T, "db2": dZ2.sum(axis=1, keepdims=True)}
""",
            ),
            "factor_two": (
                "factor 2",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = 2 * (A2 - Y) * A2 * (1 - A2)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
""",
            ),
            "db_wrong_axis": (
                "eje equivocado",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - Y) * A2 * (1 - A2)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=0, keepdims=True) / m,
            "dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=0, keepdims=True) / m}
""",
            ),
            "db_scalar": (
                "un solo número",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - Y) * A2 * (1 - A2)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {"dW1": dZ1 @ X.T / m, "db1": np.sum(dZ1) / m,
            "dW2": dZ2 @ A1.T / m, "db2": np.sum(dZ2) / m}
""",
            ),
            "transposed_dW": (
                "traspuesto",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - Y) * A2 * (1 - A2)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {"dW1": X @ dZ1.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": A1 @ dZ2.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
""",
            ),
        },
        "alternatives": {
            "dot_mean": """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = (A2 - Y) * A2 * (1 - A2)
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.mean(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(parameters["W2"].T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.mean(dZ1, axis=1).reshape(-1, 1)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
""",
            "from_z": """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1 = np.tanh(cache["Z1"])
    A2 = sigmoid(cache["Z2"])
    dA2 = (A2 - Y) / m
    dZ2 = dA2 * A2 * (1 - A2)
    dZ1 = (parameters["W2"].T @ dZ2) / np.cosh(cache["Z1"]) ** 2
    return {"dW2": dZ2 @ A1.T, "db2": dZ2.sum(axis=1)[:, None],
            "dW1": dZ1 @ X.T, "db1": dZ1.sum(axis=1)[:, None]}
""",
            "row_layout": """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1t, A2t, Yt, Xt = cache["A1"].T, cache["A2"].T, Y.T, X.T
    dZ2t = (A2t - Yt) * A2t * (1 - A2t)
    dZ1t = (dZ2t @ parameters["W2"]) * (1 - A1t * A1t)
    return {"dW1": (Xt.T @ dZ1t).T / m, "db1": dZ1t.sum(axis=0).reshape(-1, 1) / m,
            "dW2": (A1t.T @ dZ2t).T / m, "db2": dZ2t.sum(axis=0).reshape(-1, 1) / m}
""",
        },
    },
    "predict": {
        "tests": ["test_predict", "test_predict_hidden"],
        "mistakes": {
            "threshold": (
                "umbral",
                """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).astype(int)
""",
            ),
            "wrong_axis": (
                "eje equivocado",
                """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return np.argmax(A2, axis=1).reshape(1, -1)
""",
            ),
            "flat": (
                "dimensión",
                """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return np.argmax(A2, axis=0)
""",
            ),
            "argmin": (
                "argmin",
                """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return np.argmin(A2, axis=0).reshape(1, -1)
""",
            ),
            "max_value": (
                "enteros",
                """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return np.max(A2, axis=0, keepdims=True)
""",
            ),
            "no_axis": (
                "np.argmax sin eje",
                """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return np.argmax(A2)
""",
            ),
        },
        "alternatives": {
            "argmax_newaxis": """
def predict(parameters, X):
    A2 = forward_propagation(X, parameters)[0]
    return A2.argmax(axis=0)[np.newaxis, :]
""",
            "argmax_of_z2": """
def predict(parameters, X):
    _, cache = forward_propagation(X, parameters)
    return np.argmax(cache["Z2"], axis=0, keepdims=True)
""",
            "loop": """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    m = A2.shape[1]
    y_pred = np.zeros((1, m), dtype=int)
    for i in range(m):
        y_pred[0, i] = int(np.argmax(A2[:, i]))
    return y_pred
""",
        },
    },
    "train": {
        "tests": ["test_train", "test_train_hidden"],
        "mistakes": {
            "no_bias_correction": (
                "corrección de sesgo",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    for _ in range(epochs):
        perm = rng.permutation(m)
        costs = []
        for start in range(0, m, batch_size):
            idx = perm[start:start + batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            costs.append(compute_cost(A2, Y[:, idx]))
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            for k in parameters:
                v[k] = 0.9 * v[k] + 0.1 * grads["d" + k]
                s[k] = 0.999 * s[k] + 0.001 * grads["d" + k] ** 2
                parameters[k] = parameters[k] - alpha * v[k] / (np.sqrt(s[k]) + 1e-8)
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "t_per_epoch": (
                "reiniciaste t",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    for _ in range(epochs):
        perm = rng.permutation(m)
        costs = []
        for t, start in enumerate(range(0, m, batch_size), start=1):
            idx = perm[start:start + batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            costs.append(compute_cost(A2, Y[:, idx]))
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            for k in parameters:
                v[k] = 0.9 * v[k] + 0.1 * grads["d" + k]
                s[k] = 0.999 * s[k] + 0.001 * grads["d" + k] ** 2
                v_hat, s_hat = v[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                parameters[k] = parameters[k] - alpha * v_hat / (np.sqrt(s_hat) + 1e-8)
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "swapped_etas": (
                "intercambiaste",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    t = 0
    for _ in range(epochs):
        perm = rng.permutation(m)
        costs = []
        for start in range(0, m, batch_size):
            idx = perm[start:start + batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            costs.append(compute_cost(A2, Y[:, idx]))
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            t += 1
            for k in parameters:
                v[k] = 0.1 * v[k] + 0.9 * grads["d" + k]
                s[k] = 0.001 * s[k] + 0.999 * grads["d" + k] ** 2
                v_hat, s_hat = v[k] / (1 - 0.1**t), s[k] / (1 - 0.001**t)
                parameters[k] = parameters[k] - alpha * v_hat / (np.sqrt(s_hat) + 1e-8)
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "no_shuffle": (
                "no barajaste",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    history = {"cost": [], "val_accuracy": []}
    t = 0
    for _ in range(epochs):
        costs = []
        for start in range(0, m, batch_size):
            Xb, Yb = X[:, start:start + batch_size], Y[:, start:start + batch_size]
            A2, cache = forward_propagation(Xb, parameters)
            costs.append(compute_cost(A2, Yb))
            grads = backward_propagation(parameters, cache, Xb, Yb)
            t += 1
            for k in parameters:
                v[k] = 0.9 * v[k] + 0.1 * grads["d" + k]
                s[k] = 0.999 * s[k] + 0.001 * grads["d" + k] ** 2
                v_hat, s_hat = v[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                parameters[k] = parameters[k] - alpha * v_hat / (np.sqrt(s_hat) + 1e-8)
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "rng_in_epoch": (
                "mismo orden",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    history = {"cost": [], "val_accuracy": []}
    t = 0
    for _ in range(epochs):
        rng = np.random.default_rng(seed)
        perm = rng.permutation(m)
        costs = []
        for start in range(0, m, batch_size):
            idx = perm[start:start + batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            costs.append(compute_cost(A2, Y[:, idx]))
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            t += 1
            for k in parameters:
                v[k] = 0.9 * v[k] + 0.1 * grads["d" + k]
                s[k] = 0.999 * s[k] + 0.001 * grads["d" + k] ** 2
                v_hat, s_hat = v[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                parameters[k] = parameters[k] - alpha * v_hat / (np.sqrt(s_hat) + 1e-8)
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "drop_last_batch": (
                "último lote",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    t = 0
    for _ in range(epochs):
        perm = rng.permutation(m)
        costs = []
        for b in range(max(m // batch_size, 1)):
            idx = perm[b * batch_size:(b + 1) * batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            costs.append(compute_cost(A2, Y[:, idx]))
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            t += 1
            for k in parameters:
                v[k] = 0.9 * v[k] + 0.1 * grads["d" + k]
                s[k] = 0.999 * s[k] + 0.001 * grads["d" + k] ** 2
                v_hat, s_hat = v[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                parameters[k] = parameters[k] - alpha * v_hat / (np.sqrt(s_hat) + 1e-8)
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "plain_gd": (
                "descenso de gradiente simple",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    for _ in range(epochs):
        perm = rng.permutation(m)
        costs = []
        for start in range(0, m, batch_size):
            idx = perm[start:start + batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            costs.append(compute_cost(A2, Y[:, idx]))
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            for k in parameters:
                parameters[k] = parameters[k] - alpha * grads["d" + k]
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "last_batch_cost": (
                "último lote",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    t = 0
    for _ in range(epochs):
        perm = rng.permutation(m)
        for start in range(0, m, batch_size):
            idx = perm[start:start + batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            cost = compute_cost(A2, Y[:, idx])
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            t += 1
            for k in parameters:
                v[k] = 0.9 * v[k] + 0.1 * grads["d" + k]
                s[k] = 0.999 * s[k] + 0.001 * grads["d" + k] ** 2
                v_hat, s_hat = v[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                parameters[k] = parameters[k] - alpha * v_hat / (np.sqrt(s_hat) + 1e-8)
        history["cost"].append(cost)
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
            "t_from_zero": (
                "t en 0",
                """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    v = {k: np.zeros_like(p) for k, p in parameters.items()}
    s = {k: np.zeros_like(p) for k, p in parameters.items()}
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    t = 0
    for _ in range(epochs):
        perm = rng.permutation(m)
        costs = []
        for start in range(0, m, batch_size):
            idx = perm[start:start + batch_size]
            A2, cache = forward_propagation(X[:, idx], parameters)
            costs.append(compute_cost(A2, Y[:, idx]))
            grads = backward_propagation(parameters, cache, X[:, idx], Y[:, idx])
            for k in parameters:
                v[k] = 0.9 * v[k] + 0.1 * grads["d" + k]
                s[k] = 0.999 * s[k] + 0.001 * grads["d" + k] ** 2
                v_hat, s_hat = v[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                parameters[k] = parameters[k] - alpha * v_hat / (np.sqrt(s_hat) + 1e-8)
            t += 1
        history["cost"].append(float(np.mean(costs)))
        if X_val is not None:
            history["val_accuracy"].append(float(np.mean(predict(parameters, X_val) == np.argmax(Y_val, axis=0))))
    return parameters, history
""",
            ),
        },
        "alternatives": {
            "shuffle_then_slice": """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    eta_v, eta_s, eps = 0.9, 0.999, 1e-8
    m = X.shape[1]
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    keys = ["W1", "b1", "W2", "b2"]
    v = [np.zeros(parameters[k].shape) for k in keys]
    s = [np.zeros(parameters[k].shape) for k in keys]
    rng = np.random.default_rng(seed)
    costs_per_epoch, accuracies = [], []
    t = 1
    for epoch in range(epochs):
        perm = rng.permutation(m)
        X_shuffled, Y_shuffled = X[:, perm], Y[:, perm]
        batch_costs = []
        num_batches = int(np.ceil(m / batch_size))
        for b in range(num_batches):
            X_b = X_shuffled[:, b * batch_size:min((b + 1) * batch_size, m)]
            Y_b = Y_shuffled[:, b * batch_size:min((b + 1) * batch_size, m)]
            A2, cache = forward_propagation(X_b, parameters)
            batch_costs.append(compute_cost(A2, Y_b))
            grads = backward_propagation(parameters, cache, X_b, Y_b)
            for i, k in enumerate(keys):
                g = grads["d" + k]
                v[i] = eta_v * v[i] + (1 - eta_v) * g
                s[i] = eta_s * s[i] + (1 - eta_s) * np.square(g)
                step = alpha * (v[i] / (1 - eta_v**t)) / (np.sqrt(s[i] / (1 - eta_s**t)) + eps)
                parameters[k] = parameters[k] - step
            t = t + 1
        costs_per_epoch.append(sum(batch_costs) / len(batch_costs))
        if X_val is not None and Y_val is not None:
            labels = Y_val.argmax(axis=0).reshape(1, -1)
            accuracies.append(np.count_nonzero(predict(parameters, X_val) == labels) / X_val.shape[1])
    return parameters, {"cost": costs_per_epoch, "val_accuracy": accuracies}
""",
            "adam_helper": """
def train(X, Y, n1, epochs, batch_size, alpha, seed, X_val=None, Y_val=None):
    def adam_step(x, g, v, s, t, alpha, eta_v=0.9, eta_s=0.999, eps=1e-8):
        v = eta_v * v + (1 - eta_v) * g
        s = eta_s * s + (1 - eta_s) * g**2
        v_hat = v / (1 - eta_v**t)
        s_hat = s / (1 - eta_s**t)
        return x - alpha * v_hat / (np.sqrt(s_hat) + eps), v, s

    n0, m = X.shape
    n2 = Y.shape[0]
    params = initialize_parameters(n0, n1, n2, seed)
    state = {k: (np.zeros_like(p), np.zeros_like(p)) for k, p in params.items()}
    rng = np.random.default_rng(seed)
    history = {"cost": [], "val_accuracy": []}
    t = 0
    for epoch in range(epochs):
        order = rng.permutation(m)
        costs = []
        start = 0
        while start < m:
            cols = order[start:start + batch_size]
            start += batch_size
            X_b = np.take(X, cols, axis=1)
            Y_b = np.take(Y, cols, axis=1)
            A2, cache = forward_propagation(X_b, params)
            costs.append(compute_cost(A2, Y_b))
            grads = backward_propagation(params, cache, X_b, Y_b)
            t += 1
            for k in ["W1", "b1", "W2", "b2"]:
                v, s = state[k]
                params[k], v, s = adam_step(params[k], grads["d" + k], v, s, t, alpha)
                state[k] = (v, s)
        history["cost"].append(np.mean(costs))
        if X_val is not None:
            history["val_accuracy"].append(np.mean(predict(params, X_val)[0] == np.argmax(Y_val, axis=0)))
    return params, history
""",
        },
    },
    "build_model": {
        "tests": ["test_build_model", "test_build_model_hidden"],
        "mistakes": {
            "softmax_output": (
                "sigmoide",
                """
def build_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "relu_hidden": (
                "'tanh'",
                """
def build_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "not_compiled": (
                "compilado",
                """
def build_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
""",
            ),
            "categorical_crossentropy": (
                "entropía cruzada categórica",
                """
def build_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
""",
            ),
            "sgd": (
                "Adam",
                """
def build_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "no_flatten": (
                "Se esperaban las capas",
                """
def build_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "hidden_64": (
                "101 770",
                """
def build_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
        },
        "alternatives": {
            # the slide's own code: Flatten(input_shape=...) and compile without metrics
            "slide_no_metrics": """
def build_model():
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
""",
            "slide_input_shape": """
def build_model():
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            "add_and_objects": """
def build_model():
    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28)))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(units=128, activation=keras.activations.tanh))
    model.add(keras.layers.Dense(units=10, activation=keras.activations.sigmoid))
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.MeanSquaredError(),
        metrics=["accuracy"],
    )
    return model
""",
            "functional": """
def build_model():
    inputs = keras.Input(shape=(28, 28))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(128, activation="tanh")(x)
    outputs = keras.layers.Dense(10, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
        },
    },
}


# The bundled example submissions (examples/submissions/, `python -m tests.catalogue`): complete,
# untouched, and one typical mistake.
EXAMPLES = {
    "ana_completa": {},
    "beto_sin_tocar": None,
    "carla_olvida_dividir_m": {"backward_propagation": ("mistakes", "no_1_over_m")},
}

#: Mistakes the notebook's text discusses: a visible test must name them (test_mutations).
VISIBLE_NAMED = {"train": ["t_per_epoch"]}
