"""Memory guard: estimate what a run needs before building it, and refuse clearly when it can't fit.

A run that does not fit in memory should fail in a second with a one-line message, not be killed
by the operating system halfway through network generation. :func:`check_memory` estimates the
peak memory of one run (network generation, customer state, the weekly step's temporaries and the
Python libraries) and compares it with the memory available now.

How the estimate is made
------------------------
Memory grows linearly with the number of customers ``n`` and the number of tie ends ``2m``. The
coefficients below were measured (peak resident set size, ``ru_maxrss``) on Linux with numpy 2
for the generated network kinds at ``n`` from 1e5 to 2e6 and mean degree 10 to 40, and rounded
up (``benchmarks/bench_engine.py`` re-checks them; docs/performance.md, "Memory guard"):

- a fixed ~300 MB for Python and the libraries the command line loads (measured: about 230 with
  numba and LLVM loaded; 120 to 220 before the weekly rules were compiled);
- about 200 bytes per customer (measured with the heterogeneous market of issue #11: a 1e6 run
  of four arms peaked 780 MB, of which ~140 bytes per customer; with the market of issue #12,
  789 MB; with the talk mechanisms and media plan of issue #22, 841 MB for the default
  scenario's four arms, 20 weeks): 75 bytes of state (bool aware, heard, adopted, customer,
  in_market, irritated, reminded, exposed, float64 attitude and predisposition, float32 adstock,
  advocacy, taste, tolerance, anchoring, loyalty and story message, int32 story id, int8 first
  channel and story kind, the kernels' 16-byte work array), the push audience (int64 members and
  a 16-byte packed alias table; building it briefly needs about 56 bytes more), per-customer
  network and sampler arrays (int64 row pointers and degrees, int16 groups, the hub order) and
  the weekly step's temporaries (talk flags, candidate and talker index lists, push exposure
  counts: arrays of length n);
- about 34 bytes per tie end while the network is generated (measured: ~30; int64 endpoints
  and sort keys of the CSR builder), of which 4 (int32 neighbour index) stay for the run.

The estimate is deliberately on the high side: refusing a run that would have fitted is cheap to
work around (set ``RECLAMARE_SKIP_MEMORY_CHECK=1``), being killed after minutes is not.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sim.params import ModelParams, NetworkSpec, ParameterError

BASE_BYTES = 300 * 2**20
BYTES_PER_CUSTOMER = 200
BYTES_PER_TIE_END = 34
# Real networks shipped with networkx are tiny (at most a few hundred customers).
REAL_NETWORK_BYTES = 16 * 2**20
SKIP_ENV = "RECLAMARE_SKIP_MEMORY_CHECK"


class MemoryGuardError(ParameterError):
    """A run that would need more memory than is available (one-line message)."""


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak memory of one run, in bytes, and what it is made of."""

    customers: int
    tie_ends: int
    base: int
    per_customer: int
    per_tie: int

    @property
    def total(self) -> int:
        return self.base + self.per_customer + self.per_tie


def expected_tie_ends(spec: NetworkSpec, base_dir: Path | None = None) -> tuple[int, int]:
    """Customers and tie ends (twice the ties) the network described by ``spec`` will have.

    For files, the number of ties is bounded from the file size (each tie takes at least 4
    characters: two names, a separator and a newline), and customers by twice the ties.
    """
    n, d = spec.n, spec.mean_degree
    kind = spec.kind
    if kind == "well_mixed":
        return n, n * (n - 1)
    if kind in ("ring", "small_world"):
        k = 2 * max(1, round(d / 2))
        return n, n * k
    if kind in ("scale_free", "clustered_scale_free"):
        m = max(1, round(d / 2))
        return n, 2 * n * m
    if kind in ("random", "communities"):
        return n, 2 * math.ceil(n * d / 2)
    if kind == "file" and spec.path:
        path = Path(spec.path)
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        try:
            size = path.stat().st_size
        except OSError:
            return 0, 0  # the file reader reports a missing file with its own message
        ties = size // 4
        return 2 * ties, 2 * ties
    return 0, 0  # real networks: tiny


def estimate_memory(params: ModelParams, base_dir: Path | None = None) -> MemoryEstimate:
    """Estimated peak memory (bytes) of building the network of ``params`` and running it."""
    n, tie_ends = expected_tie_ends(params.network, base_dir)
    per_customer = BYTES_PER_CUSTOMER * n
    # Word of mouth draws one uniform number per customer and listener every week.
    per_customer += 8 * n * max(0, params.wom.listeners - 1)
    base = BASE_BYTES if n else BASE_BYTES + REAL_NETWORK_BYTES
    return MemoryEstimate(n, tie_ends, base, per_customer, BYTES_PER_TIE_END * tie_ends)


def available_memory() -> int | None:
    """Bytes of memory available to this process now, or None when unknown.

    Linux: ``MemAvailable`` of /proc/meminfo, capped by the cgroup (container) limit minus what
    the cgroup already uses. Elsewhere: psutil's ``virtual_memory().available`` if psutil is
    installed (Mesa's dependencies usually bring it), else unknown.
    """
    available = _meminfo_available()
    if available is None:
        try:
            import psutil  # optional

            available = int(psutil.virtual_memory().available)
        except Exception:  # noqa: BLE001 - any failure means "unknown"
            return None
    cgroup = _cgroup_headroom()
    return min(available, cgroup) if cgroup is not None else available


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cgroup_headroom() -> int | None:
    """Limit minus usage of this process's cgroup (v2, or v1 memory controller), if limited."""
    candidates = (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    )
    for limit_path, usage_path in candidates:
        try:
            limit_text = Path(limit_path).read_text().strip()
            usage = int(Path(usage_path).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit_text == "max" or not limit_text.isdigit():
            return None
        limit = int(limit_text)
        if limit >= 2**60:  # v1 "unlimited"
            return None
        return max(0, limit - usage)
    return None


def gigabytes(count: int) -> str:
    """``count`` bytes as a short human string (GB, or MB below 1 GB)."""
    return f"{count / 2**30:.1f} GB" if count >= 2**30 else f"{count / 2**20:.0f} MB"


def check_memory(
    params: ModelParams, base_dir: Path | None = None, available: int | None = None
) -> MemoryEstimate:
    """Refuse a run whose estimated peak memory exceeds the memory available now.

    Parameters
    ----------
    params : ModelParams
        The run's parameters (the network section decides almost everything).
    base_dir : Path, optional
        Folder relative network file paths are resolved against.
    available : int, optional
        Bytes available (default: :func:`available_memory`; tests pass a number).

    Returns
    -------
    MemoryEstimate
        The estimate, when the run fits (or the check is switched off or cannot be made).

    Raises
    ------
    MemoryGuardError
        One line: the network size, the estimate and the memory available, and what to do.
    """
    estimate = estimate_memory(params, base_dir)
    if os.environ.get(SKIP_ENV, "") not in ("", "0"):
        return estimate
    if available is None:
        available = available_memory()
    if available is None or estimate.total <= available:
        return estimate
    net = params.network
    size = f"network.n = {net.n}" if estimate.customers == net.n else f"network {net.kind!r}"
    raise MemoryGuardError(
        f"parameters: {size} ({estimate.tie_ends // 2:,} ties) needs about "
        f"{gigabytes(estimate.total)} of memory but only {gigabytes(available)} is available; "
        f"use fewer customers or a lower network.mean_degree, or free memory "
        f"(set {SKIP_ENV}=1 to try anyway)"
    )


_TUNED = False


def tune_allocator() -> bool:
    """Make glibc's malloc keep freed memory for reuse instead of returning it to the system.

    The weekly step allocates and frees a handful of arrays of n entries. glibc's default, a
    *dynamic* mmap threshold with heap trimming, hands such blocks back to the operating system
    and gets fresh zeroed pages the next week: at 1,000,000 customers that was ~700,000 page
    faults and ~1.5 s of kernel time in a 52-week run (measured, docs/performance.md). A fixed
    32 MB mmap threshold and a 1 GB trim threshold remove almost all of them. This changes
    neither results nor peak memory (freed blocks are reused, not added). Linux/glibc only; a
    no-op elsewhere, and once per process. ``RECLAMARE_NO_MALLOC_TUNING=1`` switches it off.

    Returns True when the settings were applied.
    """
    global _TUNED
    if _TUNED or not sys.platform.startswith("linux"):
        return _TUNED
    if os.environ.get("RECLAMARE_NO_MALLOC_TUNING", "") not in ("", "0"):
        return False
    _TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, 32 * 2**20) == 1
        ok = libc.mallopt(m_trim_threshold, 2**30) == 1 and ok
        return ok
    except (OSError, AttributeError):
        return False
