"""Stop a solve cleanly on request (Ctrl-C, SIGTERM): the best plan so far is kept.

A :class:`StopRequest` is shared by the caller and the search. The caller
(the CLI's signal handlers) calls :meth:`StopRequest.request`; the running
CP-SAT search is stopped at once through the callbacks it registered, and
the search loops see :attr:`StopRequest.signal` and return what they have.
Nothing is raised, so no state is left half-updated.

Solver-free.
"""

from __future__ import annotations

import signal
from collections.abc import Callable


class StopRequest:
    """A request to stop, and who to tell when it comes."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._listeners: list[Callable[[], object]] = []

    @property
    def requested(self) -> bool:
        return self.signal is not None

    def request(self, signum: int = signal.SIGINT) -> None:
        """Ask the search to stop (the first request's signal is kept)."""
        if self.signal is None:
            self.signal = signum
        for listener in list(self._listeners):
            listener()

    def listen(self, listener: Callable[[], object]) -> Callable[[], None]:
        """Call ``listener`` on a request (now, if one came already); returns the way to stop listening."""
        self._listeners.append(listener)
        if self.requested:
            listener()
        return lambda: self._listeners.remove(listener)

    @property
    def name(self) -> str | None:
        """The signal's name (``SIGINT``, ``SIGTERM``), if any."""
        return None if self.signal is None else signal.Signals(self.signal).name
