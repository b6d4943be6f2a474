"""The model the app steps: one campaign arm, or two arms side by side on one network.

``Arena`` is a ``mesa.Model`` so that Mesa's ``ModelController`` (Reset / Play / Step) drives it:
Reset calls ``Arena(controls=...)``, Step calls ``Arena.step()``. Inside are one or two
``BrandModel`` runs that share the network, the seed and therefore every random stream that does
not depend on the arm (common random numbers): what differs between the two panels is the
campaign, nothing else.

Building an Arena never raises: a bad seed or an invalid value becomes ``arena.error`` (shown on
the page) and the arena stays empty, so the page never crashes.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, replace

import mesa
import numpy as np

from sim.engine.measures import MEASURE_NAMES
from sim.engine.model import BrandModel, build_network_for
from sim.i18n import Message
from sim.network.graph import Network
from sim.params import ArmSpec, ModelParams
from sim.viz.controls import Controls, RunPlan, plan_run
from sim.viz.frames import N_
from sim.viz.layout import LAYOUTS, Layout
from sim.viz.presets import Preset, load_preset

MAX_WEEKS = 520  # Play stops after ten years
# The page's errors (``Arena.error``: a Message, shown in the page's language).
NOT_LOADED = N_("Scenario {name} could not be loaded: {detail}")
NOT_BUILT = N_("The run could not be built: {detail}")
NETWORK_CACHE = 8


@dataclass
class Arm:
    """One campaign arm of the arena and its weekly history (lists of every measure)."""

    label: str
    model: BrandModel
    history: dict[str, list[float]]

    def record(self) -> None:
        for name, value in self.model.measures.items():
            self.history.setdefault(name, []).append(value)

    def series(self, name: str) -> np.ndarray:
        return np.asarray(self.history.get(name, []), dtype=float)


_network_lock = threading.Lock()


@functools.lru_cache(maxsize=NETWORK_CACHE)
def _cached_network(params_json: str, seed: int) -> Network:
    return build_network_for(ModelParams.model_validate_json(params_json), seed)


def network_for(params: ModelParams, seed: int) -> Network:
    """The network of ``params`` and ``seed``, built once and reused (Reset rebuilds nothing)."""
    # Only the network section matters, so the key is the network section alone.
    slim = ModelParams(network=params.network).model_dump_json()
    with _network_lock:
        return _cached_network(slim, seed)


class Arena(mesa.Model):
    """One or two campaign arms stepped together on one network with one seed.

    Parameters
    ----------
    controls : Controls, optional
        Values of the control panel (preset, strategy, budget, ..., seed as text).
    preset : Preset, optional
        The preset the controls refer to (loaded from ``controls.preset`` when omitted).

    Attributes
    ----------
    arms : list of Arm
        One arm, or two in side-by-side mode (A then B).
    network : Network or None
    layout : Layout or None
        Cached positions of the drawn customers.
    error : str or None
        Why nothing could be built (shown on the page); the arena is then empty.
    plan : RunPlan or None
    week : int
    build_seconds : float
        Time to build the arena (network, layout and models).
    """

    def __init__(self, controls: Controls | None = None, preset: Preset | None = None):
        start = time.perf_counter()
        controls = controls or Controls()
        seed_for_mesa = None
        self.controls = controls
        # Held while the run moves (a week, or a replay to another week) and while a week is
        # sent: Play's thread and the page's buttons may act on the same arena.
        self.lock = threading.RLock()
        self.preset = preset or load_preset(controls.preset)
        self.arms: list[Arm] = []
        self.network: Network | None = None
        self.layout: Layout | None = None
        self.plan: RunPlan | None = None
        self.error: str | None = None
        self.week = 0
        self.bass: list[np.ndarray | None] = []
        self.bass_note = ""
        try:
            self.plan = plan_run(controls, self.preset)
            seed_for_mesa = self.plan.seed
        except ValueError as error:
            reason = error.args[0] if error.args else ""
            self.error = reason if isinstance(reason, Message) else str(error).splitlines()[0]
        super().__init__(rng=seed_for_mesa)
        if self.plan is not None:
            try:
                self._build(self.plan)
            except Exception as error:  # any failure is a message on the page, not a crash
                detail = f"{type(error).__name__}: {str(error).splitlines()[0]}"
                self.error = Message(NOT_BUILT, detail=detail)
                self.arms = []
        if self.preset.error and self.error is None:
            self.error = Message(NOT_LOADED, name=repr(self.preset.name), detail=self.preset.error)
        self.running = bool(self.arms)
        self.build_seconds = time.perf_counter() - start

    def _build(self, plan: RunPlan) -> None:
        params = plan.params
        self.network = network_for(params, plan.seed)
        key = (params.network.model_dump_json(), plan.seed)
        self.layout = LAYOUTS.get(
            key, self.network, plan.seed, well_mixed=params.network.kind == "well_mixed"
        )
        # A target group this network does not have (the network was changed, or a crafted
        # value) gives way to everyone: the menu offers only the network's own groups.
        groups = set(self.network.group_names) if self.network.n_groups > 1 else set()
        specs = [
            s
            if s.target_group is None or s.target_group in groups
            else s.model_copy(update={"target_group": None})
            for s in [plan.arm_a] + ([plan.arm_b] if plan.arm_b is not None else [])
        ]
        if specs[0] is not plan.arm_a or (len(specs) == 2 and specs[1] is not plan.arm_b):
            plan = replace(
                plan,
                params=params.model_copy(update={"arm": specs[0]}),
                arm_a=specs[0],
                arm_b=specs[1] if len(specs) == 2 else None,
            )
            self.plan = plan
        self._start(specs)
        self.bass, self.bass_note = bass_curves(params, specs, self.network.n)

    def _start(self, specs: list[ArmSpec]) -> None:
        """Week 0 of every campaign (the models on the arena's network, with its seed)."""
        self.arms = []
        for spec in specs:
            model = BrandModel(
                self.plan.params,
                network=self.network,
                rng=self.plan.seed,
                arm=spec.model_dump(),
                collect=False,
            )
            arm = Arm(label=spec.name, model=model, history={})
            arm.record()
            self.arms.append(arm)
        self.week = 0

    @property
    def compare(self) -> bool:
        return len(self.arms) == 2

    @property
    def params(self) -> ModelParams | None:
        return self.plan.params if self.plan else None

    def step(self) -> None:
        """Advance every arm one week (no-op when the arena is empty)."""
        if not self.arms:
            self.running = False
            return
        with self.lock:
            for arm in self.arms:
                arm.model.step()
                arm.record()
            self.week += 1
            self.running = self.week < MAX_WEEKS

    def go_to(self, week: int) -> None:
        """Run or replay to ``week`` (0 .. ``MAX_WEEKS``): forward it steps on; back it starts
        again from week 0 with the same seed and network and steps to ``week``, which gives
        exactly the weeks seen before (the run is a function of its seed). Going back costs
        ``week`` steps: about a millisecond a week for 1,000 customers."""
        if not self.arms:
            return
        week = max(0, min(int(week), MAX_WEEKS))
        with self.lock:
            if week < self.week:
                arm_b = [self.plan.arm_b] if self.plan.arm_b is not None else []
                self._start([self.plan.arm_a, *arm_b])
            while self.week < week:
                self.step()

    def summary(self) -> list[dict[str, float]]:
        """This week's measures of each arm."""
        return [dict(arm.model.measures) for arm in self.arms]


def bass_curves(
    params: ModelParams, arms: list[ArmSpec], n: int, weeks: int = MAX_WEEKS
) -> tuple[list[np.ndarray | None], str]:
    """Expected awareness of the Bass limit for each arm, and a note saying how it applies.

    Drawn when attitudes are off, one listener per talk, and every arm spends only on push to
    everyone from week 1 (or nothing): on a well mixed network this is the model's exact
    expectation (``sim.engine.bass``); on any other network the simulated curve lies below it.
    """
    try:
        from sim.engine import bass
    except ImportError:
        return [], ""
    pushes_only = all(
        (a.push_share == 1.0 or a.budget == 0.0)
        and a.target_group is None
        and a.start_week == 1
        and a.end_week is None
        for a in arms
    )
    if params.attitudes or params.wom.listeners != 1 or not pushes_only:
        return [], ""
    resolved = params.model_copy(update={"network": params.network.model_copy(update={"n": n})})
    curves = []
    for arm in arms:
        p, q = bass.bass_pq(resolved, arm)
        f0 = params.population.initial_awareness
        curves.append(bass.bass_recurrence(p, q, n, weeks, f0=f0))
    if params.network.kind == "well_mixed":
        note = N_("Grey band: the Bass model's expected awareness (the model's exact limit here).")
    else:
        note = N_(
            "Grey band: the Bass model's expected awareness on a well mixed network; "
            "on this network the simulation should stay below it."
        )
    return curves, note


__all__ = ["Arena", "Arm", "MEASURE_NAMES", "network_for"]
