"""Mutation catalogues: every typical mistake fails its function's tests, every correct alternative passes them.

The mutants run through the real notebook, executed and scored by nbgrader's
own preprocessors. To fit the time budget, all the trials of an assignment
run in one kernel (:func:`autograder.mutation.trials_notebook`): each trial
replaces its answer cell in place, runs up to the last of its function's
test cells (one mistake per function runs through every later test cell,
for the cascade test), and the state is restored before the next one. The
test cells are split into their visible and hidden parts, so that one run
(:func:`catalogue_run`, cached per process; ``--dist loadgroup`` keeps an
assignment's tests in one process) serves the catalogue, cascade and
visible-catch tests, each listing every trial that misbehaves.

Correct alternatives are also run together, in a fresh kernel through the
rest of the notebook: round 0 substitutes every function's first
alternative at once (see :func:`test_first_alternatives_work_together`).
"""

import copy
import functools
import re

import nbformat
import pytest

from autograder import mutation
from autograder import nbgrader_tools as tools

from .catalogue import load_all
from .conftest import ROOT, source_nb

CATALOGUES = load_all()
MIN_MISTAKES, MIN_ALTERNATIVES = 4, 2
#: Share of an assignment's catalogued mistakes that its visible tests must catch (issue 16:
#: a student who passes every visible test rarely loses hidden points for a rule they were told).
MIN_VISIBLE_CATCH = 0.8
#: Assignments allowed below the bar, with the floor that keeps them from sliding back (none:
#: 1.6 rose above it with its visible rule checks).
VISIBLE_CATCH_FLOOR: dict[str, float] = {}
#: The assignments, each in its own xdist group: its catalogue tests share one run per process.
BY_ASSIGNMENT = [
    pytest.param(a, marks=pytest.mark.xdist_group(f"catalogue-{a}")) for a in sorted(CATALOGUES)
]
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[^\n]*\n?", re.S)


def _label(kind, cell_id, name):
    return f"{kind}:{cell_id}:{name}"


def visible_only(nb):
    """Return the notebook with every hidden-test block removed: the tests a student can run.

    This is what nbgrader's release does to the test cells, so a test cell of
    the result fails exactly when its visible part fails.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            cell.source = HIDDEN_BLOCK.sub("", cell.source)
    return nb


#: Grade id suffix of the visible part of a test cell split by :func:`split_visible`.
VISIBLE = "~visible"


def split_visible(nb):
    """Split every test cell with hidden tests in two: its visible part, then its hidden blocks.

    The visible cell (grade id ``t~visible``) is what a student's copy of the
    cell runs; the next cell (grade id ``t``) runs the hidden blocks in the
    same namespace. The original cell passes exactly when both do, so one
    run gives the verdicts of the full tests and of the visible ones.
    """
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        hidden = HIDDEN_BLOCK.findall(cell.source) if cell.cell_type == "code" else []
        if not (meta.get("grade") and hidden):
            cells.append(cell)
            continue
        visible = copy.deepcopy(cell)
        visible.source = HIDDEN_BLOCK.sub("", cell.source)
        visible.metadata.nbgrader.grade_id = meta["grade_id"] + VISIBLE
        cell.source = "".join(hidden)
        cells += [visible, cell]
    nb.cells = cells
    return nb


class Verdicts:
    """The verdicts of one trial on split test cells: full (visible and hidden) or visible only."""

    def __init__(self, results):
        self.results = results

    def passed(self, gid):
        """Whether the whole test cell ``gid`` passed."""
        visible = self.results.get(gid + VISIBLE)
        return self.results[gid].passed and (visible is None or visible.passed)

    def visible_passed(self, gid):
        """Whether the part of ``gid`` a student can see passed."""
        return self.results.get(gid + VISIBLE, self.results[gid]).passed

    def visible_error(self, gid):
        """The message of the part of ``gid`` a student can see, when it failed (else "")."""
        result = self.results.get(gid + VISIBLE, self.results[gid])
        return "" if result.passed else result.error

    def error(self, gid):
        """The messages of the failing parts of ``gid``."""
        parts = [self.results.get(gid + VISIBLE), self.results[gid]]
        return "\n".join(r.error for r in parts if r is not None and not r.passed)

    def lost(self, gid):
        """Points the whole cell ``gid`` lost (its hidden part carries the cell's points)."""
        result = self.results[gid]
        return 0.0 if self.passed(gid) else float(result.max_score)

    def cells(self):
        """The test cells of the trial (without the split suffix)."""
        return {gid.removesuffix(VISIBLE) for gid in self.results}


#: Where the catalogue tests write what they measured (git-ignored, like the cheat table).
REPORTS = ROOT / "reports" / "catalogue"


def _record(kind, assignment, text, capsys):
    """Print a measurement and keep it in ``reports/catalogue/<kind>-<assignment>.txt``."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{kind}-{assignment}.txt").write_text(text + "\n")
    with capsys.disabled():
        print(f"\n{kind} {assignment}: {text}")


def end_to_end_cells(assignment):
    """Grade ids of the assignment's integration checks (``metadata.autograder.end_to_end``)."""
    return {
        mutation.grade_id(c)
        for c in source_nb(assignment).cells
        if (c.get("metadata", {}).get("autograder") or {}).get("end_to_end")
    }


def later_test_cells(assignment, cell_id, end_to_end=True):
    """Grade ids of the test cells after answer cell ``cell_id`` (without the integration checks)."""
    cells = source_nb(assignment).cells
    order = [mutation.grade_id(c) for c in cells if mutation.grade_id(c)]
    tests = {
        mutation.grade_id(c)
        for c in cells
        if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade")
    }
    if not end_to_end:
        tests -= end_to_end_cells(assignment)
    return [g for g in order[order.index(cell_id) + 1 :] if g in tests]


def cascade_mistake(assignment, cell_id):
    """The mistake of ``cell_id`` run through every later test cell (the first, unless chosen)."""
    module = CATALOGUES[assignment]
    chosen = getattr(module, "CASCADE_MISTAKES", {})
    return chosen.get(cell_id, next(iter(module.CATALOGUE[cell_id]["mistakes"])))


@functools.cache
def catalogue_run(assignment):
    """Run every trial of an assignment's catalogue once, in one kernel; verdicts by trial label.

    Mistakes run to the last of their function's test cells, except one per
    function (:func:`cascade_mistake`) and the ``CASCADE_EXTRA`` ones, which
    run through every later test cell that is not end to end: they prove
    that a wrong function costs no other function's points.
    """
    nb = source_nb(assignment)
    module = CATALOGUES[assignment]
    trials = {}
    for cell_id, entry in module.CATALOGUE.items():
        through = {
            cascade_mistake(assignment, cell_id),
            *getattr(module, "CASCADE_EXTRA", {}).get(cell_id, []),
        }
        later = later_test_cells(assignment, cell_id, end_to_end=False)
        for name, (_, code) in entry["mistakes"].items():
            tests = sorted(set(entry["tests"]) | set(later if name in through else []))
            trials[_label("mistakes", cell_id, name)] = (cell_id, code.strip() + "\n", tests)
        for name, code in entry["alternatives"].items():
            trials[_label("alternatives", cell_id, name)] = (
                cell_id,
                code.strip() + "\n",
                entry["tests"],
            )
    split = split_visible(nb)
    # a test cell split in two ends with its hidden part, which keeps the original grade id
    nb = mutation.trials_notebook(split, trials)
    results = mutation.split_trials(
        tools.run_and_score(nb, ROOT, timeout=300, reference=source_nb(assignment))
    )
    return {label: Verdicts(cells) for label, cells in results.items()}


def test_visible_only_strips_exactly_the_hidden_blocks():
    code = "a = 1\n### BEGIN HIDDEN TESTS\nassert False\n### END HIDDEN TESTS\nb = 2\n"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.cells[0].metadata["nbgrader"] = {"grade": True}
    assert visible_only(nb).cells[0].source == "a = 1\nb = 2\n"
    assert nb.cells[0].source == code


def catalogue_module_name(assignment):
    """``a`` + the assignment id lowercased, every run of non-alphanumerics replaced by ``_``."""
    return "a" + re.sub(r"[^0-9a-z]+", "_", assignment.lower())


@pytest.mark.parametrize("assignment", sorted(CATALOGUES))
def test_catalogue_module_follows_the_naming_rule(assignment):
    module = CATALOGUES[assignment].__name__.rsplit(".", 1)[-1]
    assert module == catalogue_module_name(assignment), (
        f"rename tests/catalogue/{module}.py to {catalogue_module_name(assignment)}.py"
    )


@pytest.mark.parametrize("assignment", sorted(CATALOGUES))
def test_catalogue_covers_every_graded_function(assignment):
    module = CATALOGUES[assignment]
    answer_cells = {
        gid
        for gid, cell in mutation.cells_by_id(source_nb(assignment)).items()
        if cell.cell_type == "code" and mutation.is_solution(cell)
    }
    assert answer_cells == set(module.CATALOGUE), (
        "the catalogue must cover exactly the answer cells"
    )
    for cell_id, entry in module.CATALOGUE.items():
        assert len(entry["mistakes"]) >= MIN_MISTAKES, (
            f"{cell_id}: fewer than {MIN_MISTAKES} mistakes"
        )
        assert len(entry["alternatives"]) >= MIN_ALTERNATIVES, (
            f"{cell_id}: fewer than {MIN_ALTERNATIVES} alternatives"
        )


@pytest.mark.slow
@pytest.mark.parametrize("assignment", BY_ASSIGNMENT)
def test_mistakes_are_caught_and_alternatives_pass(assignment):
    """Each mistake fails one of its function's tests, naming it; each alternative passes them all."""
    results = catalogue_run(assignment)
    problems, trials = [], 0
    for cell_id, entry in CATALOGUES[assignment].CATALOGUE.items():
        for name, (fragment, _) in entry["mistakes"].items():
            trials += 1
            own = results[_label("mistakes", cell_id, name)]
            failed = [gid for gid in entry["tests"] if not own.passed(gid)]
            messages = "\n".join(own.error(gid) for gid in failed)
            if not failed:
                problems.append(f"mistake {cell_id}:{name} passes all the tests of {cell_id}")
            elif fragment and fragment not in messages:
                problems.append(
                    f"mistake {cell_id}:{name}: no message names it ({fragment!r}); got: {messages}"
                )
        for name in entry["alternatives"]:
            trials += 1
            own = results[_label("alternatives", cell_id, name)]
            failed = {gid: own.error(gid) for gid in entry["tests"] if not own.passed(gid)}
            if failed:
                problems.append(f"correct alternative {cell_id}:{name} fails: {failed}")
    assert len(results) == trials, "some trials did not run"
    assert not problems, f"{len(problems)} of {trials} trials misbehave:\n" + "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", BY_ASSIGNMENT)
def test_one_wrong_function_loses_only_its_own_points(assignment, capsys):
    """One mistake per function, run through every later test cell: no other function loses points.

    Integration checks (``end_to_end``) grade the functions together and are
    not counted; every other test cell outside the function's own keeps its
    points, because the harness binds the other graded functions to their
    references while a test cell runs (:mod:`autograder.harness.isolation`).
    Prints the points each chosen mistake costs in its own cells and in others.
    """
    module = CATALOGUES[assignment]
    results = catalogue_run(assignment)
    lines, cascades = [], []
    for cell_id, entry in module.CATALOGUE.items():
        names = [cascade_mistake(assignment, cell_id)]
        names += [
            n for n in getattr(module, "CASCADE_EXTRA", {}).get(cell_id, []) if n not in names
        ]
        for name in names:
            own = results[_label("mistakes", cell_id, name)]
            mine = [g for g in own.cells() if g in entry["tests"]]
            others = [g for g in own.cells() if g not in entry["tests"] and not own.passed(g)]
            lost_own = sum(own.lost(g) for g in mine)
            lines.append(
                f"  {cell_id}:{name}: own -{lost_own:g}, others -{sum(own.lost(g) for g in others):g}"
            )
            cascades += [f"{cell_id}:{name} costs {g}: {own.error(g)[:300]}" for g in others]
    _record("cascade", assignment, "\n".join(lines), capsys)
    assert not cascades, f"{len(cascades)} cascading losses:\n" + "\n".join(cascades)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", sorted(CATALOGUES))
def test_first_alternatives_work_together(assignment):
    """Every function's first alternative at once, in a fresh kernel, through the notebook.

    Correct alternatives must also be correct together (a student writes all
    of them). A catalogue may stop the run after a given cell when the rest
    is only costly training that the source run already proves
    (``ALTERNATIVES_RUN_UNTIL``, with its reason).
    """
    module = CATALOGUES[assignment]
    chosen = {
        cell_id: next(iter(entry["alternatives"].items()))
        for cell_id, entry in module.CATALOGUE.items()
    }
    nb = mutation.mutant(
        source_nb(assignment), {cid: code.strip() + "\n" for cid, (_, code) in chosen.items()}
    )
    until = getattr(module, "ALTERNATIVES_RUN_UNTIL", None)
    if until:
        last = next(i for i, cell in enumerate(nb.cells) if mutation.grade_id(cell) == until)
        nb.cells = nb.cells[: last + 1]
    results = tools.run_and_score(nb, ROOT, timeout=300, reference=source_nb(assignment))
    failed = {r.grade_id: r.error for r in results.values() if r.score is not None and not r.passed}
    names = {cid: name for cid, (name, _) in chosen.items()}
    assert not failed, f"correct alternatives {names} fail together: {failed}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", BY_ASSIGNMENT)
def test_visible_tests_catch_most_mistakes(assignment, capsys):
    """Most catalogued mistakes fail a visible test: the rules a student is told are checked where they can see it.

    The catalogue's run splits every test cell into its visible part and its
    hidden blocks (:func:`split_visible`); a mistake is visibly caught when
    the visible part of one of its function's test cells fails. Prints the
    share per assignment.
    """
    results = catalogue_run(assignment)
    caught, missed = 0, []
    for cell_id, entry in CATALOGUES[assignment].CATALOGUE.items():
        for name in entry["mistakes"]:
            own = results[_label("mistakes", cell_id, name)]
            if any(not own.visible_passed(gid) for gid in entry["tests"]):
                caught += 1
            else:
                missed.append(f"{cell_id}:{name}")
    total = caught + len(missed)
    _record(
        "visible_catch",
        assignment,
        f"{caught}/{total} ({caught / total:.0%}); hidden only: {', '.join(missed) or '-'}",
        capsys,
    )
    assert caught / total >= VISIBLE_CATCH_FLOOR.get(assignment, MIN_VISIBLE_CATCH), (
        f"{assignment}: the visible tests catch {caught} of {total} mistakes; hidden only: {missed}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("assignment", BY_ASSIGNMENT)
def test_visible_tests_name_the_mistakes_the_text_discusses(assignment):
    """The mistakes a catalogue lists in ``VISIBLE_NAMED`` are named by a visible test.

    The text discusses them (momentum with α inside p, an extra σ′, Adam's t
    counted per key...), so a student must read their name before submitting,
    not only in the hidden tests' feedback.
    """
    module = CATALOGUES[assignment]
    named = getattr(module, "VISIBLE_NAMED", {})
    results = catalogue_run(assignment) if named else {}
    problems = []
    for cell_id, names in named.items():
        entry = module.CATALOGUE[cell_id]
        for name in names:
            fragment = entry["mistakes"][name][0]
            assert fragment, f"{cell_id}:{name} needs a message fragment to be named"
            own = results[_label("mistakes", cell_id, name)]
            messages = "\n".join(own.visible_error(gid) for gid in entry["tests"])
            if fragment not in messages:
                problems.append(f"{cell_id}:{name}: no visible message names it ({fragment!r})")
    assert not problems, "\n".join(problems)
