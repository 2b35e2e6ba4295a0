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


class UnknownValueError(CritminError):
    """A value that names something critmin does not hold (a stage, a market, a year range with
    no figures): a user error, exit 1, with the nearest known values."""

    def __init__(self, kind: str, value: str, known: Sequence[str],
                 suggestions: Sequence[str] = (), note: str = "") -> None:
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        extra = f"; {note}" if note else ""
        super().__init__(f"unknown {kind} {value!r}{hint} (expected one of: "
                         f"{', '.join(known)}{extra})")
        self.kind = kind
        self.value = value
        self.suggestions = list(suggestions)


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


#: Problems listed under an error's first line; the rest are counted.
SHOWN_PROBLEMS = 5


def format_problems(header: str, problems: Sequence[str]) -> str:
    """`header: problem`, or `header: N problems` then the first few indented, then `(and K more)`.

    Long single lines that join every problem (with the file repeated in each) were unreadable;
    the file or subject is named once, and each problem gets its own line.
    """
    if len(problems) == 1:
        return f"{header}: {problems[0]}"
    lines = [f"{header}: {len(problems)} problems"]
    lines += [f"  {problem}" for problem in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  (and {len(problems) - SHOWN_PROBLEMS} more)")
    return "\n".join(lines)


def one_line(error: CritminError) -> str:
    """An error's message on one line (a CSV cell, a JSON field)."""
    if isinstance(error, ProblemsError):
        return error.one_line()
    return " ".join(error.message.split())


class ProblemsError(CritminError):
    """One or more problems with one file, listed under a first line that names the file.

    One problem is one line, `file: problem`. Several are a header line `file: N problems`
    followed by the first few, one per line and indented, then `(and K more)`; the file is
    named once. `one_line()` gives the same on a single line (for a CSV cell).
    """

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems) or ["invalid"]
        super().__init__(format_problems(file, self.problems))

    def one_line(self) -> str:
        if len(self.problems) == 1:
            return f"{self.file}: {self.problems[0]}"
        shown = "; ".join(self.problems[:SHOWN_PROBLEMS])
        more = len(self.problems) - SHOWN_PROBLEMS
        tail = f" (and {more} more)" if more > 0 else ""
        return f"{self.file}: {len(self.problems)} problems: {shown}{tail}"


class DataError(ProblemsError):
    """Bundled or user-supplied data failed validation; lists each problem with file and row."""

    def __init__(self, problems: Sequence[object]) -> None:
        super().__init__("data check failed", [str(p) for p in problems])
