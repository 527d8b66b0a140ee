"""The files a command names: read and written with a one-line error, never a traceback.

A missing file, a directory, an unreadable, empty or oversized file is `ValidationError`
(exit code 3) naming the file and the problem; so is an output path that cannot be written.
Reads are bounded: a command never loads more than its limit into memory.
"""

from __future__ import annotations

from pathlib import Path

from connectors.core.errors import ValidationError

__all__ = ["KEY_FILE_MAX_BYTES", "quoted", "read_file", "write_file"]

KEY_FILE_MAX_BYTES = 1024 * 1024
"""Limit for a PEM key or certificate, or a PKCS#12 bundle (real ones are a few KiB)."""


def quoted(path: Path) -> str:
    """`path` as given, quoted for a message; a long one keeps its last 77 characters."""
    text = str(path)
    return repr(text) if len(text) <= 80 else repr("..." + text[-77:])


def _problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


def read_file(path: Path, *, what: str, max_bytes: int) -> bytes:
    """The bytes of `path`; `ValidationError` (field `what`) if they cannot be had.

    `what` names the file's role in the message ("invoice", "--cert"). Refused: a missing
    path, a directory, an unreadable or empty file, and one larger than `max_bytes` (only
    `max_bytes + 1` bytes are ever read).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ValidationError(f"{what} {quoted(path)}: {_problem(exc)}", field=what) from None
    except ValueError:  # a path with a NUL character
        raise ValidationError(f"{what} {quoted(path)}: not a valid path", field=what) from None
    if not data:
        raise ValidationError(f"{what} {quoted(path)} is empty", field=what)
    if len(data) > max_bytes:
        raise ValidationError(
            f"{what} {quoted(path)} is larger than {max_bytes:,} bytes", field=what
        )
    return data


def write_file(path: Path, data: bytes, *, what: str) -> None:
    """Write `data` to `path`; `ValidationError` (field `what`) if it cannot be written."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        problem = "no such directory" if isinstance(exc, FileNotFoundError) else _problem(exc)
        raise ValidationError(f"{what} {quoted(path)}: {problem}", field=what) from None
    except ValueError:
        raise ValidationError(f"{what} {quoted(path)}: not a valid path", field=what) from None
