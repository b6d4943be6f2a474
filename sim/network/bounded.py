"""Reading user files with bounds: regular files only, never more than a stated size.

Scenario files, the files they ``extends``, network files, run files, manifests and Dask
scheduler files are all named by users. A path can point at ``/dev/zero`` (endless), a FIFO
(blocks forever), a folder or a huge file; reading any of those the ordinary way hangs the
command or exhausts memory. :func:`open_regular` opens without blocking, refuses anything but a
regular file before reading a byte, and :func:`read_bounded` reads at most a stated number of
bytes. Both raise :class:`FileRefused` with a one-line message naming the file and the limit
(its ``problem`` a :class:`sim.i18n.Message`, so a caller can show it in the user's language;
pass ``what`` as a Message too, e.g. ``Message(N_("scenario file"))``).

(This lives in the network layer because it is the lowest layer that reads files; the study
layer uses it for scenario and results files.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from sim.i18n import N_, Message

CHUNK_BYTES = 2**24  # read in 16 MB pieces: a limit is not a buffer size


class FileRefused(OSError):
    """A path that is not a readable regular file within the size limit (one-line message)."""

    def __init__(self, path: str | Path, problem: str, missing: bool = False):
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem
        self.missing = missing

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def kind_of(mode: int) -> str:
    """What a file mode describes, in words ("a folder", "a named pipe (FIFO)", ...)."""
    if stat.S_ISDIR(mode):
        return Message(N_("a folder"))
    if stat.S_ISFIFO(mode):
        return Message(N_("a named pipe (FIFO)"))
    if stat.S_ISCHR(mode):
        return Message(N_("a character device"))
    if stat.S_ISBLK(mode):
        return Message(N_("a block device"))
    if stat.S_ISSOCK(mode):
        return Message(N_("a socket"))
    return Message(N_("not a regular file"))


def open_regular(path: str | Path, max_bytes: int | None = None, what: str = "file") -> BinaryIO:
    """Open ``path`` for reading in binary mode, only if it is a regular file (symlinks followed).

    Opened with ``O_NONBLOCK`` so a FIFO cannot block; the type and size are checked on the open
    descriptor (no race between checking and opening).

    Parameters
    ----------
    path : str or Path
        The file.
    max_bytes : int, optional
        Largest size accepted, in bytes (None: any size).
    what : str
        What the file is, for messages ("scenario file", "network file").

    Raises
    ------
    FileRefused
        Missing, unreadable, not a regular file, or larger than ``max_bytes``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileRefused(path, Message(N_("no such file")), missing=True) from None
    except OSError as error:
        raise FileRefused(path, _cannot_read(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(
                path, Message(N_("is {kind}, not a {what}"), kind=kind_of(info.st_mode), what=what)
            )
        if max_bytes is not None and info.st_size > max_bytes:
            raise FileRefused(
                path,
                Message(
                    N_("{what} is {size} bytes, more than the limit of {limit} bytes"),
                    what=what,
                    size=info.st_size,
                    limit=max_bytes,
                ),
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise


def read_bounded(path: str | Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, refusing files over ``max_bytes`` bytes.

    The size is checked before reading and again while reading (a file that grows meanwhile is
    refused too). Raises :class:`FileRefused`.
    """
    chunks, size = [], 0
    with open_regular(path, max_bytes, what) as handle:
        try:
            while size <= max_bytes:
                chunk = handle.read(min(CHUNK_BYTES, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as error:
            raise FileRefused(path, _cannot_read(error)) from None
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise FileRefused(
            path,
            Message(
                N_("{what} is more than the limit of {limit} bytes"), what=what, limit=max_bytes
            ),
        )
    return data


def _cannot_read(error: OSError) -> Message:
    return Message(N_("cannot read ({reason})"), reason=_reason(error))


def _reason(error: OSError) -> str:
    if error.errno == errno.EISDIR:
        return Message(N_("is a folder"))
    return error.strerror or type(error).__name__  # the system's own words
