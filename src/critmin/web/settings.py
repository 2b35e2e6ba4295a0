"""Every setting the web layer reads, in one place.

Environment variables are read once, when the application is created (`Settings.from_env`), so
a running server does not change behaviour under a user's feet; tests build `Settings` directly.
Each variable is listed in `critmin.config.ENVIRONMENT_VARIABLES` and documented in docs/cli.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from critmin.sim import MAX_RUNS

#: Request bodies larger than this are refused with 413 (BOMs, scenarios, forms).
MAX_BODY_BYTES = 2 * 1024 * 1024
#: Document uploads for ingest may be larger: the evidence parser's own file limit.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class Settings(BaseModel):
    """How one dashboard process behaves: where data lives, who may write, what it accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    db: Path | None = None
    """Evidence database (None: CRITMIN_DB, else evidence.db in the user data folder)."""
    token: str | None = Field(default=None, repr=False)
    """Bearer token for write endpoints; None disables writes altogether."""
    max_body_bytes: int = Field(default=MAX_BODY_BYTES, gt=0)
    """Largest request body accepted by any endpoint except document uploads."""
    max_document_bytes: int = Field(default=MAX_DOCUMENT_BYTES, gt=0)
    """Largest request body accepted by the document upload endpoint."""
    default_runs: int = Field(default=200, ge=1)
    """Monte Carlo runs when a scenario run does not say (small enough to finish in seconds)."""
    max_runs: int = Field(default=MAX_RUNS, ge=1, le=MAX_RUNS)
    """Most Monte Carlo runs one request may ask for (at most the simulator's cap, as `--runs`)."""
    sensitivity_runs: int = Field(default=20, ge=0)
    """Runs per sensitivity case in dashboard runs (0 skips the sensitivity table)."""
    max_jobs: int = Field(default=20, ge=1)
    """Finished scenario runs kept in memory; older ones are forgotten."""

    @classmethod
    def from_env(cls, *, db: Path | None = None) -> Settings:
        """Settings from the environment; an explicit `db` (the --db option) wins over CRITMIN_DB."""
        token = os.environ.get("CRITMIN_TOKEN", "").strip() or None
        database = db or (Path(os.environ["CRITMIN_DB"]) if os.environ.get("CRITMIN_DB") else None)
        return cls(db=database, token=token)
