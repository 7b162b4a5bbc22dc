"""``TrustedExecute``: nbgrader's execute step with every test cell evaluated by the harness.

It replaces :class:`autograder.faults.ResilientExecute` in the autograde
pipeline and keeps all it does (the sandboxed kernel, time limits, dead and
stuck kernels). The difference is where each cell runs (see
:mod:`autograder.harness.plan`): the student's cells in the kernel; the
instructor's cells in the kernel and, from the source's text, in the
harness; the test cells in the harness only. A test cell's outputs in the
graded notebook (the check's Spanish message when it fails) are written by
the harness, so nbgrader's scoring and feedback work unchanged.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import importlib
import io
import linecache
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import nbformat
from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Bool, Unicode

from autograder import checks
from autograder.faults import ResilientExecute

from . import isolation
from . import plan as planning
from .channel import CLOCK, Channel, HarnessTimeout
from .remote import Bridge, Missing, Remote, StudentError

#: The kernel argument that installs the protocol's agent (autograder.run.agent).
AGENT_LINE = "--IPKernelApp.exec_lines=import autograder.run.agent as _a; _a.install(); del _a"

#: Most characters of printed output a harness cell keeps.
OUTPUT_LIMIT = 200_000


class Harness:
    """The trusted namespace of one notebook and what runs in it.

    Parameters
    ----------
    bridge_factory : callable
        Returns the :class:`Bridge` to the kernel (made on first use, once
        the kernel runs).
    interface : set of str
        Names the tests take from the student's kernel.
    reference : str
        The definitions of the source's solutions (see :mod:`.isolation`).
    """

    def __init__(
        self,
        bridge_factory,
        interface: set[str],
        reference: str = "",
        imports: set[tuple] = frozenset(),
        trusted_names: set[str] = frozenset(),
    ):
        self._bridge_factory = bridge_factory
        self.reference = reference
        self.imports = set(imports)
        self.trusted_names = set(trusted_names)
        self._bridge: Bridge | None = None
        self.interface = set(interface)
        self.from_kernel: set[str] = set()
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
        self.failed: dict[str, str] = {}

    @property
    def bridge(self) -> Bridge:
        """The bridge to the kernel (opened on first use)."""
        if self._bridge is None:
            self._bridge = self._bridge_factory()
        return self._bridge

    def connect(self) -> None:
        """Open the bridge (connect the harness's own client to the kernel) if not open yet."""
        if self._bridge is None:
            self._bridge = self._bridge_factory()

    def answered(self, names: set[str]) -> None:
        """Record that an answer cell ran: its names now come from the kernel."""
        self.from_kernel |= names & self.interface

    def imported(self, text: str) -> None:
        """Bind here the modules a student's cell imports, as the harness's own trusted copies.

        Only the imports :func:`plan.allowed_import` accepts, and only under
        names that no instructor or test cell binds, that are not graded
        names and not builtins: a student's import gives the tests the
        module they expect (``np``), never a different meaning for a name
        of the tests (``all``, ``assert_allclose``).
        """
        allowed = planning.ALLOWED_MODULES | {f"{m}.{a}" for m, a, _ in self.imports if a}
        for binding in planning.module_imports(text):
            module, attribute, name = binding
            if (
                not planning.allowed_import(binding, self.imports)
                or name in self.trusted_names
                or name in self.interface
                or name.startswith("_")
                or hasattr(builtins, name)
            ):
                continue
            try:
                value = _import_value(module, attribute, allowed)
            except Exception:  # not installed here, or no such name: the tests see no binding
                continue
            if value is not None:
                self.namespace[name] = value

    def _refresh(self) -> None:
        """Bind every student name the tests use to the kernel's current object."""
        for name in sorted(self.from_kernel):
            value = self.bridge.get_global(name)
            if _is_module(value):
                continue
            if isinstance(value, Missing) and not value._detail:
                self.namespace.pop(name, None)  # not defined there: a NameError here says so
                continue
            self.namespace[name] = value

    def run(
        self,
        text: str,
        label: str,
        deadline: float | None,
        isolate: frozenset[str] = frozenset(),
        helpers: frozenset[str] = frozenset(),
        result: bool = False,
        quiet: bool = False,
    ) -> list[NotebookNode]:
        """Run trusted code; return the outputs for the notebook (an error output when it fails).

        ``isolate`` names the graded functions that the student's code calls
        in their reference versions while this cell runs; ``helpers`` those
        that only the test's own calls reach as references (the kernel keeps
        the student's). With ``result``, a last expression's value becomes the
        cell's ``execute_result`` when it is a number, as IPython shows it
        (nbgrader reads it as partial credit). ``quiet`` (test cells) drops
        what the student's code prints while the cell calls it: the inputs of
        hidden tests never reach the graded notebook or the feedback, the cell
        shows the checks' own output and message only.
        """
        stdout = io.StringIO()
        if self._bridge is not None:
            self._bridge.new_generation()
            _set_quiet(self._bridge, stdout if quiet else None)
        outputs: list[NotebookNode] = []
        replaced: dict[str, Any] = {}
        try:
            # all of the harness's work for this cell (references, replays, Keras rebuilds,
            # callbacks) stops at the cell's deadline
            with CLOCK.armed(deadline):
                if deadline is not None:
                    CLOCK.seconds = max(deadline - time.monotonic(), 0)
                if self.from_kernel:
                    self.bridge.deadline = deadline
                    _set_quiet(self.bridge, stdout if quiet else None)
                    self._refresh()
                    if isolate or helpers:
                        replaced = self._bind_references(isolate | helpers, kernel=isolate)
                filename = f"<{label}>"
                # keep the text where inspect (and TensorFlow's AutoGraph) looks for source code
                linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
                tree = ast.parse(text, filename)
                last = None
                if result and tree.body and isinstance(tree.body[-1], ast.Expr):
                    last = ast.Expression(tree.body.pop().value)
                code = compile(tree, filename, "exec")
                with (
                    contextlib.redirect_stdout(stdout),
                    warnings.catch_warnings(),
                    _kernel_rng(self._bridge if self.from_kernel else None),
                ):
                    warnings.simplefilter("ignore")
                    if self._bridge is not None:
                        self._bridge.deadline = deadline
                    exec(code, self.namespace)  # noqa: S102  (the instructor's code, never the student's)
                    if last is not None:
                        value = eval(compile(last, filename, "eval"), self.namespace)  # noqa: S307
                        shown = None if value is None else _execute_result(value)
                        if shown is not None:
                            outputs.append(shown)
        except BaseException as exc:  # a failing check, the student's error, anything
            if isinstance(exc, HarnessTimeout):
                exc = StudentError("TiempoAgotado", str(exc))
            elif isinstance(exc, (SystemExit, KeyboardInterrupt)) and not isinstance(
                exc, StudentError
            ):
                exc = RuntimeError(f"las pruebas terminaron de forma inesperada ({exc!r})")
            outputs.append(self._error(exc))
        finally:
            _close_figures()
            for name, value in replaced.items():  # the student's objects again for later cells
                if value is _ABSENT:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value
            if self._bridge is not None:
                _set_quiet(self._bridge, None)
                try:
                    self._bridge.channel.end()
                except Exception:  # the kernel is gone: the next kernel cell will say so
                    pass
        for name in planning.top_level_names(text):
            self.from_kernel.discard(name)  # the instructor's own definition wins from here on
        text_out = stdout.getvalue()
        if text_out:
            if len(text_out) > OUTPUT_LIMIT:
                text_out = text_out[:OUTPUT_LIMIT] + "\n[... salida recortada ...]\n"
            outputs.insert(0, new_output("stream", name="stdout", text=text_out))
        return outputs

    def _bind_references(
        self, names: frozenset[str], kernel: frozenset[str] | None = None
    ) -> dict[str, Any]:
        """Make ``names`` the source's solutions here, and those of ``kernel`` in the kernel too.

        ``kernel`` defaults to all of ``names`` (see :mod:`.isolation`).
        Returns what the harness's namespace held before, to put back.
        """
        kernel = names if kernel is None else kernel
        namespace = isolation.reference_namespace(self.namespace, self.reference, self.interface)
        functions = {n: namespace[n] for n in sorted(names) if callable(namespace.get(n))}
        replaced = {n: self.namespace.get(n, _ABSENT) for n in functions}
        self.namespace.update(functions)
        bound = {n: _reference(n, f) for n, f in functions.items() if n in kernel}
        if bound:
            self.bridge.bind(bound)
        return replaced

    def note_failure(self, text: str, label: str, outputs: list[NotebookNode]) -> None:
        """Remember which names an instructor cell failed to define, to explain later errors."""
        if any(o.output_type == "error" for o in outputs):
            for name in planning.top_level_names(text):
                if name not in self.namespace:
                    self.failed[name] = label

    def _error(self, exc: BaseException) -> NotebookNode:
        if isinstance(exc, StudentError):
            return new_output(
                "error", ename=exc.ename, evalue=exc.evalue, traceback=list(exc.traceback)
            )
        ename, evalue = type(exc).__name__, str(exc)
        if isinstance(exc, NameError) and getattr(exc, "name", None) in self.failed:
            name = exc.name
            ename = "CeldaAnteriorFallida"
            evalue = (
                f"no se pudo calcular `{name}` porque la {self.failed[name]} no terminó; "
                "revisa el error que muestra esa celda y las funciones que usa."
            )
        elif isinstance(exc, NameError) and getattr(exc, "name", None) in self.interface:
            evalue = (
                f"`{exc.name}` no está definida en tu notebook: completa su celda y ejecútala "
                "(Kernel → Restart & Run All) antes de entregar."
            )
        elif isinstance(exc, NameError):
            ename = "NameError"
            evalue = f"{exc} (¿falta definir o ejecutar una celda anterior?)"
        elif isinstance(exc, MemoryError):
            ename = "MemoriaAgotada"
            evalue = (
                "las pruebas de esta celda se quedaron sin memoria al trabajar con lo que "
                "devolvió tu código (¿un arreglo, un objeto o un modelo enorme?); revisa los "
                "tamaños que produce tu código."
            )
        return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


_ABSENT = object()


def _given_cell_note(text: str, interface: set[str]) -> NotebookNode:
    """Say, in Spanish, why a cell the student did not write can fail: an earlier slip."""
    used = sorted(planning.loaded_names(text) & set(interface))
    which = (
        f"revisa {', '.join(f'`{name}`' for name in used)} (lo que devuelve, su forma y su tipo)"
        if used
        else "revisa las funciones que escribiste antes"
    )
    return new_output(
        "stream",
        name="stdout",
        text=(
            "Nota del calificador: esta celda ya venía escrita y falló, casi siempre por un "
            f"error en una función tuya de más arriba: {which}. El error de Python, en inglés, "
            "está debajo.\n"
        ),
    )


def cell_name(text: str, index: int) -> str:
    """Name a cell as the student sees it: by its first line (``In [n]`` differs when graded).

    Parameters
    ----------
    text : str
        The cell's source.
    index : int
        Its position in the notebook (only for a cell without any text).
    """
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        return f"celda {index + 1}"
    if len(first) > 70:
        first = first[:69] + "…"
    return f"celda que empieza con «{first}»"


def _import_value(module: str, attribute: str | None, allowed: set[str]) -> Any:
    """Return what ``import module`` / ``from module import attribute`` binds, here."""
    imported = importlib.import_module(module)
    if attribute is None:
        return sys.modules[module.split(".")[0]]
    if attribute == "":
        return imported
    value = getattr(imported, attribute, _ABSENT)
    if value is _ABSENT and f"{module}.{attribute}" in allowed:
        value = importlib.import_module(f"{module}.{attribute}")
    return None if value is _ABSENT else value


def _execute_result(value: Any) -> NotebookNode | None:
    """Return the ``execute_result`` IPython gives a cell's last value, when it is a score.

    nbgrader reads a number there as partial credit and gives full credit for
    any other value, so only a value whose text is a number is kept: anything
    else (a list of a hidden test's inputs, say) would only show the student
    what the test computed, without changing the score.
    """
    if isinstance(value, (Remote, Missing)):
        text = repr(value)
    else:
        try:
            from IPython.lib.pretty import pretty

            text = pretty(value, max_seq_length=1000)
        except Exception:
            text = object.__repr__(value)
    try:
        float(text)
    except ValueError:
        return None
    return new_output(
        "execute_result", data={"text/plain": text[:OUTPUT_LIMIT]}, execution_count=None
    )


class _GraderChannel(Channel):
    """The harness's channel; while ``quiet``, what the student's code prints stays unseen.

    ``quiet`` is the test cell's own output capture: the student's printed
    output never lands there (so it never reaches the graded notebook or the
    feedback), but a test that captures it itself (``redirect_stdout`` to its
    own buffer, to check what the function prints) still receives it, as in
    stock nbgrader.
    """

    quiet: Any = None

    def request(self, request: dict, buffers: list, timeout: float) -> tuple[dict, list]:
        """Send a request (see :meth:`Channel.request`); drop output bound for the cell."""
        reply, reply_buffers = super().request(request, buffers, timeout)
        if self.quiet is not None and sys.stdout is self.quiet and isinstance(reply, dict):
            reply.pop("out", None)
        return reply, reply_buffers


def _set_quiet(bridge: Bridge, quiet: Any) -> None:
    channel = getattr(bridge, "channel", None)
    if isinstance(channel, _GraderChannel):
        channel.quiet = quiet


#: Bytes of address space a reference called from the student's kernel may add to the harness.
REFERENCE_MEMORY = 4 * 2**30


@contextlib.contextmanager
def _memory_headroom():
    """Cap the grader's address space at its current size plus :data:`REFERENCE_MEMORY`.

    A reference runs with arguments the kernel chose (``confusion_matrix(y, p,
    10**5)``): a request for more memory fails with ``MemoryError`` there,
    instead of exhausting the grader's machine.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    target = size + REFERENCE_MEMORY
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    if soft != resource.RLIM_INFINITY and soft <= target:
        yield  # already as tight
        return
    with CLOCK.shield():  # the cell's alarm never leaves the cap set
        resource.setrlimit(resource.RLIMIT_AS, (target, hard))
    try:
        yield
    finally:
        with CLOCK.shield():
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _reference(name: str, function):
    """Wrap a reference function: bounded memory and time, and its failure on the student's data explained."""

    def reference(*args, **kwargs):
        # bounded in time by the cell's deadline: the alarm raises HarnessTimeout (not an
        # Exception, so it ends the cell); without an alarm (not the main thread), this check
        # stops a kernel that calls the reference in a loop
        CLOCK.check()
        try:
            with _memory_headroom():
                return function(*args, **kwargs)
        except MemoryError:
            raise RuntimeError(
                f"tu código llamó a `{name}` (la versión correcta, que las pruebas usan mientras "
                f"califican otra función) con argumentos que piden más de "
                f"{REFERENCE_MEMORY / 2**30:g} GiB de memoria; revisa los tamaños que le pasas."
            ) from None
        except Exception as exc:
            raise RuntimeError(
                f"mientras se califica otra función, tu código llamó a `{name}` y las pruebas "
                f"usaron la versión correcta de `{name}`, que no pudo trabajar con lo que le "
                f"pasaste ({type(exc).__name__}: {str(exc)[:300]}); revisa los argumentos con "
                f"que la llamas."
            ) from None

    reference.__name__ = name
    return reference


@contextlib.contextmanager
def _kernel_rng(bridge: Bridge | None):
    """Let ``checks`` read NumPy's global generator where the student's code runs: the kernel."""
    previous = checks.kernel_rng_state
    checks.kernel_rng_state = bridge.global_rng_state if bridge is not None else None
    try:
        yield
    finally:
        checks.kernel_rng_state = previous


def _is_module(value: Any) -> bool:
    return type(value).__name__ == "module" and not isinstance(value, Missing)


def _close_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


@contextlib.contextmanager
def process_state():
    """Give every notebook the same starting state of the grader's process, and restore it after.

    The harness runs the instructor's code in this process, notebook after
    notebook; what that code changes globally (environment variables,
    warning filters, NumPy's print and error settings, Keras' float type and
    session) is put back, so no notebook's grading depends on the ones
    graded before it.
    """
    import numpy as np

    environ = dict(os.environ)
    filters = list(warnings.filters)
    printoptions = np.get_printoptions()
    errors = np.geterr()
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session()
        keras.backend.set_floatx("float32")
    import matplotlib

    matplotlib.use("Agg")
    try:
        yield
    finally:
        _close_figures()
        os.environ.clear()
        os.environ.update(environ)
        warnings.filters[:] = filters
        np.set_printoptions(**printoptions)
        np.seterr(**errors)
        keras = sys.modules.get("keras")
        if keras is not None:
            keras.backend.clear_session()
            keras.backend.set_floatx("float32")


class TrustedExecute(ResilientExecute):
    """Execute a notebook with its test cells evaluated by the trusted harness.

    The source notebook of the assignment (``source/<id>/<notebook>.ipynb``
    of the course) decides the role of every cell; when the notebook being
    executed is itself a source (``autograder validate``), it is its own
    source.
    """

    harness = Bool(
        False,
        help="Evaluate test cells in the trusted harness (never in the student's kernel); opt-in for now.",
    ).tag(config=True)
    isolate = Bool(
        True,
        help="While a test cell runs, the student's code calls the reference versions of the graded "
        "functions the reference under test calls (never one that calls it, nor one a later "
        "end-to-end cell grades), so one mistake costs the points of its own function only "
        "(cells marked metadata.autograder.end_to_end are left whole).",
    ).tag(config=True)
    source_path = Unicode(
        "",
        help="Path of the trusted source notebook; by default found from nbgrader's resources.",
    ).tag(config=True)

    _plan: planning.Plan | None = None
    _harness: Harness | None = None

    def _source(self, nb: NotebookNode, resources: dict) -> NotebookNode | None:
        given = resources.get("autograder_source")
        if given is not None:
            return given
        if self.source_path:
            return nbformat.read(self.source_path, as_version=4)
        info = resources.get("nbgrader") or {}
        if not info.get("assignment") or not info.get("notebook"):
            return None  # a trusted notebook run on its own (the tests, validate)
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        path = (
            Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
            / f"{info['notebook']}.ipynb"
        )
        if not path.is_file():
            raise RuntimeError(f"the source notebook {path} is missing: cannot grade safely")
        return nbformat.read(path, as_version=4)

    async def async_start_new_kernel(self, **kwargs):
        """Start the kernel; under the harness, with the protocol's agent installed in it.

        Added here, at the start, because nbconvert's ``preprocess`` re-reads
        every setting from the configuration: any course's kernels get the
        agent without a line in its ``nbgrader_config.py``.
        """
        if self.harness and AGENT_LINE not in self.extra_arguments:
            self.extra_arguments = [*self.extra_arguments, AGENT_LINE]
        return await super().async_start_new_kernel(**kwargs)

    #: nbclient's synchronous entry point, bound here to the method above (nbclient binds it
    #: to its own at class creation).
    start_new_kernel = run_sync(async_start_new_kernel)

    def preprocess(self, nb, resources=None, km=None):
        """Plan the cells, then execute (see the class docstring)."""
        if not self.harness:
            return super().preprocess(nb, resources, km)
        resources = resources if resources is not None else {}
        source = self._source(nb, resources)
        self._plan = planning.make_plan(
            nb,
            copy.deepcopy(source) if source else None,
            resources.get("autograder_reference"),
        )
        self._harness = Harness(
            self._make_bridge,
            self._plan.interface,
            self._plan.reference,
            self._plan.imports,
            self._plan.trusted_names,
        )
        with process_state():
            try:
                return super().preprocess(nb, resources, km)
            finally:
                if self._harness._bridge is not None:
                    self._harness._bridge.channel.close()
                self._harness = None

    def _make_bridge(self) -> Bridge:
        return Bridge(_GraderChannel(self.km, self.kc, serve_callback=lambda *a: ""))

    def _call_deadline(self) -> float | None:
        left = [time.monotonic() + self.timeout] if self.timeout else []
        if self._deadline is not None:
            left.append(self._deadline)
        return min(left) if left else None

    def preprocess_cell(self, cell, resources, index):
        """Run the cell where its role says (kernel, harness, or both)."""
        if self._harness is None or cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, index)
        self._harness.connect()  # long before the first test: the kernel can reach us by then
        role = self._plan.roles[index]
        label = f"celda {index + 1}"
        if role == planning.TEST:
            self._running_index = index
            if self._deadline is not None and self._deadline - time.monotonic() <= 1:
                return super().preprocess_cell(cell, resources, index)  # the time-up note
            isolate = self._plan.isolate.get(index, frozenset()) if self.isolate else frozenset()
            helpers = self._plan.helpers.get(index, frozenset()) if self.isolate else frozenset()
            cell.outputs = self._harness.run(
                self._plan.trusted[index],
                label,
                self._call_deadline(),
                isolate,
                helpers,
                result=True,
                quiet=True,
            )
            self.code_cells_executed += 1
            cell.execution_count = self.code_cells_executed
            return cell, resources
        cell, resources = super().preprocess_cell(cell, resources, index)
        if role == planning.STUDENT:
            self._harness.answered(self._plan.answer_names.get(index, set()))
            self._harness.imported(cell.source)
            return cell, resources
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            cell.outputs.insert(
                0, _given_cell_note(self._plan.trusted[index], self._plan.interface)
            )
        if index not in self._plan.skip:
            outputs = self._harness.run(self._plan.trusted[index], label, self._call_deadline())
            self._harness.note_failure(
                self._plan.trusted[index], cell_name(self._plan.trusted[index], index), outputs
            )
        return cell, resources
