"""Whether a measure is in force on a day: effective dates, suspensions, revocations, caveats.

One function answers it for `rules list`, `rules diff` and the check alike, so the three can
never disagree about a date. Suspension `until` dates are inclusive: the measure applies again
the day after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from critmin.rules.models import Confidence, Measure, StatusNote, weakest


class Status(StrEnum):
    NOT_YET_PUBLISHED = "not yet published"
    NOT_YET_EFFECTIVE = "published, not yet in force"
    IN_FORCE = "in force"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True)
class StatusOn:
    """A measure's status on one day, with the caveats that cover that day."""

    measure: Measure
    day: dt.date
    status: Status
    detail: str
    notes: tuple[StatusNote, ...]

    @property
    def in_force(self) -> bool:
        return self.status is Status.IN_FORCE

    @property
    def confidence(self) -> Confidence:
        return weakest(*(n.confidence for n in self.notes))

    @property
    def label(self) -> str:
        """Status as shown to people: 'in force (unconfirmed)' when a caveat covers the day."""
        unconfirmed = self.notes and self.confidence is not Confidence.HIGH
        return f"{self.status.value} (unconfirmed)" if unconfirmed else self.status.value


def status_on(measure: Measure, day: dt.date) -> StatusOn:
    """The status of `measure` on `day`."""
    notes = tuple(n for n in measure.status_notes
                  if n.start <= day and (n.until is None or day <= n.until))
    if measure.published and day < measure.published:
        return StatusOn(measure, day, Status.NOT_YET_PUBLISHED, f"published {measure.published}", notes)
    if measure.effective and day < measure.effective:
        return StatusOn(measure, day, Status.NOT_YET_EFFECTIVE, f"in force from {measure.effective}", notes)
    if measure.revocation and day >= measure.revocation.on:
        return StatusOn(measure, day, Status.REVOKED,
                        f"revoked from {measure.revocation.on} by {measure.revocation.by}", notes)
    for suspension in measure.suspensions:
        if suspension.start <= day <= suspension.until:
            return StatusOn(measure, day, Status.SUSPENDED,
                            f"suspended {suspension.start} to {suspension.until} by {suspension.by}", notes)
    since = f"in force from {measure.effective}" if measure.effective else "long-standing rule, not dated"
    resumed = [s for s in measure.suspensions if s.until < day]
    if resumed:
        last = max(resumed, key=lambda s: s.until)
        since += f"; applies again from {last.until + dt.timedelta(days=1)} after suspension by {last.by}"
    return StatusOn(measure, day, Status.IN_FORCE, since, notes)


def events(measure: Measure) -> list[tuple[dt.date, str]]:
    """Every dated change in a measure's life, for `rules diff`."""
    out: list[tuple[dt.date, str]] = []
    if measure.published and measure.published != measure.effective:
        out.append((measure.published, f"published ({measure.document})"))
    if measure.effective:
        out.append((measure.effective, "enters into force"))
    for s in measure.suspensions:
        out.append((s.start, f"suspended until {s.until} by {s.by}"))
        out.append((s.until + dt.timedelta(days=1), f"suspension by {s.by} ends; applies again per its text"))
    for n in measure.status_notes:
        out.append((n.start, f"status unconfirmed ({n.confidence.value}): {n.note}"))
    if measure.revocation:
        out.append((measure.revocation.on, f"revoked by {measure.revocation.by}"))
    return sorted(out)
