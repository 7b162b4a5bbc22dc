"""Mutation catalogue of 1.1_RegresionLineal: typical mistakes and correct alternatives."""

ASSIGNMENT = "1.1_RegresionLineal"

CATALOGUE = {
    "standardize": {
        "tests": ["test_standardize", "test_standardize_hidden"],
        "mistakes": {
            "axis_0": (
                "por columnas",
                """
def standardize(X_train, X_test):
    mu = X_train.mean(axis=0, keepdims=True)
    sigma = X_train.std(axis=0, keepdims=True)
    return (X_train - mu) / sigma, (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
""",
            ),
            "global_stats": (
                "una sola media",
                """
def standardize(X_train, X_test):
    mu, sigma = X_train.mean(), X_train.std()
    return (X_train - mu) / sigma, (X_test - mu) / sigma
""",
            ),
            "test_own_stats": (
                "sus propias estadísticas",
                """
def standardize(X_train, X_test):
    def scale(X):
        return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    return scale(X_train), scale(X_test)
""",
            ),
            "no_division": (
                "olvidaste dividir",
                """
def standardize(X_train, X_test):
    mu = X_train.mean(axis=1, keepdims=True)
    return X_train - mu, X_test - mu
""",
            ),
            "variance": (
                "varianza",
                """
def standardize(X_train, X_test):
    mu = X_train.mean(axis=1, keepdims=True)
    var = X_train.var(axis=1, keepdims=True)
    return (X_train - mu) / var, (X_test - mu) / var
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def standardize(X_train, X_test):
    mu = X_train.mean(axis=1, keepdims=True)
    sigma = X_train.std(axis=1, keepdims=True)
    X_train -= mu
    X_train /= sigma
    X_test -= mu
    X_test /= sigma
    return X_train, X_test
""",
            ),
        },
        "alternatives": {
            "loops": """
def standardize(X_train, X_test):
    import math
    n, m = X_train.shape
    A, B = np.zeros(X_train.shape), np.zeros(X_test.shape)
    for j in range(n):
        mu = sum(X_train[j, i] for i in range(m)) / m
        sigma = math.sqrt(sum((X_train[j, i] - mu) ** 2 for i in range(m)) / m)
        A[j] = (X_train[j] - mu) / sigma
        B[j] = (X_test[j] - mu) / sigma
    return A, B
""",
            "sample_std": """
def standardize(X_train, X_test):
    mu = np.mean(X_train, axis=1).reshape(-1, 1)
    sigma = np.std(X_train, axis=1, ddof=1).reshape(-1, 1)
    return (X_train - mu) / sigma, (X_test - mu) / sigma
""",
            "transpose_trick": """
def standardize(X_train, X_test):
    mu, sigma = X_train.T.mean(axis=0), X_train.T.std(axis=0)
    return ((X_train.T - mu) / sigma).T, ((X_test.T - mu) / sigma).T
""",
        },
    },
    "linear_forward": {
        "tests": ["test_linear_forward", "test_linear_forward_hidden"],
        "mistakes": {
            "no_bias": (
                "sesgo b",
                """
def linear_forward(w, b, X):
    return w.T @ X
""",
            ),
            "minus_bias": (
                "restaste el sesgo",
                """
def linear_forward(w, b, X):
    return w.T @ X - b
""",
            ),
            "column_output": (
                "forma (1, 3)",
                """
def linear_forward(w, b, X):
    return X.T @ w + b
""",
            ),
            "flat_output": (
                "dimensión",
                """
def linear_forward(w, b, X):
    return (w.T @ X + b).ravel()
""",
            ),
            "elementwise": (
                "`y_hat` debe tener forma",
                """
def linear_forward(w, b, X):
    return np.sum(w * X, axis=1, keepdims=True).T + b
""",
            ),
        },
        "alternatives": {
            "np_dot": """
def linear_forward(w, b, X):
    return np.dot(w.T, X) + b
""",
            "loops": """
def linear_forward(w, b, X):
    n, m = X.shape
    y_hat = np.zeros((1, m))
    for i in range(m):
        z = 0.0
        for j in range(n):
            z += w[j, 0] * X[j, i]
        y_hat[0, i] = z + b
    return y_hat
""",
            "einsum": """
def linear_forward(w, b, X):
    return np.einsum("jk,ji->ki", w, X) + b
""",
        },
    },
    "mse_cost": {
        "tests": ["test_mse_cost", "test_mse_cost_hidden"],
        "mistakes": {
            "no_half": (
                "factor ½",
                """
def mse_cost(y_hat, y):
    return float(np.mean((y_hat - y) ** 2))
""",
            ),
            "no_mean": (
                "sin dividir entre m",
                """
def mse_cost(y_hat, y):
    return float(np.sum((y_hat - y) ** 2) / 2)
""",
            ),
            "rmse": (
                "RMSE",
                """
def mse_cost(y_hat, y):
    return float(np.sqrt(np.mean((y_hat - y) ** 2)))
""",
            ),
            "abs_error": (
                "valor absoluto",
                """
def mse_cost(y_hat, y):
    return float(np.mean(np.abs(y_hat - y)) / 2)
""",
            ),
            "array_result": (
                "float",
                """
def mse_cost(y_hat, y):
    m = y.shape[1]
    return np.sum((y_hat - y) ** 2, axis=1, keepdims=True) / (2 * m)
""",
            ),
            "broadcast_transpose": (
                "matriz (m, m)",
                """
def mse_cost(y_hat, y):
    return float(np.mean((y_hat - y.T) ** 2) / 2)
""",
            ),
        },
        "alternatives": {
            "mean_half": """
def mse_cost(y_hat, y):
    return np.mean((y_hat - y) ** 2) / 2
""",
            "dot_product": """
def mse_cost(y_hat, y):
    e = y_hat - y
    return (e @ e.T).item() / (2 * y.shape[1])
""",
            "loop": """
def mse_cost(y_hat, y):
    m = y.shape[1]
    total = 0.0
    for i in range(m):
        total += 0.5 * (y_hat[0, i] - y[0, i]) ** 2
    return total / m
""",
        },
    },
    "linear_gradients": {
        "tests": ["test_linear_gradients", "test_linear_gradients_hidden"],
        "mistakes": {
            "no_1_over_m": (
                "dividir entre m",
                """
def linear_gradients(w, b, X, y):
    e = linear_forward(w, b, X) - y
    return X @ e.T, float(np.sum(e))
""",
            ),
            "wrong_sign": (
                "signo",
                """
def linear_gradients(w, b, X, y):
    m = X.shape[1]
    e = y - linear_forward(w, b, X)
    return X @ e.T / m, float(np.sum(e) / m)
""",
            ),
            "factor_two": (
                "factor 2",
                """
def linear_gradients(w, b, X, y):
    m = X.shape[1]
    e = linear_forward(w, b, X) - y
    return 2 * X @ e.T / m, float(2 * np.sum(e) / m)
""",
            ),
            "transposed_dw": (
                "traspuesto",
                """
def linear_gradients(w, b, X, y):
    m = X.shape[1]
    e = linear_forward(w, b, X) - y
    return e @ X.T / m, float(np.mean(e))
""",
            ),
            "db_array": (
                "un solo número",
                """
def linear_gradients(w, b, X, y):
    m = X.shape[1]
    e = linear_forward(w, b, X) - y
    return X @ e.T / m, np.sum(e, axis=1, keepdims=True) / m
""",
            ),
            "n_instead_of_m": (
                "dividiste entre n = X.shape[0]",
                """
def linear_gradients(w, b, X, y):
    n = X.shape[0]
    e = linear_forward(w, b, X) - y
    return X @ e.T / n, float(np.sum(e) / n)
""",
            ),
            "db_without_1_over_m": (
                "dividir entre m",
                """
def linear_gradients(w, b, X, y):
    m = X.shape[1]
    e = linear_forward(w, b, X) - y
    return X @ e.T / m, float(np.sum(e))
""",
            ),
        },
        "alternatives": {
            "means": """
def linear_gradients(w, b, X, y):
    e = np.dot(w.T, X) + b - y
    dw = np.mean(X * e, axis=1, keepdims=True)
    db = np.mean(e)
    return dw, db
""",
            "loops": """
def linear_gradients(w, b, X, y):
    n, m = X.shape
    dw = np.zeros((n, 1))
    db = 0.0
    for i in range(m):
        err = w[:, 0] @ X[:, i] + b - y[0, i]
        for j in range(n):
            dw[j, 0] += err * X[j, i] / m
        db += err / m
    return dw, db
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
        costs.append(mse_cost(linear_forward(w, b, X), y))
        dw, db = linear_gradients(w, b, X, y)
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
        dw, db = linear_gradients(w, b, X, y)
        w = w - alpha * dw
        b = b - alpha * db
        costs.append(mse_cost(linear_forward(w, b, X), y))
    return w, b, costs
""",
            ),
            "b_not_updated": (
                "b nunca se actualiza",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    for _ in range(num_iters):
        costs.append(mse_cost(linear_forward(w, b, X), y))
        dw, db = linear_gradients(w, b, X, y)
        w = w - alpha * dw
    return w, b, costs
""",
            ),
            "gradient_once": (
                "una sola vez",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = []
    dw, db = linear_gradients(w, b, X, y)
    for _ in range(num_iters):
        costs.append(mse_cost(linear_forward(w, b, X), y))
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
        costs.append(mse_cost(linear_forward(w, b, X), y))
        dw, db = linear_gradients(w, b, X, y)
        w -= alpha * dw
        b -= alpha * db
    return w, b, costs
""",
            ),
            "extra_cost": (
                "elementos",
                """
def gradient_descent(w, b, X, y, alpha, num_iters):
    costs = [mse_cost(linear_forward(w, b, X), y)]
    for _ in range(num_iters):
        dw, db = linear_gradients(w, b, X, y)
        w = w - alpha * dw
        b = b - alpha * db
        costs.append(mse_cost(linear_forward(w, b, X), y))
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
        y_hat = linear_forward(w, b, X)
        costs[i] = mse_cost(y_hat, y)
        dw, db = linear_gradients(w, b, X, y)
        w -= alpha * dw
        b -= alpha * db
    return w, b, costs
""",
            "inline_math": """
def gradient_descent(w, b, X, y, alpha, num_iters):
    m = X.shape[1]
    costs = []
    for _ in range(num_iters):
        e = w.T @ X + b - y
        costs.append((e @ e.T).item() / (2 * m))
        w, b = w - alpha * (X @ e.T) / m, b - alpha * e.mean()
    return w, b, costs
""",
        },
    },
    "normal_equation": {
        "tests": ["test_normal_equation", "test_normal_equation_hidden"],
        "mistakes": {
            "no_bias_row": (
                "fila de unos",
                """
def normal_equation(X, y):
    w = np.linalg.solve(X @ X.T, X @ y.T)
    return w, 0.0
""",
            ),
            "theta_as_w": (
                "incluye el sesgo",
                """
def normal_equation(X, y):
    Xt = np.vstack([np.ones((1, X.shape[1])), X])
    theta = np.linalg.solve(Xt @ Xt.T, Xt @ y.T)
    return theta, float(theta[0, 0])
""",
            ),
            "b_from_last": (
                "θ[0]",
                """
def normal_equation(X, y):
    Xt = np.vstack([np.ones((1, X.shape[1])), X])
    theta = np.linalg.solve(Xt @ Xt.T, Xt @ y.T)
    return theta[1:], float(theta[-1, 0])
""",
            ),
            "flat_w": (
                "dimensión",
                """
def normal_equation(X, y):
    Xt = np.vstack([np.ones((1, X.shape[1])), X])
    theta = np.linalg.lstsq(Xt.T, y.ravel(), rcond=None)[0]
    return theta[1:], float(theta[0])
""",
            ),
            "layout_confusion": (
                "un ejemplo por columna",
                """
def normal_equation(X, y):
    Xt = np.vstack([np.ones((1, X.shape[1])), X])
    theta = np.linalg.pinv(Xt.T @ Xt) @ Xt.T @ y.T
    return theta[1:], float(theta[0, 0])
""",
            ),
        },
        "alternatives": {
            "lstsq_last_row": """
def normal_equation(X, y):
    Xt = np.vstack([X, np.ones((1, X.shape[1]))])
    theta, *_ = np.linalg.lstsq(Xt.T, y.T, rcond=None)
    return theta[:-1], theta[-1, 0]
""",
            "centered": """
def normal_equation(X, y):
    mx = X.mean(axis=1, keepdims=True)
    my = y.mean()
    Xc = X - mx
    w = np.linalg.inv(Xc @ Xc.T) @ Xc @ (y - my).T
    b = my - (w.T @ mx)[0, 0]
    return w, b
""",
            "pinv": """
def normal_equation(X, y):
    Xt = np.vstack([np.ones((1, X.shape[1])), X])
    theta = np.linalg.pinv(Xt.T) @ y.T
    return theta[1:], float(theta[0][0])
""",
        },
    },
}

#: Example submissions for the demo: student id -> answer cells to replace
#: (grade id -> (function, "mistake"/"alternative", name)); None means untouched.
EXAMPLES = {
    "ana_completa": {},
    "beto_sin_tocar": None,
    "carla_olvida_dividir_m": {"linear_gradients": ("mistakes", "no_1_over_m")},
    "diego_con_ciclos": {
        "standardize": ("alternatives", "loops"),
        "linear_forward": ("alternatives", "loops"),
        "mse_cost": ("alternatives", "loop"),
        "linear_gradients": ("alternatives", "loops"),
    },
}
