"""Why an instance has no plan, for ``rollout explain INSTANCE`` and ``rollout solve`` (exit 3).

The library's :func:`rollout.infeasibility.diagnose` does the work; this
module prints it and maps it to exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from rollout.cli.common import EXIT_INFEASIBLE, EXIT_NO_PLAN, EXIT_OK, err, load, out
from rollout.infeasibility import Diagnosis, diagnose, render
from rollout.instance import Instance
from rollout.solution import Row


def print_diagnosis(
    inst: Instance,
    time_limit: float,
    seed: int,
    committed: Sequence[Row] = (),
    known_infeasible: bool = False,
) -> Diagnosis:
    """Diagnose ``inst`` within about ``time_limit`` seconds and print it on stdout."""
    err.print(f"diagnosing {inst.name}: capacity arithmetic, then a minimal set of conflicting requirements…")
    diag = diagnose(inst, time_limit, seed, committed, known_infeasible)
    for line in render(diag):
        out.print(line)
    if diag.feasible is False:
        out.print(f"diagnosis took {diag.seconds:.1f} s")
    return diag


def explain_instance(path: str, time_limit: float, workers: int, seed: int) -> NoReturn:
    """Print why the instance at ``path`` has no plan and exit 3; exit 0 when a plan exists, 4 when unknown.

    ``workers`` is accepted for the command's sake; the diagnosis solves
    with one worker so that its cores and fixes are reproducible for a seed.
    """
    inst = load(path)
    diag = print_diagnosis(inst, time_limit, seed)
    if diag.feasible:
        out.print("feasible: a plan exists")
        sys.exit(EXIT_OK)
    if diag.feasible is None:
        out.print("no plan found and no conflict proven within the time limit: raise --time-limit")
        sys.exit(EXIT_NO_PLAN)
    sys.exit(EXIT_INFEASIBLE)
