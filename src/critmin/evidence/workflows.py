"""Saved topics: a name for a digest query, so a team reruns the same workflow every week."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from critmin.errors import CritminError, UsageError
from critmin.evidence.store import transaction


class Workflow(BaseModel):
    """A saved topic query."""

    model_config = ConfigDict(frozen=True)

    name: str
    query: str
    saved_at: str
    """When the query was saved (or last replaced), ISO 8601 in UTC."""


def add_workflow(conn: sqlite3.Connection, name: str, query: str, *, replace: bool = False) -> bool:
    """Save a named topic query; True when it replaced one of that name.

    An existing name is refused (a CritminError naming its query) unless `replace` is set, so a
    typo never overwrites a colleague's workflow in silence.
    """
    name, query = name.strip(), query.strip()
    if not name or not query:
        raise UsageError("a workflow needs a non-empty name and query")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with transaction(conn):
        row = conn.execute("SELECT query FROM workflows WHERE name = ?", (name,)).fetchone()
        if row is not None and not replace:
            raise CritminError(f"a workflow named {name!r} already exists (query: {row['query']!r}); "
                               "add --replace to overwrite it")
        conn.execute("INSERT INTO workflows (name, query, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT(name) DO UPDATE SET query = excluded.query,"
                     " created_at = excluded.created_at", (name, query, now))
    return row is not None


def workflow_query(conn: sqlite3.Connection, name: str) -> str:
    row = conn.execute("SELECT query FROM workflows WHERE name = ?", (name.strip(),)).fetchone()
    if row is None:
        names = [r["name"] for r in conn.execute("SELECT name FROM workflows ORDER BY name")]
        known = f"; saved workflows: {', '.join(names)}" if names else "; none saved yet"
        raise CritminError(f"no workflow named {name!r}{known}")
    return str(row["query"])


def list_workflows(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(w.name, w.query) for w in saved_workflows(conn)]


def saved_workflows(conn: sqlite3.Connection) -> list[Workflow]:
    """Every saved workflow, by name."""
    return [Workflow(name=r["name"], query=r["query"], saved_at=r["created_at"])
            for r in conn.execute("SELECT name, query, created_at FROM workflows ORDER BY name")]
