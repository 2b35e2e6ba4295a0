"""The `critmin` command: a thin shell that parses options, calls one service, renders output.

Every read command prints a Rich table for people and, with --json, a stable JSON document for
scripts (keys documented in docs/cli.md). User errors print `error: <message>` on stderr and
exit with the error's code; --debug or CRITMIN_DEBUG=1 shows the traceback instead.

Each command group lives in its own module; importing them here registers their commands.
"""

from critmin.cli import (  # noqa: F401  (registers commands)
    assistant_commands,
    demo,
    evidence_commands,
    kb_commands,
    rules_commands,
    sim_commands,
    web_commands,
)
from critmin.cli.app import app
from critmin.cli.main import main, run

__all__ = ["app", "main", "run"]
