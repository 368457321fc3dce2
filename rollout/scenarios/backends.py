"""Where many independent solves run: local processes, or a Dask distributed cluster.

Both back ends take one function and its arguments *by value* (an
instance's data, solve settings) and give back its return value; nothing
is read from or written to shared storage by the workers. The client (the
``rollout`` command) writes every output as each task finishes, so a
failed or interrupted task never loses the others' results.

* :class:`LocalProcesses`: :class:`concurrent.futures.ProcessPoolExecutor`,
  N tasks at a time, fresh (``spawn``) processes.
* :class:`DaskCluster`: :class:`dask.distributed.Client` on a scheduler's
  address (``tcp://host:8786``), or on a :class:`~dask.distributed.LocalCluster`
  of N single-threaded workers (``--dask local``).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rollout import __version__
from rollout.stopping import StopRequest


class Backend(ABC):
    """Runs tasks and yields them as they finish."""

    #: Tasks that run at the same time.
    slots: int
    #: The back end in a few words, for progress and reports.
    description: str

    @abstractmethod
    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        """Start ``fn(arg)``; a future."""

    @abstractmethod
    def as_completed(self, futures: Sequence[Any]) -> Iterator[Any]:
        """The futures, each as it finishes."""

    @abstractmethod
    def close(self, cancel: bool = False) -> None:
        """Release the workers; with ``cancel``, drop tasks not started and do not wait."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        self.close(cancel=exc is not None)


class LocalProcesses(Backend):
    """``jobs`` worker processes on this machine."""

    def __init__(self, jobs: int) -> None:
        self.slots = jobs
        self.description = f"local processes, {jobs} at a time"
        self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        return self._pool.submit(fn, arg)

    def as_completed(self, futures: Sequence[Any]) -> Iterator[Any]:
        return as_completed(futures)

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskCluster(Backend):
    """A Dask distributed client: on ``address``, or on a local cluster of ``jobs`` workers.

    Parameters
    ----------
    address
        A scheduler's address (``tcp://10.0.0.5:8786``), or ``local`` for a
        :class:`~dask.distributed.LocalCluster` of ``jobs`` single-threaded workers.
    jobs
        Workers of the local cluster (ignored with an address: the cluster's
        workers decide).
    processes
        Local cluster only: workers in processes (True, what the command
        does) or threads of this process (False, lighter, for tests).
    """

    def __init__(self, address: str, jobs: int = 1, processes: bool = True) -> None:
        from dask.distributed import Client, LocalCluster

        if not logging.getLogger("rollout").isEnabledFor(logging.INFO):
            logging.getLogger("distributed").setLevel(logging.WARNING)  # its INFO lines, only with -v
        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=jobs,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
            )
            self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
            self.description = f"Dask local cluster, {jobs} workers"
        else:
            self._client = Client(address, timeout="30s")  # type: ignore[no-untyped-call]
            self.description = f"Dask cluster at {address}"
        if address != "local":
            self._same_rollout(address)
        threads = self._client.nthreads()  # type: ignore[no-untyped-call]
        self.slots = max(1, sum(threads.values()))
        if address != "local":
            n = len(threads)
            self.description += f", {n} worker{'s' * (n != 1)}, {self.slots} thread{'s' * (self.slots != 1)}"

    def _same_rollout(self, address: str) -> None:
        """Refuse a cluster whose workers run another rollout (plans would differ from the hash's)."""
        try:
            found = self._client.run(_rollout_version)
        except Exception as exc:  # a worker that cannot import rollout
            self.close()
            raise ValueError(
                f"a worker cannot run rollout ({exc}): pip install rollout on every worker"
            ) from None
        other = {worker: v for worker, v in found.items() if v != __version__}
        if other:
            self.close()
            worker, version = next(iter(other.items()))
            raise ValueError(
                f"{len(other)} workers run rollout {version} (e.g. {worker}), this client {__version__}: "
                "install the same version everywhere"
            )

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        return self._client.submit(fn, arg, pure=False)

    def as_completed(self, futures: Sequence[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed as dask_completed

        return iter(dask_completed(list(futures)))  # type: ignore[no-untyped-call]

    def close(self, cancel: bool = False) -> None:
        self._client.close()  # type: ignore[no-untyped-call]
        if self._cluster is not None:
            self._cluster.close()


def _rollout_version() -> str:
    from rollout import __version__ as version

    return version


def make_backend(jobs: int, dask: str | None, processes: bool = True) -> Backend:
    """Local processes, or Dask when ``dask`` gives an address (or ``local``)."""
    if dask is None:
        return LocalProcesses(jobs)
    return DaskCluster(dask, jobs, processes)


@dataclass
class Tally:
    """Tasks done, running, failed and skipped so far, for progress."""

    total: int
    slots: int
    submitted: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    names: list[str] = field(default_factory=list)

    @property
    def running(self) -> int:
        return min(self.slots, self.submitted - self.done - self.failed)

    @property
    def waiting(self) -> int:
        return self.submitted - self.done - self.failed - self.running


def run_all(
    backend: Backend,
    fn: Callable[[Any], Any],
    tasks: Mapping[str, Any],
    on_result: Callable[[str, Any], None],
    on_error: Callable[[str, BaseException], None],
    tally: Tally,
) -> None:
    """Run ``fn`` on every task; call ``on_result`` (or ``on_error``) in this process as each finishes.

    An exception in the loop (Ctrl-C) cancels the tasks not finished and is
    raised again; every ``on_result`` called before it stands.
    """
    futures: dict[Any, str] = {}
    try:
        for name, arg in tasks.items():
            futures[backend.submit(fn, arg)] = name
            tally.submitted += 1
        for future in backend.as_completed(list(futures)):
            name = futures.pop(future)
            try:
                value = future.result()
            except Exception as exc:
                tally.failed += 1
                on_error(name, exc)
                continue
            tally.done += 1
            on_result(name, value)
    except BaseException:
        for future in futures:
            future.cancel()
        raise


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """In a worker's main thread, SIGINT and SIGTERM ask the running solve to stop (no traceback).

    A worker process shares the terminal's Ctrl-C with the command; its solve
    then returns at once and the command discards it. In a thread (Dask
    workers run tasks in threads) signals are the process's business and
    nothing is installed.
    """
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {
        s: signal.signal(s, lambda signum, frame: stop.request(signum))
        for s in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
