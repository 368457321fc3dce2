"""Solution folders out and back: ``timetable.csv``, ``unscheduled.csv``, ``solution.json``.

Folders are written to a temporary sibling and renamed into place, so a
reader never sees half a folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from rollout.errors import InputError, Problem, did_you_mean
from rollout.instance import Instance
from rollout.solution import (
    TIMETABLE_COLUMNS,
    UNSCHEDULED_COLUMNS,
    Result,
    Row,
    SolverInfo,
    Status,
    Terms,
    Unscheduled,
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _extra_columns(inst: Instance, row: Row) -> list[str]:
    site = inst.site_by_id[row.site]
    course = inst.course_by_id[row.course]
    trainer = inst.trainer_by_id[row.trainer]
    return [
        row.date.strftime("%a").lower(),
        safe_cell(site.name or ""),
        safe_cell(site.region or ""),
        safe_cell(course.name or ""),
        safe_cell(inst.topics.get(row.topic, "")),
        safe_cell(trainer.name or ""),
        f"{course.hours_per_day:g}",
    ]


EXTRA_COLUMNS = ("weekday", "site_name", "region", "course_name", "topic_label", "trainer_name", "hours")


def _csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV with "\n" line ends; a cell holding a carriage return is quoted (csv quotes only
    the characters of its line terminator), so the file reads back."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(list(header))
    writer.writerows(rows)
    return buf.getvalue().replace("\r\n", "\n")


def solution_files(result: Result, inst: Instance) -> dict[str, str]:
    """The text of every file of a solution folder."""
    rows = sorted(result.rows, key=Row.sort_key)
    timetable = _csv_text(
        TIMETABLE_COLUMNS + EXTRA_COLUMNS,
        (
            [
                r.date.isoformat(),
                r.site,
                r.room,
                r.cohort,
                r.course,
                r.block,
                r.day,
                r.topic,
                r.trainer,
                *_extra_columns(inst, r),
            ]
            for r in rows
        ),
    )
    unscheduled = _csv_text(
        UNSCHEDULED_COLUMNS, ([u.cohort, u.site, safe_cell(u.reason)] for u in result.unscheduled)
    )
    info = result.solver
    doc: dict[str, Any] = {
        "instance": result.instance,
        "status": result.status.value,
        "objective": result.objective if result.status.has_plan else None,
        "bound": result.bound,
        "terms": result.terms.as_dict() if (result.terms and result.status.has_plan) else None,
        "solver": None
        if info is None
        else {
            "name": info.name,
            "version": info.version,
            "seconds": round(info.seconds, 3),
            "workers": info.workers,
            "seed": info.seed,
            "time_limit": info.time_limit,
        },
    }
    if result.committed:
        doc["committed"] = list(result.committed)
    return {
        "timetable.csv": timetable,
        "unscheduled.csv": unscheduled,
        "solution.json": json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
    }


def ensure_replaceable(folder: str | os.PathLike[str], force: bool) -> Path:
    """The resolved ``folder`` if a solution folder may be written there (checked before a long solve).

    Raises
    ------
    InputError
        When ``folder`` is a file; exists and ``force`` is not given; or is a
        non-empty folder that holds no ``solution.json``.
    """
    target = Path(folder).resolve()
    if target.exists():
        if not target.is_dir():
            raise InputError(str(folder), [Problem("", "is a file, not a folder: choose another -o path")])
        if any(target.iterdir()) and not (target / "solution.json").exists():
            raise InputError(
                str(folder),
                [
                    Problem(
                        "",
                        "is a folder that holds no solution.json: refusing to overwrite it; "
                        "choose another -o path",
                    )
                ],
            )
        if not force and any(target.iterdir()):
            raise InputError(
                str(folder),
                [
                    Problem(
                        "", "already holds a solution: choose another -o path, or add --force to replace it"
                    )
                ],
            )
    return target


def write_solution(
    result: Result,
    inst: Instance,
    folder: str | os.PathLike[str],
    *,
    force: bool = False,
    extra: Mapping[str, str] | None = None,
) -> Path:
    """Write a solution folder atomically, with ``extra`` files (name -> text) beside the plan's.

    The files go to a temporary sibling first, which is then renamed into
    place, so the folder is always either the old one whole or the new one
    whole. An existing folder is replaced only with ``force``, and only if it
    is a solution folder (it holds ``solution.json``) or empty.

    Raises
    ------
    InputError
        When ``folder`` is a file; exists and ``force`` is not given; or is a
        non-empty folder that holds no ``solution.json``.
    """
    target = ensure_replaceable(folder, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        for name, text in {**solution_files(result, inst), **(extra or {})}.items():
            with open(tmp / name, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Largest timetable.csv or unscheduled.csv read (a national plan's timetable is about 0.3 MB).
MAX_PLAN_FILE_BYTES = 200 * 1024 * 1024


def decode_utf8(path: Path, raw: bytes) -> str:
    """UTF-8 text of a file (a BOM allowed), or an error naming the byte, its line and the fix."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        what = "UTF-16 text" if utf16 else f"not UTF-8 text (byte {exc.start})"
        line = None if utf16 else raw[: exc.start].count(b"\n") + 1
        raise InputError(str(path), [Problem("", f"{what}: save the file as UTF-8", line)]) from None


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The records of a CSV file whose header starts with ``columns``, with their line numbers.

    Raises
    ------
    InputError
        Naming the line of every record whose cell count is not the header's, a header that
        lacks a column or repeats one, bytes that are not UTF-8 and anything the csv module refuses.
    """
    try:
        if (size := path.stat().st_size) > MAX_PLAN_FILE_BYTES:
            raise InputError(
                str(path),
                [Problem("", f"is {size} bytes, over the {MAX_PLAN_FILE_BYTES} a plan file may have")],
            )
        text = decode_utf8(path, path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            str(path),
            [Problem("", "missing: a solution folder has timetable.csv, unscheduled.csv and solution.json")],
        ) from None
    except IsADirectoryError:
        raise InputError(str(path), [Problem("", "is a folder, not a CSV file")]) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, [])
        if tuple(header[: len(columns)]) != columns:
            found = ",".join(header) or "nothing"
            problem = f"header must start with {','.join(columns)}; found {found}"
            raise InputError(str(path), [Problem("", problem, 1)])
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            problem = f"column {', '.join(twice)} appears twice in the header: keep one"
            raise InputError(str(path), [Problem("", problem, 1)])
        records, problems = [], []
        for cells in reader:
            if not cells:
                continue
            if len(cells) != len(header):
                problem = f"{len(cells)} cells, the header has {len(header)}: quote cells that hold commas"
                problems.append(Problem("", problem, reader.line_num))
            else:
                records.append((reader.line_num, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise InputError(str(path), [Problem("", f"not valid CSV: {exc}", reader.line_num)]) from None
    if problems:
        raise InputError(str(path), problems)
    return records


#: Timetable columns that hold ids, and the instance lookup they must resolve in.
_ID_COLUMNS = (
    ("site", "site_by_id"),
    ("room", "room_site"),
    ("cohort", "cohort_by_id"),
    ("course", "course_by_id"),
    ("topic", "topics"),
    ("trainer", "trainer_by_id"),
)


def read_timetable(path: Path, instance: Instance | None = None) -> list[Row]:
    """Rows of a ``timetable.csv``; bad cells are errors naming line and column.

    With ``instance``, an id it does not have (site, room, cohort, course,
    topic, trainer) is an error too.
    """
    rows: list[Row] = []
    problems: list[Problem] = []
    for line, rec in _read_csv(path, TIMETABLE_COLUMNS):
        try:
            day_value = date.fromisoformat(rec["date"])
        except ValueError:
            problems.append(Problem("date", f"{rec['date']!r} is not an ISO date YYYY-MM-DD", line))
            continue
        ints: dict[str, int] = {}
        for col in ("block", "day"):
            cell = rec[col]
            if not (cell.isascii() and cell.isdigit() and len(cell) <= 7) or not 1 <= int(cell) <= 10**6:
                problems.append(Problem(col, f"{cell!r} is not a whole number from 1 to 1000000", line))
            else:
                ints[col] = int(cell)
        missing = [c for c, _ in _ID_COLUMNS if not rec[c]]
        for col in missing:
            problems.append(Problem(col, "empty cell", line))
        for col, lookup in _ID_COLUMNS if instance is not None else ():
            known = getattr(instance, lookup)
            if rec[col] and rec[col] not in known:
                problem = f"unknown {col} {rec[col]!r}{did_you_mean(rec[col], known)}"
                problems.append(Problem(col, f"{problem}: the instance has no such id", line))
        if len(ints) == 2 and not missing:
            rows.append(
                Row(
                    day_value,
                    rec["site"],
                    rec["room"],
                    rec["cohort"],
                    rec["course"],
                    ints["block"],
                    ints["day"],
                    rec["topic"],
                    rec["trainer"],
                )
            )
    if problems:
        raise InputError(str(path), problems)
    return rows


def read_solution(folder: str | os.PathLike[str], instance: Instance | None = None) -> Result:
    """Read a solution folder back from disk (``rollout check`` does).

    With ``instance``, every id of the timetable must be one of its ids.
    """
    base = Path(folder)
    if not base.is_dir():
        aside = sorted(base.parent.glob(f".{base.name}.old-*")) if base.name else []
        if aside and not base.exists():  # killed between the two renames of write_solution
            raise InputError(
                str(folder),
                [
                    Problem(
                        "", f"missing, but an interrupted write left the plan in {aside[-1]}: rename it back"
                    )
                ],
            )
        raise InputError(str(folder), [Problem("", "no such solution folder")])
    json_path = base / "solution.json"
    try:
        doc = json.loads(decode_utf8(json_path, json_path.read_bytes()))
    except (FileNotFoundError, IsADirectoryError):
        raise InputError(str(json_path), [Problem("", "missing")]) from None
    except json.JSONDecodeError as exc:
        raise InputError(str(json_path), [Problem("", f"not valid JSON: {exc.msg}", exc.lineno)]) from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise InputError(str(json_path), [Problem("", f"not valid: {exc}")]) from None
    except RecursionError:
        raise InputError(str(json_path), [Problem("", "not valid: nested too deeply")]) from None
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise InputError(str(json_path), [Problem("", "must be a JSON object")])
    try:
        status = Status(doc.get("status"))
    except ValueError:
        problems.append(
            Problem("status", f"{doc.get('status')!r} is not one of optimal, feasible, infeasible, unknown")
        )
        status = Status.UNKNOWN
    terms = None
    if doc.get("terms") is not None:
        raw = doc["terms"]
        names = set(Terms().as_dict())
        if (
            not isinstance(raw, dict)
            or set(raw) != names
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values())
        ):
            problems.append(Problem("terms", f"must map exactly {', '.join(sorted(names))} to integers"))
        else:
            terms = Terms(**raw)
    objective = doc.get("objective")
    if objective is not None and (not isinstance(objective, int) or isinstance(objective, bool)):
        problems.append(Problem("objective", "must be an integer or null"))
    solver = doc.get("solver")
    info = None
    if isinstance(solver, dict):
        try:
            info = SolverInfo(
                str(solver["name"]),
                str(solver["version"]),
                float(solver["seconds"]),
                int(solver["workers"]),
                int(solver["seed"]),
                float(solver["time_limit"]),
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            problems.append(Problem("solver", "needs name, version, seconds, workers, seed, time_limit"))
    if problems:
        raise InputError(str(json_path), problems)
    rows = read_timetable(base / "timetable.csv", instance)
    unscheduled = [
        Unscheduled(rec["cohort"], rec["site"], rec["reason"] or "")
        for _, rec in _read_csv(base / "unscheduled.csv", UNSCHEDULED_COLUMNS)
    ]
    bound = doc.get("bound")
    return Result(
        instance=str(doc.get("instance", "")),
        status=status,
        rows=tuple(rows),
        unscheduled=tuple(unscheduled),
        objective=objective,
        bound=float(bound)
        if isinstance(bound, float) or (isinstance(bound, int) and abs(bound) < 2**63)
        else None,
        terms=terms,
        solver=info,
        committed=tuple(str(c) for c in committed)
        if isinstance(committed := doc.get("committed"), list)
        else (),
    )
