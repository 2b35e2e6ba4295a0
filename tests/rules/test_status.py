"""In force or not, by date: before, inside and after every measure's entry into force and suspension."""

from __future__ import annotations

import datetime as dt

import pytest

from critmin.rules import RuleSet, measures_on
from critmin.rules.models import Confidence
from critmin.rules.status import Status, status_on

D = dt.date.fromisoformat

# (measure, date, expected status, status unconfirmed?)
CASES = [
    ("CN-MOFCOM-GAC-2023-23", "2023-07-02", Status.NOT_YET_PUBLISHED, False),
    ("CN-MOFCOM-GAC-2023-23", "2023-07-31", Status.NOT_YET_EFFECTIVE, False),
    ("CN-MOFCOM-GAC-2023-23", "2023-08-01", Status.IN_FORCE, False),
    ("CN-MOFCOM-GAC-2023-23", "2026-01-15", Status.IN_FORCE, False),
    ("CN-MOFCOM-GAC-2023-39", "2023-11-30", Status.NOT_YET_EFFECTIVE, False),
    ("CN-MOFCOM-GAC-2023-39", "2023-12-01", Status.IN_FORCE, False),
    ("CN-MOFCOM-GAC-2024-33", "2024-09-14", Status.NOT_YET_EFFECTIVE, False),
    ("CN-MOFCOM-GAC-2024-33", "2024-09-15", Status.IN_FORCE, False),
    ("CN-MOFCOM-2024-46-ART1", "2024-12-02", Status.NOT_YET_PUBLISHED, False),
    ("CN-MOFCOM-2024-46-ART1", "2025-12-01", Status.IN_FORCE, False),
    ("CN-MOFCOM-2024-46-ART2", "2024-12-03", Status.IN_FORCE, False),
    ("CN-MOFCOM-2024-46-ART2", "2025-11-08", Status.IN_FORCE, False),
    ("CN-MOFCOM-2024-46-ART2", "2025-11-09", Status.SUSPENDED, False),
    ("CN-MOFCOM-2024-46-ART2", "2026-11-27", Status.SUSPENDED, False),
    ("CN-MOFCOM-2024-46-ART2", "2026-11-28", Status.IN_FORCE, True),
    ("CN-MOFCOM-GAC-2025-10", "2025-02-03", Status.NOT_YET_PUBLISHED, False),
    ("CN-MOFCOM-GAC-2025-10", "2025-02-04", Status.IN_FORCE, False),
    ("CN-MOFCOM-GAC-2025-18", "2025-04-03", Status.NOT_YET_PUBLISHED, False),
    ("CN-MOFCOM-GAC-2025-18", "2025-04-04", Status.IN_FORCE, False),
    ("CN-MOFCOM-GAC-2025-18", "2026-11-23", Status.IN_FORCE, False),
    ("CN-MOFCOM-GAC-2025-57", "2025-10-20", Status.NOT_YET_EFFECTIVE, False),
    ("CN-MOFCOM-GAC-2025-57", "2025-11-07", Status.NOT_YET_EFFECTIVE, False),
    ("CN-MOFCOM-GAC-2025-57", "2025-11-08", Status.SUSPENDED, False),
    ("CN-MOFCOM-GAC-2025-57", "2026-11-10", Status.SUSPENDED, False),
    ("CN-MOFCOM-GAC-2025-57", "2026-11-11", Status.IN_FORCE, True),
    ("CN-MOFCOM-2025-61", "2025-11-01", Status.NOT_YET_EFFECTIVE, False),
    ("CN-MOFCOM-2025-61", "2026-01-15", Status.SUSPENDED, False),
    ("CN-MOFCOM-2025-61", "2026-11-23", Status.IN_FORCE, True),
    ("CN-MOFCOM-2025-62", "2025-10-08", Status.NOT_YET_PUBLISHED, False),
    ("CN-MOFCOM-2025-62", "2025-10-09", Status.IN_FORCE, False),
    ("CN-MOFCOM-2025-62", "2025-11-06", Status.IN_FORCE, False),
    ("CN-MOFCOM-2025-62", "2025-11-07", Status.SUSPENDED, False),
    ("CN-MOFCOM-2025-62", "2026-11-11", Status.IN_FORCE, True),
    ("CN-MOFCOM-2026-1", "2026-01-05", Status.NOT_YET_PUBLISHED, False),
    ("CN-MOFCOM-2026-1", "2026-01-06", Status.IN_FORCE, False),
    ("US-BIS-EAR-734-4", "2020-01-01", Status.IN_FORCE, False),
]


@pytest.mark.parametrize(("measure_id", "day", "expected", "unconfirmed"), CASES)
def test_status_by_date(rules: RuleSet, measure_id: str, day: str, expected: Status,
                        unconfirmed: bool) -> None:
    found = status_on(rules.by_id[measure_id], D(day))
    assert found.status is expected
    assert (found.confidence is Confidence.LOW) is unconfirmed
    assert found.label.endswith("(unconfirmed)") is unconfirmed


def test_in_force_lists(rules: RuleSet) -> None:
    def ids(day: str) -> set[str]:
        return {s.measure.id for s in measures_on(D(day), rules) if s.in_force}

    assert ids("2023-07-15") == {"US-BIS-EAR-734-4"}
    during = ids("2026-01-15")
    assert "CN-MOFCOM-2025-61" not in during and "CN-MOFCOM-2024-46-ART2" not in during
    assert {"CN-MOFCOM-GAC-2025-18", "CN-MOFCOM-2024-46-ART1", "CN-MOFCOM-2026-1"} <= during
    today = ids("2026-11-23")
    assert {"CN-MOFCOM-2025-61", "CN-MOFCOM-GAC-2025-57"} <= today
    assert "CN-MOFCOM-2024-46-ART2" not in today
    assert "CN-MOFCOM-2024-46-ART2" in ids("2026-11-28")
