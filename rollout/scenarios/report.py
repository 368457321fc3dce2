"""The comparison of variants: ``scenarios.csv`` and one self-contained HTML page.

Each variant is summed up by its :class:`Figures` (status, objective, the
terms O1–O5, gap, unscheduled cohorts, cost per learner, times, the
checker's verdict), compared with the base in :func:`table`. The HTML page
renders the Jinja2 template ``templates/scenarios.html.j2`` with
autoescaping on, as the plan report does (:mod:`rollout.exports.report`):
its charts are inline SVG whose geometry is computed here, and a
Content-Security-Policy forbids loading anything.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rollout import __version__
from rollout.exports.report import PALETTE, html_environment
from rollout.io import safe_cell, write_text_atomic
from rollout.scenarios.spec import BASE, Variant
from rollout.solution import Result, Terms

#: The terms O1–O5 by their names in solution.json.
TERMS = tuple(Terms().as_dict())

#: Columns of ``scenarios.csv``.
COLUMNS = (
    "variant",
    "description",
    "status",
    "objective",
    *TERMS,
    "gap",
    "unscheduled_cohorts",
    "learners",
    "cost_per_learner",
    "solve_seconds",
    "task_seconds",
    "check_ok",
    "delta_objective",
    "delta_objective_pct",
    "delta_cost",
    "note",
)


@dataclass(frozen=True)
class Figures:
    """One variant summed up (a row of ``scenarios.csv`` before the comparison with the base)."""

    variant: str
    description: str
    status: str
    objective: int | None
    terms: dict[str, int] | None
    weighted: dict[str, int] | None
    gap: float | None
    unscheduled_cohorts: list[str]
    learners: int
    cost_per_learner: float | None
    solve_seconds: float
    task_seconds: float
    check_ok: bool | None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def figures(
    variant: Variant,
    result: Result,
    check_ok: bool | None,
    task_seconds: float,
    problems: tuple[str, ...] = (),
) -> Figures:
    """A variant's figures from its plan and the checker's verdict."""
    inst = variant.instance
    scheduled = {r.cohort for r in result.rows}
    learners = sum(c.learners for c in inst.cohort_list if c.id in scheduled)
    terms = result.terms.as_dict() if result.terms is not None and result.status.has_plan else None
    weights = inst.weights.model_dump()
    note = "; ".join(problems[:3] or result.notes[:3])
    return Figures(
        variant=variant.name,
        description=variant.description,
        status=result.status.value,
        objective=result.objective if terms is not None else None,
        terms=terms,
        weighted={k: v * weights[k] for k, v in terms.items()} if terms is not None else None,
        gap=result.gap,
        unscheduled_cohorts=[u.cohort for u in result.unscheduled],
        learners=learners,
        cost_per_learner=round(terms["cost"] / learners, 2) if terms is not None and learners else None,
        solve_seconds=result.solver.seconds if result.solver else 0.0,
        task_seconds=task_seconds,
        check_ok=check_ok,
        note=note,
    )


def failed_figures(variant: Variant, error: str) -> Figures:
    """The figures of a variant whose task failed (no plan, no check)."""
    return Figures(
        variant.name, variant.description, "failed", None, None, None, None, [], 0, None, 0, 0, False, error
    )


def table(rows: list[Figures]) -> list[dict[str, Any]]:
    """The rows of ``scenarios.csv``: each variant's figures and its difference from the base."""
    base = next((r for r in rows if r.variant == BASE), None)
    out = []
    for r in rows:
        line: dict[str, Any] = {
            "variant": r.variant,
            "description": r.description,
            "status": r.status,
            "objective": r.objective,
            **{t: (r.terms or {}).get(t) for t in TERMS},
            "gap": None if r.gap is None else round(r.gap, 4),
            "unscheduled_cohorts": ";".join(r.unscheduled_cohorts),
            "learners": r.learners,
            "cost_per_learner": r.cost_per_learner,
            "solve_seconds": round(r.solve_seconds, 2),
            "task_seconds": round(r.task_seconds, 2),
            "check_ok": r.check_ok,
            "delta_objective": None,
            "delta_objective_pct": None,
            "delta_cost": None,
            "note": r.note,
        }
        if base is not None and base.objective is not None and r.objective is not None:
            line["delta_objective"] = r.objective - base.objective
            if base.objective:
                line["delta_objective_pct"] = round(100 * (r.objective - base.objective) / base.objective, 2)
            line["delta_cost"] = (r.terms or {}).get("cost", 0) - (base.terms or {}).get("cost", 0)
        out.append(line)
    return out


def csv_text(lines: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> str:
    """A table as CSV: a header of ``columns`` (``scenarios.csv``'s by default), then one line each.

    Text cells are spreadsheet-safe; ``None`` is an empty cell.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for line in lines:
        writer.writerow([_cell(line[c]) for c in columns])
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return safe_cell(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class BarRow:
    """One variant's bar(s) in a chart: segments (x, width, colour, title) and a label."""

    label: str
    y: float
    segments: tuple[tuple[float, float, str, str], ...]
    value: str
    x_value: float


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart, its geometry in pixels."""

    title: str
    rows: tuple[BarRow, ...]
    width: int
    height: int
    label_px: int
    marker: float | None  # x of the base's value, or of zero
    legend: tuple[tuple[str, str], ...] = ()


ROW_PX, LABEL_PX, PLOT_PX = 22, 230, 520


def _stacked(rows: list[Figures]) -> Chart:
    """Weighted terms (weight × term) stacked per variant, on one scale."""
    colours = {t: PALETTE[i] for i, t in enumerate(TERMS)}
    top = max([sum(r.weighted.values()) for r in rows if r.weighted] or [1]) or 1
    scale = PLOT_PX / top
    bars, base = [], next((r for r in rows if r.variant == BASE), None)
    for i, r in enumerate(rows):
        segments, x = [], 0.0
        for t, v in (r.weighted or {}).items():
            if v:
                segments.append((LABEL_PX + x, v * scale, colours[t], f"{r.variant} · {t}: {v:,}"))
                x += v * scale
        value = f"{r.objective:,}" if r.objective is not None else r.status
        bars.append(BarRow(r.variant, i * ROW_PX, tuple(segments), value, LABEL_PX + x + 6))
    marker = LABEL_PX + base.objective * scale if base and base.objective is not None else None
    legend = tuple((t, colours[t]) for t in TERMS)
    return Chart(
        "Objective by variant: weight × term, O1–O5",
        tuple(bars),
        LABEL_PX + PLOT_PX + 110,
        len(rows) * ROW_PX + 4,
        LABEL_PX,
        marker,
        legend,
    )


def _delta(lines: list[dict[str, Any]], key: str, title: str, unit: str) -> Chart:
    """Each variant's difference from the base, bars left (better) or right (worse) of zero."""
    values = [line[key] for line in lines]
    span = max([abs(v) for v in values if v is not None] or [1]) or 1
    half = PLOT_PX / 2
    zero = LABEL_PX + half
    bars = []
    for i, (line, v) in enumerate(zip(lines, values, strict=True)):
        if v is None:
            bars.append(BarRow(line["variant"], i * ROW_PX, (), line["status"], zero + 6))
            continue
        w = abs(v) / span * (half - 10)
        colour = "#009E73" if v < 0 else "#D55E00"
        x = zero - w if v < 0 else zero
        text = f"{v:+,.2f}{unit}" if isinstance(v, float) else f"{v:+,}{unit}"
        seg = (x, max(w, 1.0), colour, f"{line['variant']}: {text}")
        bars.append(BarRow(line["variant"], i * ROW_PX, (seg,), text, (zero + w if v >= 0 else zero) + 6))
    return Chart(title, tuple(bars), LABEL_PX + PLOT_PX + 110, len(lines) * ROW_PX + 4, LABEL_PX, zero)


def render_page(rows: list[Figures], info: dict[str, Any]) -> str:
    """The comparison page's HTML text."""
    lines = table(rows)
    env = html_environment("rollout.scenarios")
    charts = [
        _stacked(rows),
        _delta(lines, "delta_objective_pct", "Objective vs the base (%): left is better", " %"),
        _delta(lines, "delta_cost", "Cost (O2, euros) vs the base: left is cheaper", " €"),
    ]
    return env.get_template("scenarios.html.j2").render(
        lines=lines, columns=COLUMNS, charts=charts, info=info, version=__version__, row_px=ROW_PX
    )


def write_comparison(rows: list[Figures], folder: Path, info: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``scenarios.csv`` and ``scenarios.html`` into ``folder`` (atomically); their paths."""
    csv_path, html_path = folder / "scenarios.csv", folder / "scenarios.html"
    write_text_atomic(csv_path, csv_text(table(rows)))
    write_text_atomic(html_path, render_page(rows, info))
    return csv_path, html_path
