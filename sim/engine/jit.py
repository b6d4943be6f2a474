"""How the weekly rules' per-customer loops are compiled: numba's ``njit``, cached on disk.

A week at 10,000 customers is a few hundred microseconds of work; written as whole-array numpy
operations it is mostly the overhead of calling numpy some 150 times on small arrays. The rules
therefore keep their random draws in numpy (the same streams, the same numbers) and hand the
arrays to one compiled loop per rule, which does in one pass what took a dozen numpy calls
(docs/NOTES.md, "Compiled weekly rules", has the measurements and the reasons).

``compiled`` is the one decorator every kernel uses:

- ``cache=True``: the machine code is written next to the module (``__pycache__``) or, where
  that is read-only, to numba's per-user cache, so only the first run after a change compiles
  (a few seconds); later runs load it in milliseconds.
- ``error_model="numpy"``: a division by zero gives inf/nan as numpy would, instead of a
  Python exception check in every loop.
- no ``fastmath``: floating-point operations happen in the order written, so the compiled
  loops give the same numbers, bit for bit, as the numpy expressions they replaced (checked by
  tests/test_kernels.py).
- ``nogil=True``: Dask's threaded workers can run two models at once.
- ``parallel=True`` (the per-customer kernels only): a second, multi-threaded copy of the kernel
  (numba's ``prange``) is compiled beside the single-threaded one, on first use; :func:`pick`
  chooses between them by the thread count set with :func:`set_threads` (``--threads``,
  ``NUMBA_NUM_THREADS``; default 1). Both copies run the same code, so their results are the
  same, bit for bit, at any number of threads: a ``prange`` loop only writes to its own
  customer, sums only integers (exact in any order), and compacts flags in fixed blocks
  (``BLOCK``); floating-point sums over customers keep their fixed order (each running sum in
  one thread), and what gathers several messages onto one customer stays single-threaded
  (docs/performance.md, "Threads and bytes per customer"). One thread never touches numba's
  threading layer (GNU OpenMP here), so forked worker processes and Dask's threads stay safe.

Set ``NUMBA_DISABLE_JIT=1`` to run the kernels as plain Python (slow; useful for a debugger):
the results are the same, bit for bit (tests/test_kernels.py checks it).
"""

from __future__ import annotations

import os
import types
import warnings

import numba
from numba import config, njit

if config.DISABLE_JIT:
    # As plain Python, the random-number hash (sim/engine/uniforms.py) does its intended 64-bit
    # wrap-around on numpy scalars, which numpy reports as overflow.
    warnings.filterwarnings(
        "ignore", "overflow encountered in scalar", RuntimeWarning, module="sim.engine.uniforms"
    )


KERNELS: list = []  # every kernel compiled with ``compiled`` (for :func:`needs_compiling`)

# GNU OpenMP's threads (numba's threading layer here) otherwise spin for a while after each
# parallel loop, taking the cores from the single-threaded code between loops (a week has about
# twenty parallel loops): measured 5 times slower on 2 busy cores. Read once, when the library
# starts (at the first multi-threaded call of the process), so it is set here, at import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Customers per block of the parallel kernels' fixed-order schemes (compaction, histograms).
# Any value gives the same results; it only sets how work is shared between threads.
BLOCK = 1 << 15

_threads = 1  # threads of the parallel kernels in this process (set_threads)


class ThreadsError(ValueError):
    """An impossible thread count (more than numba may start, or fewer than one)."""


def most_threads() -> int:
    """The most threads the kernels may use here: ``NUMBA_NUM_THREADS`` (default: the cores)."""
    return int(config.NUMBA_NUM_THREADS)


def set_threads(count: int | None = None) -> int:
    """Run the parallel kernels on ``count`` threads from now on (None: ``NUMBA_NUM_THREADS``
    when the environment sets it, else 1); returns the count.

    One thread (the default) runs the single-threaded copies. Results do not depend on it.
    Worker processes of a sweep or a Dask cluster keep one thread each (the cores are theirs
    already). More than ``NUMBA_NUM_THREADS`` (read when numba starts) is refused in one line.
    """
    global _threads
    if count is None:
        count = int(os.environ.get("NUMBA_NUM_THREADS", "1") or 1)
    count = int(count)
    if count < 1:
        raise ThreadsError(f"{count} threads: must be at least 1")
    if count > most_threads():
        raise ThreadsError(
            f"{count} threads: at most {most_threads()} here (NUMBA_NUM_THREADS; set it "
            f"before starting to allow more)"
        )
    _threads = count
    return count


def threads() -> int:
    """The thread count set by :func:`set_threads` (1 unless set)."""
    return _threads


def pick(kernel):
    """``kernel`` itself at one thread, else its multi-threaded copy (compiled on first use)."""
    if _threads == 1 or config.DISABLE_JIT:
        return kernel
    numba.set_num_threads(_threads)  # (numba's setting is per calling thread)
    return kernel.parallel_copy()


def needs_compiling() -> bool:
    """Whether most kernels have no machine code cached on disk yet, so the next run compiles
    them (about a minute after installing; the command line says so first). Inlined helpers
    are never cached on their own, and a kernel a run does not use may never be: a fresh
    install lacks them all, a changed rule one or two (seconds). False when it cannot tell
    (numba's cache internals changed, or the JIT is off)."""
    if config.DISABLE_JIT:
        return False
    try:
        from pathlib import Path

        kernels = [k for k in KERNELS if k.targetoptions.get("inline") != "always"]
        missing = [k for k in kernels if not Path(k._cache._cache_file._index_path).is_file()]
    except AttributeError:
        return False
    return 2 * len(missing) > len(kernels)


def _kept(dispatcher):
    KERNELS.append(dispatcher)
    return dispatcher


def compiled(function=None, *, inline: bool = False, parallel: bool = False):
    """Compile ``function`` with the project's numba options (see the module docstring).

    ``@compiled(inline=True)`` is for small helpers called per customer or per tie from other
    kernels: numba then inlines them into the caller (a plain call passes every array argument
    as a structure of several words; at one call per tie that cost several times the work).

    ``@compiled(parallel=True)`` also gives the kernel a multi-threaded copy
    (``kernel.parallel_copy()``, see :func:`pick`); call it as ``pick(kernel)(...)``.
    """
    options = dict(cache=True, nogil=True, error_model="numpy")
    if inline:
        options["inline"] = "always"

    def build(f):
        kernel = _kept(njit(**options)(f))
        if parallel:
            kernel.parallel_copy = _parallel_copy(f, options)
        return kernel

    return build if function is None else build(function)


def _parallel_copy(function, options):
    """A function returning ``function`` compiled with ``parallel=True``, built on first call.

    The copy is a new function object with its own name, so numba caches its machine code in
    its own files beside the single-threaded copy's."""
    made = []

    def parallel_copy():
        if not made:
            twin = types.FunctionType(
                function.__code__,
                function.__globals__,
                function.__name__,
                function.__defaults__,
                function.__closure__,
            )
            twin.__qualname__ = function.__qualname__ + "_threads"
            twin.__doc__ = function.__doc__
            twin.__module__ = function.__module__
            made.append(njit(parallel=True, **options)(twin))
        return made[0]

    return parallel_copy
