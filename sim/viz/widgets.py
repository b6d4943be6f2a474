"""The two browser-drawn widgets of the app: a network view (canvas) and a chart (ECharts).

Both are ipyvue templates (``sim/viz/vue/*.vue``): the server sets a few traits, the browser
draws. Nothing is loaded from the internet: the network view needs no library, and the charts
load ECharts 5.4.0 and require.js from the app's own ``/_solara/cdn/`` path, served from the
installed ``solara-assets`` package (the files Solara's own ``FigureEcharts`` uses).
"""

from __future__ import annotations

import ipyvuetify
import traitlets


class NetworkWidget(ipyvuetify.VuetifyTemplate):
    """One network view. ``graph``: :func:`sim.viz.frames.network_static` as JSON (on Reset);
    ``codes``: :func:`sim.viz.frames.node_codes` (every week); ``height`` in px."""

    template_file = (__file__, "vue/network.vue")
    graph = traitlets.Unicode("").tag(sync=True)  # JSON text (a string: Solara never walks it)
    codes = traitlets.Unicode("").tag(sync=True)
    target = traitlets.Unicode("").tag(sync=True)  # its name in the weekly FrameBus message
    height = traitlets.Int(280).tag(sync=True)
    png_label = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("network.png").tag(sync=True)


class ChartWidget(ipyvuetify.VuetifyTemplate):
    """One chart. ``spec``: :func:`sim.viz.chartspec.chart_spec` (on Reset);
    ``weekly``: :func:`sim.viz.chartspec.chart_data` as JSON (every week); ``height`` in px.

    The large values are JSON strings rather than dicts: Solara's renderer walks every list and
    dict in a component's properties on each render (about 0.3 s a frame for a network of 1,000
    customers, measured), but not strings."""

    template_file = (__file__, "vue/chart.vue")
    spec = traitlets.Dict({}).tag(sync=True)
    weekly = traitlets.Unicode("").tag(sync=True)
    target = traitlets.Unicode("").tag(sync=True)  # JSON text, parsed in the browser
    height = traitlets.Int(240).tag(sync=True)
    png_label = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("chart.png").tag(sync=True)
    on_full = None  # set by the frame sink: send every week again (not synced)

    def vue_request_full(self, data=None):
        """The browser's view lacks earlier weeks (it was created late): send everything."""
        if self.on_full is not None:
            self.on_full()


class HtmlBox(ipyvuetify.VuetifyTemplate):
    """A box of HTML the server replaces every week (the scoreboard, the week), set directly
    on the widget so that a week does not re-render the page."""

    template_file = (__file__, "vue/htmlbox.vue")
    html = traitlets.Unicode("").tag(sync=True)
    box_class = traitlets.Unicode("").tag(sync=True)
    target = traitlets.Unicode("").tag(sync=True)


class FrameBus(ipyvuetify.VuetifyTemplate):
    """Carries one week for every weekly widget of the page in one message.

    ``frame`` is JSON ``{"seq": n, "items": {target: payload}}``; in the browser it is handed to
    the widgets (a window event) and each takes its own payload. One message a week instead of
    one per widget: Solara's cost per message (serialising, a hop between threads, the
    websocket) is most of the server's work per week (measured with py-spy)."""

    template_file = (__file__, "vue/framebus.vue")
    frame = traitlets.Unicode("").tag(sync=True)


__all__ = ["ChartWidget", "FrameBus", "HtmlBox", "NetworkWidget"]
