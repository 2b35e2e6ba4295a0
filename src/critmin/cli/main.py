"""Entry point: runs the app and turns critmin errors into one line and an exit code."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import typer

from critmin.cli.app import app
from critmin.config import debug_enabled
from critmin.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, EXIT_USER_ERROR, CritminError

# Typer raises click's exception classes, vendored in recent Typer and imported from click in
# older ones; both are reached through the public `typer.BadParameter` so either layout works.
_CLICK_CLASSES = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
ClickException: type[Exception] = _CLICK_CLASSES["ClickException"]
UsageError: type[Exception] = _CLICK_CLASSES["UsageError"]

# ---------------------------------------------------------------------------------------------
# entry point


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; every failure becomes one `error:` line on stderr.

    Usage errors (unknown option, bad option value) exit 2, errors critmin raises exit with their
    own code, and anything else is a bug: it is reported as one line with exit code 70 rather
    than a traceback, which --debug or CRITMIN_DEBUG=1 shows instead.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = debug_enabled() or "--debug" in args
    command = _command()
    try:
        result = command.main(args=args, prog_name="critmin", standalone_mode=False)
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `critmin` alone, or a group alone: help
            text = exc.format_message()  # type: ignore[attr-defined]
            if text.strip():  # plain help text; rich help has printed itself already
                typer.echo(text, err=True)
            return EXIT_USAGE
        return _fail(_usage_message(exc), EXIT_USAGE, debug)
    except ClickException as exc:
        return _fail(exc.format_message(), exc.exit_code or EXIT_USER_ERROR, debug)  # type: ignore[attr-defined]
    except CritminError as exc:
        return _fail(exc.message, exc.exit_code, debug)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("error: interrupted", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USER_ERROR)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        detail = _one_line(str(exc)) or type(exc).__name__
        typer.echo(f"error: internal error ({type(exc).__name__}): {detail}; this is a bug in "
                   "critmin — rerun with --debug to see where", err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


@functools.cache
def _command() -> Any:
    """The click command tree, built once: building it costs ~60 ms, more than most commands."""
    return typer.main.get_command(app)


def _fail(message: str, code: int, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    typer.echo(f"error: {_printable(message)}", err=True)
    return code


def _usage_message(exc: Exception) -> str:
    """`Invalid value for '--runs': ...` plus where to look, as one line."""
    context = getattr(exc, "ctx", None)
    where = f" (see '{context.command_path} --help')" if context is not None else ""
    message = " ".join(exc.format_message().split()).rstrip(".")  # type: ignore[attr-defined]
    return f"{message[:1].lower()}{message[1:]}{where}"


def _printable(message: str) -> str:
    """The message with any undecodable file-name bytes (lone surrogates) shown as escapes."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _quiet_broken_pipe() -> int:
    """`critmin ... | head`: the reader left; say nothing more and exit like other tools do."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_USER_ERROR


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
