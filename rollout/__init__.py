"""rollout: plan national training rollouts with constraint programming.

The public API: load an instance, solve it, check a plan.

>>> from rollout import load_instance, solve, SolveParams
>>> instance = load_instance("instances/tiny.yaml")
>>> result = solve(instance, SolveParams(time_limit=10, workers=1, seed=1))
"""

__version__ = "0.1.0"

from rollout.errors import InputError, Problem
from rollout.instance import Instance
from rollout.io import load_instance, read_solution, write_solution
from rollout.solution import Result, Row, Status, Terms
from rollout.solve import SolveParams, solve

__all__ = [
    "InputError",
    "Instance",
    "Problem",
    "Result",
    "Row",
    "SolveParams",
    "Status",
    "Terms",
    "__version__",
    "load_instance",
    "read_solution",
    "solve",
    "write_solution",
]
