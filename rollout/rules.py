"""The rules and objective terms of the product contract, by stable id.

``docs/planning-rules.md`` (a copy of the shared spec) is the source; this enum
is how code, messages and tests name a rule.
"""

from __future__ import annotations

from enum import Enum


class Rule(str, Enum):
    """A hard rule (R1–R14) or an objective term (O1–O5), with its sentence."""

    sentence: str

    def __new__(cls, value: str, sentence: str) -> Rule:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.sentence = sentence
        return obj

    R1 = "R1", "Working days: every row's date is a working day at its site."
    R2 = "R2", "Blocks: the days of one block are consecutive calendar days, in topic order."
    R3 = "R3", "Block gaps: consecutive blocks are min_gap_days..max_gap_days apart."
    R4 = "R4", "Course order: a cohort takes its courses in order, course_gap apart."
    R5 = "R5", "Window: a cohort's first row is within start, its last on or before end_by."
    R6 = "R6", "Completeness: a scheduled cohort has exactly one row per course day, at its site."
    R7 = "R7", "Rooms: at its site, large enough, open, one per block, one row a date."
    R8 = "R8", "Skills: the trainer has the row's topic."
    R9 = "R9", "Availability: the trainer is available that date and allowed at the site."
    R10 = "R10", "One place a day: a trainer has at most one row a date."
    R11 = "R11", "Overnight travel: consecutive days at two sites need a short enough trip."
    R12 = "R12", "Workload: at most max_days rows, and max_days_per_week per ISO week."
    R13 = "R13", "One place per cohort: a cohort has at most one row a date."
    R14 = "R14", "Pins: every pinned entry is in the plan."
    O1 = "O1", "unscheduled: cohorts left unscheduled."
    O2 = "O2", "cost: day rates plus travel and nights away from home, in euros."
    O3 = "O3", "trainer_changes: distinct trainers - 1 per scheduled (cohort, course)."
    O4 = "O4", "school_holiday_days: rows in a school holiday of the site's zone."
    O5 = "O5", "delay_days: days from start.from to each scheduled cohort's first row."


HARD_RULES: tuple[Rule, ...] = tuple(r for r in Rule if r.value.startswith("R"))
TERMS: tuple[Rule, ...] = tuple(r for r in Rule if r.value.startswith("O"))

#: Objective term names as they appear in ``solution.json`` and in ``weights``.
TERM_NAMES: dict[Rule, str] = {
    Rule.O1: "unscheduled",
    Rule.O2: "cost",
    Rule.O3: "trainer_changes",
    Rule.O4: "school_holiday_days",
    Rule.O5: "delay_days",
}
