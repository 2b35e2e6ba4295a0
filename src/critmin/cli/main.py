"""Entry point: runs the app and turns critmin errors into one line and an exit code."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

import typer

from critmin.cli.app import app
from critmin.config import debug_enabled
from critmin.errors import EXIT_USER_ERROR, CritminError

# ---------------------------------------------------------------------------------------------
# entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; user errors become one line on stderr.

    Usage errors are reported by the command-line parser itself (exit 2); errors critmin raises
    are caught here so no traceback reaches the user unless --debug or CRITMIN_DEBUG=1 is set.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = debug_enabled() or "--debug" in args
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="critmin", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USER_ERROR)
    except CritminError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"error: {exc.message}", err=True)
        return exc.exit_code
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())

