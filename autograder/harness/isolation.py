"""Cascade isolation, without an oracle: one mistake costs once, and no reference answers for the student.

When a test cell grades ``nn_model``, a wrong ``backward_propagation``
should not cost ``nn_model``'s points as well: it already costs its own.
So while a test cell runs, some graded functions are *bound*: in the
student's kernel their names reach the reference (the source's solution,
executed here in the harness, reached from the kernel through a callback)
until the cell ends. A bound reference is also an oracle: the kernel can
call it on inputs of its choosing and keep the answers. The rule below
binds only what the cell needs and never what a later cell grades
(:func:`bindings`).

Definitions, for a test cell ``T`` (all from the trusted source, never the
submission):

- *graded functions*: the top-level ``def`` statements of the source's
  answer cells (classes are graded as a whole and never replaced);
- *functions under test* ``U(T)``: the graded functions ``T`` names (as a
  name, or as a string: ``globals()["f"]``) that were defined last, in the
  latest answer cell before ``T`` among them;
- *call graph*: ``f -> g`` when the reference of ``f`` names graded
  function ``g`` (a call or a callback argument), read with :mod:`ast`;
- *needed* ``N(T)``: the graded functions the references of ``U(T)`` reach
  in the call graph, transitively;
- *callers* ``C(T)``: the graded functions whose reference reaches a
  function of ``U(T)``;
- *graded later* ``L(T)``: the graded functions whose result a later cell
  grades: those a later end-to-end cell names directly, and those named by
  a top-level statement of a later instructor cell that such a cell
  depends on (the statement binds or changes a name the end-to-end cell,
  or a statement it depends on, reads). An end-to-end cell may declare in
  ``metadata.autograder.fresh_inputs`` the functions it calls only on
  inputs drawn while it runs (no earlier cell can know them, so no answer
  kept from a reference can match); those are not graded later through it.

The kernel binds ``(N(T) - U(T) - C(T) - L(T))``, restricted to functions
defined before ``T``; nothing in an end-to-end cell. So a function under
test never reaches its own reference, nor one that calls it, nor one whose
answer on the instructor's data a later end-to-end cell needs.

The test's own calls to the other earlier graded functions it calls use
the references in the harness only (:attr:`Isolation.helpers`), so the
expected values it computes do not carry the student's other mistakes;
the kernel never reaches them (a function the test passes on, rather than
calls, stays the student's: a callback would reach the reference).

The cost: while a test cell runs, the kernel can call the bound references
(the helpers the reference of the function under test uses) on inputs of
its choosing; it never sees their code, the callbacks die with the cell,
and none of them answers what that cell or a later end-to-end cell asks.
Where a student's function under test calls a graded function its
reference does not use, the student's own runs.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode

from . import plan as planning


def end_to_end(cell: NotebookNode) -> bool:
    """Tell whether a (trusted) test cell is an integration check, run without isolation."""
    return bool(_meta(cell).get("end_to_end"))


def fresh_inputs(cell: NotebookNode) -> frozenset[str]:
    """Return the functions an end-to-end cell declares it calls only on inputs drawn while it runs."""
    return frozenset(_meta(cell).get("fresh_inputs") or ())


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("autograder") or {}


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


def call_graph(reference: str) -> dict[str, frozenset[str]]:
    """Return ``{graded function: the graded functions its reference names}``.

    Parameters
    ----------
    reference : str
        The reference definitions (:func:`reference_code`).
    """
    tree = planning._code(reference)
    defs = [
        node
        for node in (tree.body if tree is not None else ())
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    names = {node.name for node in defs}
    graph: dict[str, frozenset[str]] = {}
    for node in defs:
        loaded = {
            sub.id
            for sub in ast.walk(node)
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)
        }
        graph[node.name] = frozenset((loaded & names) - {node.name})
    return graph


def reach(graph: dict[str, frozenset[str]], start: set[str]) -> set[str]:
    """Return the graded functions ``start`` reaches in ``graph`` (itself only through a cycle)."""
    seen: set[str] = set()
    todo = [g for f in start for g in graph.get(f, ())]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


@dataclass
class Isolation:
    """What stands in as a reference while each test cell runs (see the module docstring).

    Attributes
    ----------
    kernel : dict
        Test cell index -> the graded functions bound, in the kernel and in
        the harness, to their references.
    helpers : dict
        Test cell index -> the graded functions bound to their references in
        the harness only, for the test's own calls.
    under_test, graded_later : dict
        Test cell index -> ``U(T)`` and ``L(T)``, kept for the proof and the docs.
    """

    kernel: dict[int, frozenset[str]] = field(default_factory=dict)
    helpers: dict[int, frozenset[str]] = field(default_factory=dict)
    under_test: dict[int, frozenset[str]] = field(default_factory=dict)
    graded_later: dict[int, frozenset[str]] = field(default_factory=dict)


def under_test(functions: dict[str, int], text: str, index: int) -> frozenset[str]:
    """``U(T)``: the graded functions a test cell names that were defined last before it."""
    named = planning.loaded_names(text) | _strings(text)
    earlier = {f: at for f, at in functions.items() if at < index}
    latest = max((at for f, at in earlier.items() if f in named), default=None)
    return frozenset(f for f, at in earlier.items() if at == latest)


def bindings(
    functions: dict[str, int],
    test_cells: dict[int, str],
    e2e: set[int],
    graph: dict[str, frozenset[str]] | None = None,
    later: dict[int, frozenset[str]] | None = None,
) -> Isolation:
    """Return, per test cell index, the references bound in the kernel and in the harness.

    Parameters
    ----------
    functions : dict
        Graded function -> index of the answer cell defining it.
    test_cells : dict
        Test cell index -> its trusted text.
    e2e : set of int
        The end-to-end test cells (nothing is bound there).
    graph : dict, optional
        The call graph of the references (:func:`call_graph`); without it,
        no function needs another and nothing is bound in the kernel.
    later : dict, optional
        Test cell index -> ``L(T)`` (:func:`graded_later`).
    """
    graph = graph or {}
    later = later or {}
    result = Isolation()
    for index, text in test_cells.items():
        if index in e2e:
            continue
        tested = under_test(functions, text, index)
        earlier = {f for f, at in functions.items() if at < index}
        callers = {f for f in graph if reach(graph, {f}) & tested}
        forbidden = set(tested) | callers | set(later.get(index, ()))
        kernel = frozenset((reach(graph, set(tested)) & earlier) - forbidden)
        named = _called_only(text) & earlier
        helpers = frozenset(named - tested - kernel - _passed(text))
        result.under_test[index] = tested
        result.graded_later[index] = frozenset(later.get(index, ()))
        if kernel:
            result.kernel[index] = kernel
        if helpers:
            result.helpers[index] = helpers
    return result


def graded_later(
    cells: list[tuple[int, str, str]], functions: set[str], fresh: dict[int, frozenset[str]]
) -> dict[int, frozenset[str]]:
    """``L(T)`` for every cell index: the graded functions whose result a later end-to-end cell grades.

    Walking back from the last cell, an end-to-end cell makes the graded
    functions it names *graded later* and the other names it reads
    *needed*; a top-level statement of an instructor cell that binds or
    changes a needed name makes the graded functions it names (directly, or
    through an instructor's function) graded later, and what it reads
    needed. Modules and the graded functions themselves are never needed
    values.

    Parameters
    ----------
    cells : list of (int, str, str)
        The notebook's code cells in order, as (index, kind, trusted text),
        kind ``"e2e"``, ``"test"``, ``"instructor"`` or ``"student"``.
    functions : set of str
        The graded functions.
    fresh : dict
        End-to-end cell index -> the functions it calls only on fresh inputs.
    """
    instructor_defs = _instructor_functions(cells, functions)
    ignored = set().union(*(_all_imports(text) for _, _, text in cells)) | functions | BUILTINS
    result: dict[int, frozenset[str]] = {}
    graded: set[str] = set()
    needed: set[str] = set()  # values a later end-to-end cell depends on
    for index, kind, text in reversed(cells):
        result[index] = frozenset(graded)
        tree = planning._code(text)
        if tree is None or kind not in ("e2e", "instructor"):
            continue
        if kind == "e2e":
            named = planning.loaded_names(text)
            graded |= _expand(named, instructor_defs, functions) - fresh.get(index, frozenset())
            needed |= _free_names(tree) - ignored
            continue
        for node in reversed(tree.body):
            piece = ast.unparse(node)
            binds = planning.top_level_names(piece) | planning._mutated_names(piece)
            if binds & needed:
                graded |= _expand(planning.loaded_names(piece), instructor_defs, functions)
                needed |= _free_names(node) - ignored
    return result


#: Built-in names: never a value a cell computes.
BUILTINS = frozenset(dir(builtins))


def _all_imports(text: str) -> set[str]:
    """Return the names a cell binds with ``import``, at any depth (``try: import ...``)."""
    tree = planning._code(text)
    return {
        (alias.asname or alias.name).split(".")[0]
        for node in (ast.walk(tree) if tree is not None else ())
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }


def _free_names(node: ast.AST) -> set[str]:
    """Names a piece of code reads and does not bind itself (an over-approximation of its inputs)."""
    loaded, bound = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (loaded if isinstance(sub.ctx, ast.Load) else bound).add(sub.id)
        elif isinstance(sub, ast.arg):
            bound.add(sub.arg)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(sub.name)
    return loaded - bound


def _instructor_functions(cells, functions: set[str]) -> dict[str, set[str]]:
    """Return the graded functions each of the instructor's own functions names."""
    found: dict[str, set[str]] = {}
    for _, kind, text in cells:
        if kind == "student":
            continue
        tree = planning._code(text)
        for node in tree.body if tree is not None else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[node.name] = planning.loaded_names(ast.unparse(node)) & functions
    return found


def _expand(named: set[str], instructor_defs: dict[str, set[str]], functions: set[str]) -> set[str]:
    out = named & functions
    for name in named & set(instructor_defs):
        out |= instructor_defs[name]
    return out


def _called_only(text: str) -> set[str]:
    """Names a cell calls: ``f(...)``."""
    return planning._called_names(text)


def _passed(text: str) -> set[str]:
    """Names a cell uses other than as the function of a call (passed on, stored, compared)."""
    tree = planning._code(text)
    if tree is None:
        return set()
    called = {
        id(node.func)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in called
    }


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
