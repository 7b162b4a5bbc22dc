"""Mutation catalogue of 2.0_FNN_FashionMNIST: typical mistakes and correct alternatives."""

ASSIGNMENT = "2.0_FNN_FashionMNIST"

CATALOGUE = {
    "preprocess": {
        "tests": ["test_preprocess", "test_preprocess_hidden"],
        "mistakes": {
            "divide_by_256": (
                "dividiste entre 256",
                """
def preprocess(x, y):
    Y = np.zeros((y.shape[0], 10), dtype=np.float32)
    Y[np.arange(y.shape[0]), y] = 1.0
    return x.astype(np.float32) / 256, Y
""",
            ),
            "integer_division": (
                "división entera",
                """
def preprocess(x, y):
    Y = np.zeros((y.shape[0], 10), dtype=np.float32)
    Y[np.arange(y.shape[0]), y] = 1.0
    return (x // 255).astype(np.float32), Y
""",
            ),
            "one_hot_transposed": (
                "parece traspuesto",
                """
def preprocess(x, y):
    return x.astype(np.float32) / 255, np.eye(10, dtype=np.float32)[y].T
""",
            ),
            "float64": (
                "debe ser float32",
                """
def preprocess(x, y):
    return x / 255, np.eye(10, dtype=np.float32)[y]
""",
            ),
            "no_scaling": (
                "olvidaste dividir entre 255",
                """
def preprocess(x, y):
    return x.astype(np.float32), np.eye(10, dtype=np.float32)[y]
""",
            ),
            "flattened": (
                "no aplanes",
                """
def preprocess(x, y):
    x_p = x.reshape(x.shape[0], -1).astype(np.float32) / 255
    return x_p, np.eye(10, dtype=np.float32)[y]
""",
            ),
            "columns_from_max_label": (
                "10 columnas",
                """
def preprocess(x, y):
    k = int(y.max()) + 1
    return x.astype(np.float32) / 255, np.eye(k, dtype=np.float32)[y]
""",
            ),
        },
        "alternatives": {
            "divide_then_cast_compare": """
def preprocess(x, y):
    x_p = (x / 255).astype(np.float32)
    Y = (y[:, None] == np.arange(10)).astype(np.float32)
    return x_p, Y
""",
            "multiply_eye_float64": """
def preprocess(x, y):
    return x.astype("float32") * (1 / 255), np.eye(10)[y]
""",
            "np_divide_loop": """
def preprocess(x, y):
    x_p = np.divide(x, 255, dtype=np.float32)
    Y = np.zeros((len(y), 10))
    for i in range(len(y)):
        Y[i, y[i]] = 1
    return x_p, Y
""",
        },
    },
    "confusion_matrix": {
        "tests": ["test_confusion_matrix", "test_confusion_matrix_hidden"],
        "mistakes": {
            "transposed": (
                "la matriz está traspuesta",
                """
def confusion_matrix(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(C, (y_pred, y_true), 1)
    return C
""",
            ),
            "float_dtype": (
                "debe contener enteros",
                """
def confusion_matrix(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes))
    for t, p in zip(y_true, y_pred):
        C[t, p] += 1
    return C
""",
            ),
            "off_by_one_size": (
                "revisa el tamaño",
                """
def confusion_matrix(y_true, y_pred, num_classes):
    C = np.zeros((num_classes + 1, num_classes + 1), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[t, p] += 1
    return C
""",
            ),
            "skips_classes_absent_from_y_pred": (
                "solo recorriste las clases que aparecen en y_pred",
                """
def confusion_matrix(y_true, y_pred, num_classes):
    classes = np.unique(y_pred)
    C = np.zeros((num_classes, num_classes), dtype=int)
    for i, c_true in enumerate(classes):
        for j, c_pred in enumerate(classes):
            C[i, j] = np.sum((y_true == c_true) & (y_pred == c_pred))
    return C
""",
            ),
            "size_from_labels": (
                "debe tener forma",
                """
def confusion_matrix(y_true, y_pred, num_classes):
    k = int(max(y_true.max(), y_pred.max())) + 1
    C = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[t, p] += 1
    return C
""",
            ),
        },
        "alternatives": {
            "loop": """
def confusion_matrix(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes), dtype=int)
    for i in range(len(y_true)):
        C[y_true[i], y_pred[i]] += 1
    return C
""",
            "bincount": """
def confusion_matrix(y_true, y_pred, num_classes):
    codes = num_classes * np.asarray(y_true, dtype=np.int64) + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(codes, minlength=num_classes**2).reshape(num_classes, num_classes)
""",
            "one_hot_product": """
def confusion_matrix(y_true, y_pred, num_classes):
    classes = np.arange(num_classes)
    T = (y_true[:, None] == classes).astype(np.int64)
    P = (y_pred[:, None] == classes).astype(np.int64)
    return T.T @ P
""",
        },
    },
    "shift_images": {
        "tests": ["test_shift_images", "test_shift_images_hidden"],
        "mistakes": {
            "np_roll": (
                "usaste np.roll",
                """
def shift_images(x, dx, dy):
    return np.roll(np.roll(x, dy, axis=1), dx, axis=2)
""",
            ),
            "wrong_sign": (
                "sentido contrario",
                """
def shift_images(x, dx, dy):
    dx, dy = -dx, -dy
    h, w = x.shape[1:]
    out = np.zeros_like(x)
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = x[
        :, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)
    ]
    return out
""",
            ),
            "swapped_axes": (
                "intercambiaste los ejes",
                """
def shift_images(x, dx, dy):
    h, w = x.shape[1:]
    out = np.zeros_like(x)
    for r in range(h):
        for c in range(w):
            if 0 <= r - dx < h and 0 <= c - dy < w:
                out[:, r, c] = x[:, r - dx, c - dy]
    return out
""",
            ),
            "in_place": (
                "modificó el argumento",
                """
def shift_images(x, dx, dy):
    x[:] = np.roll(x, (dy, dx), axis=(1, 2))
    if dy > 0:
        x[:, :dy] = 0
    elif dy < 0:
        x[:, dy:] = 0
    if dx > 0:
        x[:, :, :dx] = 0
    elif dx < 0:
        x[:, :, dx:] = 0
    return x
""",
            ),
            "minus_zero_slice": (
                "a[-0:] es todo el eje",
                """
def shift_images(x, dx, dy):
    tmp = np.zeros_like(x)
    if dx >= 0:
        tmp[:, :, dx:] = x[:, :, : x.shape[2] - dx]
    else:
        tmp[:, :, :dx] = x[:, :, -dx:]
    out = np.zeros_like(x)
    if dy >= 0:
        out[:, dy:, :] = tmp[:, :-dy, :]
    else:
        out[:, :dy, :] = tmp[:, -dy:, :]
    return out
""",
            ),
            "only_horizontal": (
                "solo desplazaste en horizontal",
                """
def shift_images(x, dx, dy):
    w = x.shape[2]
    out = np.zeros_like(x)
    out[:, :, max(dx, 0):w + min(dx, 0)] = x[:, :, max(-dx, 0):w + min(-dx, 0)]
    return out
""",
            ),
        },
        "alternatives": {
            "pixel_loops": """
def shift_images(x, dx, dy):
    m, h, w = x.shape
    out = np.zeros_like(x)
    for r in range(h):
        for c in range(w):
            r_src, c_src = r - dy, c - dx
            if 0 <= r_src < h and 0 <= c_src < w:
                out[:, r, c] = x[:, r_src, c_src]
    return out
""",
            "pad_and_crop": """
def shift_images(x, dx, dy):
    h, w = x.shape[1:]
    padded = np.pad(x, ((0, 0), (h, h), (w, w)))
    return padded[:, h - dy : 2 * h - dy, w - dx : 2 * w - dx].copy()
""",
            "roll_then_zero": """
def shift_images(x, dx, dy):
    out = np.roll(x, (dy, dx), axis=(1, 2))
    if dy > 0:
        out[:, :dy, :] = 0
    elif dy < 0:
        out[:, dy:, :] = 0
    if dx > 0:
        out[:, :, :dx] = 0
    elif dx < 0:
        out[:, :, dx:] = 0
    return out
""",
        },
    },
    "build_fnn": {
        "tests": ["test_build_fnn", "test_build_fnn_hidden"],
        "mistakes": {
            "softmax_output": (
                "debe usar la activación sigmoide",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation=activation),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "fixed_hidden_units": (
                "usa el argumento hidden_units",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation=activation),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "fixed_activation": (
                "usa el argumento activation",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation="tanh"),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "hidden_without_activation": (
                "usa el argumento activation",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "cross_entropy_loss": (
                "entropía cruzada categórica",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation=activation),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
""",
            ),
            "not_compiled": (
                "debe devolver el modelo compilado",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation=activation),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
""",
            ),
            "flat_input_no_flatten": (
                "Flatten, Dense, Dense",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(hidden_units, activation=activation),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "sgd_optimizer": (
                "optimizador Adam",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation=activation),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    return model
""",
            ),
            "no_metric": (
                "metrics=['accuracy']",
                """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden_units, activation=activation),
        keras.layers.Dense(10, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
""",
            ),
        },
        "alternatives": {
            "slide_style_add": """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential()
    model.add(keras.layers.Flatten(input_shape=(28, 28)))
    model.add(keras.layers.Dense(hidden_units, activation=activation))
    model.add(keras.layers.Dense(10, activation="sigmoid"))
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.MeanSquaredError(), metrics=["acc"])
    return model
""",
            "functional_api": """
def build_fnn(hidden_units=128, activation="tanh"):
    inputs = keras.Input(shape=(28, 28))
    h = keras.layers.Flatten()(inputs)
    h = keras.layers.Dense(hidden_units, activation=activation)(h)
    outputs = keras.layers.Dense(10, activation="sigmoid")(h)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer="adam", loss="mean_squared_error", metrics=[keras.metrics.CategoricalAccuracy()]
    )
    return model
""",
            "objects_and_functions": """
def build_fnn(hidden_units=128, activation="tanh"):
    model = keras.Sequential(
        [
            keras.layers.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(units=hidden_units, activation=keras.activations.get(activation)),
            keras.layers.Dense(units=10, activation=keras.activations.sigmoid),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.001),
        loss=keras.losses.mean_squared_error,
        metrics=["accuracy"],
    )
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
    "carla_sin_normalizar": {"preprocess": ("mistakes", "no_scaling")},
}

#: Mistakes the notebook's text discusses: a visible test must name them (test_mutations).
VISIBLE_NAMED = {"confusion_matrix": ["transposed"], "shift_images": ["np_roll"]}
