"""Cheats a hostile student may try, as notebook cells (kernel-side code).

Each entry is the code of one cell a student adds to their notebook, right
after the setup cell (``"top"``) or right after the last answer cell
(``"end"``). Before the trusted harness, each of these earned points that no
code deserved (the first five were measured at 20/20 or 14/20 on 1.1 with
nothing implemented). ``tests/test_cheats.py`` grades them in one batch.
"""

# technique -> (where the cell goes, code)
CHEATS = {
    # IPython turns every later cell that checks something into `pass`
    "input_transformer": (
        "top",
        "def _skip(lines):\n"
        "    text = ''.join(lines)\n"
        "    return ['pass\\n'] if ('checks.' in text or 'assert' in text) else lines\n"
        "get_ipython().input_transformers_cleanup.append(_skip)\n",
    ),
    # every relative error becomes 0
    "norm_is_zero": ("top", "import numpy as np\nnp.linalg.norm = lambda *a, **k: 0.0\n"),
    # errors leave no trace and every reply says ok
    "swallow_tracebacks": (
        "top",
        "_ip = get_ipython()\n"
        "_ip.showtraceback = lambda *a, **k: None\n"
        "_ip.showsyntaxerror = lambda *a, **k: None\n"
        "_run = _ip.run_cell\n"
        "def _quiet(*a, **k):\n"
        "    result = _run(*a, **k)\n"
        "    result.error_in_exec = None\n"
        "    result.error_before_exec = None\n"
        "    return result\n"
        "_ip.run_cell = _quiet\n",
    ),
    # the notebook's `checks` passes everything
    "rebind_checks": (
        "top",
        "class _Lenient:\n"
        "    CheckFailed = AssertionError\n"
        "    def __getattr__(self, name):\n"
        "        return lambda *a, **k: (a[1] if len(a) > 1 else None)\n"
        "checks = _Lenient()\n",
    ),
    # answers that copy the expected value out of the checker's frame
    "frame_reader": (
        "end",
        "import sys, numpy as np\n"
        "class _Spy(float):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    def __sub__(self, other):\n"
        "        return 0.0\n"
        "    __rsub__ = __sub__\n"
        "class _SpyArray(np.ndarray):\n"
        "    def __array_finalize__(self, obj):\n"
        "        frame = sys._getframe(1)\n"
        "        while frame is not None:\n"
        "            if 'expected' in frame.f_locals:\n"
        "                try:\n"
        "                    np.copyto(self, np.asarray(frame.f_locals['expected']).reshape(self.shape))\n"
        "                except Exception:\n"
        "                    pass\n"
        "                break\n"
        "            frame = frame.f_back\n"
        "def _spy(*shape):\n"
        "    return np.zeros(shape).view(_SpyArray)\n"
        "def _answer(*args, **kwargs):\n"
        "    return _Spy(0.0)\n"
        "for _name in list(globals()):\n"
        "    if callable(globals()[_name]) and getattr(globals()[_name], '__module__', '') == '__main__' and not _name.startswith('_'):\n"
        "        globals()[_name] = _answer\n",
    ),
    # a tracer that turns every failing check into a pass
    "settrace": (
        "top",
        "import sys\n"
        "def _tracer(frame, event, arg):\n"
        "    if event == 'exception' and issubclass(arg[0], AssertionError):\n"
        "        frame.f_locals.clear()\n"
        "        return None\n"
        "    return _tracer\n"
        "sys.settrace(_tracer)\n"
        "import threading\n"
        "threading.settrace(_tracer)\n",
    ),
    # the checks module itself is replaced
    "fake_checks_module": (
        "top",
        "import sys, types\n"
        "_fake = types.ModuleType('autograder.checks')\n"
        "_fake.__getattr__ = lambda name: (lambda *a, **k: None)\n"
        "sys.modules['autograder.checks'] = _fake\n"
        "import autograder\n"
        "autograder.checks = _fake\n"
        "checks = _fake\n",
    ),
    # builtins the checks rely on
    "redefine_builtins": (
        "top",
        "import builtins\n"
        "builtins.isinstance = lambda *a: True\n"
        "builtins.AssertionError = type('AssertionError', (Exception,), {})\n"
        "builtins.abs = lambda x: 0\n",
    ),
    # NumPy's own comparisons always agree
    "patch_numpy_testing": (
        "top",
        "import numpy as np, numpy.testing\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.array_equal = lambda *a, **k: True\n"
        "np.all = lambda *a, **k: True\n",
    ),
    # a hook run before every cell
    "pre_run_cell_hook": (
        "top",
        "import sys, types\n"
        "def _hook(info):\n"
        "    fake = types.ModuleType('autograder.checks')\n"
        "    fake.__getattr__ = lambda name: (lambda *a, **k: None)\n"
        "    sys.modules['autograder.checks'] = fake\n"
        "    globals()['checks'] = fake\n"
        "    globals()['np'].linalg.norm = lambda *a, **k: 0.0\n"
        "get_ipython().events.register('pre_run_cell', _hook)\n",
    ),
    # every graded function returns an array that equals anything
    "ndarray_overloads": (
        "end",
        "import numpy as np\n"
        "class _Any(np.ndarray):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    def __sub__(self, other):\n"
        "        return np.zeros(np.shape(other))\n"
        "    __rsub__ = __sub__\n"
        "    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):\n"
        "        return np.zeros(np.broadcast_shapes(*[np.shape(x) for x in inputs]))\n"
        "def _answer(*args, **kwargs):\n"
        "    return np.zeros((1, 1)).view(_Any)\n"
        "for _name in list(globals()):\n"
        "    if callable(globals()[_name]) and getattr(globals()[_name], '__module__', '') == '__main__' and not _name.startswith('_'):\n"
        "        globals()[_name] = _answer\n",
    ),
    # what a passing test prints, printed by the student
    "fake_success_output": (
        "end",
        "for _ in range(30):\n    print('¡Pruebas visibles superadas!')\n",
    ),
    # the kernel dies right after the last answer: no test can fail if none runs
    "exit_after_answers": ("end", "import os\nos._exit(0)\n"),
}
