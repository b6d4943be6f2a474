"""What the server sends the browser: compact model state, drawn there (no pictures).

The browser draws the network (``sim/viz/vue/network.vue``, a canvas) and the charts
(``sim/viz/vue/chart.vue``, ECharts served by the app from ``solara-assets``). The server sends:

- once per network (and on Reset): positions, ties and marker sizes (:func:`network_static`);
- every week: one character per drawn customer (:func:`node_codes`) and the measures' history
  (:func:`chart_data`).

One week at 1,000 customers is about 1 kB for the network and a few kB for the charts.
Everything here is numpy and plain Python data (no Solara), so it is cheap and testable.

Customer codes (one ASCII character each, ``chr(CODE_BASE + code)``):
``0`` has not heard of the brand; ``1 + k`` is aware with attitude in bin ``k`` of
``ATTITUDE_BINS`` equal bins over [-1, 1] (bin ``ATTITUDE_BINS // 2`` is neutral);
``+ ADOPTED_OFFSET`` when the customer has bought.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from sim.viz.layout import Layout

ATTITUDE_BINS = 21  # colour steps over attitude -1..1 (0.1 wide; the middle one is neutral)
ADOPTED_OFFSET = 1 + ATTITUDE_BINS  # 22: codes 22..43 are buyers (22 = heard, attitudes off)
CODE_BASE = 48  # '0'; the largest code, 48 + 43 = 91 '[', stays clear of '\\' and quotes
POSITION_DIGITS = 4  # positions in [0, 1]: 1e-4 is far below a pixel on any screen
VALUE_DIGITS = 5  # significant digits of chart values sent


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark an English message for the catalogue without translating it here (gettext's N_)."""
    return message


def attitude_palette() -> list[str]:
    """``ATTITUDE_BINS`` colours of the diverging scale (red negative, near white neutral, blue
    positive), as ``#rrggbb`` strings for the browser."""
    cmap = mpl.colormaps["RdBu"]
    centres = np.linspace(0.0, 1.0, ATTITUDE_BINS)
    return [mpl.colors.to_hex(cmap(c)) for c in centres]


def marker_scale(degree: np.ndarray) -> np.ndarray:
    """Relative marker radius per drawn customer, 0.35..1 growing with the square root of ties."""
    top = max(float(degree.max()) if degree.size else 1.0, 1.0)
    return 0.35 + 0.65 * np.sqrt(degree / top)


def network_static(layout: Layout, degree: np.ndarray, *, attitudes: bool = True) -> dict:
    """Everything about a network view that does not change week by week (sent once).

    Parameters
    ----------
    layout : Layout
        Drawn customers, their positions in [0, 1]^2 and the ties among them.
    degree : int array (n,)
        Ties of every customer of the network (only the drawn ones are used).
    attitudes : bool
        False in the Bass limit: aware customers are then drawn in one colour.

    Returns
    -------
    dict
        ``x``, ``y`` (rounded positions), ``ties`` (flat pairs of row numbers), ``size``
        (relative radius, two decimals), ``n`` (customers drawn), ``palette``, ``attitudes``.
    """
    pos = np.round(layout.pos, POSITION_DIGITS)
    return {
        "n": int(layout.nodes.shape[0]),
        "x": pos[:, 0].tolist(),
        "y": pos[:, 1].tolist(),
        "ties": layout.ties.astype(np.int64).ravel().tolist(),
        "size": np.round(marker_scale(degree[layout.nodes]), 2).tolist(),
        "palette": attitude_palette(),
        "attitudes": bool(attitudes),
    }


def node_codes(attitude: np.ndarray, aware: np.ndarray, adopted: np.ndarray) -> str:
    """One character per customer (see the module docstring): the week's state of the view.

    Parameters
    ----------
    attitude : float array
        Attitudes in [-1, 1] of the drawn customers.
    aware, adopted : bool arrays
        Same length as ``attitude``.
    """
    bins = np.rint((np.clip(attitude, -1.0, 1.0) + 1.0) * ((ATTITUDE_BINS - 1) / 2.0))
    code = np.where(aware, 1 + bins.astype(np.int64), 0) + np.where(adopted, ADOPTED_OFFSET, 0)
    return (code + CODE_BASE).astype(np.uint8).tobytes().decode("ascii")


def decode_codes(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inverse of :func:`node_codes` (for tests): ``(bin or -1 if unaware, aware, adopted)``."""
    code = np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64) - CODE_BASE
    adopted = code >= ADOPTED_OFFSET
    code = np.where(adopted, code - ADOPTED_OFFSET, code)
    aware = code > 0
    return np.where(aware, code - 1, -1), aware, adopted


def rounded(values: np.ndarray, digits: int = VALUE_DIGITS) -> list:
    """Values rounded to ``digits`` significant digits, NaN and infinities as None (JSON null)."""
    x = np.asarray(values, dtype=float)
    finite = np.isfinite(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(np.where(finite & (x != 0), x, 1.0))))
        scale = 10.0 ** (digits - 1 - magnitude)
        out = np.round(x * scale) / scale
    return [v if ok else None for v, ok in zip(out.tolist(), finite.tolist(), strict=True)]


__all__ = [
    "ADOPTED_OFFSET",
    "ATTITUDE_BINS",
    "CODE_BASE",
    "N_",
    "attitude_palette",
    "decode_codes",
    "marker_scale",
    "network_static",
    "node_codes",
    "rounded",
]
