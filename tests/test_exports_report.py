"""Tests of the exports for people: iCalendar files per trainer and site, and the HTML report.

The browser test drives a real Chromium through Playwright; it is skipped
only when no Chromium executable is found (``apt-get install -y chromium``).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import UTC, datetime, time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar

from rollout.exports.calendars import event_uid, write_calendars
from rollout.exports.frame import plan_frame
from rollout.exports.report import render_report, site_map, trainer_load, write_report
from rollout.instance import Instance
from rollout.io import dump_instance, load_instance, parse_instance, read_solution
from rollout.solution import Result, Status, Unscheduled

ROOT = Path(__file__).resolve().parent.parent
STAMP = datetime(2015, 8, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def national() -> tuple[Instance, Result]:
    return load_instance(ROOT / "instances/national-s2-2015.yaml"), read_solution(
        ROOT / "solutions/national-s2-2015"
    )


@pytest.fixture(scope="module")
def calendars(
    national: tuple[Instance, Result], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Calendar]:
    """The national plan's calendars, parsed back, by file name."""
    out = tmp_path_factory.mktemp("ics")
    paths = write_calendars(*national, out, stamp=STAMP)
    return {p.name: Calendar.from_ical(p.read_bytes()) for p in paths}


@pytest.fixture(scope="module")
def report(national: tuple[Instance, Result], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(*national, tmp_path_factory.mktemp("report") / "report.html")


# -- calendars -------------------------------------------------------------------------------------


def test_every_calendar_parses_back_with_its_time_zones(calendars: dict[str, Calendar]) -> None:
    """Tests that every .ics parses back, names itself, and defines every TZID its events use."""
    assert calendars
    for name, cal in calendars.items():
        assert cal["VERSION"] == "2.0", name
        assert cal["PRODID"].startswith("-//rollout//"), name
        assert cal["X-WR-CALNAME"], name
        assert cal.events, name
        assert cal.get_missing_tzids() == set(), name


def test_one_file_and_one_event_per_teaching_day(
    national: tuple[Instance, Result], calendars: dict[str, Calendar]
) -> None:
    """Tests that each trainer's and site's file holds exactly that trainer's or site's rows."""
    _, result = national
    for kind, key in (("trainer", "trainer"), ("site", "site")):
        rows = Counter(getattr(r, key) for r in result.rows)
        files = {
            n.removeprefix(f"{kind}-").removesuffix(".ics") for n in calendars if n.startswith(f"{kind}-")
        }
        assert files == set(rows)
        for ident, n in rows.items():
            assert len(calendars[f"{kind}-{ident}.ics"].events) == n, ident


def test_events_start_in_the_site_time_zone(calendars: dict[str, Calendar]) -> None:
    """Tests that a day at La Réunion starts 09:00 Indian/Reunion, and one in Paris 09:00 Europe/Paris."""
    for name, zone in (("site-reu.ics", "Indian/Reunion"), ("site-idf.ics", "Europe/Paris")):
        cal = calendars[name]
        assert [tz.tz_name for tz in cal.timezones] == [zone]
        for event in cal.events:
            assert event["DTSTART"].params["TZID"] == zone
            assert event["DTEND"].params["TZID"] == zone
            assert str(event.start.tzinfo) == zone
            assert event.start.time() == time(9, 0)
    reunion = calendars["trainer-reu-t1.ics"].events[0]
    assert reunion.start.utcoffset().total_seconds() == 4 * 3600


def test_event_uids_are_unique_and_stable(
    national: tuple[Instance, Result], calendars: dict[str, Calendar]
) -> None:
    """Tests that UIDs are <cohort>-<course>-d<day>@rollout, one per teaching day across all trainers."""
    _, result = national
    uids = [str(e.uid) for name, cal in calendars.items() if name.startswith("trainer-") for e in cal.events]
    assert len(uids) == len(set(uids)) == len(result.rows)
    assert set(uids) == {event_uid(r.cohort, r.course, r.day) for r in result.rows}
    for cal in calendars.values():
        assert all(e.DTSTAMP == STAMP for e in cal.events)


def test_event_text_names_course_cohort_site_and_trainer(
    national: tuple[Instance, Result], calendars: dict[str, Calendar]
) -> None:
    """Tests SUMMARY, LOCATION and DESCRIPTION of one event against the instance's names."""
    inst, result = national
    row = min(r for r in result.rows if r.site == "reu")
    event = next(
        e
        for e in calendars["site-reu.ics"].events
        if str(e.uid) == event_uid(row.cohort, row.course, row.day)
    )
    course, site = inst.course_by_id[row.course], inst.site_by_id[row.site]
    assert event.summary == f"{course.name} — {row.cohort} (day {row.day}: {inst.topics[row.topic]})"
    assert event.location == f"{site.name}, {row.room}, {site.city}"
    assert inst.trainer_by_id[row.trainer].name in event.description
    assert f"Learners: {inst.cohort_by_id[row.cohort].learners}" in event.description


def test_calendars_are_byte_identical_with_a_fixed_stamp(tmp_path: Path) -> None:
    """Tests that two writes with the same DTSTAMP give the same bytes (no random UIDs)."""
    inst, result = load_instance(ROOT / "instances/tiny.yaml"), read_solution(ROOT / "solutions/tiny")
    first = write_calendars(inst, result, tmp_path / "a", stamp=STAMP)
    second = write_calendars(inst, result, tmp_path / "b", stamp=STAMP)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


def test_no_plan_writes_no_calendar(tmp_path: Path) -> None:
    """Tests that a result without rows writes no file (an empty VCALENDAR breaks RFC 5545)."""
    inst = load_instance(ROOT / "instances/tiny.yaml")
    assert write_calendars(inst, Result(inst.name, Status.INFEASIBLE), tmp_path) == []


# -- report ----------------------------------------------------------------------------------------


class _Links(HTMLParser):
    """Collects every tag and every attribute that can load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.loads: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if name in {"src", "href", "srcset", "poster", "data", "action", "xlink:href"}:
                self.loads.append((tag, name, value or ""))


def test_report_loads_nothing_from_elsewhere(report: Path) -> None:
    """Tests that the report has no remote reference at all: only in-page links, and a strict CSP."""
    text = report.read_text(encoding="utf-8")
    links = _Links()
    links.feed(text)
    assert all(name == "href" and value.startswith("#") for _, name, value in links.loads), links.loads
    assert not re.search(r"https?://|url\(|@import|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE)
    assert "default-src 'none'" in text
    assert links.tags["script"] == 1 and links.tags["link"] == 0 and links.tags["img"] == 0


def test_report_shows_summary_and_every_cohort(national: tuple[Instance, Result], report: Path) -> None:
    """Tests that the summary gives status, objective, bound and terms, and every cohort id appears."""
    inst, result = national
    text = report.read_text(encoding="utf-8")
    assert f">{result.status.value}<" in text
    assert f"{result.objective:,}" in text and f"{result.bound:,.0f}" in text
    for term in result.terms.as_dict():
        assert f"<td>{term.replace('_', ' ')}</td>" in text
    for cohort in inst.cohort_list:
        assert f"<td>{cohort.id}</td>" in text, cohort.id
    assert len(re.findall(r"<tr><td>\d{4}-\d\d-\d\d<", text)) == len(result.rows)


def test_instance_text_is_escaped(tmp_path: Path) -> None:
    """Tests that a site name with <script> in it is shown as text, never run."""
    data = dump_instance(load_instance(ROOT / "instances/tiny.yaml"))
    data["sites"][0]["name"] = '<script>alert("x")</script> & Co'
    data["sites"][0]["city"] = "Paris\" onmouseover=\"alert('y')"
    data["trainers"][0]["name"] = "<img src=x onerror=alert(1)>"
    inst = parse_instance(data)
    text = render_report(inst, read_solution(ROOT / "solutions/tiny"))
    assert "<script>alert" not in text and "<img" not in text and '" onmouseover' not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in text
    links = _Links()
    links.feed(text)
    assert links.tags["script"] == 1 and links.tags["img"] == 0


def test_report_without_plan_lists_unscheduled_cohorts(tmp_path: Path) -> None:
    """Tests that a result without rows still gives a report: status, no plan, cohorts and reasons."""
    inst = load_instance(ROOT / "instances/tiny.yaml")
    left = tuple(Unscheduled(c.id, c.site, "no trainer <free>") for c in inst.cohort_list)
    result = Result(inst.name, Status.INFEASIBLE, unscheduled=left)
    text = write_report(inst, result, tmp_path / "r.html").read_text(encoding="utf-8")
    assert ">infeasible<" in text and "No plan" in text
    assert text.count("no trainer &lt;free&gt;") == len(left)


def test_map_puts_far_sites_in_insets(national: tuple[Instance, Result]) -> None:
    """Tests that the overseas sites get insets of their own and Paris is in the main panel."""
    inst, result = national
    smap = site_map(inst, plan_frame(inst, result))
    main, *insets = smap.panels
    assert {p.label for p in insets} == {"Martinique · Guadeloupe", "Guyane", "Mayotte", "La Réunion"}
    at = {s.site: s for s in smap.sites}

    def inside(site: str, panel: object) -> bool:
        s = at[site]
        return panel.x <= s.x <= panel.x + panel.width and panel.y <= s.y <= panel.y + panel.height

    assert inside("idf", main) and not inside("reu", main)
    assert inside("reu", next(p for p in insets if p.label == "La Réunion"))
    assert all(0 < s.x < smap.width and 0 < s.y < smap.height for s in smap.sites)
    away = sum(r.site != inst.trainer_by_id[r.trainer].home for r in result.rows)
    assert sum(int(t.title.split(": ")[1].split()[0]) for t in smap.trips) == away


def test_trainer_load_counts_every_row(national: tuple[Instance, Result]) -> None:
    """Tests that the weekly load of each trainer adds up to the trainer's rows, within the weekly limit."""
    inst, result = national
    weeks, loads = trainer_load(inst, plan_frame(inst, result))
    rows = Counter(r.trainer for r in result.rows)
    assert {t.trainer: t.total for t in loads} == rows
    for load in loads:
        assert len(load.cells) == len(weeks)
        assert sum(c.days for c in load.cells) == load.total
        assert all(c.days <= load.max_per_week for c in load.cells)


# -- in a browser ----------------------------------------------------------------------------------


def test_report_in_chromium(national: tuple[Instance, Result], report: Path, tmp_path: Path) -> None:
    """Tests in headless Chromium: no console error, no request but the file, the filter and sort work."""
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if chromium is None:
        pytest.skip("no Chromium executable on the PATH: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    inst, result = national
    errors: list[str] = []
    failed: list[str] = []
    requests: list[str] = []
    visible = "#rows-table tbody tr:not([hidden])"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            assert page.locator(visible).count() == len(result.rows)

            cohort = "reu-cert"
            page.fill("#search", cohort)
            shown = page.locator(visible)
            n = sum(r.cohort == cohort for r in result.rows)
            assert shown.count() == n and 0 < n < len(result.rows)
            assert all(cohort in t for t in shown.all_inner_texts())
            assert page.inner_text("#shown") == str(n)

            page.fill("#search", "")
            assert page.locator(visible).count() == len(result.rows)
            page.click("#rows-table thead th:nth-child(5) button")  # Cohort
            page.click("#rows-table thead th:nth-child(5) button")  # twice: descending
            first = page.inner_text("#rows-table tbody tr:first-child td:nth-child(5)")
            assert first == max((c.id for c in inst.cohort_list), key=_natural)
            page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        finally:
            browser.close()
    assert errors == [] and failed == []
    assert requests == [report.as_uri()]
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _natural(text: str) -> list[object]:
    """Sort key like the page's Intl.Collator with numeric: true (``x-2`` before ``x-10``)."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text)]
