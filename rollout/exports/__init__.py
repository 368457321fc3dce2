"""Exports for coordinators: CSV views, an Excel workbook, iCalendar files and an HTML report.

Every export reads a solution folder and its instance only, through
:func:`rollout.exports.frame.plan_frame`.
"""
