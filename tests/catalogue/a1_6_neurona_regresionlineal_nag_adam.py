"""Mutation catalogue of 1.6_Neurona_RegresionLineal_NAG-ADAM: typical mistakes and correct alternatives."""

ASSIGNMENT = "1.6_Neurona_RegresionLineal_NAG-ADAM"

IN_PLACE = "reasignaste params[k] en lugar de actualizar el arreglo en su lugar"

CATALOGUE = {
    "SGD": {
        "tests": ["test_SGD", "test_SGD_hidden"],
        "mistakes": {
            "rebind": (
                IN_PLACE,
                """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for k in params:
            params[k] = params[k] - self.alpha * grads[k]
""",
            ),
            "plus_sign": (
                "errata de signo",
                """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for k in params:
            params[k] += self.alpha * grads[k]
""",
            ),
            "no_alpha": (
                "olvidaste multiplicar el gradiente por α",
                """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for k in params:
            params[k] -= grads[k]
""",
            ),
            "fixed_keys": (
                "'w' y 'b' fijas",
                """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        params["w"] -= self.alpha * grads["w"]
        params["b"] -= self.alpha * grads["b"]
""",
            ),
            "modifies_grads": (
                "modificó el argumento `grads",
                """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            g *= self.alpha
            params[k] -= g
""",
            ),
            "by_position": (
                "por posición",
                """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for x, g in zip(params.values(), grads.values()):
            x -= self.alpha * g
""",
            ),
            "return_in_loop": (
                "",
                """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for k in params:
            params[k] -= self.alpha * grads[k]
            return
""",
            ),
        },
        "alternatives": {
            "subtract_out": """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for name, x in params.items():
            np.subtract(x, self.alpha * grads[name], out=x)
""",
            "loops": """
class SGD:
    def __init__(self, alpha):
        self.alpha = alpha

    def update(self, params, grads):
        for k in params:
            x, g = params[k], grads[k]
            for i in np.ndindex(x.shape):
                x[i] = x[i] - self.alpha * g[i]
""",
            "ellipsis_assign": """
class SGD:
    def __init__(self, alpha):
        self.lr = float(alpha)

    def update(self, params, grads):
        for k in list(params.keys()):
            params[k][...] = params[k] - self.lr * grads[k]
        return None
""",
        },
    },
    "Momentum": {
        "tests": ["test_Momentum", "test_Momentum_hidden"],
        "mistakes": {
            "rebind": (
                IN_PLACE,
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            self.p[k] = grads[k] + self.eta * self.p.get(k, 0.0)
            params[k] = params[k] - self.alpha * self.p[k]
""",
            ),
            "no_memory": (
                "entre llamadas",
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            p = grads[k] + self.eta * np.zeros_like(params[k])
            params[k] -= self.alpha * p
""",
            ),
            "shared_state": (
                "un solo estado entre claves",
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, None

    def update(self, params, grads):
        for k in params:
            if self.p is None:
                self.p = np.zeros_like(params[k])
            self.p = grads[k] + self.eta * self.p
            params[k] -= self.alpha * self.p
""",
            ),
            "class_state": (
                "otro optimizador de la misma clase",
                """
class Momentum:
    p = {}

    def __init__(self, alpha, eta):
        self.alpha, self.eta = alpha, eta

    def update(self, params, grads):
        for k in params:
            self.p[k] = grads[k] + self.eta * self.p.get(k, np.zeros_like(params[k]))
            params[k] -= self.alpha * self.p[k]
""",
            ),
            "old_p": (
                "p anterior",
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            old = self.p.get(k, np.zeros_like(params[k]))
            params[k] -= self.alpha * old
            self.p[k] = grads[k] + self.eta * old
""",
            ),
            "average": (
                "promedio",
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            self.p[k] = self.eta * self.p.get(k, 0.0) + (1 - self.eta) * grads[k]
            params[k] -= self.alpha * self.p[k]
""",
            ),
            "eta_on_g": (
                "η multiplica al gradiente",
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            self.p[k] = self.eta * grads[k] + self.p.get(k, 0.0)
            params[k] -= self.alpha * self.p[k]
""",
            ),
            "alpha_twice": (
                "α dos veces",
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            self.p[k] = self.eta * self.p.get(k, 0.0) + self.alpha * grads[k]
            params[k] -= self.alpha * self.p[k]
""",
            ),
            "aliases_grads": (
                "modificó el argumento `grads",
                """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            if k not in self.p:
                self.p[k] = grads[k]
            else:
                self.p[k] *= self.eta
                self.p[k] += grads[k]
            params[k] -= self.alpha * self.p[k]
""",
            ),
        },
        "alternatives": {
            "keras_buffer": """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta = alpha, eta
        self.m = {}  # Keras' buffer: m = -alpha * p

    def update(self, params, grads):
        for k, x in params.items():
            m = self.m.setdefault(k, np.zeros_like(x))
            m *= self.eta
            m -= self.alpha * grads[k]
            x += m
""",
            "loops": """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha = alpha
        self.eta = eta
        self.p = {}

    def update(self, params, grads):
        for k in params:
            if k not in self.p:
                self.p[k] = np.zeros(params[k].shape)
            p, x, g = self.p[k], params[k], grads[k]
            for i in np.ndindex(x.shape):
                p[i] = g[i] + self.eta * p[i]
                x[i] -= self.alpha * p[i]
""",
            "velocity_out": """
class Momentum:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.velocity = alpha, eta, {}

    def update(self, params, grads):
        for name in params:
            v = np.add(grads[name], self.eta * self.velocity.get(name, 0))
            self.velocity[name] = v
            np.subtract(params[name], self.alpha * v, out=params[name])
""",
        },
    },
    "NAG": {
        "tests": ["test_NAG", "test_NAG_hidden"],
        "mistakes": {
            "rebind": (
                IN_PLACE,
                """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.p[k] = g + self.eta * self.p.get(k, 0.0)
            params[k] = params[k] - self.alpha * (g + self.eta * self.p[k])
""",
            ),
            "classic_momentum": (
                "momento clásico",
                """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            self.p[k] = grads[k] + self.eta * self.p.get(k, 0.0)
            params[k] -= self.alpha * self.p[k]
""",
            ),
            "average": (
                "usaste un promedio",
                """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.p[k] = self.eta * self.p.get(k, 0.0) + (1 - self.eta) * g
            params[k] -= self.alpha * (g + self.eta * self.p[k])
""",
            ),
            "no_eta": (
                "falta η en el paso",
                """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.p[k] = g + self.eta * self.p.get(k, 0.0)
            params[k] -= self.alpha * (g + self.p[k])
""",
            ),
            "double_step": (
                "y además α·η·p",
                """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            self.p[k] = grads[k] + self.eta * self.p.get(k, 0.0)
            params[k] -= self.alpha * self.p[k]
            params[k] -= self.alpha * self.eta * self.p[k]
""",
            ),
            "no_memory": (
                "entre llamadas",
                """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            p = g + self.eta * np.zeros_like(g)
            params[k] -= self.alpha * (g + self.eta * p)
""",
            ),
            "by_position": (
                "por posición",
                """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for (k, x), g in zip(params.items(), grads.values()):
            self.p[k] = g + self.eta * self.p.get(k, 0.0)
            x -= self.alpha * (g + self.eta * self.p[k])
""",
            ),
        },
        "alternatives": {
            "keras_buffer": """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta = alpha, eta
        self.m = {}  # Keras' buffer: m = -alpha * p

    def update(self, params, grads):
        for k, x in params.items():
            g = grads[k]
            m = self.m.get(k, np.zeros_like(x))
            m = self.eta * m - self.alpha * g
            self.m[k] = m
            x += self.eta * m - self.alpha * g
""",
            "loops": """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha = alpha
        self.eta = eta
        self.p = {}

    def update(self, params, grads):
        for k in params:
            p = self.p.setdefault(k, np.zeros_like(params[k]))
            x, g = params[k], grads[k]
            for i in np.ndindex(x.shape):
                p[i] = g[i] + self.eta * p[i]
                x[i] = x[i] - self.alpha * (g[i] + self.eta * p[i])
""",
            "two_moves": """
class NAG:
    def __init__(self, alpha, eta):
        self.alpha, self.eta, self.p = alpha, eta, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.p[k] = g + self.eta * self.p.get(k, np.zeros_like(g))
            params[k] -= self.alpha * g  # the gradient step ...
            params[k] -= self.alpha * self.eta * self.p[k]  # ... and the look-ahead of the new momentum
""",
        },
    },
    "Adagrad": {
        "tests": ["test_Adagrad", "test_Adagrad_hidden"],
        "mistakes": {
            "rebind": (
                IN_PLACE,
                """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.s.get(k, 0.0) + g**2
            params[k] = params[k] - self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "no_accumulation": (
                "s no se acumul",
                """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = g**2
            params[k] -= self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "eps_in_sqrt": (
                "dentro de la raíz",
                """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.s.get(k, 0.0) + g**2
            params[k] -= self.alpha * g / np.sqrt(self.s[k] + self.eps)
""",
            ),
            "old_s": (
                "con el s anterior",
                """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            s = self.s.get(k, np.zeros_like(g))
            params[k] -= self.alpha * g / (np.sqrt(s) + self.eps)
            self.s[k] = s + g**2
""",
            ),
            "no_sqrt": (
                "en lugar de entre √s",
                """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.s.get(k, 0.0) + g**2
            params[k] -= self.alpha * g / (self.s[k] + self.eps)
""",
            ),
            "no_square": (
                "",
                """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.s.get(k, 0.0) + g
            params[k] -= self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "shared_state": (
                "un solo s",
                """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            key = g.shape
            self.s[key] = self.s.get(key, 0.0) + g**2
            params[k] -= self.alpha * g / (np.sqrt(self.s[key]) + self.eps)
""",
            ),
        },
        "alternatives": {
            "in_place_state": """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.s = alpha, eps, {}

    def update(self, params, grads):
        for k, x in params.items():
            if k not in self.s:
                self.s[k] = np.zeros_like(x)
            self.s[k] += grads[k] ** 2
            x -= self.alpha * grads[k] / (np.sqrt(self.s[k]) + self.eps)
""",
            "loops": """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha = alpha
        self.eps = eps
        self.s = {}

    def update(self, params, grads):
        import math

        for k in params:
            s = self.s.setdefault(k, np.zeros(params[k].shape))
            x, g = params[k], grads[k]
            for i in np.ndindex(x.shape):
                s[i] += g[i] * g[i]
                x[i] -= self.alpha * g[i] / (math.sqrt(s[i]) + self.eps)
""",
            "power_half": """
class Adagrad:
    def __init__(self, alpha, eps=1e-8):
        self.alpha, self.eps, self.cache = alpha, eps, {}

    def update(self, params, grads):
        for name in params:
            g = grads[name]
            self.cache[name] = self.cache.get(name, np.zeros_like(g)) + np.square(g)
            params[name][...] = params[name] - self.alpha * g / (self.cache[name] ** 0.5 + self.eps)
""",
        },
    },
    "RMSProp": {
        "tests": ["test_RMSProp", "test_RMSProp_hidden"],
        "mistakes": {
            "rebind": (
                IN_PLACE,
                """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.eta * self.s.get(k, 0.0) + (1 - self.eta) * g**2
            params[k] = params[k] - self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "swapped": (
                "intercambiaste η y 1 − η",
                """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = (1 - self.eta) * self.s.get(k, 0.0) + self.eta * g**2
            params[k] -= self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "no_one_minus_eta": (
                "falta el factor (1 − η)",
                """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.eta * self.s.get(k, 0.0) + g**2
            params[k] -= self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "adagrad": (
                "acumulaste como Adagrad",
                """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.s.get(k, 0.0) + g**2
            params[k] -= self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "eps_in_sqrt": (
                "dentro de la raíz",
                """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.eta * self.s.get(k, 0.0) + (1 - self.eta) * g**2
            params[k] -= self.alpha * g / np.sqrt(self.s[k] + self.eps)
""",
            ),
            "init_g2": (
                "s empezó en g²",
                """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.s[k] = self.eta * self.s.get(k, g**2) + (1 - self.eta) * g**2
            params[k] -= self.alpha * g / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "no_memory": (
                "entre llamadas",
                """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            s = self.eta * np.zeros_like(g) + (1 - self.eta) * g**2
            params[k] -= self.alpha * g / (np.sqrt(s) + self.eps)
""",
            ),
        },
        "alternatives": {
            "in_place_state": """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.s = alpha, eta, eps, {}

    def update(self, params, grads):
        for k, x in params.items():
            s = self.s.setdefault(k, np.zeros_like(x))
            s *= self.eta
            s += (1 - self.eta) * grads[k] ** 2
            x -= self.alpha * grads[k] / (np.sqrt(s) + self.eps)
""",
            "loops": """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha = alpha
        self.eta = eta
        self.eps = eps
        self.s = {}

    def update(self, params, grads):
        for k in params:
            if k not in self.s:
                self.s[k] = np.zeros(params[k].shape)
            s, x, g = self.s[k], params[k], grads[k]
            for i in np.ndindex(x.shape):
                s[i] = self.eta * s[i] + (1 - self.eta) * g[i] ** 2
                x[i] = x[i] - self.alpha * g[i] / (np.sqrt(s[i]) + self.eps)
""",
            "difference_form": """
class RMSProp:
    def __init__(self, alpha, eta=0.9, eps=1e-8):
        self.alpha, self.eta, self.eps, self.avg = alpha, eta, eps, {}

    def update(self, params, grads):
        for name in params:
            g = grads[name]
            avg = self.avg.get(name, np.zeros_like(g))
            avg = avg + (1 - self.eta) * (g * g - avg)  # the same average, Keras-style
            self.avg[name] = avg
            np.subtract(params[name], self.alpha * g / (np.sqrt(avg) + self.eps), out=params[name])
""",
        },
    },
    "Adam": {
        "tests": ["test_Adam", "test_Adam_hidden"],
        "mistakes": {
            "rebind": (
                IN_PLACE,
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            g = grads[k]
            self.v[k] = self.eta_v * self.v.get(k, 0.0) + (1 - self.eta_v) * g
            self.s[k] = self.eta_s * self.s.get(k, 0.0) + (1 - self.eta_s) * g**2
            v_hat = self.v[k] / (1 - self.eta_v**self.t)
            s_hat = self.s[k] / (1 - self.eta_s**self.t)
            params[k] = params[k] - self.alpha * v_hat / (np.sqrt(s_hat) + self.eps)
""",
            ),
            "t_fixed": (
                "t no aumenta",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 1

    def update(self, params, grads):
        for k in params:
            g = grads[k]
            self.v[k] = self.eta_v * self.v.get(k, 0.0) + (1 - self.eta_v) * g
            self.s[k] = self.eta_s * self.s.get(k, 0.0) + (1 - self.eta_s) * g**2
            v_hat = self.v[k] / (1 - self.eta_v**self.t)
            s_hat = self.s[k] / (1 - self.eta_s**self.t)
            params[k] -= self.alpha * v_hat / (np.sqrt(s_hat) + self.eps)
""",
            ),
            "t_per_key": (
                "una vez por clave",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 0

    def update(self, params, grads):
        for k in params:
            self.t += 1
            g = grads[k]
            self.v[k] = self.eta_v * self.v.get(k, 0.0) + (1 - self.eta_v) * g
            self.s[k] = self.eta_s * self.s.get(k, 0.0) + (1 - self.eta_s) * g**2
            v_hat = self.v[k] / (1 - self.eta_v**self.t)
            s_hat = self.s[k] / (1 - self.eta_s**self.t)
            params[k] -= self.alpha * v_hat / (np.sqrt(s_hat) + self.eps)
""",
            ),
            "t_plus_1": (
                "como si t empezara en 0",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 1

    def update(self, params, grads):
        self.t += 1
        for k in params:
            g = grads[k]
            self.v[k] = self.eta_v * self.v.get(k, 0.0) + (1 - self.eta_v) * g
            self.s[k] = self.eta_s * self.s.get(k, 0.0) + (1 - self.eta_s) * g**2
            v_hat = self.v[k] / (1 - self.eta_v**self.t)
            s_hat = self.s[k] / (1 - self.eta_s**self.t)
            params[k] -= self.alpha * v_hat / (np.sqrt(s_hat) + self.eps)
""",
            ),
            "no_bias_correction": (
                "falta la corrección de sesgo",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            g = grads[k]
            self.v[k] = self.eta_v * self.v.get(k, 0.0) + (1 - self.eta_v) * g
            self.s[k] = self.eta_s * self.s.get(k, 0.0) + (1 - self.eta_s) * g**2
            params[k] -= self.alpha * self.v[k] / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "etas_swapped": (
                "intercambiaste η_v y η_s",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_s, eta_v, eps
        self.v, self.s, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            g = grads[k]
            self.v[k] = self.eta_v * self.v.get(k, 0.0) + (1 - self.eta_v) * g
            self.s[k] = self.eta_s * self.s.get(k, 0.0) + (1 - self.eta_s) * g**2
            v_hat = self.v[k] / (1 - self.eta_v**self.t)
            s_hat = self.s[k] / (1 - self.eta_s**self.t)
            params[k] -= self.alpha * v_hat / (np.sqrt(s_hat) + self.eps)
""",
            ),
            "swapped": (
                "intercambiaste η y 1 − η",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            g = grads[k]
            self.v[k] = (1 - self.eta_v) * self.v.get(k, 0.0) + self.eta_v * g
            self.s[k] = (1 - self.eta_s) * self.s.get(k, 0.0) + self.eta_s * g**2
            v_hat = self.v[k] / (1 - self.eta_v**self.t)
            s_hat = self.s[k] / (1 - self.eta_s**self.t)
            params[k] -= self.alpha * v_hat / (np.sqrt(s_hat) + self.eps)
""",
            ),
            "corrected_state": (
                "guardaste v̂ y ŝ",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            g = grads[k]
            v = self.eta_v * self.v.get(k, 0.0) + (1 - self.eta_v) * g
            s = self.eta_s * self.s.get(k, 0.0) + (1 - self.eta_s) * g**2
            self.v[k] = v / (1 - self.eta_v**self.t)
            self.s[k] = s / (1 - self.eta_s**self.t)
            params[k] -= self.alpha * self.v[k] / (np.sqrt(self.s[k]) + self.eps)
""",
            ),
            "shared_state": (
                "un solo v y un solo s",
                """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.v, self.s, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            g = grads[k]
            key = g.shape  # one state per shape, not per key
            self.v[key] = self.eta_v * self.v.get(key, 0.0) + (1 - self.eta_v) * g
            self.s[key] = self.eta_s * self.s.get(key, 0.0) + (1 - self.eta_s) * g**2
            v_hat = self.v[key] / (1 - self.eta_v**self.t)
            s_hat = self.s[key] / (1 - self.eta_s**self.t)
            params[k] -= self.alpha * v_hat / (np.sqrt(s_hat) + self.eps)
""",
            ),
        },
        "alternatives": {
            "keras_eps_hat": """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha, self.eta_v, self.eta_s, self.eps = alpha, eta_v, eta_s, eps
        self.m, self.u, self.steps = {}, {}, 0

    def update(self, params, grads):
        self.steps += 1
        t = self.steps
        # Keras' form: alpha_t and eps_hat = eps * sqrt(1 - eta_s^t) give exactly our step
        alpha_t = self.alpha * np.sqrt(1 - self.eta_s**t) / (1 - self.eta_v**t)
        eps_hat = self.eps * np.sqrt(1 - self.eta_s**t)
        for k, x in params.items():
            g = grads[k]
            m = self.m.setdefault(k, np.zeros_like(x))
            u = self.u.setdefault(k, np.zeros_like(x))
            m += (1 - self.eta_v) * (g - m)
            u += (1 - self.eta_s) * (g * g - u)
            x -= alpha_t * m / (np.sqrt(u) + eps_hat)
""",
            "loops": """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.alpha = alpha
        self.eta_v = eta_v
        self.eta_s = eta_s
        self.eps = eps
        self.v = {}
        self.s = {}
        self.t = 1

    def update(self, params, grads):
        import math

        for k in params:
            if k not in self.v:
                self.v[k] = np.zeros(params[k].shape)
                self.s[k] = np.zeros(params[k].shape)
            v, s, x, g = self.v[k], self.s[k], params[k], grads[k]
            for i in np.ndindex(x.shape):
                v[i] = self.eta_v * v[i] + (1 - self.eta_v) * g[i]
                s[i] = self.eta_s * s[i] + (1 - self.eta_s) * g[i] ** 2
                v_hat = v[i] / (1 - self.eta_v**self.t)
                s_hat = s[i] / (1 - self.eta_s**self.t)
                x[i] -= self.alpha * v_hat / (math.sqrt(s_hat) + self.eps)
        self.t += 1
""",
            "state_tuples": """
class Adam:
    def __init__(self, alpha=0.001, eta_v=0.9, eta_s=0.999, eps=1e-8):
        self.hyper = (alpha, eta_v, eta_s, eps)
        self.state = {}
        self.calls = 0

    def update(self, params, grads):
        alpha, b1, b2, eps = self.hyper
        self.calls += 1
        t = self.calls
        for name in params:
            g = grads[name]
            v, s = self.state.get(name, (0.0, 0.0))
            v = b1 * v + (1 - b1) * g
            s = b2 * s + (1 - b2) * np.square(g)
            self.state[name] = (v, s)
            params[name][...] -= alpha * (v / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
""",
        },
    },
    "Neuron": {
        "tests": ["test_Neuron", "test_Neuron_hidden"],
        "mistakes": {
            "no_shuffle": (
                "no barajaste",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        costs = []
        for _ in range(epochs):
            costs.append(self.cost(self.forward(X), y))
            size = m if batch_size is None else batch_size
            for k in range(0, m, size):
                X_b, y_b = X[:, k : k + size], y[:, k : k + size]
                optimizer.update(self.params, self.backward(X_b, self.forward(X_b), y_b))
        return costs
""",
            ),
            "rng_each_epoch": (
                "creaste el generador en cada época",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        costs = []
        for _ in range(epochs):
            costs.append(self.cost(self.forward(X), y))
            if batch_size is None:
                optimizer.update(self.params, self.backward(X, self.forward(X), y))
                continue
            perm = np.random.default_rng(seed).permutation(m)
            for k in range(0, m, batch_size):
                idx = perm[k : k + batch_size]
                optimizer.update(self.params, self.backward(X[:, idx], self.forward(X[:, idx]), y[:, idx]))
        return costs
""",
            ),
            "ignore_batch_size": (
                "ignoraste batch_size",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        costs = []
        for _ in range(epochs):
            A = self.forward(X)
            costs.append(self.cost(A, y))
            optimizer.update(self.params, self.backward(X, A, y))
        return costs
""",
            ),
            "drop_last": (
                "descartaste el último mini-lote",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        rng = np.random.default_rng(seed)
        costs = []
        for _ in range(epochs):
            costs.append(self.cost(self.forward(X), y))
            if batch_size is None:
                optimizer.update(self.params, self.backward(X, self.forward(X), y))
                continue
            perm = rng.permutation(m)
            for j in range(m // batch_size):
                idx = perm[j * batch_size : (j + 1) * batch_size]
                optimizer.update(self.params, self.backward(X[:, idx], self.forward(X[:, idx]), y[:, idx]))
        return costs
""",
            ),
            "cost_after": (
                "al terminar cada época",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        rng = np.random.default_rng(seed)
        costs = []
        for _ in range(epochs):
            perm = np.arange(m) if batch_size is None else rng.permutation(m)
            size = m if batch_size is None else batch_size
            for k in range(0, m, size):
                idx = perm[k : k + size]
                optimizer.update(self.params, self.backward(X[:, idx], self.forward(X[:, idx]), y[:, idx]))
            costs.append(self.cost(self.forward(X), y))
        return costs
""",
            ),
            "cost_per_batch": (
                "uno por época",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        rng = np.random.default_rng(seed)
        size = m if batch_size is None else batch_size
        costs = []
        for _ in range(epochs):
            perm = rng.permutation(m)
            for k in range(0, m, size):
                idx = perm[k : k + size]
                A = self.forward(X[:, idx])
                costs.append(self.cost(A, y[:, idx]))
                optimizer.update(self.params, self.backward(X[:, idx], A, y[:, idx]))
        return costs
""",
            ),
            "global_random": (
                "deberían llegar en el orden",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        costs = []
        for _ in range(epochs):
            costs.append(self.cost(self.forward(X), y))
            size = m if batch_size is None else batch_size
            perm = np.random.permutation(m)
            for k in range(0, m, size):
                idx = perm[k : k + size]
                optimizer.update(self.params, self.backward(X[:, idx], self.forward(X[:, idx]), y[:, idx]))
        return costs
""",
            ),
            "copies_params": (
                "copias de los parámetros",
                """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        costs = []
        for _ in range(epochs):
            A = self.forward(X)
            costs.append(self.cost(A, y))
            params = {k: v.copy() for k, v in self.params.items()}
            optimizer.update(params, self.backward(X, A, y))
            self.params = params
        return costs
""",
            ),
        },
        "alternatives": {
            "shuffle_arange": """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        generator = np.random.default_rng(seed)
        n_examples = X.shape[1]
        history = np.zeros(epochs)
        for epoch in range(epochs):
            history[epoch] = self.cost(self.predict(X), y)
            if batch_size is None:
                chunks = [np.arange(n_examples)]
            else:
                order = np.arange(n_examples)
                generator.shuffle(order)  # the same stream as generator.permutation(n_examples)
                chunks = [order[i : i + batch_size] for i in range(0, n_examples, batch_size)]
            for idx in chunks:
                X_b = np.take(X, idx, axis=1)
                y_b = np.take(y, idx, axis=1)
                optimizer.update(self.params, self.backward(X_b, self.forward(X_b), y_b))
        return list(history)
""",
            "batch_or_m": """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        rng = np.random.default_rng(seed)
        size = batch_size or m  # full batch: one shuffled batch with all the examples
        costs = []
        for _ in range(epochs):
            error = self.forward(X) - y
            costs.append(float(np.mean(error**2) / 2))
            perm = rng.permutation(m)
            start = 0
            while start < m:
                idx = perm[start : start + size]
                X_b, y_b = X[:, idx], y[:, idx]
                optimizer.update(self.params, self.backward(X_b, self.forward(X_b), y_b))
                start += size
        return costs
""",
            "split_indices": """
class Neuron(NeuronBase):
    def fit(self, X, y, optimizer, epochs, batch_size=None, seed=0):
        m = X.shape[1]
        rng = np.random.default_rng(seed)
        costs = []
        for _ in range(epochs):
            costs.append(self.cost(self.forward(X), y))
            if batch_size is None:
                groups = [slice(None)]
            else:
                perm = rng.permutation(m)
                groups = np.split(perm, np.arange(batch_size, m, batch_size))
            for idx in groups:
                X_b, y_b = X[:, idx], y[:, idx]
                A_b = self.forward(X_b)
                optimizer.update(self.params, self.backward(X_b, A_b, y_b))
        return costs
""",
        },
    },
}


# The bundled example submissions (examples/submissions/, `python -m tests.catalogue`): complete,
# untouched, and one typical mistake.
EXAMPLES = {
    "ana_completa": {},
    "beto_sin_tocar": None,
    "carla_adam_sin_correccion": {"Adam": ("mistakes", "no_bias_correction")},
}

#: Mistakes the notebook's text discusses: a visible test must name them (test_mutations).
VISIBLE_NAMED = {"Adam": ["t_per_key"], "Adagrad": ["eps_in_sqrt"]}
