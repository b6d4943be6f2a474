"""The teaching kit (issue #15): exercises, plans, worksheets, facilitator keys, debrief figures.

``python run_sim.py workshop build`` runs every exercise's scenario (``scenarios/workshop/``),
then writes, per plan and language, a student worksheet and a facilitator key (self-contained
HTML, and PDF when a chromium is available), one projector figure per exercise and a slide
deck. The key's numbers come from those runs, never from text. Modules:

- ``exercises``: the exercises and plans (language-neutral: scenario, measures, weeks, arms);
- ``texts``: the kit's content (``text/kit.toml``, English; translated by the gettext catalogue);
- ``findings``: the key's expected results, computed from a run's saved time series;
- ``figures``: the debrief figures; ``pages``: worksheet, key and slides as HTML, rendered from
  the Jinja2 templates in ``templates/``; ``markdown``: the exercise pages of docs/workshop/;
- ``pdf``: HTML to PDF with headless chromium; ``build``: the whole kit into one folder.

Layer: with the app (above outputs, below the command line).
"""
