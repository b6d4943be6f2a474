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

Set ``NUMBA_DISABLE_JIT=1`` to run the kernels as plain Python (slow; useful for a debugger):
the results are the same, bit for bit (tests/test_kernels.py checks it).
"""

from __future__ import annotations

import warnings

from numba import config, njit

if config.DISABLE_JIT:
    # As plain Python, the random-number hash (sim/engine/uniforms.py) does its intended 64-bit
    # wrap-around on numpy scalars, which numpy reports as overflow.
    warnings.filterwarnings(
        "ignore", "overflow encountered in scalar", RuntimeWarning, module="sim.engine.uniforms"
    )


KERNELS: list = []  # every kernel compiled with ``compiled`` (for :func:`needs_compiling`)


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


def compiled(function=None, *, inline: bool = False):
    """Compile ``function`` with the project's numba options (see the module docstring).

    ``@compiled(inline=True)`` is for small helpers called per customer or per tie from other
    kernels: numba then inlines them into the caller (a plain call passes every array argument
    as a structure of several words; at one call per tie that cost several times the work).
    """
    options = dict(cache=True, nogil=True, error_model="numpy")
    if inline:
        options["inline"] = "always"
    if function is None:
        return lambda f: _kept(njit(**options)(f))
    return _kept(njit(**options)(function))
