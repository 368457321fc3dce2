"""Everything CP-SAT: the only package of rollout that imports ``ortools``."""

from rollout.cpsat.search import solve_cpsat

__all__ = ["solve_cpsat"]
