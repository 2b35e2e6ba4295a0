"""One error hierarchy for critmin.

Every error a user can cause carries the sentence we show them and the exit code the CLI
returns, so the CLI and the web layer never have to guess how to present a failure.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Exit codes, documented in docs/cli.md.
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
#: Not the user's fault: an unexpected exception, reported on one line instead of a traceback.
EXIT_INTERNAL = 70
#: Ctrl-C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130


class CritminError(Exception):
    """Base of every user-facing error: a one-line message and an exit code."""

    exit_code: int = EXIT_USER_ERROR

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(CritminError):
    """The command line itself was malformed (unknown option value, bad date...)."""

    exit_code = EXIT_USAGE


class NotFoundError(CritminError):
    """A name did not resolve; the message lists the nearest known names."""

    def __init__(self, kind: str, name: str, suggestions: Sequence[str] = ()) -> None:
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)


class DataError(CritminError):
    """Bundled or user-supplied data failed validation; lists each problem with file and row."""

    def __init__(self, problems: Sequence[object]) -> None:
        lines = [str(p) for p in problems]
        shown = "; ".join(lines[:5])
        more = f" (and {len(lines) - 5} more)" if len(lines) > 5 else ""
        super().__init__(f"data check failed: {shown}{more}")
        self.problems = list(problems)
