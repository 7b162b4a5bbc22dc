"""Write the example course's source notebooks (run once: ``python tests/example_course/build.py``).

The course is shaped like nbgrader's documented example: assignment ``ps1``
with ``problem1.ipynb`` and ``problem2.ipynb``, a header notebook prepended by
``IncludeHeaderFooter``, and a data file (``data.csv``) that ``problem1`` reads.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


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


def answer(grade_id, source):
    """An autograded answer cell (solution between markers)."""
    return new_code_cell(source, metadata=_meta(grade_id, solution=True))


def test(grade_id, source, points):
    """A locked test cell worth ``points``."""
    return new_code_cell(source, metadata=_meta(grade_id, grade=True, locked=True, points=points))


def written(grade_id, source, points):
    """A manually graded written answer."""
    return new_markdown_cell(
        source, metadata=_meta(grade_id, grade=True, solution=True, points=points)
    )


def text(grade_id, source):
    """A locked markdown cell."""
    return new_markdown_cell(source, metadata=_meta(grade_id, locked=True))


def notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


PROBLEM1 = notebook(
    [
        text("intro1", "## Problema 1\n\nEscribe las funciones pedidas."),
        answer(
            "squares",
            "def squares(n):\n"
            '    """Return the squares of 1..n; ValueError when n < 1."""\n'
            "    ### BEGIN SOLUTION\n"
            "    if n < 1:\n"
            '        raise ValueError("n must be at least 1")\n'
            "    return [i**2 for i in range(1, n + 1)]\n"
            "    ### END SOLUTION",
        ),
        test(
            "correct_squares",
            'assert squares(1) == [1], "squares(1) debe ser [1]"\n'
            'assert squares(3) == [1, 4, 9], "squares(3) debe ser [1, 4, 9]"',
            1,
        ),
        test(
            "squares_invalid_input",
            "try:\n    squares(0)\nexcept ValueError:\n    pass\nelse:\n"
            '    raise AssertionError("squares(0) debe lanzar ValueError")\n'
            "### BEGIN HIDDEN TESTS\n"
            "try:\n    squares(-4)\nexcept ValueError:\n    pass\nelse:\n"
            '    raise AssertionError("squares(-4) debe lanzar ValueError")\n'
            "### END HIDDEN TESTS",
            1,
        ),
        answer(
            "sum_of_squares",
            "def sum_of_squares(n):\n"
            "    ### BEGIN SOLUTION\n"
            "    return sum(squares(n))\n"
            "    ### END SOLUTION",
        ),
        test(
            "correct_sum_of_squares",
            'assert sum_of_squares(1) == 1, "sum_of_squares(1) debe ser 1"\n'
            "### BEGIN HIDDEN TESTS\n"
            'assert sum_of_squares(10) == 385, "sum_of_squares(10) debe ser 385"\n'
            "### END HIDDEN TESTS",
            2,
        ),
        written(
            "sum_of_squares_equation",
            "¿Qué fórmula cerrada da la suma de los primeros $n$ cuadrados?\n\n"
            "### BEGIN SOLUTION\n$n(n+1)(2n+1)/6$\n### END SOLUTION",
            2,
        ),
        answer(
            "mean_value",
            "def mean_value():\n"
            '    """Return the mean of the column ``value`` of data.csv."""\n'
            "    import csv\n"
            "    ### BEGIN SOLUTION\n"
            '    with open("data.csv", newline="") as handle:\n'
            '        values = [float(row["value"]) for row in csv.DictReader(handle)]\n'
            "    return sum(values) / len(values)\n"
            "    ### END SOLUTION",
        ),
        test(
            "correct_mean_value",
            'assert abs(mean_value() - 2.5) < 1e-9, "la media de data.csv es 2.5"',
            1,
        ),
    ]
)

PROBLEM2 = notebook(
    [
        text("intro2", "## Problema 2"),
        answer(
            "cubes",
            "def cubes(n):\n"
            "    ### BEGIN SOLUTION\n"
            "    return [i**3 for i in range(1, n + 1)]\n"
            "    ### END SOLUTION",
        ),
        test(
            "correct_cubes",
            'assert cubes(2) == [1, 8], "cubes(2) debe ser [1, 8]"\n'
            "### BEGIN HIDDEN TESTS\n"
            'assert cubes(4) == [1, 8, 27, 64], "cubes(4) debe ser [1, 8, 27, 64]"\n'
            "### END HIDDEN TESTS",
            2,
        ),
        written(
            "cubes_answer",
            "¿Crece más rápido `cubes` o `squares`?\n\n"
            "### BEGIN SOLUTION\n`cubes`\n### END SOLUTION",
            1,
        ),
    ]
)

HEADER = notebook([new_markdown_cell("# Curso de ejemplo\n\nNombre: ESCRIBE TU NOMBRE AQUÍ")])

if __name__ == "__main__":
    folder = HERE / "source" / "ps1"
    folder.mkdir(parents=True, exist_ok=True)
    for i, nb in enumerate((PROBLEM1, PROBLEM2, HEADER)):
        for j, cell in enumerate(nb.cells):
            cell.id = f"c{i}-{j}"  # stable ids: the committed files do not change on rebuild
    nbformat.write(PROBLEM1, folder / "problem1.ipynb")
    nbformat.write(PROBLEM2, folder / "problem2.ipynb")
    nbformat.write(HEADER, HERE / "source" / "header.ipynb")
    (folder / "data.csv").write_text("name,value\na,1\nb,2\nc,3\nd,4\n")
