"""Write the fidelity course's source notebooks (``python tests/fidelity_course/build.py``).

One assignment, ``idioms``, whose notebook holds common test idioms of university
nbgrader courses (plain asserts, ``unittest``, ``numpy.testing``, ``pandas.testing``,
``math.isclose``, ``pytest.approx``, expected exceptions, generators, classes with state,
callbacks, partial credit...), each as an answer cell and a test cell, and a header notebook.
:data:`IDIOMS` also holds, for each idiom, a typical mistake: ``tests/test_fidelity.py``
grades a correct and a wrong submission with stock nbgrader and with ``autograder``.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = "import math\nimport unittest\n\nimport numpy as np\nimport pytest"

#: grade id -> (idiom, solution, mistake, test, points)
IDIOMS = {
    "suma": (
        "plain assert",
        "def suma(a, b):\n    return a + b",
        "def suma(a, b):\n    return a - b",
        "assert suma(2, 3) == 5\nassert suma(-1, 1) == 0",
        1,
    ),
    "area_rect": (
        "unittest-style asserts",
        "def area_rect(base, altura):\n    return base * altura",
        "def area_rect(base, altura):\n    return 2 * (base + altura)",
        "caso = unittest.TestCase()\ncaso.assertEqual(area_rect(2, 3), 6)\n"
        "caso.assertAlmostEqual(area_rect(0.1, 3), 0.3)\ncaso.assertTrue(area_rect(1, 1) > 0)",
        1,
    ),
    "normalizar": (
        "numpy.testing + pytest.approx on an array",
        "def normalizar(v):\n    return v / np.linalg.norm(v)",
        "def normalizar(v):\n    return v / v.sum()",
        "np.testing.assert_allclose(normalizar(np.array([3.0, 4.0])), [0.6, 0.8])\n"
        "assert np.linalg.norm(normalizar(np.arange(1.0, 5.0))) == pytest.approx(1.0)",
        1,
    ),
    "resumen": (
        "pandas DataFrame in and out (assert_frame_equal), pd imported by the answer",
        "import pandas as pd\n\n\ndef resumen(df):\n"
        '    return df.groupby("grupo", as_index=False)["valor"].mean()',
        "import pandas as pd\n\n\ndef resumen(df):\n"
        '    return df.groupby("grupo", as_index=False)["valor"].sum()',
        'datos = pd.DataFrame({"grupo": ["a", "b", "a"], "valor": [1.0, 2.0, 3.0]})\n'
        'esperado = pd.DataFrame({"grupo": ["a", "b"], "valor": [2.0, 2.0]})\n'
        "pd.testing.assert_frame_equal(resumen(datos), esperado)",
        1,
    ),
    "total_por_fila": (
        "pandas Series (assert_series_equal)",
        "def total_por_fila(df):\n    return df.sum(axis=1)",
        "def total_por_fila(df):\n    return df.sum(axis=0)",
        'tabla = pd.DataFrame({"x": [1, 2], "y": [3, 4]}, index=["p", "q"])\n'
        'pd.testing.assert_series_equal(total_por_fila(tabla), pd.Series([4, 6], index=["p", "q"]))',
        1,
    ),
    "hipotenusa": (
        "math.isclose",
        "def hipotenusa(a, b):\n    return math.hypot(a, b)",
        "def hipotenusa(a, b):\n    return a + b",
        "assert math.isclose(hipotenusa(3, 4), 5.0)\n"
        "assert math.isclose(hipotenusa(1, 1), math.sqrt(2), rel_tol=1e-12)",
        1,
    ),
    "promedio": (
        "pytest.approx",
        "def promedio(xs):\n    return sum(xs) / len(xs)",
        "def promedio(xs):\n    return sum(xs) / (len(xs) - 1)",
        "assert promedio([1, 2, 3, 4]) == pytest.approx(2.5)",
        1,
    ),
    "raiz": (
        "pytest.raises(ValueError)",
        "def raiz(x):\n    if x < 0:\n"
        '        raise ValueError("no hay raíz real de un número negativo")\n    return math.sqrt(x)',
        "def raiz(x):\n    return abs(x) ** 0.5",
        "with pytest.raises(ValueError):\n    raiz(-1.0)\nassert raiz(9.0) == 3.0",
        1,
    ),
    "dividir": (
        "try/except ZeroDivisionError with its message",
        "def dividir(a, b):\n    if b == 0:\n"
        '        raise ZeroDivisionError("no se puede dividir entre cero")\n    return a / b',
        'def dividir(a, b):\n    if b == 0:\n        raise ValueError("b es nulo")\n    return a / b',
        "try:\n    dividir(1, 0)\nexcept ZeroDivisionError as error:\n"
        '    assert "cero" in str(error), "el mensaje debe mencionar el cero"\nelse:\n'
        '    raise AssertionError("dividir(1, 0) debe lanzar ZeroDivisionError")\n'
        "assert dividir(6, 3) == 2",
        1,
    ),
    "cuenta": (
        "a student-defined exception class, a class with state",
        "class SaldoInsuficiente(ValueError):\n    pass\n\n\nclass Cuenta:\n"
        "    def __init__(self, saldo):\n        self.saldo = saldo\n\n"
        "    def retirar(self, monto):\n        if monto > self.saldo:\n"
        '            raise SaldoInsuficiente(f"saldo insuficiente para retirar {monto}")\n'
        "        self.saldo -= monto",
        "class SaldoInsuficiente(ValueError):\n    pass\n\n\nclass Cuenta:\n"
        "    def __init__(self, saldo):\n        self.saldo = saldo\n\n"
        "    def retirar(self, monto):\n        self.saldo -= monto",
        "cuenta = Cuenta(100)\ncuenta.retirar(30)\nassert cuenta.saldo == 70\n"
        "with pytest.raises(SaldoInsuficiente):\n    cuenta.retirar(1000)\n"
        'with pytest.raises(ValueError, match="insuficiente"):\n    cuenta.retirar(500)\n'
        "assert cuenta.saldo == 70\nassert isinstance(cuenta, Cuenta)",
        1,
    ),
    "es_primo": (
        "partial credit (the cell's last value is its score)",
        "def es_primo(n):\n    if n < 2:\n        return False\n"
        "    return all(n % d for d in range(2, int(n**0.5) + 1))",
        "def es_primo(n):\n    return n == 2 or n % 2 == 1",
        "casos = {2: True, 3: True, 4: False, 9: False, 13: True, 1: False, 25: False, 29: True}\n"
        "aciertos = sum(es_primo(n) == esperado for n, esperado in casos.items())\n"
        "2.0 * aciertos / len(casos)",
        2,
    ),
    "pares": (
        "a generator: isinstance, next, list",
        "def pares(n):\n    yield from range(0, n, 2)",
        "def pares(n):\n    return list(range(0, n, 2))",
        "import collections.abc\nimport types\n\ng = pares(7)\n"
        "assert isinstance(g, types.GeneratorType)\n"
        "assert isinstance(pares(3), collections.abc.Iterator)\n"
        "assert next(g) == 0\nassert list(g) == [2, 4, 6]",
        1,
    ),
    "contador": (
        "an iterator class (iter, next, for)",
        "class Contador:\n    def __init__(self, n):\n        self.n = n\n        self.i = 0\n\n"
        "    def __iter__(self):\n        return self\n\n    def __next__(self):\n"
        "        if self.i >= self.n:\n            raise StopIteration\n"
        "        self.i += 1\n        return self.i",
        "class Contador:\n    def __init__(self, n):\n        self.n = n\n        self.i = 0\n\n"
        "    def __iter__(self):\n        return self\n\n    def __next__(self):\n"
        "        if self.i > self.n:\n            raise StopIteration\n"
        "        self.i += 1\n        return self.i",
        "it = iter(Contador(3))\nassert next(it) == 1\nassert list(Contador(3)) == [1, 2, 3]\n"
        "total = 0\nfor k in Contador(4):\n    total += k\nassert total == 10",
        1,
    ),
    "pila": (
        "a class with state (methods, len, isinstance)",
        "class Pila:\n    def __init__(self):\n        self.items = []\n\n"
        "    def vacia(self):\n        return not self.items\n\n"
        "    def apilar(self, x):\n        self.items.append(x)\n\n"
        "    def desapilar(self):\n        return self.items.pop()\n\n"
        "    def cima(self):\n        return self.items[-1]\n\n"
        "    def __len__(self):\n        return len(self.items)",
        "class Pila:\n    def __init__(self):\n        self.items = []\n\n"
        "    def vacia(self):\n        return not self.items\n\n"
        "    def apilar(self, x):\n        self.items.append(x)\n\n"
        "    def desapilar(self):\n        return self.items.pop(0)\n\n"
        "    def cima(self):\n        return self.items[-1]\n\n"
        "    def __len__(self):\n        return len(self.items)",
        "pila = Pila()\nassert pila.vacia()\nfor x in [1, 2, 3]:\n    pila.apilar(x)\n"
        "assert len(pila) == 3\nassert pila.desapilar() == 3\nassert pila.cima() == 2\n"
        "assert isinstance(pila, Pila)",
        1,
    ),
    "fibonacci": (
        "recursion (functools imported by the answer)",
        "from functools import cache\n\n\n@cache\ndef fibonacci(n):\n"
        "    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)",
        "def fibonacci(n):\n    if n < 2:\n        return 1\n    return fibonacci(n - 1) + fibonacci(n - 2)",
        "assert [fibonacci(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]\n"
        "assert fibonacci(20) == 6765",
        1,
    ),
    "saludo": (
        "string output",
        'def saludo(nombre):\n    return f"¡Hola, {nombre}!"',
        'def saludo(nombre):\n    return f"Hola, {nombre}!"',
        'assert saludo("Ana") == "¡Hola, Ana!"',
        1,
    ),
    "imprimir_tabla": (
        "printed output captured with redirect_stdout",
        'def imprimir_tabla(n):\n    for i in range(1, 4):\n        print(f"{n} x {i} = {n * i}")',
        'def imprimir_tabla(n):\n    for i in range(1, 4):\n        print(f"{n} x {i} =  {n * i}")',
        "import contextlib\nimport io\n\nsalida = io.StringIO()\n"
        "with contextlib.redirect_stdout(salida):\n    imprimir_tabla(3)\n"
        'assert salida.getvalue() == "3 x 1 = 3\\n3 x 2 = 6\\n3 x 3 = 9\\n"',
        1,
    ),
    "valor_absoluto": (
        "property checks in a loop",
        "def valor_absoluto(x):\n    return x if x >= 0 else -x",
        "def valor_absoluto(x):\n    return x if x > -10 else -x",
        "for x in range(-20, 21):\n    assert valor_absoluto(x) >= 0\n"
        "    assert valor_absoluto(x) == abs(x)\n    assert valor_absoluto(-x) == valor_absoluto(x)",
        1,
    ),
    "aplicar": (
        "the test's own lambdas and builtins passed to the student's function",
        "def aplicar(f, xs):\n    return [f(x) for x in xs]",
        "def aplicar(f, xs):\n    return list(xs)",
        "assert aplicar(lambda x: x**2, [1, 2, 3]) == [1, 4, 9]\n"
        'assert aplicar(str.upper, ["a", "b"]) == ["A", "B"]',
        1,
    ),
    "derivada": (
        "a callback: numerical derivative of the test's function",
        "def derivada(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / (2 * h)",
        "def derivada(f, x, h=1e-1):\n    return (f(x + h) - f(x)) / h",
        "assert math.isclose(derivada(lambda x: x**3, 2.0), 12.0, rel_tol=1e-4)\n"
        "assert math.isclose(derivada(math.sin, 0.0), 1.0, rel_tol=1e-4)",
        1,
    ),
    "biseccion": (
        "a callback in a loop: bisection on the test's function",
        "def biseccion(f, a, b, tol):\n    while b - a > tol:\n        m = (a + b) / 2\n"
        "        if f(a) * f(m) <= 0:\n            b = m\n        else:\n            a = m\n"
        "    return (a + b) / 2",
        "def biseccion(f, a, b, tol):\n    return (a + b) / 2",
        "r = biseccion(lambda x: np.cos(x), 0.0, 2.0, 1e-9)\nassert abs(r - np.pi / 2) < 1e-6",
        1,
    ),
    "ajustar": (
        "np.polynomial.Polynomial returned (coef, call, method)",
        "from numpy.polynomial import Polynomial\n\n\ndef ajustar(x, y, grado):\n"
        "    return Polynomial.fit(x, y, grado).convert()",
        "from numpy.polynomial import Polynomial\n\n\ndef ajustar(x, y, grado):\n"
        "    return Polynomial.fit(x, y, grado - 1).convert()",
        "x = np.linspace(-1, 1, 20)\np = ajustar(x, 2 * x**2 - 1, 2)\n"
        "np.testing.assert_allclose(p.coef, [-1.0, 0.0, 2.0], atol=1e-8)\n"
        "assert math.isclose(p(0.5), -0.5, abs_tol=1e-8)\nassert p.degree() == 2",
        1,
    ),
    "graficar": (
        "a matplotlib figure returned and inspected",
        "import matplotlib.pyplot as plt\n\n\ndef graficar(x, y):\n"
        '    fig, ax = plt.subplots()\n    ax.plot(x, y)\n    ax.set_xlabel("x")\n'
        '    ax.set_title("Datos")\n    return fig',
        "import matplotlib.pyplot as plt\n\n\ndef graficar(x, y):\n"
        "    fig, ax = plt.subplots()\n    ax.plot(x, y)\n"
        '    ax.set_title("Datos")\n    return fig',
        "figura = graficar([0, 1, 2], [0, 1, 4])\nejes = figura.axes[0]\n"
        'assert len(ejes.lines) == 1\nassert ejes.get_xlabel() == "x"\n'
        'assert ejes.get_title() == "Datos"\n'
        'np.testing.assert_allclose(ejes.lines[0].get_ydata(), [0, 1, 4])\nplt.close("all")',
        1,
    ),
    "dias_entre": (
        "NumPy datetime64 arrays",
        "def dias_entre(fechas):\n    return np.diff(fechas).astype(int)",
        "def dias_entre(fechas):\n    return (fechas[1:] - fechas[0]).astype(int)",
        'fechas = np.array(["2024-01-01", "2024-01-31", "2024-03-01"], dtype="datetime64[D]")\n'
        "np.testing.assert_array_equal(dias_entre(fechas), [30, 30])",
        1,
    ),
    "mayusculas": (
        "NumPy string arrays",
        "def mayusculas(nombres):\n    return np.char.upper(nombres)",
        "def mayusculas(nombres):\n    return np.char.capitalize(nombres)",
        'np.testing.assert_array_equal(mayusculas(np.array(["ana", "luis"])), ["ANA", "LUIS"])',
        1,
    ),
    "mas_caro": (
        "NumPy structured arrays",
        'def mas_caro(productos):\n    return productos["nombre"][np.argmax(productos["precio"])]',
        'def mas_caro(productos):\n    return productos["nombre"][np.argmin(productos["precio"])]',
        'productos = np.array([("pan", 1.5), ("queso", 7.25), ("leche", 0.9)],\n'
        '                     dtype=[("nombre", "U10"), ("precio", "f8")])\n'
        'assert mas_caro(productos) == "queso"',
        1,
    ),
    "contar_palabras": (
        "a Counter compared with a dict, then used",
        "from collections import Counter\n\n\ndef contar_palabras(texto):\n"
        "    return Counter(texto.lower().split())",
        "from collections import Counter\n\n\ndef contar_palabras(texto):\n"
        "    return Counter(texto.split())",
        'conteo = contar_palabras("a b A c b a")\nassert conteo == {"a": 3, "b": 2, "c": 1}\n'
        'assert conteo.most_common(1) == [("a", 3)]',
        1,
    ),
    "unicos": (
        "a set result",
        "def unicos(xs):\n    return set(xs)",
        "def unicos(xs):\n    return list(set(xs))",
        "assert unicos([1, 2, 2, 3]) == {1, 2, 3}",
        1,
    ),
    "ordenar": (
        "a timing test",
        "def ordenar(xs):\n    return sorted(xs)",
        "def ordenar(xs):\n    return sorted(xs, reverse=True)",
        "import time\n\ndatos = list(range(20000, 0, -1))\ninicio = time.perf_counter()\n"
        "resultado = ordenar(datos)\nduracion = time.perf_counter() - inicio\n"
        "assert resultado == sorted(datos)\nassert duracion < 30.0",
        1,
    ),
    "muestra": (
        "a seeded random generator passed in",
        "def muestra(rng, n):\n    return rng.normal(size=n)",
        "def muestra(rng, n):\n    return np.random.normal(size=n)",
        "a = muestra(np.random.default_rng(0), 5)\nb = np.random.default_rng(0).normal(size=5)\n"
        "np.testing.assert_allclose(a, b)",
        1,
    ),
    "escalar_en_sitio": (
        "an array changed in place",
        "def escalar_en_sitio(v, k):\n    v *= k",
        "def escalar_en_sitio(v, k):\n    return v * k",
        "v = np.array([1.0, 2.0])\nassert escalar_en_sitio(v, 3) is None\n"
        "np.testing.assert_allclose(v, [3.0, 6.0])",
        1,
    ),
    "estadisticas": (
        "a dict result",
        'def estadisticas(xs):\n    return {"min": min(xs), "max": max(xs), "media": sum(xs) / len(xs)}',
        'def estadisticas(xs):\n    return {"min": min(xs), "max": min(xs), "media": sum(xs) / len(xs)}',
        'assert estadisticas([1, 2, 3]) == {"min": 1, "max": 3, "media": 2.0}',
        1,
    ),
    "mediana": (
        "a module alias imported by the answer, used by the test",
        "import statistics as st\n\n\ndef mediana(xs):\n    return st.median(xs)",
        "import statistics as st\n\n\ndef mediana(xs):\n    return sorted(xs)[0]",
        "assert mediana([3, 1, 2]) == st.median([1, 2, 3]) == 2",
        1,
    ),
    "resolver": (
        "a library exception (numpy.linalg.LinAlgError) expected",
        "def resolver(A, b):\n    return np.linalg.solve(A, b)",
        "def resolver(A, b):\n    return np.linalg.lstsq(A, b, rcond=None)[0]",
        "np.testing.assert_allclose(resolver(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0])),"
        " [1.0, 0.5])\nwith pytest.raises(np.linalg.LinAlgError):\n"
        "    resolver(np.zeros((2, 2)), np.ones(2))",
        1,
    ),
}


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=0):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def notebook(cells):
    """A Python 3 notebook of ``cells``."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def idioms_notebook():
    """The source notebook: setup, then an answer cell and a test cell per idiom."""
    cells = [
        new_markdown_cell("# Modismos de prueba", metadata=_meta("intro", locked=True)),
        new_code_cell(SETUP, metadata=_meta("setup", locked=True)),
    ]
    for grade_id, (idiom, solution, _, test, points) in IDIOMS.items():
        cells.append(
            new_markdown_cell(
                f"## {grade_id}: {idiom}", metadata=_meta(f"md_{grade_id}", locked=True)
            )
        )
        cells.append(
            new_code_cell(
                f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION",
                metadata=_meta(grade_id, solution=True),
            )
        )
        cells.append(
            new_code_cell(
                test, metadata=_meta(f"test_{grade_id}", grade=True, locked=True, points=points)
            )
        )
    return notebook(cells)


HEADER = notebook([new_markdown_cell("# Curso de fidelidad\n\nNombre: ESCRIBE TU NOMBRE AQUÍ")])

if __name__ == "__main__":
    folder = HERE / "source" / "idioms"
    folder.mkdir(parents=True, exist_ok=True)
    nb = idioms_notebook()
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"  # stable ids: the committed files do not change on rebuild
    HEADER.cells[0].id = "h0"
    nbformat.write(nb, folder / "idioms.ipynb")
    nbformat.write(HEADER, HERE / "source" / "header.ipynb")
