"""The exercise pages of ``docs/workshop/<NN-id>/README.md``, from the kit's texts.

One source for the prose: the worksheet, the key and these pages all come from the kit's
content (``text/kit.toml``) and the catalogue, so they cannot drift apart (a test compares the
committed pages with ``page()``). The page is the template ``templates/exercise.md``, rendered
by an environment of its own: Markdown, so **no HTML escaping** (autoescaping off; ``_``
returns plain text). Nothing a user types reaches it: its text is the kit's own prose and the
app's own names of buttons and rows, written as Markdown. Regenerate after editing them::

    python -m sim.workshop.markdown docs/workshop
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from jinja2 import Environment

from sim.i18n import DEFAULT_LANGUAGE
from sim.outputs.pages import template_environment
from sim.workshop import appsteps, texts
from sim.workshop.exercises import EXERCISES, PLANS, Exercise
from sim.workshop.pages import KitText


@functools.cache
def environment(lang: str = DEFAULT_LANGUAGE) -> Environment:
    """The Markdown template's environment for ``lang``: autoescaping off, ``_`` plain text."""
    env = template_environment("sim.workshop", autoescape=False)
    words = KitText(lang)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=words.text, ngettext=lambda s, p, n, **v: words.text(s if n == 1 else p, **v)
    )
    env.globals.update(
        text=texts.english(),
        app_names=lambda exercise: appsteps.names(exercise, lang),
    )
    return env


def page(exercise: Exercise, lang: str = "en") -> str:
    """The markdown page of one exercise (English by default)."""
    plans = [texts.load(lang)["plan"][p.id]["title"] for p in PLANS if exercise.id in p.exercises]
    template = environment(lang).get_template("exercise.md")
    return template.render(exercise=exercise, plans=plans)


def write_all(folder: Path) -> list[Path]:
    out = []
    for exercise in EXERCISES:
        path = Path(folder) / exercise.folder / "README.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(exercise), encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/workshop")):
        print(written)
