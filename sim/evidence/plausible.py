"""The plausible set: parameter vectors that meet every empirical target (issue #23).

``make calibrate-defaults`` (``run_sim.py calibrate-defaults``,
``sim.evidence.calibrate_defaults``) writes ``sim/evidence/data/plausible.json``: the members
(``{parameter path: value}``), their ABC weights, and the provenance of the run (targets and
their bands, ranges, seeds, customers per evaluation, population size, generations, epsilons,
acceptance rates, evaluations, wall time, library versions, date, git commit). This module
only reads it (no pyabc, no runs)::

    from sim.evidence.plausible import load_plausible
    plausible = load_plausible()
    plausible.central()            # the member nearest the set's median
    plausible.sample(20, seed=1)   # 20 distinct members, each equally likely
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "plausible.json"
FORMAT = "reclamare-plausible-set"
REGENERATE = "regenerate it with: make calibrate-defaults"


class PlausibleError(ValueError):
    """The plausible set's file is missing or malformed (one line naming the file)."""


@dataclass(frozen=True)
class PlausibleSet:
    """Members (``{path: value}``), their weights (summing to 1) and the provenance."""

    members: tuple[dict[str, float], ...]
    weights: tuple[float, ...]
    provenance: dict
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.members)

    @property
    def paths(self) -> list[str]:
        """The calibrated parameters, in the order of the provenance's ranges."""
        return [r["path"] for r in self.provenance["ranges"]]

    def matrix(self) -> np.ndarray:
        """Members as rows, range-normalised: 0 at a range's low end, 1 at its high end."""
        ranges = self.provenance["ranges"]
        x = np.array([[m[r["path"]] for r in ranges] for m in self.members], dtype=float)
        low = np.array([r["low"] for r in ranges], dtype=float)
        high = np.array([r["high"] for r in ranges], dtype=float)
        return (x - low) / (high - low)

    def central_index(self) -> int:
        """Index of the member nearest (Euclidean, range-normalised coordinates) to the set's
        coordinate-wise median (unweighted: every member counts once); the first on a tie."""
        z = self.matrix()
        median = np.median(z, axis=0)
        return int(np.argmin(np.sqrt(((z - median) ** 2).sum(axis=1))))

    def central(self) -> dict[str, float]:
        """The central member (``central_index``): the candidate for the model's defaults."""
        return dict(self.members[self.central_index()])

    def sample(self, k: int, seed: int = 0) -> list[dict[str, float]]:
        """``k`` distinct members, every member equally likely (``seed`` fixes which).

        Not by the ABC weights: over 22 parameters at a population of 200 they are degenerate
        (an effective sample size of a few members), so weighting would answer over a handful
        of markets. Each member meets every target; the set is read as a collection of
        plausible markets, not as a weighted posterior sample.
        """
        if not 1 <= k <= len(self.members):
            raise PlausibleError(
                f"cannot draw {k} distinct members from a plausible set of {len(self.members)}"
            )
        rng = np.random.default_rng(seed)
        index = rng.choice(len(self.members), size=k, replace=False)
        return [dict(self.members[i]) for i in index]


def load_plausible(path: str | Path | None = None) -> PlausibleSet:
    """Read the plausible set (default: the shipped ``sim/evidence/data/plausible.json``).

    Raises ``PlausibleError`` (one line) when the file is missing or malformed.
    """
    path = Path(path) if path is not None else DATA
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlausibleError(f"{path}: no plausible set here; {REGENERATE}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlausibleError(f"{path}: unreadable ({_flat(error)}); {REGENERATE}") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise PlausibleError(f"{path}: not JSON ({_flat(error)}); {REGENERATE}") from None
    try:
        return _parse(data, path)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PlausibleError(
            f"{path}: malformed plausible set ({_flat(error)}); {REGENERATE}"
        ) from None


def _parse(data, path: Path) -> PlausibleSet:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file")
    provenance = data["provenance"]
    ranges = provenance["ranges"]
    if not isinstance(ranges, list) or not ranges:
        raise ValueError("provenance.ranges is empty")
    paths = [str(r["path"]) for r in ranges]
    for r in ranges:
        if not float(r["low"]) < float(r["high"]):
            raise ValueError(f"range {r['path']}: low is not below high")
    rows = data["members"]
    if not isinstance(rows, list) or not rows:
        raise ValueError("no members")
    members, weights = [], []
    for i, row in enumerate(rows):
        point = row["point"]
        missing = [p for p in paths if p not in point]
        if missing:
            raise ValueError(f"member {i} lacks {missing[0]}")
        values = {p: float(point[p]) for p in paths}
        if not all(math.isfinite(v) for v in values.values()):
            raise ValueError(f"member {i} has a non-finite value")
        for r in ranges:
            if r.get("integer"):
                values[r["path"]] = int(round(values[r["path"]]))
        members.append(values)
        weight = float(row["weight"])
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError(f"member {i} has weight {weight}")
        weights.append(weight)
    total = sum(weights)
    if total <= 0:
        raise ValueError("the weights sum to 0")
    return PlausibleSet(
        members=tuple(members),
        weights=tuple(w / total for w in weights),
        provenance=provenance,
        path=path,
    )


def _flat(error: Exception) -> str:
    return " ".join(str(error).split())[:200]
