"""Observed adoption or sales series for ``run_sim.py calibrate``: reading and checking the CSV.

Format (docs/calibration.md)::

    # Lines starting with # are comments: say where the numbers come from.
    year,adopters
    1949,96
    1950,195
    ...

- The first column is ``year`` or ``week`` (the period; whole numbers, consecutive, rising by
  one). A yearly series is simulated as 52 weeks per period.
- A column ``adopters``: new adopters (or unit sales of a durable, one per adopter) in the
  period, in any unit (thousands, households); a number >= 0. Other columns are ignored.
- At least 5 periods (3 Bass parameters and room to judge the fit), at most 520; the file is a
  regular file of at most 1 MiB, UTF-8.

Every problem is one line naming the file, the row (line number in the file) and the column.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.network.bounded import FileRefused, read_bounded

MAX_BYTES = 2**20
MIN_PERIODS, MAX_PERIODS = 5, 520
# Adopters or units per period: at most 1e12 (the world has 8e9 people; sums of squares of
# larger numbers overflow the fit, 1e308 gave "Residuals are not finite").
MAX_ADOPTERS = 1e12
PERIOD_WEEKS = {"year": 52, "week": 1}


class SeriesError(ValueError):
    """A series file that cannot be used (one line: file, row, column, what is allowed)."""


@dataclass(frozen=True)
class Series:
    """An observed series: ``values[k]`` new adopters in period ``periods[k]``.

    ``period`` is ``"year"`` or ``"week"``; ``weeks_per_period`` 52 or 1; ``comments`` the
    file's comment lines (its source).
    """

    path: str
    period: str
    periods: np.ndarray
    values: np.ndarray
    comments: tuple[str, ...] = ()

    @property
    def weeks_per_period(self) -> int:
        return PERIOD_WEEKS[self.period]


def read_series(path: str | Path) -> Series:
    """Read and check a series CSV (see the module docstring). Raises ``SeriesError``."""
    try:
        data = read_bounded(path, MAX_BYTES, "series file")
    except FileRefused as error:
        raise SeriesError(str(error)) from None
    except OSError as error:
        raise SeriesError(f"{path}: cannot read ({error.strerror or error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SeriesError(f"{path}: not UTF-8 text (byte {error.start})") from None
    return parse_series(text, str(path))


def parse_series(text: str, path: str = "<series>") -> Series:
    """Parse the text of a series CSV; ``path`` names it in error messages."""
    comments, rows = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comments.append(stripped.lstrip("#").strip())
            continue
        rows.append((number, line))
    if not rows:
        raise SeriesError(f"{path}: no header row (expected e.g. 'year,adopters')")
    header_line, header_text = rows[0]
    header = [h.strip().lower() for h in next(csv.reader(io.StringIO(header_text)))]
    if not header or header[0] not in PERIOD_WEEKS:
        raise SeriesError(
            f"{path}: row {header_line}, column 1: the first column must be named 'year' or 'week'"
        )
    if "adopters" not in header:
        raise SeriesError(
            f"{path}: row {header_line}: no 'adopters' column (new adopters or unit sales per "
            f"period) among its {len(header)} columns"
        )
    column = header.index("adopters")
    periods, values = [], []
    for number, line in rows[1:]:
        fields = next(csv.reader(io.StringIO(line)))
        if len(fields) < len(header):
            raise SeriesError(
                f"{path}: row {number}: {len(fields)} fields, the header has {len(header)}"
            )
        periods.append(_period(fields[0], path, number, header[0], periods))
        values.append(_value(fields[column], path, number, column))
    if not MIN_PERIODS <= len(values) <= MAX_PERIODS:
        raise SeriesError(
            f"{path}: {len(values)} periods; between {MIN_PERIODS} and {MAX_PERIODS} are needed"
        )
    if sum(values) <= 0:
        raise SeriesError(f"{path}: column 'adopters' is zero in every row; nothing to fit")
    if len(set(values)) == 1:
        raise SeriesError(
            f"{path}: column 'adopters' has the same value in every row; there is no curve to "
            "fit (a diffusion curve rises and falls)"
        )
    return Series(path, header[0], np.array(periods), np.array(values, float), tuple(comments))


def _period(text: str, path: str, row: int, name: str, previous: list[int]) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise SeriesError(
            f"{path}: row {row}, column 1 ({name}): not a whole number (periods are whole "
            "numbers rising by one)"
        ) from None
    if previous and value != previous[-1] + 1:
        raise SeriesError(
            f"{path}: row {row}, column 1 ({name}): {value} does not follow {previous[-1]}; "
            "periods must be consecutive and rising by one"
        )
    return value


def _value(text: str, path: str, row: int, column: int) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise SeriesError(
            f"{path}: row {row}, column {column + 1} (adopters): not a number (a number from 0 "
            f"to {MAX_ADOPTERS:g})"
        ) from None
    if not (math.isfinite(value) and 0 <= value <= MAX_ADOPTERS):
        raise SeriesError(
            f"{path}: row {row}, column {column + 1} (adopters): {value:g} is not allowed "
            f"(a number from 0 to {MAX_ADOPTERS:g})"
        )
    return value
