"""sim/i18n/numbers.py: numbers, percentages and intervals in English and bokmål (Babel).

Expected texts are written out by hand from the locales' conventions (CLDR): English writes
0.5, 1,234 and 12%; bokmål 0,5, 1 234 (no-break space) and 12 % (no-break space), and a
negative number with the minus sign U+2212. The English digits are Python's own format
specifications, which report.html used before Babel (checked on many values below).
"""

from __future__ import annotations

import random

import pytest

from sim.i18n import numbers

NBSP, MINUS = "\u00a0", "\u2212"


@pytest.mark.parametrize(
    ("x", "en", "nb"),
    [
        (0.8125, "0.812", "0,812"),
        (0.5, "0.5", "0,5"),
        (0, "0", "0"),
        (12.0, "12", "12"),
        (-0.25, "-0.25", f"{MINUS}0,25"),
        (1234.5, "1.23e+03", "1,23e+03"),
        (0.0005, "5.00e-04", f"5,00e{MINUS}04"),
        (-0.0005, "-5.00e-04", f"{MINUS}5,00e{MINUS}04"),
        (None, "–", "–"),
        (float("nan"), "–", "–"),
    ],
)
def test_significant_digits(x, en, nb):
    assert numbers.significant(x, "en") == en
    assert numbers.significant(x, "nb") == nb


def test_percentages():
    assert numbers.percent(0.12, "en") == "12%"
    assert numbers.percent(0.12, "nb") == f"12{NBSP}%"
    assert numbers.percent(0.125, "nb", 1) == f"12,5{NBSP}%"
    assert numbers.percent(-0.3, "en") == "-30%"
    assert numbers.percent(-0.3, "nb") == f"{MINUS}30{NBSP}%"
    assert numbers.percent(0.075, "en") == "8%"  # Python's .0%: 100 * 0.075 = 7.500000000000001


def test_grouped_fixed_and_signed():
    assert numbers.grouped(2000, "en") == "2,000"
    assert numbers.grouped(2000, "nb") == f"2{NBSP}000"
    assert numbers.fixed(12345.25, "nb", 1, group=True) == f"12{NBSP}345,2"
    assert numbers.fixed(0.4, "en", 2, sign=True) == "+0.40"
    assert numbers.fixed(0.4, "nb", 2, sign=True) == "+0,40"
    assert numbers.fixed(-0.4, "nb", 2, sign=True) == f"{MINUS}0,40"
    assert numbers.fixed(-0.4, "en", 2, sign=True) == "-0.40"


def test_intervals_use_a_semicolon_where_the_comma_is_the_decimal_sign():
    assert numbers.interval(0.1, 0.2, "en") == "[0.1, 0.2]"
    assert numbers.interval(0.1, 0.2, "nb") == "[0,1; 0,2]"
    assert numbers.interval(-0.3, -0.1, "nb") == f"[{MINUS}0,3; {MINUS}0,1]"
    assert numbers.separator("en") == ", " and numbers.separator("nb") == "; "


def test_values_keep_their_digits_and_words():
    assert numbers.value(0.05, "nb") == "0,05" and numbers.value(0.05, "en") == "0.05"
    assert numbers.value(1000.0, "nb") == "1000,0"  # as written: str(1000.0), no grouping
    assert numbers.value(1e-05, "nb") == f"1e{MINUS}05"
    assert numbers.value(-3, "nb") == f"{MINUS}3"
    assert numbers.value("hubs", "nb") == "hubs" and numbers.value(True, "nb") == "True"


def test_general_is_python_g():
    assert numbers.general(40.0, "en") == "40" and numbers.general(0.35, "nb") == "0,35"
    assert numbers.general(1234567.0, "nb") == "1,23457e+06"


def test_english_digits_are_pythons_format_specifications():
    """English output equals Python's formatting on many values (report.html's English text
    did not change when Babel took over), including ties like 0.075 -> 8%."""
    rng = random.Random(7)  # fixed seed: a reproducible sample over six orders of magnitude
    for _ in range(3000):
        x = rng.choice([rng.uniform(-2, 2), rng.uniform(-5000, 5000), 10 ** rng.uniform(-6, 4)])
        x = rng.choice([x, round(x, 2), round(x, 3)])
        short = f"{x:.3g}" if abs(x) >= 0.001 or x == 0 else f"{x:.2e}"
        assert numbers.significant(x, "en") == short
        assert numbers.general(x, "en") == f"{x:g}"
        assert numbers.fixed(x, "en", 2, sign=True) == f"{x:+.2f}"
        assert numbers.fixed(x, "en", 0, group=True) == f"{x:,.0f}"
        assert numbers.value(x, "en") == str(x)
        if abs(x) < 10:
            assert numbers.percent(x, "en") == f"{x:.0%}"
            assert numbers.percent(x, "en", 1) == f"{x:.1%}"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="not available"):
        numbers.significant(0.5, "xx")


def test_restyle_writes_another_librarys_number_for_the_locale():
    """Tick labels matplotlib wrote (its minus is U+2212) get the locale's signs and keep their
    digits; text that is not one number is left alone."""
    assert numbers.restyle("0.5", "nb") == "0,5" and numbers.restyle("0.5", "en") == "0.5"
    assert numbers.restyle(f"{MINUS}0.40", "nb") == f"{MINUS}0,40"
    assert numbers.restyle("-0.25", "nb") == f"{MINUS}0,25"
    assert numbers.restyle("1,234.5", "nb") == f"1{NBSP}234,5"
    assert numbers.restyle("1000", "nb") == "1000"  # not grouped when it was not
    assert numbers.restyle("12%", "nb") == f"12{NBSP}%"
    assert numbers.restyle("12.5%", "nb") == f"12,5{NBSP}%"
    assert numbers.restyle("1e-05", "nb") == f"1e{MINUS}05"
    assert numbers.restyle("+0.40", "nb") == "+0,40"
    assert numbers.restyle("-0.0", "nb") == f"{MINUS}0,0"
    for text in ("mix_0.5", "push", "0.5 and 0.6", ""):
        assert numbers.restyle(text, "nb") == text
