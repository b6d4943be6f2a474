"""A consumer panel over a running model: who bought the brand and the category, week by week.

Ehrenberg's repeat-buying regularities (share of category requirements, double jeopardy) are
read from household panels: each household's purchases of each brand over a year. The engine
keeps no per-customer purchase history (it costs bytes in every week of every run), so the
evidence pages keep one beside the model while it steps, reconstructed from the model's own
random numbers (``sim.engine.rules.market``):

- customer ``i`` has a category occasion in a week when the high half of word ``i`` of the
  week's key from the market stream is below the occasion probability ``h`` (the key is read
  from a copy of the stream before the week, so the model's numbers are not disturbed);
- a customer who tried the brand this week (step 4) bought the brand (the week's purchase);
- any other customer in the category with an occasion bought the brand if they are a customer
  of the brand after the week (step 5 sets ``customer`` to the choice), else the alternative.

Each week the panel's totals are checked against the model's own counts of the week
(``BrandModel.purchases``): a change to the market rule that the panel does not follow raises
:class:`PanelMismatch` instead of measuring something else.
"""

from __future__ import annotations

import copy

import numpy as np

from sim.engine.uniforms import half_uniforms, week_key


class PanelMismatch(RuntimeError):
    """The panel's purchases of a week differ from the model's own count."""


class Panel:
    """Per-customer purchase counts of the brand and of the category over the weeks stepped.

    Attributes
    ----------
    brand : ndarray of int32
        Units of the brand each customer bought in the weeks stepped through the panel.
    category : ndarray of int32
        Units each customer bought in the category (the brand's and the alternative's).
    weeks : int
        Weeks stepped through the panel.
    """

    def __init__(self, model) -> None:
        self.model = model
        n = model.n
        self.brand = np.zeros(n, dtype=np.int32)
        self.category = np.zeros(n, dtype=np.int32)
        self.weeks = 0

    def step(self) -> None:
        """Step the model one week and record its purchases."""
        model = self.model
        state = model.state
        repeat = model._occasion > 0.0
        key = week_key(copy.deepcopy(model._streams["market"])) if repeat else None
        tried_before = state.adopted.copy()
        model.step()
        tried_now = state.adopted & ~tried_before & state.in_market
        if repeat:
            occasion = half_uniforms(key, model.n, False) < model._occasion
            shops = state.in_market & occasion & ~tried_now
            brand = tried_now | (shops & state.customer)
            category = tried_now | shops
        else:  # one-off adoption: a trial is the only purchase
            brand = category = tried_now
        bought = model.purchases
        if int(brand.sum()) != bought.brand or int(category.sum()) != bought.category:
            raise PanelMismatch(
                f"week {model.week}: panel {int(brand.sum())} of {int(category.sum())} units, "
                f"model {bought.brand} of {bought.category}"
            )
        self.brand += brand
        self.category += category
        self.weeks += 1

    def run_for(self, weeks: int) -> None:
        """Step ``weeks`` weeks."""
        for _ in range(int(weeks)):
            self.step()

    def buyers(self) -> np.ndarray:
        """Mask of the customers who bought the brand at least once."""
        return self.brand > 0

    def summary(self) -> dict[str, float]:
        """Buyers of the brand, its units and the category units its buyers bought.

        ``buyers``: customers who bought the brand at least once; ``units``: units of the
        brand; ``buyer_category``: units the brand's buyers bought in the category (theirs and
        the alternative's); ``category_buyers``: customers who bought in the category at all;
        ``category``: units in the category.
        """
        buyers = self.buyers()
        return {
            "buyers": float(buyers.sum()),
            "units": float(self.brand.sum()),
            "buyer_category": float(self.category[buyers].sum()),
            "category_buyers": float((self.category > 0).sum()),
            "category": float(self.category.sum()),
        }
