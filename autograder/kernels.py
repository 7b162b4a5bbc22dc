"""The kernel manager that starts every graded kernel inside :mod:`autograder.sandbox`."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer

from .sandbox import capabilities


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside the sandbox described above.

    The kernel writes only in its working folder (the ``cwd`` it is started
    with) and a private temporary folder, removed when the kernel stops.
    """

    sandbox = Bool(True, help="Start kernels in the sandbox.").tag(config=True)
    memory_limit = Integer(8 * 1024**3, help="Address-space limit of a kernel, in bytes.").tag(
        config=True
    )
    cpu_limit = Integer(
        3600, help="CPU seconds a kernel may use in all (all threads); 0 for none."
    ).tag(config=True)
    file_size_limit = Integer(
        1024**3, help="Largest file a kernel may write, in bytes; 0 for none."
    ).tag(config=True)

    _private: str | None = None

    async def _async_pre_start_kernel(self, **kw):
        if not self.sandbox:
            return await super()._async_pre_start_kernel(**kw)
        if self._private is None:
            self._private = tempfile.mkdtemp(prefix="iap-sandbox-")
        if capabilities()["namespaces"]:
            # A network namespace cuts TCP, even on loopback: talk through Unix sockets.
            self.transport = "ipc"
            self.ip = os.path.join(self._private, "kernel")
        self.connection_file = os.path.join(self._private, "kernel.json")
        cwd = kw.get("cwd") or os.getcwd()
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        launcher = [sys.executable, "-m", "autograder.sandbox"]
        launcher += ["--write", str(cwd), "--tmp", self._private]
        launcher += ["--memory", str(self.memory_limit), "--cpu", str(self.cpu_limit)]
        launcher += ["--fsize", str(self.file_size_limit), "--"]
        return launcher + kernel_cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    cleanup_resources = _async_cleanup_resources
