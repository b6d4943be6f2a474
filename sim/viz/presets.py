"""Scenario presets for the browser app: every ``scenarios/*.toml`` file, plus a built-in default.

A preset is what the app needs from a scenario file: the resolved model parameters, its campaign
arms, its master seed and how many weeks it runs. Files are read with ``sim.study.scenario`` (the
same
loader the command line uses); a file that does not load is listed with its error instead of
breaking the page.
"""

from __future__ import annotations

import functools
import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from sim.i18n import N_, Message
from sim.params import ArmSpec, ModelParams
from sim.shipped import SCENARIO_DIR  # the package's copy when installed, else scenarios/

REPO = Path(__file__).resolve().parents[2]
DEFAULT_NAME = "default"  # scenarios/default.toml, or the schema defaults when it is missing
DEFAULT_WEEKS = 52
PRESET_ENV = "RECLAMARE_PRESET"  # the scenario ``viz SCENARIO`` opens (a name or a full path)


@dataclass(frozen=True)
class Preset:
    """One scenario, as the app uses it.

    Attributes
    ----------
    name : str
        File stem (``"default"`` for the built-in preset).
    title : str
        One-line description shown on the page.
    params : ModelParams
        Resolved model parameters (``params.arm`` is the first arm).
    arms : tuple of ArmSpec
        The scenario's campaign arms (at least one).
    seed : int
        Master seed.
    weeks : int
        Weeks the scenario runs (the app lets you run longer).
    path : Path or None
        The scenario file.
    error : str or None
        Why the file could not be loaded (then the other fields are the defaults).
    question : str
        The scenario's description (the question it asks, what to look at).
    """

    name: str
    title: str
    params: ModelParams = field(default_factory=ModelParams)
    arms: tuple[ArmSpec, ...] = (ArmSpec(),)
    seed: int = 42
    weeks: int = DEFAULT_WEEKS
    path: Path | None = None
    error: str | None = None
    question: str = ""

    @property
    def key(self) -> str:
        """What names this preset in the menu and the controls: a shipped scenario's name, else
        the full path of its file (so the same file is loaded again, never a namesake)."""
        if self.path is None:
            return self.name
        if self.path.parent == SCENARIO_DIR or self.path.parent.parent == SCENARIO_DIR:
            return self.path.relative_to(SCENARIO_DIR).with_suffix("").as_posix()
        return str(self.path)


def default_preset() -> Preset:
    params = ModelParams()
    return Preset(
        name=DEFAULT_NAME,
        title="Built-in defaults: 1,000 customers on a small world, half push, half dialogue",
        params=params,
        arms=(params.arm,),
    )


def preset_files(directory: Path = SCENARIO_DIR) -> list[Path]:
    """Every scenario file (``*.toml``) in ``directory``, sorted by name, then those one folder
    down (``workshop/*.toml``: the teaching kit's exercises)."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.toml")) + sorted(directory.glob("*/*.toml"))


def preset_names(directory: Path = SCENARIO_DIR) -> list[str]:
    """Names offered in the preset menu: every scenario file (the default one first)."""
    names = [p.relative_to(directory).with_suffix("").as_posix() for p in preset_files(directory)]
    if DEFAULT_NAME in names:
        names.remove(DEFAULT_NAME)
    return [DEFAULT_NAME, *names]


def load_preset(name: str, directory: Path = SCENARIO_DIR) -> Preset:
    """The preset called ``name``: a shipped scenario's name, or the path of a ``.toml`` file
    (exactly that file: a user's ``karate.toml`` is not the shipped karate). Cached per file
    version. ``"default"`` without a ``default.toml`` gives the schema's defaults.
    """
    path = Path(name)
    shipped = directory / f"{path.stem}.toml"
    if name in preset_names(directory) and path.parent != Path("."):
        shipped = directory / f"{name}.toml"  # workshop/crisis
        path = shipped
    elif name in preset_names(directory) or (not path.suffix and path.parent == Path(".")):
        path = shipped
    elif not os.path.lexists(path) and path.parent == Path(".") and shipped.is_file():
        path = shipped  # "karate.toml" with no such file here: the shipped one
    if not path.is_file():
        if path.stem == DEFAULT_NAME and path == shipped:
            return default_preset()
        return Preset(name=path.stem, title=name, error=Message(NO_FILE, path=str(path)))
    return _load_file(path.resolve(), path.stat().st_mtime_ns)


def offered_presets(directory: Path = SCENARIO_DIR) -> list[str]:
    """Keys the preset menu offers: the shipped scenarios, plus the file the app was started
    with (``RECLAMARE_PRESET``, set by ``viz SCENARIO``) when it is not a shipped one."""
    names = preset_names(directory)
    given = os.environ.get(PRESET_ENV, "").strip()
    if given and given not in names:
        names.append(str(Path(given).resolve()))
    return names


def listed_preset(name: str, directory: Path = SCENARIO_DIR) -> Preset | None:
    """The preset ``name`` if the menu offers it (:func:`offered_presets`), else None.

    The browser sends the menu's value back to the server; anything else it might send (any
    path on the server) is never loaded.
    """
    if not isinstance(name, str) or name not in offered_presets(directory):
        return None
    return load_preset(name, directory)


# Why a preset did not load, in the page's language (a scenario file's validation error is a
# Message too: the page shows it in its language, as the command line does).
NO_FILE = N_("no scenario file {path}")
NO_LOADER = N_("the scenario loader is missing")


@functools.lru_cache(maxsize=64)
def _load_file(path: Path, mtime_ns: int) -> Preset:
    try:
        scenario_module = importlib.import_module("sim.study.scenario")
    except ImportError:
        return Preset(name=path.stem, title=path.stem, path=path, error=Message(NO_LOADER))
    try:
        return _from_scenario(scenario_module, path)
    except Exception as error:  # a broken file must not break the page
        message = error.args[0] if len(error.args) == 1 else None
        if not isinstance(message, Message):
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
        return Preset(name=path.stem, title=path.stem, path=path, error=message)


def _from_scenario(module, path: Path) -> Preset:
    """Adapt a ``sim.study.scenario.Scenario`` (parameters and arms without any sweep) to a
    Preset."""
    scenario = module.load_scenario(path, preflight=False)
    params, arms = scenario.resolve()
    arms = tuple(arms) or (params.arm,)
    params = params.model_copy(update={"arm": arms[0]})
    return Preset(
        name=path.stem,
        title=" ".join(str(scenario.title).split()),
        params=params,
        arms=arms,
        seed=int(scenario.seed),
        weeks=int(scenario.weeks),
        path=path,
        question=" ".join(str(scenario.description or "").split()),
    )
