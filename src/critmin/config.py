"""Every setting critmin reads from the environment, in one place.

Settings are read when asked for (not at import) so tests and long-running servers see changes.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: Environment variables critmin understands, with what each does (documented in docs/cli.md).
ENVIRONMENT_VARIABLES: dict[str, str] = {
    "CRITMIN_DEBUG": "set to 1 to show Python tracebacks for user errors",
    "CRITMIN_DATA_DIR": "use another knowledge-base data folder instead of the bundled one",
    "CRITMIN_DB": "the evidence database file (default: evidence.db in the user data folder)",
    "CRITMIN_TOKEN": "bearer token that enables the dashboard's write endpoints (unset: writes disabled)",
}


def debug_enabled() -> bool:
    """Tracebacks are for developers; users get one line unless they ask."""
    return os.environ.get("CRITMIN_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


def bundled_data_dir() -> Path:
    """The knowledge-base data shipped inside the wheel."""
    return Path(str(resources.files("critmin.kb") / "data"))


def data_dir() -> Path:
    """The knowledge-base folder in force: CRITMIN_DATA_DIR if set, else the bundled one."""
    override = os.environ.get("CRITMIN_DATA_DIR")
    return Path(override) if override else bundled_data_dir()
