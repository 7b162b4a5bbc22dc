"""Grading a batch of submissions: one coordinator, stateless executors.

- :mod:`autograder.grade.coordinator`: the :class:`Coordinator`, the only writer of
  the gradebook, ``autograded/`` and ``feedback/`` (sanitize, send out, score, record);
- :mod:`autograder.grade.executor`: the executor, the one step that runs student
  code, importable on a worker without the gradebook;
- :mod:`autograder.grade.bounds`: the process envelope of one job (a child forked
  from a warm forkserver, with a memory cap and a deadline);
- :mod:`autograder.grade.executors`: where executors run, this machine (jobs in
  threads of the coordinator, each supervising its child) or an existing Dask
  distributed cluster;
- :mod:`autograder.grade.worker`: the Dask worker preload (``autograder worker``);
- :mod:`autograder.grade.progress`: the progress bar and the summary line.

See ``docs/DESIGN.md`` ("Coordinator and executors") and the README's "Three ways to grade".
"""

from __future__ import annotations


def __getattr__(name: str):
    # lazy: a Dask worker imports only the executor, never the coordinator's stack
    if name == "Coordinator":
        from .coordinator import Coordinator

        return Coordinator
    raise AttributeError(name)


__all__ = ["Coordinator"]
