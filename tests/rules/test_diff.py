"""What changed between two dates."""

from __future__ import annotations

import datetime as dt

from critmin.rules import RuleSet, diff


def test_diff_across_the_november_2025_suspensions(rules: RuleSet) -> None:
    result = diff(dt.date(2025, 11, 1), dt.date(2025, 11, 30), rules)
    changes = {c.measure: (c.before, c.after) for c in result.changes}
    assert changes["CN-MOFCOM-2024-46-ART2"] == ("in force", "suspended")
    assert changes["CN-MOFCOM-2025-62"] == ("in force", "suspended")
    assert changes["CN-MOFCOM-GAC-2025-57"] == ("published, not yet in force", "suspended")
    assert "CN-MOFCOM-GAC-2025-18" not in changes
    events = [(e.date.isoformat(), e.measure) for e in result.events]
    assert ("2025-11-07", "CN-MOFCOM-2025-61") in events
    assert ("2025-11-09", "CN-MOFCOM-2024-46-ART2") in events
    assert events == sorted(events)


def test_diff_after_the_suspension_lapses_is_unconfirmed(rules: RuleSet) -> None:
    result = diff(dt.date(2026, 11, 23), dt.date(2026, 1, 15), rules)
    assert result.start == dt.date(2026, 1, 15)
    change = next(c for c in result.changes if c.measure == "CN-MOFCOM-2025-61")
    assert (change.before, change.after, change.confidence.value) == ("suspended", "in force (unconfirmed)",
                                                                      "low")
    assert any(e.event.startswith("suspension by MOFCOM/GAC Announcement No. 70 of 2025 ends")
               and e.date == dt.date(2026, 11, 11) for e in result.events)
