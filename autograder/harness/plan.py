"""Which cells run where: the student's kernel, the trusted harness, or both.

The roles come from the instructor's source notebook, never from what a
submission claims about itself:

- ``student``: answer cells and cells the student added. They run in the
  kernel only.
- ``instructor``: the instructor's other code cells (setup, data loading,
  training, plots). They run in the kernel (the student's later cells need
  their variables) and again in the harness, from the source's text, so
  that the data the tests use comes from trusted code.
- ``test``: autograded test cells, visible and hidden. They run in the
  harness only: the kernel never sees a hidden test.

A cell of the submission counts as the instructor's only when its text is
the source's (graded and locked cells, which nbgrader restores) or when it
matches a source cell by id (plain cells, whose text is then reset to the
source's). Instructor cells a student deleted are put back where they were.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

STUDENT, INSTRUCTOR, TEST = "student", "instructor", "test"

RESTORED_NOTE = "# Esta celda del profesor faltaba en tu entrega; se restauró para calificar.\n"


def _nbgrader(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def source_role(cell: NotebookNode) -> str:
    """Return the role of a cell of a trusted (source) notebook."""
    meta = _nbgrader(cell)
    if meta.get("solution"):
        return STUDENT
    if meta.get("grade"):
        return TEST
    return INSTRUCTOR


def _code(text: str) -> ast.Module | None:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def top_level_names(text: str) -> set[str]:
    """Return the names a cell binds at its top level (assignments, defs, classes, imports)."""
    tree = _code(text)
    if tree is None:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
    return names


def imported_names(text: str) -> set[str]:
    """Return the names a cell binds with ``import`` at its top level."""
    tree = _code(text)
    if tree is None:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return names


#: Modules a student's cell may import, under their own name or :data:`ALIASES`, for the
#: tests to use (``import numpy as np`` in an answer, ``np`` in a test): the harness imports
#: its own copy. Any import the source's answer cells make is allowed too, exactly as written
#: there (see :attr:`Plan.imports`).
ALLOWED_MODULES = frozenset(
    {"numpy", "numpy.linalg", "numpy.random", "numpy.testing", "numpy.polynomial", "numpy.fft"}
    | {"numpy.polynomial.polynomial", "pandas", "pandas.testing", "scipy", "scipy.stats"}
    | {"scipy.optimize", "scipy.linalg", "scipy.integrate", "scipy.interpolate", "scipy.special"}
    | {"matplotlib", "matplotlib.pyplot", "math", "cmath", "statistics", "itertools"}
    | {"functools", "collections", "collections.abc", "operator", "string", "re", "json", "csv"}
    | {"fractions", "decimal", "datetime", "heapq", "bisect", "copy", "types", "typing"}
    | {"dataclasses", "enum", "numbers", "textwrap", "unicodedata", "time", "random"}
)


#: The conventional short names of allowed modules.
ALIASES = {
    "numpy": "np",
    "pandas": "pd",
    "matplotlib.pyplot": "plt",
    "matplotlib": "mpl",
    "scipy": "sp",
    "scipy.stats": "stats",
    "statistics": "st",
}


def allowed_import(binding: tuple[str, str | None, str], imports: set) -> bool:
    """Return whether the harness may bind a student's import ``(module, attribute, name)``.

    It may when the source's answer cells make the same import (``imports``),
    or when it imports a module of :data:`ALLOWED_MODULES` as itself (``import
    numpy``, ``import numpy.linalg``) or under its conventional alias
    (``import numpy as np``). Taking a function out of a module (``from math
    import isclose as all``) only as the source does: a student's import may
    never give a test's name another meaning.
    """
    module, attribute, name = binding
    if binding in imports:
        return True
    if module not in ALLOWED_MODULES:
        return False
    if attribute is None:  # import a.b: binds a
        return True
    if attribute == "":  # import a.b as x
        return name in (module.rsplit(".", 1)[-1], ALIASES.get(module))
    full = f"{module}.{attribute}"  # from a import b: only a submodule, under its name or alias
    return full in ALLOWED_MODULES and name in (attribute, ALIASES.get(full))


def module_imports(text: str) -> list[tuple[str, str | None, str]]:
    """Return the top-level imports of a cell as ``(module, attribute, bound name)``.

    ``import a.b`` gives ``("a.b", None, "a")`` (the name is bound to ``a``),
    ``import a.b as x`` gives ``("a.b", "", "x")`` and ``from a import b as
    c`` gives ``("a", "b", "c")``. Relative and star imports are left out.
    """
    tree = _code(text)
    if tree is None:
        return []
    found: list[tuple[str, str | None, str]] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found.append((alias.name, "", alias.asname))
                else:
                    found.append((alias.name, None, alias.name.split(".")[0]))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    found.append((node.module, alias.name, alias.asname or alias.name))
    return found


@dataclass
class Plan:
    """The execution plan of a notebook.

    Attributes
    ----------
    roles : list of str
        The role of every cell (markdown cells are ``student``: they do not run).
    trusted : dict
        Cell index -> the trusted text the harness runs (instructor and test cells).
    interface : set of str
        Names the source's answer cells define: the harness takes them from the kernel.
    skip : set of int
        Instructor cells the harness need not run: nothing a test uses depends on them
        (plots, explorations). They still run in the kernel.
    isolate : dict
        Test cell index -> the graded functions bound to their references while it runs,
        in the kernel and in the harness (see :mod:`autograder.harness.isolation`).
    helpers : dict
        Test cell index -> the graded functions bound to their references in the harness
        only, for the test's own calls.
    reference : str
        The definitions of the source's solutions, the references of those functions.
    imports : set of tuple
        The imports of the source's answer cells, as :func:`module_imports` gives
        them: a student's import may bring these into the harness (see
        :func:`allowed_import`).
    trusted_names : set of str
        Names the instructor's and test cells bind: a student's import never rebinds them.
    """

    roles: list[str] = field(default_factory=list)
    skip: set[int] = field(default_factory=set)
    trusted: dict[int, str] = field(default_factory=dict)
    interface: set[str] = field(default_factory=set)
    answer_names: dict[int, set[str]] = field(default_factory=dict)
    isolate: dict[int, frozenset[str]] = field(default_factory=dict)
    helpers: dict[int, frozenset[str]] = field(default_factory=dict)
    reference: str = ""
    imports: set[tuple] = field(default_factory=set)
    trusted_names: set[str] = field(default_factory=set)


def _key(cell: NotebookNode) -> tuple[str, str] | None:
    meta = _nbgrader(cell)
    if meta.get("grade_id"):
        return ("grade_id", meta["grade_id"])
    if cell.get("id"):
        return ("id", cell["id"])
    return None


def make_plan(
    nb: NotebookNode, source: NotebookNode | None = None, reference: NotebookNode | None = None
) -> Plan:
    """Assign roles to the cells of ``nb`` (modified in place) from its ``source``.

    Without a source, ``nb`` is itself trusted (the instructor's notebook,
    as ``autograder validate`` runs it). With one, instructor cells missing
    from ``nb`` are inserted, and the text of every instructor cell is the
    source's. The references of the graded functions come from the answer
    cells of ``reference`` (by default the source, or the trusted ``nb``
    itself); a notebook of many mutants gives its source here.
    """
    plan = _roles(nb, source)
    for cell in (source or nb).cells:
        if cell.cell_type == "code" and source_role(cell) == STUDENT:
            plan.imports |= set(module_imports(cell.source))
    for text in plan.trusted.values():
        plan.trusted_names |= top_level_names(text)
    _plan_isolation(nb, source, reference, plan)
    plan.skip = _unneeded(nb, plan)
    return plan


def _plan_isolation(nb, source, reference, plan: Plan) -> None:
    from . import isolation

    reference = reference if reference is not None else source if source is not None else nb
    solutions = [c for c in reference.cells if c.cell_type == "code" and source_role(c) == STUDENT]
    plan.reference = isolation.reference_code([c.source for c in solutions])
    defined = isolation.graded_functions([(0, plan.reference)])
    functions: dict[str, int] = {}
    for index in sorted(plan.answer_names):  # where the notebook defines them
        for name in plan.answer_names[index] & set(defined):
            functions.setdefault(name, index)
    position = {_key(c): i for i, c in enumerate(nb.cells) if _key(c) is not None}
    for cell in solutions:  # or where their answer cell is, even if the student left it empty
        index = position.get(_key(cell))
        for name in isolation.graded_functions([(0, cell.source)]):
            if index is not None and plan.roles[index] == STUDENT:
                functions[name] = min(functions.get(name, index), index)
    origins = {_key(c): c for c in (source or nb).cells if _key(c) is not None}
    tests, e2e, fresh, cells = {}, set(), {}, []
    for index, role in enumerate(plan.roles):
        if nb.cells[index].cell_type != "code":
            continue
        if role == STUDENT:
            cells.append((index, "student", nb.cells[index].source))
            continue
        origin = origins.get(_key(nb.cells[index]), nb.cells[index]) if source else nb.cells[index]
        kind = "instructor"
        if role == TEST:
            tests[index] = plan.trusted[index]
            kind = "test"
            if isolation.end_to_end(origin):
                e2e.add(index)
                fresh[index] = isolation.fresh_inputs(origin)
                kind = "e2e"
        cells.append((index, kind, plan.trusted[index]))
    later = isolation.graded_later(cells, set(defined), fresh)
    graph = isolation.call_graph(plan.reference)
    chosen = isolation.bindings(functions, tests, e2e, graph, later)
    plan.isolate, plan.helpers = chosen.kernel, chosen.helpers


def _roles(nb: NotebookNode, source: NotebookNode | None) -> Plan:
    plan = Plan()
    if source is None:
        for cell in nb.cells:
            role = source_role(cell) if cell.cell_type == "code" else STUDENT
            plan.roles.append(role)
        for index, (cell, role) in enumerate(zip(nb.cells, plan.roles, strict=True)):
            if role != STUDENT:
                plan.trusted[index] = cell.source
            elif cell.cell_type == "code" and _nbgrader(cell).get("solution"):
                plan.answer_names[index] = top_level_names(cell.source) - imported_names(
                    cell.source
                )
        plan.interface = set().union(*plan.answer_names.values()) if plan.answer_names else set()
        return plan

    source_cells = {_key(c): c for c in source.cells if _key(c) is not None}
    _restore_missing(nb, source)
    for cell in nb.cells:
        key = _key(cell)
        origin = source_cells.get(key) if key is not None else None
        if cell.cell_type != "code" or origin is None or origin.cell_type != "code":
            plan.roles.append(STUDENT)
            continue
        role = source_role(origin)
        if role == STUDENT:
            plan.roles.append(STUDENT)
            continue
        meta = _nbgrader(cell)
        if key[0] == "grade_id" and cell.source != origin.source:
            # a graded or locked cell whose text nbgrader did not restore: not the instructor's
            plan.roles.append(STUDENT)
            continue
        if key[0] == "id" and meta.get("grade_id") is None:
            cell.source = origin.source  # a plain instructor cell: the source's text runs
        plan.roles.append(role)
    for index, (cell, role) in enumerate(zip(nb.cells, plan.roles, strict=True)):
        if role != STUDENT:
            plan.trusted[index] = cell.source
    for cell in source.cells:
        if cell.cell_type == "code" and source_role(cell) == STUDENT:
            names = top_level_names(cell.source) - imported_names(cell.source)
            plan.interface |= names
    for index, cell in enumerate(nb.cells):
        key = _key(cell)
        origin = source_cells.get(key) if key is not None else None
        if origin is not None and origin.cell_type == "code" and source_role(origin) == STUDENT:
            plan.answer_names[index] = top_level_names(origin.source) - imported_names(
                origin.source
            )
    return plan


#: Built-ins that reach a namespace by name: a cell (or function) calling them may change anything.
DYNAMIC = frozenset({"globals", "vars", "exec", "eval", "setattr", "delattr", "__import__"})
#: Stands for "any global" among the effects of a function.
ANYTHING = "*"

#: Methods of dicts, lists and arrays that only read their object.
READING_METHODS = frozenset(
    {"items", "keys", "values", "get", "copy", "index", "count", "astype", "reshape", "ravel"}
    | {"flatten", "sum", "mean", "std", "min", "max", "argmax", "argmin", "round", "item"}
    | {"tolist", "format", "join", "startswith", "endswith", "split", "strip", "upper", "lower"}
)


def _mutated_names(text: str) -> set[str]:
    """Names a cell may change without rebinding them: ``x[i] = ...``, ``x.a = ...``, ``x.m(...)``."""
    tree = _code(text)
    if tree is None:
        return set()
    names = set()
    for node in ast.walk(tree):
        target = None
        if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, ast.Store):
            target = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr not in READING_METHODS
        ):
            target = node.func.value
        elif isinstance(node, ast.AugAssign):
            target = node.target
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        if isinstance(target, ast.Name):
            names.add(target.id)
    return names


def _unneeded(nb: NotebookNode, plan: Plan) -> set[int]:
    """Instructor cells whose effects no later test (or needed instructor cell) can see.

    Walking backwards from the last cell, a cell is needed when it binds or
    changes a name that a later needed cell reads, when it binds nothing at
    all (a side effect such as seeding), or when it calls a function of the
    notebook (which may change anything it reaches). Modules are never
    considered changed by a call (``np.dot`` does not change ``np``), except
    the seeding calls of NumPy and Keras. What remains skippable are plots
    and printouts built from library calls.
    """
    defined = set(plan.interface)
    for cell in nb.cells:
        if cell.cell_type == "code":
            defined |= top_level_names(cell.source) - imported_names(cell.source)
    effects = _function_effects(nb, plan)
    # an isolated test cell also runs the references, which read the instructor's helpers
    reference_reads = loaded_names(plan.reference)
    needed: set[str] = set()
    skip: set[int] = set()
    later_runs = False  # does any later cell run in the harness?
    for index in range(len(nb.cells) - 1, -1, -1):
        role = plan.roles[index]
        if role == STUDENT:
            continue
        text = plan.trusted[index]
        if role == INSTRUCTOR:
            if not later_runs:  # after the last test: nothing it does can reach a verdict
                skip.add(index)
                continue
            imports = imported_names(text)
            binds = top_level_names(text)
            changes = _mutated_names(text) - _modules_in(nb, index)
            seeds = "seed" in text
            calls = _called_names(text) & defined
            # a call can change what it is given, and the globals its function changes
            changed_by_calls = set().union(*(effects.get(name, set()) for name in calls))
            risky_calls = calls and (
                loaded_names(text) & needed
                or changed_by_calls & needed
                or ANYTHING in changed_by_calls
            )
            if _called_names(text) & DYNAMIC:  # globals().update(...): anything may change
                risky_calls = True
            if binds and not seeds and not risky_calls and not (binds | changes) & needed:
                skip.add(index)
                continue
            needed -= binds - imports
        needed |= loaded_names(text)
        if index in plan.isolate or index in plan.helpers:
            needed |= reference_reads
        later_runs = True
    return skip


def _function_effects(nb: NotebookNode, plan: Plan) -> dict[str, set[str]]:
    """Globals each of the instructor's functions may change, directly or through the others.

    A function changes a global when it declares it ``global``/``nonlocal``
    or changes a name it does not bind itself (``agreement[label] = ...``).
    The student's functions run in the kernel, which reaches the harness's
    objects only through the arguments it is given (see the caller's rule).
    """
    effects: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or plan.roles[index] == STUDENT:
            continue
        tree = _code(plan.trusted.get(index, cell.source))
        if tree is None:
            continue
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            text = ast.unparse(node)
            local = {
                sub.id
                for sub in ast.walk(node)
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store)
            } | {sub.arg for sub in ast.walk(node) if isinstance(sub, ast.arg)}
            declared = {
                name
                for sub in ast.walk(node)
                if isinstance(sub, (ast.Global, ast.Nonlocal))
                for name in sub.names
            }
            effects[node.name] = declared | (_mutated_names(text) - local)
            if _called_names(text) & DYNAMIC:
                effects[node.name].add(ANYTHING)
            calls[node.name] = _called_names(text)
    for _ in range(len(effects)):  # close over calls between the instructor's functions
        changed = False
        for name, called in calls.items():
            more = set().union(*(effects.get(c, set()) for c in called)) - effects[name]
            if more:
                effects[name] |= more
                changed = True
        if not changed:
            break
    return effects


def _called_names(text: str) -> set[str]:
    """Names a cell calls directly: ``f(...)``."""
    tree = _code(text)
    if tree is None:
        return set()
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def _modules_in(nb: NotebookNode, index: int) -> set[str]:
    names = set()
    for cell in nb.cells[: index + 1]:
        if cell.cell_type == "code":
            names |= imported_names(cell.source)
    return names


def _restore_missing(nb: NotebookNode, source: NotebookNode) -> None:
    """Put back the instructor's plain and locked code cells a student deleted."""
    present = {_key(c) for c in nb.cells if _key(c) is not None}
    position = -1  # index in nb after which the next source cell goes
    for cell in source.cells:
        key = _key(cell)
        if key in present:
            position = next(i for i, c in enumerate(nb.cells) if _key(c) == key)
            continue
        if cell.cell_type != "code" or source_role(cell) != INSTRUCTOR or key is None:
            continue
        restored = new_code_cell(cell.source)
        restored.metadata = cell.metadata.copy()
        if cell.get("id"):
            restored.id = cell.id
        restored.metadata["autograder"] = {"restored": True}
        nb.cells.insert(position + 1, restored)
        position += 1
        present.add(key)


def loaded_names(text: str) -> set[str]:
    """Return every name a cell reads, in any scope (a superset of its free names)."""
    tree = _code(text)
    if tree is None:
        return set()
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    } - set(dir(builtins))
