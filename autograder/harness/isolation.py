"""Cascade isolation: one mistake costs the points of its own function only.

When a test cell grades ``nn_model``, a wrong ``backward_propagation`` should
not cost ``nn_model``'s points as well: it already costs its own. So while a
test cell runs, every graded function that the cell does not name itself is
bound, in the student's kernel, to the *reference* version, the source's
solution executed here in the harness and reached from the kernel through a
callback. The student's ``nn_model`` then calls the reference helpers; the
test still calls the student's own functions (it holds them by handle, not by
name), and the kernel's names are put back when the cell ends.

Which functions are references in a test cell (:func:`bindings`):

- graded functions: the top-level ``def`` statements of the source's answer
  cells (classes are graded as a whole and never replaced);
- only those whose answer cell comes before the test cell, and never the
  functions under test: those the cell names (as a name, or as a string:
  ``globals()["f"]``) that were defined last. A function under test is
  always the student's own and cannot call its own reference;
- the test's own calls to a helper use the reference too, so the expected
  values it computes do not carry the student's other mistakes;
- none in a cell marked end to end (``metadata.autograder.end_to_end``): an
  integration check (training reaches the accuracy bar) grades the student's
  functions together, as the course asks, and names the ones to look at.

The cost, by design: during a test cell the kernel can call the reference
versions of the graded functions that precede the ones under test. It
learns their answers on inputs of its choosing, never the text of the
solutions, and never a reference of a function the cell tests.
"""

from __future__ import annotations

import ast
from typing import Any

from nbformat import NotebookNode

from . import plan as planning


def end_to_end(cell: NotebookNode) -> bool:
    """Tell whether a (trusted) test cell is an integration check, run without isolation."""
    return bool((cell.get("metadata", {}).get("autograder") or {}).get("end_to_end"))


def graded_functions(cells: list[tuple[int, str]]) -> dict[str, int]:
    """Return ``{function name: index of the first answer cell defining it}``.

    Parameters
    ----------
    cells : list of (int, str)
        The answer cells, as (index in the notebook, text).
    """
    found: dict[str, int] = {}
    for index, text in cells:
        tree = planning._code(text)
        for node in tree.body if tree is not None else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(node.name, index)
    return found


def bindings(
    functions: dict[str, int], test_cells: dict[int, str], e2e: set[int]
) -> dict[int, frozenset[str]]:
    """Return, per test cell index, the graded functions that stand in as references there.

    The functions under test in a cell are the graded functions it names
    (as names or strings) that were defined last, in the latest answer cell
    among them; they stay the student's. Every other graded function
    defined before the cell is a helper there: the reference, both for the
    student's code and for the test's own calls (a test of ``nn_model``
    that computes its expected cost with ``compute_cost`` uses the right
    one).
    """
    bound = {}
    for index, text in test_cells.items():
        if index in e2e:
            continue
        named = planning.loaded_names(text) | _strings(text)
        earlier = {f: at for f, at in functions.items() if at < index}
        latest = max((at for f, at in earlier.items() if f in named), default=None)
        names = frozenset(f for f, at in earlier.items() if at != latest)
        if names:
            bound[index] = names
    return bound


def _strings(text: str) -> set[str]:
    """Return the string constants of a cell (a test may reach a function by name: ``globals()[n]``)."""
    tree = planning._code(text)
    if tree is None:
        return set()
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def reference_code(texts: list[str]) -> str:
    """Return the definitions (imports, functions, classes) of the solutions, as one text.

    Statements that would run something (a training call in an answer cell)
    are left out: the references are only defined, never run, here.
    """
    kept = []
    for text in texts:
        tree = planning._code(text)
        for node in tree.body if tree is not None else ():
            if isinstance(
                node,
                (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom),
            ):
                kept.append(ast.unparse(node))
    return "\n\n".join(kept)


def reference_namespace(base: dict[str, Any], code: str, exclude: set[str]) -> dict[str, Any]:
    """Execute the reference definitions over a copy of the harness's instructor namespace.

    ``exclude`` are the names the harness took from the student's kernel:
    the references never see the student's objects, only the instructor's
    data and helpers and each other.
    """
    namespace = {k: v for k, v in base.items() if k not in exclude}
    exec(compile(code, "<referencias>", "exec"), namespace)  # noqa: S102  (the instructor's source)
    return namespace
