"""Reading and writing users' files without hanging, crashing or leaving half a file behind.

Every command that takes a path (a document, a BOM, a scenario, a batch, an output file) goes
through here, so the same hostile inputs get the same one-line answer everywhere:

- only regular files are read: a named pipe would block forever and `/dev/zero` never ends, so
  both are refused after a `stat`, before anything is opened;
- a size limit is checked before reading and again after, in case the file grew;
- text is decoded as UTF-8 (with or without a BOM), UTF-16/32 with a BOM, or, when the bytes are
  not UTF-8, as the encoding charset detection finds (GB18030 and Big5 widened to their
  supersets); bytes that are almost all valid UTF-8 are decoded as UTF-8 with the few bad bytes
  replaced, because detection turns such files into mojibake in a Cyrillic or Latin code page;
- YAML and JSON are parsed with a nesting limit and no YAML aliases, and numbers too long for
  Python's int conversion are reported by line instead of raising;
- output is written to a temporary file beside the target and renamed over it, so a full disk or
  a killed process never leaves a truncated report;
- file names with bytes that are not valid UTF-8 are shown with escapes, never crash a print.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml
from charset_normalizer import from_bytes

from critmin.errors import CritminError

#: Deepest nesting of lists and mappings accepted in a YAML or JSON input. Real BOMs and
#: scenarios nest four or five levels; a hundred is generous and far below Python's recursion
#: limit, which the YAML composer and the JSON decoder would otherwise hit.
MAX_DEPTH = 100

#: Longest run of digits accepted in one number of a YAML or JSON input (Python refuses to
#: convert more than 4,300 digits to an int; nothing real needs more than a few dozen).
MAX_DIGITS = 100

#: Share of bytes that may fail to decode as UTF-8 for a file still to be read as UTF-8 (with
#: replacement characters): a file with a handful of corrupted bytes is UTF-8, not a code page.
UTF8_ERROR_SHARE = 0.01

#: How much more "chaos" (charset_normalizer's measure of implausible text, 0-1) a GB18030
#: reading may show than the best guess and still be preferred. On a few Chinese characters
#: detection is a coin toss between GB18030, Johab, Big5 and single-byte code pages; critmin's
#: files are far more often Chinese than any of those, and a Korean, Japanese or Thai text scores
#: clearly worse as GB18030 (0.06 and up), so only near-ties are tipped.
GB18030_MARGIN = 0.03

#: Longest path we try to open; longer ones would fail with ENAMETOOLONG anyway.
MAX_PATH_BYTES = 4096

#: Encodings charset detection names the smallest fit for; the rest of the file may need the
#: superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)

_LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


class InputError(CritminError):
    """A user's file could not be read, decoded, parsed or written; names the file and why."""

    def __init__(self, file: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(file)
        """The path as given, for callers that act on it; `file` is its printable form."""
        self.file = display_path(file)
        self.reason = reason
        super().__init__(f"{self.file}: {reason}")


# ---------------------------------------------------------------------------------------------
# names


#: Longest path shown in a message; longer ones keep their head and tail around an ellipsis.
MAX_SHOWN_PATH = 160


def display_path(path: str | os.PathLike[str]) -> str:
    """A path fit to print on one line: undecodable bytes and control characters as escapes.

    File names on Linux are bytes; Python carries the invalid ones as lone surrogates, which
    cannot be encoded for the terminal and would crash a print.
    """
    text = os.fspath(path)
    if not text.isprintable() or _has_surrogates(text):
        decoded = os.fsencode(text).decode("utf-8", errors="backslashreplace")
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                       for c in decoded)
    if len(text) > MAX_SHOWN_PATH:
        half = MAX_SHOWN_PATH // 2
        text = f"{text[:half]}…{text[-half:]}"
    return text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def os_reason(exc: OSError) -> str:
    """The plain reason of an OS error (`permission denied`), without the errno or the path."""
    if exc.errno == errno.ENAMETOOLONG:
        return "the path is too long"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links (a symlink loop?)"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]


# ---------------------------------------------------------------------------------------------
# reading


def check_regular_file(path: Path) -> os.stat_result:
    """`stat` of `path`, refusing anything that is not a regular file with a sentence that says so."""
    if len(os.fsencode(path)) > MAX_PATH_BYTES:
        raise InputError(path, "the path is too long")
    if "\x00" in os.fspath(path):
        raise InputError(path, "the path contains a NUL byte")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {os_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, "is a folder, not a file")
    if stat.S_ISFIFO(info.st_mode):
        raise InputError(path, "is a named pipe, not a regular file (it would block)")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "is a device or socket, not a regular file")
    return info


def read_bytes(path: Path, max_bytes: int, *, allow_empty: bool = False) -> bytes:
    """A regular file's bytes, refusing oversized files before reading and non-files altogether."""
    info = check_regular_file(path)
    if info.st_size > max_bytes:
        raise InputError(path, too_large(max_bytes))
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read: {os_reason(exc)}") from None
    if len(data) > max_bytes:
        raise InputError(path, too_large(max_bytes))
    if not data and not allow_empty:
        raise InputError(path, "empty file")
    return data


def decode_text(data: bytes, file: str | os.PathLike[str]) -> str:
    """Text of a file's bytes by BOM, strict UTF-8, almost-UTF-8, then charset detection.

    Binary data (a NUL byte outside a UTF-16/32 BOM, or many control bytes) is refused rather
    than decoded into noise.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise InputError(file, f"cannot decode text: invalid {codec.upper()}") from None
    if looks_binary(data):
        raise InputError(file, "binary file, not text")
    try:
        return data.decode("utf_8_sig")
    except UnicodeDecodeError:
        pass
    if utf8_error_share(data) <= UTF8_ERROR_SHARE:
        return data.decode("utf_8_sig", errors="replace")
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise InputError(file, "cannot decode text (tried UTF-8, UTF-16/32 and charset detection)")
    encoding = _SUPERSETS.get(best.encoding, best.encoding)
    if encoding != "gb18030":
        preferred = next((m for m in matches if m.encoding == "gb18030"), None)
        if preferred is not None and preferred.chaos <= best.chaos + GB18030_MARGIN:
            encoding = "gb18030"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return str(best)


def utf8_error_share(data: bytes) -> float:
    """Share of bytes that fail to decode as UTF-8 (0.0 for valid UTF-8).

    Each replacement character stands for one maximal invalid sequence (one to three bytes), so
    this slightly undercounts; it only has to tell "a few corrupted bytes" from "another encoding".
    """
    if not data:
        return 0.0
    replaced = data.decode("utf-8", errors="replace").count("\ufffd") - data.count(b"\xef\xbf\xbd")
    return max(0, replaced) / len(data)


#: Bytes below 0x20 that are normal in text: tab, LF, VT, FF, CR, ESC, backspace.
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b\x08")


def looks_binary(data: bytes, sniff: int = 8192, control_share: float = 0.10) -> bool:
    """True when the head of `data` has a NUL byte or too many control bytes to be text."""
    head = data[:sniff]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if (byte < 0x20 and byte not in _TEXT_CONTROLS) or byte == 0x7F)
    return controls > control_share * len(head)


def read_text(path: Path, max_bytes: int, *, allow_empty: bool = False) -> str:
    """A regular file's text, decoded as `decode_text` does."""
    data = read_bytes(path, max_bytes, allow_empty=allow_empty)
    if not data:
        return ""
    return decode_text(data, path)


def too_large(max_bytes: int) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if max_bytes >= scale and max_bytes % scale == 0:
            return f"file is larger than the {max_bytes // scale} {unit} limit"
    return f"file is larger than the {max_bytes} bytes limit"


# ---------------------------------------------------------------------------------------------
# parsing


class _TooDeep(Exception):
    """Raised by the loader as soon as nesting passes `MAX_DEPTH`."""


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (*name) and stops at `MAX_DEPTH` levels of nesting.

    A few nested aliases expand into billions of nodes. Depth is counted while composing, so
    `[[[[...` is refused at level 100 at once instead of after seconds of recursion.
    """

    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not accepted", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """Name the line of a value that cannot be built (a date such as 2026-02-30)."""
        try:
            return super().construct_object(node, deep)
        except _ValueAtLine:
            raise
        except ValueError as exc:
            raise _ValueAtLine(node.start_mark.line + 1, str(exc)) from None


class _ValueAtLine(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def load_yaml(text: str, file: str | os.PathLike[str]) -> Any:
    """YAML text as plain data; every failure is an `InputError` naming the file and the line."""
    return load_yaml_with_nodes(text, file)[0]


def load_yaml_with_nodes(text: str, file: str | os.PathLike[str]) -> tuple[Any, yaml.Node | None]:
    """YAML text as plain data and as the node tree it was built from, from one parse.

    The nodes carry each item's line, which data checks quote; composing once and constructing
    the data from the same nodes halves the cost of reading a large data file.
    """
    _check_numbers(text, file)
    if flow_depth(text, stop_above=MAX_DEPTH) > MAX_DEPTH:
        raise InputError(file, f"nested deeper than {MAX_DEPTH} levels")
    loader: _SafeLoader | None = None
    try:
        loader = _SafeLoader(text)  # a SafeLoader subclass: no arbitrary objects; checks characters
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (_TooDeep, RecursionError):
        raise InputError(file, f"nested deeper than {MAX_DEPTH} levels") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(file, f"{where}invalid YAML: {problem}") from None
    except ValueError as exc:  # e.g. a date such as 2025-02-30, or an int conversion limit
        where = f"line {exc.line}: " if isinstance(exc, _ValueAtLine) else ""
        raise InputError(file, f"{where}invalid YAML value: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()
    check_depth(data, file)
    return data, node


def load_json(text: str, file: str | os.PathLike[str]) -> Any:
    """JSON text as plain data; every failure is an `InputError` naming the file and the line."""
    _check_numbers(text, file)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise InputError(file, f"nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise InputError(file, f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise InputError(file, f"invalid JSON: {exc}") from None
    check_depth(data, file)
    return data


def load_structured(text: str, file: str | os.PathLike[str]) -> Any:
    """JSON for `.json` files, YAML (a superset of JSON) for everything else."""
    if os.fspath(file).lower().endswith(".json"):
        return load_json(text, file)
    return load_yaml(text, file)


_BRACKETS = re.compile(r"[\[\]{}]")


def flow_depth(text: str, stop_above: int | None = None) -> int:
    """The deepest nesting of `[`/`{` in `text`, brackets inside quotes counted too.

    PyYAML's scanner re-checks every open flow level at each token, so `[[[[...` costs time
    quadratic in its depth before any nesting limit in the composer is reached; this count is
    linear and errs on the side of refusing (a quoted string would need a hundred unclosed
    brackets to trip it). With `stop_above`, counting stops as soon as the depth passes it.
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and deepest > stop_above:
                break
        else:
            depth = max(0, depth - 1)
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _check_numbers(text: str, file: str | os.PathLike[str]) -> None:
    match = _LONG_NUMBER.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise InputError(file, f"line {line}: a number with more than {MAX_DIGITS} digits")


def check_depth(data: Any, file: str | os.PathLike[str], limit: int = MAX_DEPTH) -> None:
    """Refuse data nested deeper than `limit`, or holding a number that is not finite.

    Walks with a stack, so no recursion can overflow; an infinite or NaN number (YAML `.inf`,
    JSON `1e999`) is named by its field path, since no quantity, value or parameter can be one.
    """
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        item, depth, where = stack.pop()
        if depth > limit:
            raise InputError(file, f"nested deeper than {limit} levels")
        if isinstance(item, dict):
            stack.extend((value, depth + 1, f"{where}.{key}" if where else str(key))
                         for key, value in item.items())
        elif isinstance(item, list):
            stack.extend((value, depth + 1, f"{where}[{index}]") for index, value in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            shown = where if len(where) <= 80 else f"{where[:38]}…{where[-38:]}"
            raise InputError(file, f"field {shown or '(top level)'!r}: {item} is not a finite number")


def finite_or_none(value: float | None) -> float | None:
    """`value` when it is a finite float, else None (for JSON output, which has no Infinity)."""
    if value is None or not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------------------------------------
# writing


def check_writable_target(path: Path) -> None:
    """Refuse, before any work is done, an output path whose folder is missing or that is a folder."""
    if len(os.fsencode(path)) > MAX_PATH_BYTES:
        raise InputError(path, "cannot write: the path is too long")
    if "\x00" in os.fspath(path):
        raise InputError(path, "cannot write: the path contains a NUL byte")
    try:
        if path.is_dir():
            raise InputError(path, "cannot write: is a folder (give a file name)")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.exists():
            raise InputError(path, f"cannot write: the folder {display_path(parent)} does not exist")
        if not parent.is_dir():
            raise InputError(path, f"cannot write: {display_path(parent)} is not a folder")
        if path.exists() and not path.is_file():
            raise InputError(path, "cannot write: not a regular file")
    except OSError as exc:  # e.g. a name longer than the file system allows (ENAMETOOLONG)
        raise InputError(path, f"cannot write: {os_reason(exc)}") from None


def write_atomic(path: Path, content: str | bytes, encoding: str = "utf-8") -> None:
    """Write `content` to `path` whole or not at all (temporary file in the same folder, renamed)."""
    check_writable_target(path)
    data = content.encode(encoding) if isinstance(content, str) else content
    parent = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".part", dir=parent)
    except OSError as exc:
        raise InputError(path, f"cannot write: {os_reason(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise InputError(path, f"cannot write: {os_reason(exc)}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------------------------------------
# folders


def list_files(root: Path, suffixes: Collection[str] | None = None, *,
               recursive: bool = True) -> tuple[list[Path], list[InputError]]:
    """Regular files under `root` sorted by path, and an `InputError` for each entry that cannot be read.

    Hidden names below `root` are skipped; symlinks to folders are not followed (so no loops);
    broken links, link loops and unreadable sub-folders are reported rather than skipped in
    silence, so a batch can go on with the rest and say what it left out. With
    `recursive=False` only the entries directly in `root` are listed.
    """
    files: list[Path] = []
    errors: list[InputError] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            errors.append(InputError(folder, f"cannot list folder: {os_reason(exc)}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        stack.append(path)
                    continue
                if entry.is_symlink():
                    if not path.exists():
                        errors.append(InputError(path, "broken symbolic link or symlink loop"))
                        continue
                    if path.is_dir():  # a link to a folder is not followed
                        continue
            except OSError as exc:
                errors.append(InputError(path, f"cannot read: {os_reason(exc)}"))
                continue
            if suffixes is None or path.suffix.lower() in suffixes:
                files.append(path)
    files.sort()
    errors.sort(key=lambda e: e.file)
    return files, errors
