"""IO robustness: malformed solution files are clear errors, never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.errors import InputError
from rollout.io import read_timetable


def test_unicode_digit_in_timetable_is_an_input_error(tmp_path: Path) -> None:
    """Tests that a block cell holding '²' is reported with its line, not a ValueError."""
    path = tmp_path / "timetable.csv"
    path.write_text(
        "date,site,room,cohort,course,block,day,topic,trainer\n2015-11-02,s,r,k,c,²,1,a,t\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        read_timetable(path)
    assert ":2: block:" in info.value.lines()[0]
