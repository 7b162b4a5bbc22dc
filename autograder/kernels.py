"""The kernel manager that starts every graded kernel as a sealed unit (:mod:`autograder.sandbox`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import zmq
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer

from . import sandbox


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run inside :mod:`autograder.sandbox`'s unit.

    How to use it: as any ``AsyncKernelManager``. ``start_kernel(cwd=FOLDER)``
    starts the kernel in a *private copy* of ``FOLDER`` (its regular files,
    never its notebooks), mounted at :data:`autograder.sandbox.WORKDIR`;
    ``interrupt_kernel()`` sends an ``interrupt_request`` message (the
    kernel spec's ``interrupt_mode`` is forced to ``"message"``: signals do
    not cross the unit); the kernel talks over ZeroMQ ``ipc`` sockets in the
    unit's private folder, so clients (and comms) work as usual. When the
    kernel stops, the regular files it left in its folder are copied back to
    ``FOLDER``, never following a link and never a notebook, within
    ``max_copy_files`` and ``max_copy_bytes``; every process it started is
    gone. The unit inherits none of the grader's descriptors: its standard
    input and output are ``/dev/null`` and its standard error an unnamed file
    that only bubblewrap and the supervisor can write (the kernel's own 0, 1, 2
    are ``/dev/null``), logged here, capped, when the kernel stops.

    When the environment variable ``AUTOGRADER_UNSANDBOXED`` is ``1``
    (``autograder grade --unsandboxed``), kernels start as plain
    ``AsyncKernelManager`` kernels.
    """

    sandbox = Bool(True, help="Start kernels in the sealed unit.").tag(config=True)
    memory_limit = Integer(8 * 1024**3, help="Address-space limit of a kernel, in bytes.").tag(
        config=True
    )
    cpu_limit = Integer(
        3600, help="CPU seconds a kernel may use in all (all threads); 0 for none."
    ).tag(config=True)
    file_size_limit = Integer(
        256 * 1024**2, help="Largest file a kernel may write, in bytes; 0 for none."
    ).tag(config=True)
    process_limit = Integer(
        512, help="Processes and threads of the unit's uid (when the grader is root); 0 for none."
    ).tag(config=True)
    tmpfs_limit = Integer(
        512 * 1024**2, help="Size of each of the unit's private /tmp and /dev/shm, in bytes."
    ).tag(config=True)
    workdir_limit = Integer(
        512 * 1024**2, help="Size of the kernel's private working folder, in bytes."
    ).tag(config=True)
    max_copy_files = Integer(
        1000, help="Files copied into and back from the working folder, at most."
    ).tag(config=True)
    max_copy_bytes = Integer(
        64 * 1024**2, help="Bytes copied into and back from the working folder, at most."
    ).tag(config=True)
    max_message_bytes = Integer(
        256 * 1024**2,
        help="Largest ZeroMQ message a client accepts from the kernel (bigger ones are dropped).",
    ).tag(config=True)

    _private: str | None = None
    _home: str | None = None
    _unit: sandbox.Unit | None = None
    _messages = None

    #: Bytes of the unit's standard error (bubblewrap and the supervisor) logged, at most.
    MESSAGE_BYTES = 16 * 1024

    @property
    def isolated(self) -> bool:
        """Whether the next kernel starts in the unit."""
        return self.sandbox and os.environ.get(sandbox.UNSANDBOXED_VARIABLE) != "1"

    def limits(self) -> sandbox.Limits:
        """Return the unit's resource caps, from this manager's traits."""
        return sandbox.Limits(
            memory=self.memory_limit,
            cpu=self.cpu_limit,
            file_size=self.file_size_limit,
            processes=self.process_limit,
            tmpfs=self.tmpfs_limit,
            workdir=self.workdir_limit,
            max_files=self.max_copy_files,
            max_bytes=self.max_copy_bytes,
        )

    async def _async_pre_start_kernel(self, **kw):
        if not self.isolated:
            return await super()._async_pre_start_kernel(**kw)
        sandbox.check_unit()  # fail closed, with the cause and the fix, before anything starts
        if self._private is None:
            self._private = sandbox.private_folder()
        self._home = os.path.abspath(kw.get("cwd") or os.getcwd())
        self.transport = "ipc"
        self.ip = os.path.join(self._private, "kernel")
        self.connection_file = os.path.join(self._private, "kernel.json")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        self.kernel_spec.interrupt_mode = "message"
        if kernel_cmd and os.path.basename(kernel_cmd[0]).startswith("python"):
            kernel_cmd = [sys.executable, *kernel_cmd[1:]]
        if "ipykernel_launcher" in kernel_cmd:
            kernel_cmd += [
                "--IPKernelApp.outstream_class=autograder.kernel_streams.CappedOutStream"
            ]
        self._unit = sandbox.build_unit(kernel_cmd, self._home, self._private, self.limits())
        kw["cwd"] = self._private
        kw["pass_fds"] = self._unit.pass_fds
        self._close_messages()
        self._messages = tempfile.TemporaryFile(prefix="iap-unit-")
        kw["stdin"] = subprocess.DEVNULL
        kw["stdout"] = subprocess.DEVNULL
        kw["stderr"] = self._messages
        return self._unit.argv, kw

    async def _async_post_start_kernel(self, **kw) -> None:
        if self._unit is not None:
            for fd in self._unit.pass_fds:
                os.close(fd)
            self._unit.pass_fds = ()
        await super()._async_post_start_kernel(**kw)

    def client(self, **kwargs):
        """Return a client whose sockets drop messages above ``max_message_bytes``."""
        kc = super().client(**kwargs)
        if self.max_message_bytes > 0:
            kc.context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        return kc

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._unit is not None and self._home is not None:
            for fd in self._unit.pass_fds:
                os.close(fd)
            self._unit.pass_fds = ()
            try:
                sandbox.copy_tree_safely(
                    self._unit.outbox,
                    self._home,
                    max_files=self.max_copy_files,
                    max_bytes=self.max_copy_bytes,
                )
            except OSError as exc:
                self.log.warning("could not copy the kernel's files back: %s", exc)
            self._unit = None
        self._close_messages()
        if not restart and self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    def _close_messages(self) -> None:
        """Log what bubblewrap or the supervisor said (capped), and close their file."""
        if self._messages is None:
            return
        try:
            self._messages.seek(0)
            said = self._messages.read(self.MESSAGE_BYTES).decode("utf-8", "replace").strip()
            if said:
                self.log.warning("the kernel's unit said: %s", said)
        finally:
            self._messages.close()
            self._messages = None

    cleanup_resources = _async_cleanup_resources
