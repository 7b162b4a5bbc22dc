"""Mutation catalogues: every typical mistake fails its function's tests, every correct alternative passes them all.

The mutants run through the real notebook: the source notebook with one
answer cell replaced, executed and scored by nbgrader's own preprocessors.
"""

import pytest

from autograder import mutation
from autograder import nbgrader_tools as tools

from .catalogue import load_all
from .conftest import ROOT, source_nb

CATALOGUES = load_all()
MIN_MISTAKES, MIN_ALTERNATIVES = 4, 2


def _cases(kind):
    for assignment, module in sorted(CATALOGUES.items()):
        for cell_id, entry in module.CATALOGUE.items():
            for name in entry[kind]:
                yield pytest.param(assignment, cell_id, name, id=f"{assignment}:{cell_id}:{name}")


def _run(assignment, cell_id, code, stop_after=None):
    """Run the source with one answer cell replaced; with ``stop_after``, only up to those test cells."""
    nb = mutation.mutant(source_nb(assignment), {cell_id: code.strip() + "\n"})
    if stop_after:
        last = max(i for i, cell in enumerate(nb.cells) if mutation.grade_id(cell) in stop_after)
        nb.cells = nb.cells[: last + 1]
    return tools.run_and_score(nb, ROOT, timeout=120)


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
@pytest.mark.parametrize(("assignment", "cell_id", "name"), list(_cases("mistakes")))
def test_mistake_is_caught(assignment, cell_id, name):
    entry = CATALOGUES[assignment].CATALOGUE[cell_id]
    fragment, code = entry["mistakes"][name]
    # a mistake must fail the function's own tests: the rest of the notebook need not run
    results = _run(assignment, cell_id, code, stop_after=entry["tests"])
    own = [results[gid] for gid in entry["tests"]]
    failed = [r for r in own if not r.passed]
    assert failed, f"mistake {name!r} passes all the tests of {cell_id}"
    if fragment:
        messages = "\n".join(r.error for r in failed)
        assert fragment in messages, (
            f"mistake {name!r}: no message names it ({fragment!r}); got:\n{messages}"
        )


def _alternative_rounds():
    """Round k substitutes the k-th correct alternative of every function at once.

    Correct alternatives must also be correct together, and one notebook run
    per round instead of one per alternative keeps the suite fast.
    """
    for assignment, module in sorted(CATALOGUES.items()):
        rounds = max(len(entry["alternatives"]) for entry in module.CATALOGUE.values())
        for k in range(rounds):
            yield pytest.param(assignment, k, id=f"{assignment}:round{k}")


@pytest.mark.slow
@pytest.mark.parametrize(("assignment", "k"), list(_alternative_rounds()))
def test_correct_alternatives_pass(assignment, k):
    module = CATALOGUES[assignment]
    chosen = {
        cell_id: list(entry["alternatives"].items())[k]
        for cell_id, entry in module.CATALOGUE.items()
        if len(entry["alternatives"]) > k
    }
    nb = mutation.mutant(
        source_nb(assignment), {cid: code.strip() + "\n" for cid, (_, code) in chosen.items()}
    )
    # a catalogue may stop the run after a given cell when the rest is only costly training
    # that the source run already proves (ALTERNATIVES_RUN_UNTIL, with its reason)
    until = getattr(module, "ALTERNATIVES_RUN_UNTIL", None)
    if until:
        last = next(i for i, cell in enumerate(nb.cells) if mutation.grade_id(cell) == until)
        nb.cells = nb.cells[: last + 1]
    results = tools.run_and_score(nb, ROOT, timeout=300)
    failed = {r.grade_id: r.error for r in results.values() if r.score is not None and not r.passed}
    names = {cid: name for cid, (name, _) in chosen.items()}
    assert not failed, f"correct alternatives {names} fail: {failed}"
