"""What changed between two dates: measures that entered or left force, and the dated events between.

A policy analyst asks "what was different on 1 December compared with 1 November?"; the answer
is the status of every measure on both days plus the events (entry into force, suspension,
resumption, caveats) that fall in between, each with the act that caused it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from critmin.rules.models import Confidence, Measure
from critmin.rules.status import events, status_on


class Change(BaseModel):
    """A measure whose status differs between the two dates."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    measure: str
    """Measure id."""
    title: str
    """Measure title."""
    before: str
    """Status on the first date."""
    after: str
    """Status on the second date."""
    confidence: Confidence
    """Confidence of the status on the second date."""


class Event(BaseModel):
    """A dated event in a measure's life between the two dates."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    date: dt.date
    """When it happened."""
    measure: str
    """Measure id."""
    event: str
    """What happened, and by which act."""


class Diff(BaseModel):
    """The changes between two dates."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    start: dt.date
    """First date."""
    end: dt.date
    """Second date."""
    changes: list[Change]
    """Measures whose status differs."""
    events: list[Event]
    """Events after the first date, up to and including the second, in date order."""


def diff(measures: Sequence[Measure], start: dt.date, end: dt.date) -> Diff:
    """Status changes and events between `start` and `end` (either order; reported earliest first)."""
    first, last = min(start, end), max(start, end)
    changes: list[Change] = []
    found: list[Event] = []
    for measure in measures:
        before, after = status_on(measure, first), status_on(measure, last)
        if before.label != after.label:
            changes.append(Change(measure=measure.id, title=measure.title, before=before.label,
                                  after=after.label, confidence=after.confidence))
        found += [Event(date=day, measure=measure.id, event=text)
                  for day, text in events(measure) if first < day <= last]
    found.sort(key=lambda e: (e.date, e.measure))
    return Diff(start=first, end=last, changes=changes, events=found)
