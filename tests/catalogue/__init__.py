"""Mutation catalogues: per assignment and graded function, typical student
mistakes (each must fail one of that function's test cells, with the message
fragment given, when there is one) and different correct implementations
(each must pass every test cell).

A catalogue module defines ``ASSIGNMENT`` and ``CATALOGUE``::

    CATALOGUE = {
        "<answer cell grade_id>": {
            "tests": ["<grade_id of a test cell>", ...],   # the function's own test cells
            "mistakes": {"<name>": ("<message fragment or ''>", "<code>"), ...},
            "alternatives": {"<name>": "<code>", ...},
        },
    }
"""

import importlib
import pkgutil


def load_all():
    """Return ``{assignment_id: module}`` for every catalogue module in this package."""
    modules = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        modules[module.ASSIGNMENT] = module
    return modules


def example_submissions(root):
    """Build the bundled example submissions from the catalogues.

    Returns ``{path relative to examples/submissions: notebook}``.
    """
    import nbformat

    from autograder import mutation

    examples = {}
    for assignment, module in sorted(load_all().items()):
        source = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        release = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        for student, spec in getattr(module, "EXAMPLES", {}).items():
            if spec is None:
                nb = mutation.student_submission(release, source, untouched=True)
            else:
                replacements = {}
                for cell_id, (kind, name) in spec.items():
                    entry = module.CATALOGUE[cell_id][kind][name]
                    replacements[cell_id] = (
                        entry[1] if kind == "mistakes" else entry
                    ).strip() + "\n"
                nb = mutation.student_submission(release, source, replacements)
            examples[f"{student}/{assignment}/{assignment}.ipynb"] = nb
    return examples
