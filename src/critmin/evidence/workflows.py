"""Saved topics: a name for a digest query, so a team reruns the same workflow every week."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from critmin.errors import CritminError, UsageError
from critmin.evidence.store import transaction


def add_workflow(conn: sqlite3.Connection, name: str, query: str) -> None:
    """Save (or replace) a named topic query."""
    if not name.strip() or not query.strip():
        raise UsageError("a workflow needs a non-empty name and query")
    with transaction(conn):
        conn.execute("INSERT INTO workflows (name, query, created_at) VALUES (?, ?, ?)"
                     " ON CONFLICT(name) DO UPDATE SET query = excluded.query",
                     (name.strip(), query.strip(), datetime.now(UTC).isoformat(timespec="seconds")))


def workflow_query(conn: sqlite3.Connection, name: str) -> str:
    row = conn.execute("SELECT query FROM workflows WHERE name = ?", (name,)).fetchone()
    if row is None:
        names = [r["name"] for r in conn.execute("SELECT name FROM workflows ORDER BY name")]
        known = f"; saved workflows: {', '.join(names)}" if names else "; none saved yet"
        raise CritminError(f"no workflow named {name!r}{known}")
    return str(row["query"])


def list_workflows(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(r["name"], r["query"]) for r in conn.execute("SELECT name, query FROM workflows ORDER BY name")]
