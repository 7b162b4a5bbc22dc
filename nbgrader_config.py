"""nbgrader configuration of the course "Introducción al Aprendizaje Profundo", unit 1.

The repository root is the nbgrader course directory: ``source/`` holds the
instructor notebooks, ``release/`` the generated student versions, and
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` are
run-time state (ignored by git).
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

ROOT = os.path.dirname(os.path.abspath(__file__))

# --- Course -----------------------------------------------------------------
c.CourseDirectory.course_id = "iap-unidad1"
c.CourseDirectory.root = ROOT
# The exchange lives inside the course: /usr/local/share is not writable for
# most users. It is run-time state and ignored by git.
c.Exchange.root = os.path.join(ROOT, "exchange")
c.Exchange.path_includes_course = True
# Files shipped in source/<id>/ (a CSV a notebook reads, say) travel with the
# assignment. The course's big datasets live in data/, outside every assignment
# folder, so they never travel: notebooks load them through ``autograder.datasets``.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
]

# --- Student stubs (Spanish) -------------------------------------------------
c.ClearSolutions.code_stub = {
    "python": (
        "# TU CÓDIGO AQUÍ\n"
        'raise NotImplementedError("Completa esta celda: borra esta línea y escribe tu código.")'
    )
}
c.ClearSolutions.text_stub = "ESCRIBE TU RESPUESTA AQUÍ"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# --- Student bundle ------------------------------------------------------------
# Where the first cell of every student notebook installs the course package from when it
# is missing (Colab, a JupyterHub without it): the URL, or a path on the hub, of the wheel
# that `autograder bundle` writes, once published (see the README). Empty: the notebook
# asks the student to install the wheel by hand. `autograder release` writes it into
# release/ (the `SetupCell` preprocessor that `configure` installs); release and commit after changing it.
c.StudentBundle.package_url = ""

# --- Execution --------------------------------------------------------------
# Memory limit of the student's kernel (address space), applied once, by the sealed unit
# (c.SandboxKernelManager.memory_limit below): a memory hog gets a MemoryError in its cell
# instead of taking the machine. 8 GiB leaves room for TensorFlow.
KERNEL_MEMORY_LIMIT = 8 * 2**30  # bytes
# Per-cell timeout in seconds: long enough for the training cells of the
# TensorFlow notebooks on 2 CPU cores, short enough to stop an endless loop.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
c.Execute.error_on_timeout = {
    "ename": "TiempoAgotado",
    "evalue": "la celda superó su tiempo máximo y se interrumpió",
    "traceback": [
        "TiempoAgotado: la celda superó su tiempo máximo y se interrumpió "
        "(¿un ciclo que nunca termina o un entrenamiento demasiado largo?)"
    ],
}
# Quiet TensorFlow's C++ logs in every kernel nbgrader starts, before the
# notebook can import TensorFlow.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=ERROR",
    "--IPKernelApp.exec_lines=import os as _os; "
    "_os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3'); del _os",
]

# nbgrader scores a test cell 0 when it wrote anything to stderr. The course's
# tests fail by raising, never by printing, so stderr in a test cell is only
# library chatter (TensorFlow and absl log lines, Python and Keras warnings,
# whose second line quotes source code): drop all of it before scoring, so a
# correct answer never loses points to it.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"  # any stderr output

# Re-add test cells a student deleted, so they score 0 instead of vanishing.
c.OverwriteCells.add_missing_cells = True
c.OverwriteCells.missing_cell_notification = (
    "# Esta celda de prueba faltaba en tu entrega (id: {cell_id}); se restauró para calificar.\n"
)

# --- Grading policy ------------------------------------------------------------
# Submissions run in ``autograder.sandbox``'s sealed unit (bubblewrap: own
# namespaces, no network, no host sockets, only the Python installation, the
# course package and data/ visible, read-only; an unprivileged uid; resource,
# disk and output caps); every test cell, visible and hidden, is evaluated by the trusted
# harness in the grader's process (see README, "How tests are evaluated"). A kernel that
# dies or ignores the interrupt keeps the points of the tests that passed before it, and
# the whole notebook has a time limit: the cells left when it is spent score 0 with a note.
c.ResilientExecute.notebook_timeout = 1200  # seconds; the slowest solution takes about 3 min
c.SandboxKernelManager.memory_limit = KERNEL_MEMORY_LIMIT
# The grader's side of each submission (the harness: instructor replay, decoding, Keras
# rebuilds, references) runs in a process of its own with this address-space cap and a
# deadline of notebook_timeout + Executor.deadline_margin (autograder.grade.bounds).
c.Executor.memory_limit = 6 * 2**30
# CPU seconds, a backstop behind the time limits: every core busy for twice the notebook limit.
c.SandboxKernelManager.cpu_limit = 2 * (os.cpu_count() or 2) * 1200
# Cascade isolation, this course's choice (autograder's default leaves it off): while a test
# cell runs, the other graded functions are the reference's, so a mistake in one function
# costs that function's points only, not those of every later test that calls it.
c.TrustedExecute.isolate = True
# What students read (feedback, notes, the harness's messages) is in Spanish.
c.Autograder.language = "es"

# --- Wiring ---------------------------------------------------------------------
# The sealed unit, the trusted harness, safe feedback (hidden tests never shown, student
# HTML sanitized) and the student-version setup cell: autograder.config.configure, which
# keeps every setting above. It fails loudly when the course package is missing: grading
# must never fall back to nbgrader's defaults (no sandbox, no time limit).
from autograder import configure  # noqa: E402

configure(c)
