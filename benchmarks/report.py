"""What the benchmark measured, and its markdown report (``benchmarks/RESULTS.md``).

Rendering is a pure function of the measurements, so it is tested without
solving anything. A ``## Notes`` section already in the report is carried
over verbatim: a rerun replaces the numbers, never the engineer's notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tracefile import Curve, Standing

#: Seconds at which the report shows how the search stood.
MARKS = (10.0, 60.0, 300.0)
#: Statuses of a solve that ran to its end (anything else: it crashed or was killed).
FINISHED = ("optimal", "feasible", "infeasible", "unknown")
NOTES_HEADING = "## Notes"
NOTES_PLACEHOLDER = "(to be written by the engineer)"


@dataclass(frozen=True)
class Size:
    """An instance's size, ``count`` expanded."""

    sites: int
    trainers: int
    cohorts: int
    teaching_days: int


@dataclass(frozen=True)
class Run:
    """One ``rollout solve`` and the check of its plan.

    Attributes
    ----------
    status
        ``status`` of ``solution.json``, or "crashed (exit N)" / "killed (timeout)".
    objective
        Objective of the plan, None without a plan.
    solver_seconds
        ``solver.seconds`` of ``solution.json``.
    wall
        Wall seconds of the whole child process (start-up and reading included).
    peak_mib
        Peak resident memory of the child process.
    check
        ``rollout check`` on the plan: "pass", "FAIL", "ERROR (exit N)", or "-" without a plan.
    log
        The child's output.
    """

    status: str
    objective: int | None
    solver_seconds: float | None
    wall: float
    peak_mib: float
    check: str
    log: str

    @property
    def ok(self) -> bool:
        """Whether the solve ran to its end and its plan, if any, passed the check."""
        return self.status in FINISHED and self.check in ("pass", "-")


@dataclass(frozen=True)
class Outcome:
    """Everything measured on one instance."""

    name: str
    path: str
    size: Size
    cpsat: Run
    curve: Curve
    greedy: Run

    @property
    def final(self) -> Standing | None:
        """CP-SAT's plan and bound at the end (from ``solution.json`` and the trace's last line)."""
        if self.cpsat.objective is None:
            return None
        return Standing(self.cpsat.objective, self.curve.bound)

    def runs(self) -> list[tuple[str, Run]]:
        return [("cp-sat", self.cpsat), ("greedy", self.greedy)]

    @property
    def ratio(self) -> float | None:
        """CP-SAT's final objective over the greedy baseline's (below 1: CP-SAT is better)."""
        if self.cpsat.objective is None or not self.greedy.objective:
            return None
        return self.cpsat.objective / self.greedy.objective


def existing_notes(path: Path) -> str | None:
    """The ``## Notes`` section of the report at ``path`` (to its end), or None."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"^{NOTES_HEADING}[ \t]*$", text, flags=re.MULTILINE)
    return text[found.start() :].rstrip() + "\n" if found else None


def _int(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}" if value >= 1 else f"{value:.3f}"


def _gap(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f} %"


def _standing(s: Standing | None) -> str:
    return "-" if s is None else f"{_int(s.objective)} / {_int(s.bound)} / {_gap(s.gap)}"


def _check(verdict: str) -> str:
    return verdict if verdict in ("pass", "-") else f"**{verdict}**"


def _status(run: Run, final: str | None = None) -> str:
    return run.status if run.status not in FINISHED else (final or run.status)


def _numeric(cell: str) -> bool:
    return bool(re.match(r"[-\d]", cell))


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table; columns whose every cell is a number (or "-") are right-aligned."""
    align = ["---:" if rows and all(_numeric(row[k]) for row in rows) else "---" for k in range(len(head))]
    return [f"| {' | '.join(r)} |" for r in (head, align, *rows)]


def _section(title: str, intro: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A ``##`` section: title, a sentence saying what the columns mean, the table."""
    return [f"## {title}", "", *([intro, ""] if intro else []), *_table(head, rows)]


def _failures(outcomes: Sequence[Outcome]) -> list[str]:
    return [
        f"**{o.name} {label}: {run.status}, check {run.check}** (see `{run.log}`)"
        for o in outcomes
        for label, run in o.runs()
        if not run.ok
    ]


def _head(
    command: str, header: Sequence[tuple[str, str]], departures: Sequence[str], pending: Sequence[str]
) -> list[str]:
    lines = ["# Benchmark results", "", "Reproduce from the repository root:", "", "```", command, "```", ""]
    if departures:
        lines += [f"> **Partial run, not the full benchmark** ({'; '.join(departures)}).", ""]
    if pending:
        lines += [f"> **In progress**: still to run: {', '.join(pending)}.", ""]
    return lines + [f"- {label}: {value}" for label, value in header] + [""]


def _instances(outcomes: Sequence[Outcome]) -> list[str]:
    return _section(
        "Instances",
        "",
        ("instance", "sites", "trainers", "cohorts", "teaching days", "model"),
        [
            (
                f"`{o.name}`",
                str(o.size.sites),
                str(o.size.trainers),
                str(o.size.cohorts),
                f"{o.size.teaching_days:,}",
                o.curve.model or "-",
            )
            for o in outcomes
        ],
    )


def _cpsat(outcomes: Sequence[Outcome], time_limit: float) -> list[str]:
    intro = (
        "Objective / bound / gap as they stood at each mark (last plan and last bound reported by then; "
        '"-" before the first plan or beyond the time limit). Wall: the whole `rollout solve` process; '
        "peak: its maximum resident memory."
    )
    return _section(
        "CP-SAT",
        intro,
        (
            "instance",
            "first plan (s)",
            *(f"@{m:g} s" for m in MARKS),
            "final status",
            "final objective / bound / gap",
            "wall (s)",
            "peak MiB",
            "check",
        ),
        [
            (
                f"`{o.name}`",
                _seconds(o.curve.first_plan),
                *(_standing(o.curve.at(m, time_limit)) for m in MARKS),
                _status(o.cpsat, o.curve.status),
                _standing(o.final),
                _seconds(o.cpsat.wall),
                _int(o.cpsat.peak_mib),
                _check(o.cpsat.check),
            )
            for o in outcomes
        ],
    )


def _greedy(outcomes: Sequence[Outcome]) -> list[str]:
    intro = "Ratio: CP-SAT final objective / greedy objective (below 1: CP-SAT is cheaper)."
    return _section(
        "Greedy baseline",
        intro,
        (
            "instance",
            "CP-SAT objective",
            "check",
            "greedy status",
            "greedy objective",
            "greedy s",
            "greedy check",
            "ratio",
        ),
        [
            (
                f"`{o.name}`",
                _int(o.cpsat.objective),
                _check(o.cpsat.check),
                _status(o.greedy),
                _int(o.greedy.objective),
                _seconds(o.greedy.solver_seconds),
                _check(o.greedy.check),
                "-" if o.ratio is None else f"{o.ratio:.3f}",
            )
            for o in outcomes
        ],
    )


def _per_thousand(seconds: float | None, days: int) -> str:
    return "-" if seconds is None or not days else f"{seconds * 1000 / days:.3f}"


def _first_plan(outcomes: Sequence[Outcome]) -> list[str]:
    intro = (
        "First plan: the first plan in the trace, whichever planner inside `rollout solve` found it. "
        "After model: the first plan reported after the model was built, i.e. CP-SAT's first "
        'improvement ("-": none within the time limit). Per 1,000: seconds per 1,000 teaching days.'
    )
    return _section(
        "Time to first plan vs teaching days",
        intro,
        ("instance", "teaching days", "first plan (s)", "per 1,000", "after model (s)", "per 1,000"),
        [
            (
                f"`{o.name}`",
                f"{o.size.teaching_days:,}",
                _seconds(o.curve.first_plan),
                _per_thousand(o.curve.first_plan, o.size.teaching_days),
                _seconds(o.curve.first_plan_after_model),
                _per_thousand(o.curve.first_plan_after_model, o.size.teaching_days),
            )
            for o in sorted(outcomes, key=lambda o: o.size.teaching_days)
        ],
    )


def render(
    command: str,
    header: Sequence[tuple[str, str]],
    departures: Sequence[str],
    time_limit: float,
    outcomes: Sequence[Outcome],
    pending: Sequence[str] = (),
    notes: str | None = None,
) -> str:
    """The whole report.

    Parameters
    ----------
    command
        The command that reproduces the run, shown first.
    header
        (label, value) pairs: date, machine, versions, settings.
    departures
        How the run differs from the full benchmark; non-empty marks it partial.
    time_limit
        CP-SAT seconds per instance (marks beyond it are "-").
    outcomes
        Measurements, in run order.
    pending
        Instances still to run (the report is rewritten after each instance).
    notes
        A ``## Notes`` section to carry over; None writes the placeholder.
    """
    lines = _head(command, header, departures, pending)
    failures = _failures(outcomes)
    if failures:
        lines += ["## FAILURES", "", *(f"- {f}" for f in failures), ""]
    for section in (_instances(outcomes), _cpsat(outcomes, time_limit), _greedy(outcomes)):
        lines += [*section, ""]
    lines += [*_first_plan(outcomes), ""]
    lines.append(notes.rstrip() if notes else f"{NOTES_HEADING}\n\n{NOTES_PLACEHOLDER}")
    return "\n".join(lines) + "\n"
