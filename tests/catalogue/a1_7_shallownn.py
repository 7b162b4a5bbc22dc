"""Mutation catalogue of 1.7_shallowNN: typical mistakes and correct alternatives."""

ASSIGNMENT = "1.7_shallowNN"

CATALOGUE = {
    "initialize_parameters": {
        "tests": ["test_initialize_parameters", "test_initialize_parameters_hidden"],
        "mistakes": {
            "zeros": (
                "simetría",
                """
def initialize_parameters(n0, n1, n2, seed):
    return {"W1": np.zeros((n1, n0)), "b1": np.zeros((n1, 1)), "W2": np.zeros((n2, n1)), "b2": np.zeros((n2, 1))}
""",
            ),
            "constant": (
                "simetría",
                """
def initialize_parameters(n0, n1, n2, seed):
    return {
        "W1": np.full((n1, n0), 0.01),
        "b1": np.zeros((n1, 1)),
        "W2": np.full((n2, n1), 0.01),
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "global_seed": (
                "generador global",
                """
def initialize_parameters(n0, n1, n2, seed):
    np.random.seed(seed)
    return {
        "W1": np.random.randn(n1, n0) * 0.01,
        "b1": np.zeros((n1, 1)),
        "W2": np.random.randn(n2, n1) * 0.01,
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "no_seed": (
                "semilla",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng()
    return {
        "W1": rng.standard_normal((n1, n0)) * 0.01,
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n2, n1)) * 0.01,
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "no_scaling": (
                "demasiado grandes",
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
            "random_bias": (
                "empezar en ceros",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n1, n0)) * 0.01,
        "b1": rng.standard_normal((n1, 1)) * 0.01,
        "W2": rng.standard_normal((n2, n1)) * 0.01,
        "b2": rng.standard_normal((n2, 1)) * 0.01,
    }
""",
            ),
            "transposed": (
                "traspuesto",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n0, n1)) * 0.01,
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n1, n2)) * 0.01,
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
            "uniform_01": (
                "centrados en 0",
                """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.random((n1, n0)) * 0.01,
        "b1": np.zeros((n1, 1)),
        "W2": rng.random((n2, n1)) * 0.01,
        "b2": np.zeros((n2, 1)),
    }
""",
            ),
        },
        "alternatives": {
            "xavier_normal": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0.0, 1.0 / np.sqrt(n0), size=(n1, n0))
    W2 = rng.normal(0.0, 1.0 / np.sqrt(n1), size=(n2, n1))
    return {"W1": W1, "b1": np.zeros((n1, 1)), "W2": W2, "b2": np.zeros((n2, 1))}
""",
            "glorot_uniform_loop": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    parameters = {}
    for layer, (n_in, n_out) in enumerate([(n0, n1), (n1, n2)], start=1):
        limit = np.sqrt(6.0 / (n_in + n_out))
        parameters[f"W{layer}"] = rng.uniform(-limit, limit, size=(n_out, n_in))
        parameters[f"b{layer}"] = np.zeros((n_out, 1))
    return parameters
""",
            "normal_scale_w2_first": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    W2 = rng.normal(0.0, 0.01, size=(n2, n1))
    W1 = rng.normal(0.0, 0.01, size=(n1, n0))
    return dict(W1=W1, b1=np.zeros((n1, 1)), W2=W2, b2=np.zeros((n2, 1)))
""",
            # both endpoints of the stated range "entre 0.001 y 2/√n" (issue 16: they used to fail)
            "endpoint_low_sd_0001": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n1, n0)) * 0.001,
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n2, n1)) * 0.001,
        "b2": np.zeros((n2, 1)),
    }
""",
            "endpoint_high_sd_2_over_sqrt_n": """
def initialize_parameters(n0, n1, n2, seed):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n1, n0)) * 2 / np.sqrt(n0),
        "b1": np.zeros((n1, 1)),
        "W2": rng.standard_normal((n2, n1)) * 2 / np.sqrt(n1),
        "b2": np.zeros((n2, 1)),
    }
""",
        },
    },
    "forward_propagation": {
        "tests": ["test_forward_propagation", "test_forward_propagation_hidden"],
        "mistakes": {
            "sigmoid_hidden": (
                "usaste la sigmoide en la capa oculta",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = sigmoid(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
            "no_b1": (
                "sesgo b1",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
""",
            ),
            "no_output_sigmoid": (
                "olvidaste la sigmoide de la capa de salida",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    return Z2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": Z2}
""",
            ),
            "tanh_output": (
                "usaste tanh en la capa de salida",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = np.tanh(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
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
            "missing_cache_key": (
                "le falta la clave",
                """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.tanh(Z1)
    A2 = sigmoid(parameters["W2"] @ A1 + parameters["b2"])
    return A2, {"Z1": Z1, "A1": A1, "A2": A2}
""",
            ),
        },
        "alternatives": {
            "np_dot": """
def forward_propagation(X, parameters):
    W1, b1, W2, b2 = (parameters[k] for k in ("W1", "b1", "W2", "b2"))
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache
""",
            "layer_loop": """
def forward_propagation(X, parameters):
    cache = {}
    A = X
    for layer, g in ((1, np.tanh), (2, sigmoid)):
        Z = np.matmul(parameters[f"W{layer}"], A) + parameters[f"b{layer}"]
        A = g(Z)
        cache[f"Z{layer}"], cache[f"A{layer}"] = Z, A
    return A, cache
""",
            "tanh_identity": """
def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = 2.0 * sigmoid(2.0 * Z1) - 1.0  # tanh(z) = 2σ(2z) − 1
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = 0.5 * (1.0 + np.tanh(Z2 / 2.0))  # σ(z) = (1 + tanh(z/2)) / 2
    return A2, dict(Z1=Z1, A1=A1, Z2=Z2, A2=A2)
""",
        },
    },
    "compute_cost": {
        "tests": ["test_compute_cost", "test_compute_cost_hidden"],
        "mistakes": {
            "no_minus": (
                "signo menos",
                """
def compute_cost(A2, Y):
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    return float(np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)))
""",
            ),
            "no_1_over_m": (
                "sin dividir entre m",
                """
def compute_cost(A2, Y):
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)))
""",
            ),
            "swapped_y": (
                "intercambiaste",
                """
def compute_cost(A2, Y):
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    return float(-np.mean((1 - Y) * np.log(P) + Y * np.log(1 - P)))
""",
            ),
            "no_clip": (
                "exactamente 0 o 1",
                """
def compute_cost(A2, Y):
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
""",
            ),
            "eps_too_big": (
                "demasiado grande",
                """
def compute_cost(A2, Y):
    P = np.clip(A2, 0.01, 0.99)
    return float(-np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)))
""",
            ),
            "only_positive_term": (
                "olvidaste el término",
                """
def compute_cost(A2, Y):
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    return float(-np.mean(Y * np.log(P)))
""",
            ),
            "array_result": (
                "float",
                """
def compute_cost(A2, Y):
    P = np.clip(A2, 1e-12, 1 - 1e-12)
    return -np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1, keepdims=True) / Y.shape[1]
""",
            ),
            "clip_in_place": (
                "tu función modificó el argumento `A2`",
                """
def compute_cost(A2, Y):
    np.clip(A2, 1e-12, 1 - 1e-12, out=A2)
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
""",
            ),
        },
        "alternatives": {
            "where_eps_1e-7": """
def compute_cost(A2, Y):
    P = np.clip(A2, 1e-7, 1 - 1e-7)
    return float(np.mean(np.where(Y == 1, -np.log(P), -np.log(1 - P))))
""",
            "additive_eps": """
def compute_cost(A2, Y):
    eps = 1e-10
    m = Y.shape[1]
    return float(-(np.sum(Y * np.log(A2 + eps)) + np.sum((1 - Y) * np.log(1 - A2 + eps))) / m)
""",
            "dot_eps_1e-15": """
def compute_cost(A2, Y):
    P = np.clip(A2, 1e-15, 1 - 1e-15)
    m = Y.shape[1]
    return -(Y @ np.log(P).T + (1 - Y) @ np.log(1 - P).T).item() / m
""",
        },
    },
    "backward_propagation": {
        "tests": ["test_backward_propagation", "test_backward_propagation_hidden"],
        "mistakes": {
            "no_tanh_derivative": (
                "falta la derivada de tanh",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = parameters["W2"].T @ dZ2
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2, axis=1, keepdims=True) / m,
    }
""",
            ),
            "sigmoid_derivative": (
                "derivada de la sigmoide",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * A1 * (1 - A1)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2, axis=1, keepdims=True) / m,
    }
""",
            ),
            "no_1_over_m": (
                "dividir entre m",
                """
def backward_propagation(parameters, cache, X, Y):
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {
        "dW1": dZ1 @ X.T,
        "db1": np.sum(dZ1, axis=1, keepdims=True),
        "dW2": dZ2 @ A1.T,
        "db2": np.sum(dZ2, axis=1, keepdims=True),
    }
""",
            ),
            "wrong_sign": (
                "signo cambiado",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = Y - A2
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2, axis=1, keepdims=True) / m,
    }
""",
            ),
            "db_wrong_axis": (
                "eje equivocado",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=0, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2, axis=0, keepdims=True) / m,
    }
""",
            ),
            "no_keepdims": (
                "keepdims",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=1) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2, axis=1) / m,
    }
""",
            ),
            "transposed_dW2": (
                "traspuesto",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
        "dW2": A1 @ dZ2.T / m,
        "db2": np.sum(dZ2, axis=1, keepdims=True) / m,
    }
""",
            ),
            "db2_numpy_scalar": (
                "devuelve un arreglo (no un número)",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2) / m,
    }
""",
            ),
            "db1_wrong_axis_only": (
                "sumaste sobre el eje equivocado",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1**2)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=0, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2, axis=1, keepdims=True) / m,
    }
""",
            ),
            "tanh_derivative_no_square": (
                "falta el cuadrado",
                """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1)
    return {
        "dW1": dZ1 @ X.T / m,
        "db1": np.sum(dZ1, axis=1, keepdims=True) / m,
        "dW2": dZ2 @ A1.T / m,
        "db2": np.sum(dZ2, axis=1, keepdims=True) / m,
    }
""",
            ),
        },
        "alternatives": {
            "dot_mean_from_z1": """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dW2 = np.dot(dZ2, cache["A1"].T) / m
    db2 = np.mean(dZ2, axis=1, keepdims=True)
    dZ1 = np.multiply(np.dot(parameters["W2"].T, dZ2), 1 - np.tanh(cache["Z1"]) ** 2)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.mean(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
""",
            "layer_loop": """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    inputs = {1: X, 2: cache["A1"]}
    grads = {}
    dZ = cache["A2"] - Y
    for layer in (2, 1):
        grads[f"dW{layer}"] = dZ @ inputs[layer].T / m
        grads[f"db{layer}"] = dZ.sum(axis=1).reshape(-1, 1) / m
        if layer == 2:
            dZ = (parameters["W2"].T @ dZ) * (1 - cache["A1"] * cache["A1"])
    return grads
""",
            "transposed_products": """
def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dZ1 = (parameters["W2"].T @ dZ2) * (1.0 - np.square(cache["A1"]))
    return {
        "dW1": (X @ dZ1.T).T / m,
        "db1": dZ1 @ np.ones((m, 1)) / m,
        "dW2": (cache["A1"] @ dZ2.T).T / m,
        "db2": dZ2 @ np.ones((m, 1)) / m,
    }
""",
        },
    },
    "gradient_check": {
        "tests": ["test_gradient_check", "test_gradient_check_hidden"],
        "mistakes": {
            "forward_difference": (
                "diferencia hacia adelante",
                """
def gradient_check(parameters, X, Y, h):
    params = {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}
    X = np.asarray(X, dtype=np.float64)
    grads = backward_propagation(params, forward_propagation(X, params)[1], X, Y)
    J0 = compute_cost(forward_propagation(X, params)[0], Y)
    g_num, g_ana = [], []
    for k in ("W1", "b1", "W2", "b2"):
        for idx in np.ndindex(params[k].shape):
            original = params[k][idx]
            params[k][idx] = original + h
            J_plus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original
            g_num.append((J_plus - J0) / h)
            g_ana.append(grads["d" + k][idx])
    g_num, g_ana = np.array(g_num), np.array(g_ana)
    return float(np.linalg.norm(g_num - g_ana) / (np.linalg.norm(g_num) + np.linalg.norm(g_ana)))
""",
            ),
            "divide_by_h": (
                "es entre 2h",
                """
def gradient_check(parameters, X, Y, h):
    params = {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}
    X = np.asarray(X, dtype=np.float64)
    grads = backward_propagation(params, forward_propagation(X, params)[1], X, Y)
    g_num, g_ana = [], []
    for k in ("W1", "b1", "W2", "b2"):
        for idx in np.ndindex(params[k].shape):
            original = params[k][idx]
            params[k][idx] = original + h
            J_plus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original - h
            J_minus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original
            g_num.append((J_plus - J_minus) / h)
            g_ana.append(grads["d" + k][idx])
    g_num, g_ana = np.array(g_num), np.array(g_ana)
    return float(np.linalg.norm(g_num - g_ana) / (np.linalg.norm(g_num) + np.linalg.norm(g_ana)))
""",
            ),
            "weights_only": (
                "faltan los sesgos",
                """
def gradient_check(parameters, X, Y, h):
    params = {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}
    X = np.asarray(X, dtype=np.float64)
    grads = backward_propagation(params, forward_propagation(X, params)[1], X, Y)
    g_num, g_ana = [], []
    for k in ("W1", "W2"):
        for idx in np.ndindex(params[k].shape):
            original = params[k][idx]
            params[k][idx] = original + h
            J_plus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original - h
            J_minus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original
            g_num.append((J_plus - J_minus) / (2 * h))
            g_ana.append(grads["d" + k][idx])
    g_num, g_ana = np.array(g_num), np.array(g_ana)
    return float(np.linalg.norm(g_num - g_ana) / (np.linalg.norm(g_num) + np.linalg.norm(g_ana)))
""",
            ),
            "not_normalised": (
                "sin dividir entre la suma",
                """
def gradient_check(parameters, X, Y, h):
    params = {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}
    X = np.asarray(X, dtype=np.float64)
    grads = backward_propagation(params, forward_propagation(X, params)[1], X, Y)
    g_num, g_ana = [], []
    for k in ("W1", "b1", "W2", "b2"):
        for idx in np.ndindex(params[k].shape):
            original = params[k][idx]
            params[k][idx] = original + h
            J_plus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original - h
            J_minus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original
            g_num.append((J_plus - J_minus) / (2 * h))
            g_ana.append(grads["d" + k][idx])
    return float(np.linalg.norm(np.array(g_num) - np.array(g_ana)))
""",
            ),
            "no_float64": (
                "float64",
                """
def gradient_check(parameters, X, Y, h):
    params = {k: v.copy() for k, v in parameters.items()}
    grads = backward_propagation(params, forward_propagation(X, params)[1], X, Y)
    g_num, g_ana = [], []
    for k in ("W1", "b1", "W2", "b2"):
        for idx in np.ndindex(params[k].shape):
            original = params[k][idx]
            params[k][idx] = original + h
            J_plus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original - h
            J_minus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original
            g_num.append((J_plus - J_minus) / (2 * h))
            g_ana.append(grads["d" + k][idx])
    g_num, g_ana = np.array(g_num), np.array(g_ana)
    return float(np.linalg.norm(g_num - g_ana) / (np.linalg.norm(g_num) + np.linalg.norm(g_ana)))
""",
            ),
            "ignores_h": (
                "usas el argumento h",
                """
def gradient_check(parameters, X, Y, h):
    h = 1e-6
    params = {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}
    X = np.asarray(X, dtype=np.float64)
    grads = backward_propagation(params, forward_propagation(X, params)[1], X, Y)
    g_num, g_ana = [], []
    for k in ("W1", "b1", "W2", "b2"):
        for idx in np.ndindex(params[k].shape):
            original = params[k][idx]
            params[k][idx] = original + h
            J_plus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original - h
            J_minus = compute_cost(forward_propagation(X, params)[0], Y)
            params[k][idx] = original
            g_num.append((J_plus - J_minus) / (2 * h))
            g_ana.append(grads["d" + k][idx])
    g_num, g_ana = np.array(g_num), np.array(g_ana)
    return float(np.linalg.norm(g_num - g_ana) / (np.linalg.norm(g_num) + np.linalg.norm(g_ana)))
""",
            ),
            "in_place_not_restored": (
                "modificó",
                """
def gradient_check(parameters, X, Y, h):
    X = np.asarray(X, dtype=np.float64)
    grads = backward_propagation(parameters, forward_propagation(X, parameters)[1], X, Y)
    g_num, g_ana = [], []
    for k in ("W1", "b1", "W2", "b2"):
        for idx in np.ndindex(parameters[k].shape):
            parameters[k][idx] += h
            J_plus = compute_cost(forward_propagation(X, parameters)[0], Y)
            parameters[k][idx] -= 2 * h
            J_minus = compute_cost(forward_propagation(X, parameters)[0], Y)
            g_num.append((J_plus - J_minus) / (2 * h))
            g_ana.append(grads["d" + k][idx])
    g_num, g_ana = np.array(g_num), np.array(g_ana)
    return float(np.linalg.norm(g_num - g_ana) / (np.linalg.norm(g_num) + np.linalg.norm(g_ana)))
""",
            ),
        },
        "alternatives": {
            "theta_vector": """
def gradient_check(parameters, X, Y, h):
    keys = ["W1", "b1", "W2", "b2"]
    shapes = {k: np.shape(parameters[k]) for k in keys}
    theta = np.concatenate([np.asarray(parameters[k], dtype=np.float64).ravel() for k in keys])
    X = X.astype(np.float64)

    def to_dict(vector):
        out, start = {}, 0
        for k in keys:
            size = int(np.prod(shapes[k]))
            out[k] = vector[start : start + size].reshape(shapes[k])
            start += size
        return out

    def J(vector):
        return compute_cost(forward_propagation(X, to_dict(vector))[0], Y)

    params = to_dict(theta.copy())
    grads = backward_propagation(params, forward_propagation(X, params)[1], X, Y)
    g_ana = np.concatenate([grads["d" + k].ravel() for k in keys])
    g_num = np.zeros_like(theta)
    for i in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += h
        minus[i] -= h
        g_num[i] = (J(plus) - J(minus)) / (2 * h)
    return np.linalg.norm(g_num - g_ana) / (np.linalg.norm(g_num) + np.linalg.norm(g_ana))
""",
            "max_norm_per_key": """
def gradient_check(parameters, X, Y, h):
    import copy
    params = {k: v.astype(np.float64) for k, v in parameters.items()}
    X = X.astype(np.float64)
    A2, cache = forward_propagation(X, params)
    grads = backward_propagation(params, cache, X, Y)
    sq_diff = sq_num = sq_ana = 0.0
    for k in params:
        for idx in np.ndindex(*params[k].shape):
            plus = copy.deepcopy(params)
            minus = copy.deepcopy(params)
            plus[k][idx] = plus[k][idx] + h
            minus[k][idx] = minus[k][idx] - h
            num = (compute_cost(forward_propagation(X, plus)[0], Y) - compute_cost(forward_propagation(X, minus)[0], Y)) / (2 * h)
            ana = grads["d" + k][idx]
            sq_diff += (num - ana) ** 2
            sq_num += num**2
            sq_ana += ana**2
    return float(np.sqrt(sq_diff) / max(np.sqrt(sq_num), np.sqrt(sq_ana)))
""",
        },
    },
    "update_parameters": {
        "tests": ["test_update_parameters", "test_update_parameters_hidden"],
        "mistakes": {
            "plus_sign": (
                "sumaste el gradiente",
                """
def update_parameters(parameters, grads, alpha):
    return {k: parameters[k] + alpha * grads["d" + k] for k in ("W1", "b1", "W2", "b2")}
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def update_parameters(parameters, grads, alpha):
    for k in ("W1", "b1", "W2", "b2"):
        parameters[k] -= alpha * grads["d" + k]
    return parameters
""",
            ),
            "no_alpha": (
                "multiplicar el gradiente por alpha",
                """
def update_parameters(parameters, grads, alpha):
    return {k: parameters[k] - grads["d" + k] for k in ("W1", "b1", "W2", "b2")}
""",
            ),
            "biases_not_updated": (
                "no se actualizó",
                """
def update_parameters(parameters, grads, alpha):
    new = dict(parameters)
    new["W1"] = parameters["W1"] - alpha * grads["dW1"]
    new["W2"] = parameters["W2"] - alpha * grads["dW2"]
    return new
""",
            ),
            "shallow_copy_in_place": (
                "modificó el argumento",
                """
def update_parameters(parameters, grads, alpha):
    new = parameters.copy()
    for k in new:
        new[k] -= alpha * grads["d" + k]
    return new
""",
            ),
        },
        "alternatives": {
            "explicit": """
def update_parameters(parameters, grads, alpha):
    W1 = parameters["W1"] - alpha * grads["dW1"]
    b1 = parameters["b1"] - alpha * grads["db1"]
    W2 = parameters["W2"] - alpha * grads["dW2"]
    b2 = parameters["b2"] - alpha * grads["db2"]
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
""",
            "copy_then_in_place": """
def update_parameters(parameters, grads, alpha):
    import copy
    new = copy.deepcopy(parameters)
    for key in new:
        new[key] -= alpha * grads["d" + key]
    return new
""",
            "np_subtract": """
def update_parameters(parameters, grads, alpha):
    return {key: np.subtract(value, np.multiply(alpha, grads[f"d{key}"])) for key, value in parameters.items()}
""",
        },
    },
    "nn_model": {
        "tests": ["test_nn_model", "test_nn_model_hidden"],
        "mistakes": {
            "cost_after_update": (
                "después de actualizar",
                """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    costs = []
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, alpha)
        costs.append(compute_cost(forward_propagation(X, parameters)[0], Y))
    return parameters, costs
""",
            ),
            "ignores_seed": (
                "semilla",
                """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], 0)
    costs = []
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        costs.append(compute_cost(A2, Y))
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, alpha)
    return parameters, costs
""",
            ),
            "update_discarded": (
                "nunca cambian",
                """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    costs = []
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        costs.append(compute_cost(A2, Y))
        grads = backward_propagation(parameters, cache, X, Y)
        update_parameters(parameters, grads, alpha)
    return parameters, costs
""",
            ),
            "gradient_once": (
                "una sola vez",
                """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    A2, cache = forward_propagation(X, parameters)
    grads = backward_propagation(parameters, cache, X, Y)
    costs = []
    for _ in range(num_iterations):
        costs.append(compute_cost(forward_propagation(X, parameters)[0], Y))
        parameters = update_parameters(parameters, grads, alpha)
    return parameters, costs
""",
            ),
            "extra_cost": (
                "elementos",
                """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    costs = []
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        costs.append(compute_cost(A2, Y))
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, alpha)
    costs.append(compute_cost(forward_propagation(X, parameters)[0], Y))
    return parameters, costs
""",
            ),
        },
        "alternatives": {
            "array_costs": """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    n0, n2 = X.shape[0], Y.shape[0]
    parameters = initialize_parameters(n0, n1, n2, seed)
    costs = np.zeros(num_iterations)
    i = 0
    while i < num_iterations:
        A2, cache = forward_propagation(X, parameters)
        costs[i] = compute_cost(A2, Y)
        parameters = update_parameters(parameters, backward_propagation(parameters, cache, X, Y), alpha)
        i += 1
    return parameters, costs
""",
            "inline_update": """
def nn_model(X, Y, n1, num_iterations, alpha, seed):
    parameters = initialize_parameters(X.shape[0], n1, Y.shape[0], seed)
    costs = []
    for _ in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        costs.append(float(compute_cost(A2, Y)))
        parameters = {k: v - alpha * grads["d" + k] for k, v in parameters.items()}
    return parameters, costs
""",
        },
    },
    "predict": {
        "tests": ["test_predict", "test_predict_hidden"],
        "mistakes": {
            "bool_output": (
                "enteros",
                """
def predict(parameters, X):
    return forward_propagation(X, parameters)[0] > 0.5
""",
            ),
            "probabilities": (
                "enteros",
                """
def predict(parameters, X):
    return forward_propagation(X, parameters)[0]
""",
            ),
            "inverted": (
                "invertiste la comparación",
                """
def predict(parameters, X):
    return (forward_propagation(X, parameters)[0] < 0.5).astype(int)
""",
            ),
            "z2_vs_half": (
                "comparaste Z2 con 0.5",
                """
def predict(parameters, X):
    _, cache = forward_propagation(X, parameters)
    return (cache["Z2"] > 0.5).astype(int)
""",
            ),
            "flat_output": (
                "forma (1, 4)",
                """
def predict(parameters, X):
    return (forward_propagation(X, parameters)[0] > 0.5).astype(int).ravel()
""",
            ),
        },
        "alternatives": {
            "z2_sign_where": """
def predict(parameters, X):
    _, cache = forward_propagation(X, parameters)
    return np.where(cache["Z2"] > 0, 1, 0)
""",
            "loop": """
def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    y_pred = np.zeros(A2.shape, dtype=int)
    for i in range(A2.shape[1]):
        if A2[0, i] >= 0.5:
            y_pred[0, i] = 1
    return y_pred
""",
            "round": """
def predict(parameters, X):
    return np.round(forward_propagation(X, parameters)[0]).astype(np.int64)
""",
        },
    },
}


# The bundled example submissions (examples/submissions/, `python -m tests.catalogue`): complete,
# untouched, and one typical mistake.
#: The cascades reported in issue 16, run through the rest of the notebook (tests/test_cascade.py).
CASCADE_EXTRA = {"backward_propagation": ["db2_numpy_scalar", "db_wrong_axis"]}

EXAMPLES = {
    "ana_completa": {},
    "beto_sin_tocar": None,
    "carla_olvida_dividir_m": {"backward_propagation": ("mistakes", "no_1_over_m")},
}
