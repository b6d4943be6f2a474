"""Published numbers the validation page compares the model with, each with its source.

Only data (no computation). The Bass coefficients are per year, as published; the validation
divides them by 52 to get the model's weekly ``p`` and ``q``. Elasticities are dimensionless
(per cent change in sales per per cent change in the driver).

How sure we are of each number is recorded in docs/NOTES.md#notes-ev13a: the Bass (1969) values were
typed from the reproductions of its table of estimates in textbooks and were not checked
against a scan of the original; the meta-analytic means are the ones the project brief quotes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BassEstimate:
    """A published Bass (1969) estimate for one product.

    Attributes
    ----------
    product : str
        What diffused.
    p, q : float
        Coefficients of innovation and imitation, per year.
    source : str
        Short citation.
    """

    product: str
    p: float
    q: float
    source: str


BASS_1969 = "Bass (1969), Management Science 15(5), table of estimates"
SULTAN = "Sultan, Farley & Lehmann (1990), J. Marketing Research 27(1): mean over 213 products"

BASS_ESTIMATES: tuple[BassEstimate, ...] = (
    BassEstimate("meta-analytic mean", 0.03, 0.38, SULTAN),
    BassEstimate("room air conditioners", 0.0104, 0.4186, BASS_1969),
    BassEstimate("clothes dryers", 0.0170, 0.3566, BASS_1969),
    BassEstimate("black-and-white TV", 0.0278, 0.2507, BASS_1969),
    BassEstimate("home freezers", 0.0184, 0.1797, BASS_1969),
)


@dataclass(frozen=True)
class PublishedElasticity:
    """A meta-analytic elasticity: its mean and the source.

    ``key`` names the model quantity it is compared with (see ``sim.evidence.elasticity_runs``).
    """

    key: str
    label: str
    mean: float
    source: str


ELASTICITIES: tuple[PublishedElasticity, ...] = (
    PublishedElasticity(
        "ad_short",
        "sales w.r.t. advertising, short term",
        0.12,
        "Sethuraman, Tellis & Briesch (2011), J. Marketing Research 48(3): mean of 751 estimates",
    ),
    PublishedElasticity(
        "ad_long",
        "sales w.r.t. advertising, long term",
        0.24,
        "Sethuraman, Tellis & Briesch (2011): mean of 402 long-term estimates",
    ),
    PublishedElasticity(
        "wom_volume",
        "sales w.r.t. word-of-mouth volume",
        0.236,
        "You, Vadakkepatt & Joshi (2015), J. Marketing 79(2): volume elasticity",
    ),
    PublishedElasticity(
        "wom_valence",
        "sales w.r.t. word-of-mouth valence",
        0.417,
        "You, Vadakkepatt & Joshi (2015): valence elasticity",
    ),
    PublishedElasticity(
        "referrals_long",
        "new customers w.r.t. referrals, long term",
        0.53,
        "Trusov, Bucklin & Pauwels (2009), J. Marketing 73(5): WOM referrals, long run",
    ),
)

# The comparison band: a model elasticity "agrees" when it lies within a factor of two of the
# meta-analytic mean. This is a judgement, not a published interval: the meta-analyses report
# wide spreads across brands and categories (Sethuraman et al.'s short-term estimates range
# from negative to above 1), so a factor of two around the mean is a modest demand.
AGREEMENT_FACTOR = 2.0
