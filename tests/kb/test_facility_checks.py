"""Facility statuses carry the day they were last checked; a paused project is not 'planned'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from critmin.kb import KnowledgeBase, check_data
from critmin.kb.models import CapacityStatus


def test_checked_dates_are_real_days_not_in_the_future(kb: KnowledgeBase) -> None:
    checked = [f for f in kb.facilities if f.checked is not None]
    assert len(checked) >= 5
    assert all(f.checked <= dt.date.today() for f in checked if f.checked)


def test_a_project_its_operator_says_will_not_proceed_is_on_hold(kb: KnowledgeBase) -> None:
    seadrift = next(f for f in kb.facilities if f.id == "lynas-seadrift")
    assert seadrift.status is CapacityStatus.ON_HOLD
    assert seadrift.checked is not None


def test_a_bad_checked_date_names_the_field(minimal_dir: Path) -> None:
    path = minimal_dir / "facilities.yaml"
    text = path.read_text("utf-8")
    first_status = text.index("  status:")
    path.write_text(text[:first_status] + "  checked: 2026-02-30\n" + text[first_status:], "utf-8")
    _, problems = check_data(minimal_dir)
    assert [str(p) for p in problems] == [
        "facilities.yaml: line 8: invalid YAML value: day is out of range for month"]
