"""The list of mechanisms a report and a summary print (sim/engine/mechanisms.py)."""

from __future__ import annotations

from sim.engine.mechanisms import NAMES, describe, mechanisms
from sim.i18n import translator
from sim.params import make_params

TALK = (
    "public posts read by many",
    "visible rating",
    "stories retold",
    "service recovery",
    "ads start conversations",
)


def test_the_default_market_has_the_talk_mechanisms_on():
    on = mechanisms(make_params(market={"purchase_rate": 0.2}))
    assert all(on[name] for name in TALK)
    assert not on["frequency cap"]
    assert set(on) == set(NAMES)


def test_each_talk_mechanism_switched_off_reads_off():
    offs = {
        "public posts read by many": {"public": {"follower_share": 0.0, "browsers": 0}},
        "visible rating": {"public": {"rating_readers": 0.0}},
        "stories retold": {
            "stories": {"ad_retell": 0.0, "dialogue_retell": 0.0, "experience_retell": 0.0}
        },
        "service recovery": {"dialogue": {"recovery_loyalty": 0.0}},
        "ads start conversations": {"push": {"talk_lift": 0.0}},
    }
    for name, sections in offs.items():
        on = mechanisms(make_params(market={"purchase_rate": 0.2}, **sections))
        assert not on[name], name
        assert all(on[other] for other in TALK if other != name), name


def test_a_parameter_set_from_before_the_talk_mechanisms_gets_their_defaults():
    """A results folder written before issue 22 has no public or stories section."""
    old = make_params().model_dump()
    for section in ("public", "stories"):
        del old[section]
    for section in ("push", "dialogue", "wom"):
        old[section] = {k: v for k, v in old[section].items() if k in ("claim", "credibility")}
    assert mechanisms(old)["public posts read by many"]


def test_the_lines_say_the_numbers_in_both_languages():
    params = make_params(market={"purchase_rate": 0.2}, push={"frequency_cap": 3})
    lines = describe(params)
    assert "frequency cap: on (at most 3 ads per customer a week)" in lines
    assert any(line.startswith("stories retold: on (retold with probability 0.1") for line in lines)
    nb = describe(params, translator("nb"))
    assert "frekvenstak: på (høyst 3 annonsevisninger per kunde per uke)" in nb
