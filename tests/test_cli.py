"""Layer 6: the command line, through Click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from rollout.cli import cli
from tests.conftest import INSTANCES

TINY = str(INSTANCES / "tiny.yaml")


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(cli.commands))])
def test_every_command_has_help(command: list[str]) -> None:
    """Tests that every command answers --help, with a description."""
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
    if command:
        assert cli.commands[command[0]].help, f"{command[0]} has no description"


def test_the_commands_are_those_documented() -> None:
    """Tests that the README's command table names every command."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"| `rollout {name}" in readme, f"README's command table lacks rollout {name}"


def test_solve_then_check(tmp_path: Path) -> None:
    """Tests that solve writes a folder (exit 0) that check accepts (exit 0)."""
    runner = CliRunner()
    out = tmp_path / "sol"
    solved = runner.invoke(cli, ["solve", TINY, "-o", str(out), "--workers", "1", "--seed", "1", "-q"])
    assert solved.exit_code == 0, solved.output
    assert {p.name for p in out.iterdir()} == {"timetable.csv", "unscheduled.csv", "solution.json"}
    checked = runner.invoke(cli, ["check", TINY, str(out)])
    assert checked.exit_code == 0, checked.output


def test_check_catches_a_broken_plan(tmp_path: Path) -> None:
    """Tests that check exits 1 with a rule id when a row is moved onto a Sunday."""
    runner = CliRunner()
    out = tmp_path / "sol"
    runner.invoke(cli, ["solve", TINY, "-o", str(out), "--workers", "1", "-q"])
    lines = (out / "timetable.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = "2015-10-18" + lines[1][10:]
    (out / "timetable.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = runner.invoke(cli, ["check", TINY, str(out)])
    assert checked.exit_code == 1 and "R1" in checked.output


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    """Tests that a bad instance gives exit 2 and a message naming the file, not a traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon: {start: 2015-01-02, end: 2015-01-01}\n", encoding="utf-8")
    for command in (["validate", str(bad)], ["solve", str(bad), "-o", str(tmp_path / "o")]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2 and str(bad) in result.output
        assert "Traceback" not in result.output


def test_refuses_to_overwrite_a_foreign_folder(tmp_path: Path) -> None:
    """Tests that solve never overwrites a folder that is not a solution folder."""
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious", encoding="utf-8")
    result = CliRunner().invoke(cli, ["solve", TINY, "-o", str(keep), "--workers", "1", "-q"])
    assert result.exit_code == 2 and (keep / "notes.txt").read_text(encoding="utf-8") == "precious"


def test_infeasible_exits_3(tmp_path: Path) -> None:
    """Tests that a proven-infeasible instance exits 3 and writes a header-only timetable."""
    text = (INSTANCES / "tiny.yaml").read_text(encoding="utf-8").replace("learners: ", "learners: 9")
    bad = tmp_path / "big.yaml"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["solve", str(bad), "-o", str(out), "--workers", "1", "-q"])
    assert result.exit_code == 3, result.output
    assert len((out / "timetable.csv").read_text(encoding="utf-8").splitlines()) == 1


def test_trace_records_plans_bounds_and_the_end(tmp_path: Path) -> None:
    """Tests that --trace writes JSON lines: a plan, a bound, and a last 'done' with the status."""
    import json

    trace = tmp_path / "deep" / "trace.jsonl"
    args = [
        "solve",
        TINY,
        "-o",
        str(tmp_path / "s"),
        "--workers",
        "1",
        "--seed",
        "1",
        "-q",
        "--trace",
        str(trace),
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    events = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    kinds = {e["event"] for e in events}
    assert {"plan", "bound", "model"} <= kinds and events[-1]["event"] == "done"
    assert events[-1]["status"] == "optimal" and events[-1]["objective"] == 10755
    plans = [e["objective"] for e in events if e["event"] == "plan"]
    assert plans == sorted(plans, reverse=True), "plans only improve"


def test_greedy_solver_from_the_cli_is_checked(tmp_path: Path) -> None:
    """Tests that solve --solver greedy writes a plan that check accepts, with a null bound."""
    import json

    out = tmp_path / "g"
    solved = CliRunner().invoke(cli, ["solve", TINY, "-o", str(out), "--solver", "greedy", "-q"])
    assert solved.exit_code == 0, solved.output
    meta = json.loads((out / "solution.json").read_text(encoding="utf-8"))
    assert meta["solver"]["name"] == "greedy" and meta["bound"] is None
    assert CliRunner().invoke(cli, ["check", TINY, str(out)]).exit_code == 0


def test_hint_folder_warm_starts(tmp_path: Path) -> None:
    """Tests that --hint FOLDER reads an earlier plan and the new plan passes check."""
    runner = CliRunner()
    first, second = tmp_path / "a", tmp_path / "b"
    runner.invoke(cli, ["solve", TINY, "-o", str(first), "--workers", "1", "-q"])
    again = runner.invoke(
        cli, ["solve", TINY, "-o", str(second), "--workers", "1", "-q", "--hint", str(first)]
    )
    assert again.exit_code == 0, again.output
    assert runner.invoke(cli, ["check", TINY, str(second)]).exit_code == 0


def test_generate_writes_a_valid_instance_and_never_overwrites_a_users_file(tmp_path: Path) -> None:
    """Tests that generate writes a loadable K-times instance, replaces its own, and refuses others."""
    from rollout.io import load_instance

    target = tmp_path / "x2.yaml"
    args = ["generate", "--scale", "2", "--seed", "3", "--base", TINY, "-o", str(target)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    base, scaled = load_instance(TINY), load_instance(target)
    assert len(scaled.cohort_list) == 2 * len(base.cohort_list)
    assert CliRunner().invoke(cli, args).exit_code == 0, "its own file is replaced"
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: precious\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, [*args[:-1], str(mine)])
    assert refused.exit_code == 2 and mine.read_text(encoding="utf-8") == "name: precious\n"


def test_export_all_formats_from_a_solution_folder(tmp_path: Path) -> None:
    """Tests that export --to all writes csv, xlsx, ics and html from a folder and its instance."""
    runner = CliRunner()
    folder = tmp_path / "tiny"
    runner.invoke(cli, ["solve", TINY, "-o", str(folder), "--workers", "1", "-q"])
    out = tmp_path / "exports"
    args = ["export", str(folder), "--to", "all", "--instance", TINY, "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert {p.name for p in (out / "csv").iterdir()} >= {"by-site.csv", "by-trainer.csv"}
    assert (out / "tiny.xlsx").stat().st_size > 0 and (out / "tiny.html").stat().st_size > 0
    assert any(p.suffix == ".ics" for p in (out / "ics").iterdir())


def test_export_needs_the_plans_instance(tmp_path: Path) -> None:
    """Tests that export refuses an instance other than the plan's, with exit 2."""
    runner = CliRunner()
    folder = tmp_path / "tiny"
    runner.invoke(cli, ["solve", TINY, "-o", str(folder), "--workers", "1", "-q"])
    other = str(INSTANCES / "pilot-march-2015.yaml")
    result = runner.invoke(cli, ["export", str(folder), "--to", "csv", "--instance", other])
    assert result.exit_code == 2 and "pilot-march-2015" in result.output


def test_template_then_import_gives_the_same_instance(tmp_path: Path) -> None:
    """Tests that template --from then import round-trips the pilot instance through a workbook."""
    from rollout.io import load_instance

    runner = CliRunner()
    book, back = tmp_path / "pilot.xlsx", tmp_path / "pilot.yaml"
    pilot = str(INSTANCES / "pilot-march-2015.yaml")
    assert runner.invoke(cli, ["template", str(book), "--from", pilot]).exit_code == 0
    assert runner.invoke(cli, ["import", str(book), "-o", str(back)]).exit_code == 0
    assert load_instance(back) == load_instance(pilot)
    refused = runner.invoke(cli, ["import", str(book), "-o", str(back)])
    assert refused.exit_code == 2, "an existing file is never replaced without --force"


def test_import_names_the_cell_of_each_problem(tmp_path: Path) -> None:
    """Tests that a wrong skill in a workbook exits 2 naming sheet, cell and column."""
    from openpyxl import load_workbook

    runner = CliRunner()
    book = tmp_path / "tiny.xlsx"
    runner.invoke(cli, ["template", str(book), "--from", TINY])
    wb = load_workbook(book)
    sheet = wb["trainers"]
    column = next(c.column for c in sheet[1] if c.value == "skills")
    sheet.cell(row=3, column=column, value="cepp")
    wb.save(book)
    result = runner.invoke(cli, ["import", str(book), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and "trainers!" in result.output and "cepp" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_schema_is_json_and_matches_the_committed_file() -> None:
    """Tests that rollout schema prints the JSON Schema committed in docs/."""
    import json

    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"]
    committed = (INSTANCES.parent / "docs" / "instance.schema.json").read_text(encoding="utf-8")
    assert result.output == committed


@pytest.mark.parametrize("name", ["tiny", "pilot-march-2015", "national-s2-2015"])
def test_every_export_of_every_sample_plan_opens_in_its_tool(name: str, tmp_path: Path) -> None:
    """Tests that each sample plan's exports open: pandas reads the CSVs, openpyxl the workbook,
    icalendar every calendar, and the report is one HTML document naming every cohort."""
    import icalendar
    import pandas as pd
    from openpyxl import load_workbook

    from rollout.io import load_instance, read_solution

    folder = INSTANCES.parent / "solutions" / name
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["export", str(folder), "--to", "all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = len(read_solution(folder).rows)
    for csv in (out / "csv").iterdir():
        assert len(pd.read_csv(csv)) == rows, csv.name
    book = load_workbook(out / f"{name}.xlsx")
    assert {"Summary", "Timetable", "Trainer load"} <= set(book.sheetnames)
    events = 0
    for ics in (out / "ics").glob("trainer-*.ics"):
        events += len(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    assert events == rows
    html = (out / f"{name}.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert all(c.id in html for c in load_instance(INSTANCES / f"{name}.yaml").cohort_list)


def test_the_readme_main_job_can_run_on_a_fresh_clone() -> None:
    """Tests that the README's first command solves a sample into a folder the repository never holds.

    A solve never replaces a plan without --force, so a quick start writing
    over a shipped plan would stop with exit 2 on a fresh clone.
    """
    import re
    import shlex

    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)\n```", readme, re.S)
    assert first is not None
    words = shlex.split(first.group(1).split("&&")[-1])
    assert words[:2] == ["rollout", "solve"] and (root / words[2]).is_file()
    output = Path(words[words.index("-o") + 1])
    shipped = {p.relative_to(root) for p in (root / "solutions").iterdir()}
    assert not any(output == s or s in output.parents for s in shipped), f"{output} is a shipped plan"
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert f"/{output.parts[0]}/" in ignored, f"{output.parts[0]}/ should be git-ignored: users' plans"
