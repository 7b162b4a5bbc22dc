"""Mutation catalogue of 1.3_RegresionLogistica: typical mistakes and correct alternatives."""

ASSIGNMENT = "1.3_RegresionLogistica"

CATALOGUE = {
    "sigmoid": {
        "tests": ["test_sigmoid", "test_sigmoid_hidden"],
        "mistakes": {
            "naive_overflow": (
                "aviso numérico",
                """
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
""",
            ),
            "naive_where": (
                "aviso numérico",
                """
def sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
""",
            ),
            "sign_error": (
                "signo del exponente",
                """
def sigmoid(z):
    return 0.5 * (1 - np.tanh(z / 2))
""",
            ),
            "parentheses": (
                "paréntesis",
                """
def sigmoid(z):
    return 1 / 1 + np.exp(-np.clip(z, -500, 500))
""",
            ),
            "math_exp": (
                "usa las de NumPy (np.exp, np.log, ...)",
                """
def sigmoid(z):
    import math
    return 1 / (1 + math.exp(-z))
""",
            ),
            "tanh": (
                "usaste tanh",
                """
def sigmoid(z):
    return np.tanh(z)
""",
            ),
        },
        "alternatives": {
            "tanh_identity": """
def sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))
""",
            "masks": """
def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out
""",
            "clipped": """
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
""",
        },
    },
    "logistic_forward": {
        "tests": ["test_logistic_forward", "test_logistic_forward_hidden"],
        "mistakes": {
            "no_sigmoid": (
                "olvidaste aplicar la sigmoide",
                """
def logistic_forward(w, b, X):
    return w.T @ X + b
""",
            ),
            "no_bias": (
                "sesgo b",
                """
def logistic_forward(w, b, X):
    return sigmoid(w.T @ X)
""",
            ),
            "minus_bias": (
                "restaste el sesgo",
                """
def logistic_forward(w, b, X):
    return sigmoid(w.T @ X - b)
""",
            ),
            "sigmoid_of_minus_z": (
                "1 − σ(z)",
                """
def logistic_forward(w, b, X):
    return sigmoid(-(w.T @ X + b))
""",
            ),
            "column_output": (
                "forma (1, 3)",
                """
def logistic_forward(w, b, X):
    return sigmoid(X.T @ w + b)
""",
            ),
            "inline_naive_sigmoid": (
                "aviso numérico",
                """
def logistic_forward(w, b, X):
    return 1 / (1 + np.exp(-(w.T @ X + b)))
""",
            ),
        },
        "alternatives": {
            "np_dot": """
def logistic_forward(w, b, X):
    z = np.dot(w.T, X) + b
    return sigmoid(z)
""",
            "loops": """
def logistic_forward(w, b, X):
    n, m = X.shape
    z = np.zeros((1, m))
    for i in range(m):
        z[0, i] = sum(w[j, 0] * X[j, i] for j in range(n)) + b
    return sigmoid(z)
""",
            "einsum_tanh": """
def logistic_forward(w, b, X):
    z = np.einsum("jk,ji->ki", w, X) + b
    return 0.5 * (1 + np.tanh(z / 2))
""",
        },
    },
    "cross_entropy_cost": {
        "tests": ["test_cross_entropy_cost", "test_cross_entropy_cost_hidden"],
        "mistakes": {
            "no_minus": (
                "signo menos",
                """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
            ),
            "no_1_over_m": (
                "sin dividir entre m",
                """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
            ),
            "swapped_y": (
                "intercambiaste",
                """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(-np.mean((1 - y) * np.log(p) + y * np.log(1 - p)))
""",
            ),
            "no_clip": (
                "exactamente 0 o 1",
                """
def cross_entropy_cost(y_hat, y):
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
""",
            ),
            "clip_below_only": (
                "exactamente 0 o 1",
                """
def cross_entropy_cost(y_hat, y):
    p = np.maximum(y_hat, 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
            ),
            "clip_in_place": (
                "tu función modificó el argumento `y_hat`",
                """
def cross_entropy_cost(y_hat, y):
    np.clip(y_hat, 1e-12, 1 - 1e-12, out=y_hat)
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
""",
            ),
            "eps_too_big": (
                "demasiado grande",
                """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 0.01, 0.99)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
""",
            ),
            "log10": (
                "log10",
                """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)))
""",
            ),
            "array_result": (
                "float",
                """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1, keepdims=True) / y.shape[1]
""",
            ),
        },
        "alternatives": {
            "where_eps_1e-7": """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 1e-7, 1 - 1e-7)
    return float(np.mean(np.where(y == 1, -np.log(p), -np.log(1 - p))))
""",
            "additive_eps": """
def cross_entropy_cost(y_hat, y):
    eps = 1e-10
    m = y.shape[1]
    return float(-(np.sum(y * np.log(y_hat + eps)) + np.sum((1 - y) * np.log(1 - y_hat + eps))) / m)
""",
            "dot_eps_1e-15": """
def cross_entropy_cost(y_hat, y):
    p = np.clip(y_hat, 1e-15, 1 - 1e-15)
    m = y.shape[1]
    return -(y @ np.log(p).T + (1 - y) @ np.log(1 - p).T).item() / m
""",
            "loop_math": """
def cross_entropy_cost(y_hat, y):
    import math
    eps = 1e-12
    m = y.shape[1]
    total = 0.0
    for i in range(m):
        p = min(max(float(y_hat[0, i]), eps), 1 - eps)
        total += -math.log(p) if y[0, i] == 1 else -math.log(1 - p)
    return total / m
""",
        },
    },
    "logistic_gradients": {
        "tests": ["test_logistic_gradients", "test_logistic_gradients_hidden"],
        "mistakes": {
            "no_1_over_m": (
                "dividir entre m",
                """
def logistic_gradients(w, b, X, y):
    e = logistic_forward(w, b, X) - y
    return X @ e.T, float(np.sum(e))
""",
            ),
            "n_instead_of_m": (
                "dividiste entre n = X.shape[0]",
                """
def logistic_gradients(w, b, X, y):
    n = X.shape[0]
    error = logistic_forward(w, b, X) - y
    return X @ error.T / n, float(np.sum(error) / n)
""",
            ),
            "wrong_sign": (
                "signo cambiado",
                """
def logistic_gradients(w, b, X, y):
    m = X.shape[1]
    e = y - logistic_forward(w, b, X)
    return X @ e.T / m, float(np.sum(e) / m)
""",
            ),
            "transposed_dw": (
                "traspuesto",
                """
def logistic_gradients(w, b, X, y):
    m = X.shape[1]
    e = logistic_forward(w, b, X) - y
    return e @ X.T / m, float(np.mean(e))
""",
            ),
            "mse_derivative": (
                "costo cuadrático",
                """
def logistic_gradients(w, b, X, y):
    m = X.shape[1]
    A = logistic_forward(w, b, X)
    e = (A - y) * A * (1 - A)
    return X @ e.T / m, float(np.sum(e) / m)
""",
            ),
            "no_sigmoid": (
                "olvidaste la sigmoide",
                """
def logistic_gradients(w, b, X, y):
    m = X.shape[1]
    e = w.T @ X + b - y
    return X @ e.T / m, float(np.sum(e) / m)
""",
            ),
            "db_array": (
                "un solo número",
                """
def logistic_gradients(w, b, X, y):
    m = X.shape[1]
    e = logistic_forward(w, b, X) - y
    return X @ e.T / m, np.sum(e, axis=1, keepdims=True) / m
""",
            ),
        },
        "alternatives": {
            "means": """
def logistic_gradients(w, b, X, y):
    e = sigmoid(np.dot(w.T, X) + b) - y
    dw = np.mean(X * e, axis=1, keepdims=True)
    db = np.mean(e)
    return dw, db
""",
            "loops": """
def logistic_gradients(w, b, X, y):
    n, m = X.shape
    dw = np.zeros((n, 1))
    db = 0.0
    for i in range(m):
        a = sigmoid(w[:, 0] @ X[:, i] + b)
        err = a - y[0, i]
        dw[:, 0] += err * X[:, i] / m
        db += err / m
    return dw, float(db)
""",
        },
    },
    "gradient_descent": {
        "tests": ["test_gradient_descent", "test_gradient_descent_hidden"],
        "mistakes": {
            "plus_sign": (
                "errata de la diapositiva",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    for _ in range(num_iters):
        costs.append(cross_entropy_cost(logistic_forward(w, b, X), y))
        dw, db = logistic_gradients(w, b, X, y)
        w = w + alpha * dw
        b = b + alpha * db
    return w, b, costs
""",
            ),
            "cost_after_update": (
                "después de actualizar",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    for _ in range(num_iters):
        dw, db = logistic_gradients(w, b, X, y)
        w = w - alpha * dw
        b = b - alpha * db
        costs.append(cross_entropy_cost(logistic_forward(w, b, X), y))
    return w, b, costs
""",
            ),
            "b_not_updated": (
                "b nunca se actualiza",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    for _ in range(num_iters):
        costs.append(cross_entropy_cost(logistic_forward(w, b, X), y))
        dw, db = logistic_gradients(w, b, X, y)
        w = w - alpha * dw
    return w, b, costs
""",
            ),
            "gradient_once": (
                "una sola vez",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    dw, db = logistic_gradients(w, b, X, y)
    for _ in range(num_iters):
        costs.append(cross_entropy_cost(logistic_forward(w, b, X), y))
        w = w - alpha * dw
        b = b - alpha * db
    return w, b, costs
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    for _ in range(num_iters):
        costs.append(cross_entropy_cost(logistic_forward(w, b, X), y))
        dw, db = logistic_gradients(w, b, X, y)
        w -= alpha * dw
        b -= alpha * db
    return w, b, costs
""",
            ),
            "squared_cost": (
                "costo cuadrático",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    for _ in range(num_iters):
        A = logistic_forward(w, b, X)
        costs.append(float(np.mean((A - y) ** 2) / 2))
        dw, db = logistic_gradients(w, b, X, y)
        w = w - alpha * dw
        b = b - alpha * db
    return w, b, costs
""",
            ),
            "extra_cost": (
                "elementos",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = [cross_entropy_cost(logistic_forward(w, b, X), y)]
    for _ in range(num_iters):
        dw, db = logistic_gradients(w, b, X, y)
        w = w - alpha * dw
        b = b - alpha * db
        costs.append(cross_entropy_cost(logistic_forward(w, b, X), y))
    return w, b, costs
""",
            ),
        },
        "alternatives": {
            "array_costs_copy": """
def gradient_descent(w, b, X, y, alpha, num_iters):
    w = w.copy()
    costs = np.zeros(num_iters)
    for i in range(num_iters):
        A = logistic_forward(w, b, X)
        costs[i] = cross_entropy_cost(A, y)
        dw, db = logistic_gradients(w, b, X, y)
        w -= alpha * dw
        b -= alpha * db
    return w, b, costs
""",
            "inline_math": """
def gradient_descent(w, b, X, y, alpha, num_iters):
    m = X.shape[1]
    costs = []
    for _ in range(num_iters):
        A = 0.5 * (1 + np.tanh((w.T @ X + b) / 2))
        p = np.clip(A, 1e-12, 1 - 1e-12)
        costs.append(-(y @ np.log(p).T + (1 - y) @ np.log(1 - p).T).item() / m)
        e = A - y
        w, b = w - alpha * (X @ e.T) / m, b - alpha * e.mean()
    return w, b, costs
""",
        },
    },
    "predict": {
        "tests": ["test_predict", "test_predict_hidden"],
        "mistakes": {
            "bool_output": (
                "enteros",
                """
def predict(w, b, X, threshold=0.5):
    return logistic_forward(w, b, X) > threshold
""",
            ),
            "float_round": (
                "enteros",
                """
def predict(w, b, X, threshold=0.5):
    return np.round(logistic_forward(w, b, X))
""",
            ),
            "inverted": (
                "invertiste la comparación",
                """
def predict(w, b, X, threshold=0.5):
    return (logistic_forward(w, b, X) < threshold).astype(int)
""",
            ),
            "ignores_threshold": (
                "ignoraste el argumento threshold",
                """
def predict(w, b, X, threshold=0.5):
    return (logistic_forward(w, b, X) > 0.5).astype(int)
""",
            ),
            "z_vs_threshold": (
                "comparaste z",
                """
def predict(w, b, X, threshold=0.5):
    return (w.T @ X + b > threshold).astype(int)
""",
            ),
            "column_output": (
                "forma (1, 4)",
                """
def predict(w, b, X, threshold=0.5):
    return (logistic_forward(w, b, X) > threshold).astype(int).T
""",
            ),
        },
        "alternatives": {
            "greater_equal_where": """
def predict(w, b, X, threshold=0.5):
    A = logistic_forward(w, b, X)
    return np.where(A >= threshold, 1, 0)
""",
            "logit_threshold": """
def predict(w, b, X, threshold=0.5):
    z = w.T @ X + b
    return (z > np.log(threshold / (1 - threshold))).astype(np.int64)
""",
            "loops": """
def predict(w, b, X, threshold=0.5):
    A = logistic_forward(w, b, X)
    y_pred = np.zeros(A.shape, dtype=int)
    for i in range(A.shape[1]):
        if A[0, i] > threshold:
            y_pred[0, i] = 1
    return y_pred
""",
        },
    },
    "accuracy": {
        "tests": ["test_accuracy", "test_accuracy_hidden"],
        "mistakes": {
            "count": (
                "no dividiste entre m",
                """
def accuracy(y_pred, y):
    return np.sum(y_pred == y)
""",
            ),
            "len_y": (
                "len(y) vale 1",
                """
def accuracy(y_pred, y):
    return float(np.sum(y_pred == y) / len(y))
""",
            ),
            "error_rate": (
                "fracción de errores",
                """
def accuracy(y_pred, y):
    return float(np.mean(y_pred != y))
""",
            ),
            "percent": (
                "porcentaje",
                """
def accuracy(y_pred, y):
    return float(100 * np.mean(y_pred == y))
""",
            ),
            "array_result": (
                "debe ser un número",
                """
def accuracy(y_pred, y):
    return np.mean(y_pred == y, axis=1)
""",
            ),
            "broadcast_transpose": (
                "matriz (m, m)",
                """
def accuracy(y_pred, y):
    return float(np.mean(y_pred == y.T))
""",
            ),
        },
        "alternatives": {
            "count_nonzero": """
def accuracy(y_pred, y):
    return np.count_nonzero(y_pred == y) / y.size
""",
            "loop": """
def accuracy(y_pred, y):
    m = y.shape[1]
    hits = 0
    for i in range(m):
        if y_pred[0, i] == y[0, i]:
            hits += 1
    return hits / m
""",
            "abs_difference": """
def accuracy(y_pred, y):
    return 1.0 - float(np.mean(np.abs(y_pred - y)))
""",
        },
    },
}


# The bundled example submissions (examples/submissions/, `python -m tests.catalogue`): complete,
# untouched, and one typical mistake.
EXAMPLES = {
    "ana_completa": {},
    "beto_sin_tocar": None,
    "carla_olvida_dividir_m": {"logistic_gradients": ("mistakes", "no_1_over_m")},
}
