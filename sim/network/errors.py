"""The exception and warning raised for bad network inputs."""

from __future__ import annotations


class NetworkError(ValueError):
    """A network that cannot be built: bad file, bad line, bad weight, empty graph, bad spec.

    The message is always one line. For files it names the file and, for text formats, the line
    number and what is allowed, e.g. ``network file data/x.csv, line 7: weight 'abc' is not a
    number (weights must be positive numbers)``.
    """


class NetworkWarning(UserWarning):
    """Something was repaired while building a network (self-loops or duplicate ties dropped)."""


def one_line(text: object, limit: int = 200) -> str:
    """Collapse ``text`` to a single line of at most ``limit`` characters (for error messages)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
