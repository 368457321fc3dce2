"""The ``rollout`` command line: a thin layer over the library.

One module per family of commands; each maps the library's results and
errors to messages and exit codes. Exit status: 0 a plan was written (or the
check passed), 1 ``check`` found violations, 2 bad input, 3 proven
infeasible, 4 no plan found in time, 130 / 143 stopped by Ctrl-C / SIGTERM
(the best plan so far is written).
"""

from __future__ import annotations

import logging
import sys

import click

from rollout import __version__
from rollout.cli import explain, files, plans, replanning, scenarios, solving


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rollout")
@click.option("-v", "--verbose", is_flag=True, help="Log what the tool does (model size, steps).")
def cli(verbose: bool) -> None:
    """Plan national training rollouts: dates, rooms and trainers for every cohort.

    Exit status: 0 success, 1 check found violations, 2 bad input,
    3 proven infeasible, 4 no plan found within the time limit,
    130/143 solve stopped by Ctrl-C/SIGTERM (the best plan so far is written).
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )


for command in (
    files.validate,
    solving.solve_command,
    files.generate,
    files.schema,
    files.template,
    files.import_command,
    plans.export_command,
    plans.check,
    replanning.replan_command,
    explain.explain_command,
    scenarios.scenarios_command,
    scenarios.robustness_command,
):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="rollout")
