"""A cheaper stand-in IPython shell for the app server (one per browser page, kept).

Every message a browser sends (a click, a slider) reaches ``comm``'s ``BaseComm.handle_msg``,
which calls ``IPython.get_ipython()`` and ``shell.events.trigger(...)`` twice. Under
``solara run``, ``get_ipython`` is Solara's, and it builds a new ``FakeIPython`` whose
``events`` is a fresh ``unittest.mock.MagicMock`` at every call. Measured with py-spy during
benchmarks/bench_classroom.py (30 students pressing Step), those mocks were 17 % of the
server's busy CPU, more than drawing the frame. This module gives each kernel context one
shell, kept on the context, whose events are a do-nothing hub: the same behaviour for this app
(nothing registers IPython events here: the charts are drawn in the browser, not by
matplotlib's pyplot), without building mocks per message.

:func:`install` is idempotent and does nothing outside a Solara server (Solara's patches are
loaded before the app module, so the app installs it at import).
"""

from __future__ import annotations

import sys

_ATTRIBUTE = "_reclamare_shell"


class QuietEvents:
    """IPython's event hub with nothing registered: ``trigger`` has no one to call."""

    def register(self, event: str, function) -> None:
        """Accepted and ignored (no IPython events are run in the app server)."""

    def unregister(self, event: str, function) -> None:
        """Accepted and ignored."""

    def trigger(self, event: str, *args, **kwargs) -> None:
        """Nothing is registered, so nothing runs."""


def install() -> bool:
    """Replace Solara's ``get_ipython`` with one that keeps a shell per kernel context.

    Returns True when installed (now or before), False when Solara's server is not loaded.
    """
    solara_patch = sys.modules.get("solara.server.patch")
    if solara_patch is None or not hasattr(solara_patch, "get_ipython_original"):
        return False  # not in a Solara server (importing it here would patch this process)
    import IPython
    import ipywidgets.widgets.widget as widget_module
    from solara.server import kernel_context

    if getattr(solara_patch.get_ipython, "reclamare_kept", False):
        return True
    original = solara_patch.get_ipython_original

    def get_ipython():
        if not kernel_context.has_current_context():
            return original()
        context = kernel_context.get_current_context()
        shell = getattr(context, _ATTRIBUTE, None)
        if shell is None or shell.kernel is not context.kernel:
            shell = solara_patch.FakeIPython(context)
            shell.events = QuietEvents()
            setattr(context, _ATTRIBUTE, shell)
        return shell

    get_ipython.reclamare_kept = True
    solara_patch.get_ipython = get_ipython
    widget_module.get_ipython = get_ipython
    IPython.get_ipython = get_ipython
    return True


__all__ = ["QuietEvents", "install"]
