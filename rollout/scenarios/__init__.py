"""What-if scenarios and robustness: many solves of one base instance, compared.

:mod:`~rollout.scenarios.spec` reads scenario files (a base instance and its
variants, written or generated), :mod:`~rollout.scenarios.run` solves them
on local processes or a Dask cluster, :mod:`~rollout.scenarios.report`
writes ``scenarios.csv`` and the HTML comparison, and
:mod:`~rollout.scenarios.robustness` draws disruptions of a plan and
re-plans each.
"""

from rollout.scenarios.spec import BASE, Scenarios, Variant, load_scenarios, read_scenarios

__all__ = ["BASE", "Scenarios", "Variant", "load_scenarios", "read_scenarios"]
