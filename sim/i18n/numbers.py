"""Numbers, percentages and intervals written for a language's locale, by Babel.

One small module for every number report.html shows (and the mechanisms' sentences): the
digits are the ones Python's format specifications choose (``.3g``, ``:g``, ``+.2f``,
``.0%``, ``,``), so an English page reads exactly as before; Babel then writes them with the
locale's decimal sign, grouping, percent pattern and minus sign (CLDR data)::

    significant(0.8125, "nb")   -> "0,812"        significant(1234.5, "en") -> "1.23e+03"
    fixed(-0.4, "nb", 2, sign=True) -> "\u22120,40"   percent(0.12, "nb") -> "12\u00a0%"
    grouped(2000, "nb")         -> "2\u00a0000"   interval(0.1, 0.2, "nb")  -> "[0,1; 0,2]"

Norwegian writes a negative number with the minus sign U+2212 (Babel's ``minusSign`` of
``nb``); English with the hyphen-minus, as Python does. Values are passed to Babel as exact
``Decimal`` s of the float (or of Python's already rounded digits), so the rounding is Python's
(half to even on the binary value) in every language. A number is formatted once, where it is
shown; the one exception is :func:`restyle`, for text another library wrote (matplotlib's tick
labels, the terminal's sentences), which rewrites a whole text that is one number and nothing
else. Every page, figure, app view and terminal sentence formats its numbers here (the older
regular-expression rewriter ``number_style`` is gone).
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal

from sim.i18n import check_language

MISSING = "–"  # no value (no replicate had a number)
# A whole text that is one number as Python or matplotlib writes it: 1,234.5 / -0.25 /
# \u22120.25 / +0.40 / 12% / 1.2e-05 (sign, digits, decimals, exponent, percent).
WRITTEN = re.compile(r"([+\-\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(e[+\-\u2212]?\d+)?(%?)")


@functools.cache
def _locale(lang: str):
    from babel import Locale  # Babel loads its CLDR data on first use

    return Locale.parse(check_language(lang))


@functools.cache
def _symbols(lang: str) -> tuple[str, str, str]:
    """``(minus, plus, percent pattern)`` of ``lang``."""
    from babel.numbers import get_minus_sign_symbol, get_plus_sign_symbol

    locale = _locale(lang)
    return (
        get_minus_sign_symbol(locale),
        get_plus_sign_symbol(locale),
        locale.percent_formats[None].pattern,
    )


def _apply(value: Decimal, pattern: str, lang: str, sign: bool = False) -> str:
    """``value`` written with the positive ``pattern``, its negative with the locale's minus
    sign (and a plus sign before positive values when ``sign``)."""
    from babel.numbers import format_decimal

    minus, plus, _ = _symbols(lang)
    positive = (plus if sign else "") + pattern
    return format_decimal(value, f"{positive};{minus}{pattern}", locale=_locale(lang))


def _digits(text: str, lang: str) -> str:
    """Python's digits ``text`` (``"0.812"``, ``"-1.2e+03"``, ``"5.00e-04"``) in ``lang``: the
    mantissa by Babel (keeping its number of decimals), the exponent as ``e+03`` / ``e\u221203``."""
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.partition(".")[2])
    pattern = "0." + "0" * decimals if decimals else "0"
    out = _apply(Decimal(mantissa), pattern, lang)
    if exponent:
        minus = _symbols(lang)[0]
        out += "e" + exponent.replace("-", minus)
    return out


def significant(x, lang: str, digits: int = 3) -> str:
    """``x`` with at most ``digits`` significant digits, the report's cells: Python's
    ``.3g`` (trailing zeros dropped, scientific from 1000 on), and ``.2e`` below a thousandth
    (``5.00e-04``); ``"–"`` for None or a value that is not finite."""
    if x is None or not math.isfinite(x):
        return MISSING
    if x != 0 and abs(x) < 0.001 and digits == 3:
        return _digits(f"{x:.2e}", lang)
    return _digits(f"{x:.{digits}g}", lang)


def general(x, lang: str, digits: int = 6) -> str:
    """``x`` as Python's ``:g`` writes it (``digits`` significant digits, no trailing zeros;
    ``.3g`` with ``digits=3``)."""
    return _digits(f"{x:.{digits}g}", lang)


def fixed(x, lang: str, decimals: int, sign: bool = False, group: bool = False) -> str:
    """``x`` with ``decimals`` decimals (``+.2f``: ``sign``; ``,.0f``: ``group``)."""
    pattern = ("#,##0" if group else "0") + ("." + "0" * decimals if decimals else "")
    return _apply(Decimal(x), pattern, lang, sign=sign)


def grouped(n: int, lang: str) -> str:
    """A whole number with the locale's thousands separator (``2,000``, ``2\u00a0000``)."""
    return _apply(Decimal(n), "#,##0", lang)


def percent(share, lang: str, decimals: int = 0) -> str:
    """A share as a percentage in the locale's pattern (``12%``, ``12\u00a0%``), with the digits
    of Python's ``.0%`` (which rounds ``100 * share``)."""
    from babel.numbers import format_percent

    minus, _, pattern = _symbols(lang)
    if decimals:
        pattern = _with_decimals(pattern, decimals)
    rounded = Decimal(f"{share * 100:.{decimals}f}") / 100  # Python's digits (``.0%``)
    return format_percent(rounded, f"{pattern};{minus}{pattern}", locale=_locale(lang))


def _with_decimals(pattern: str, decimals: int) -> str:
    """A percent pattern (``#,##0 %``) with ``decimals`` decimals (``#,##0.0 %``)."""
    last = pattern.rindex("0")
    return pattern[: last + 1] + "." + "0" * decimals + pattern[last + 1 :]


def value(x, lang: str) -> str:
    """A parameter value as written in the scenario (``str(x)``): numbers in the locale's
    style with the same digits (``0.05`` -> ``0,05``), anything else unchanged."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return _digits(str(x), lang)


def restyle(text: str, lang: str) -> str:
    """A number another library wrote the English way (a matplotlib tick label: ``0.5``,
    ``\u22120.5``, ``1,000``, ``12%``, ``1e-05``), rewritten by Babel for ``lang`` with the same
    digits; any text that is not one number (an arm's name, ``mix_0.5``) comes back unchanged."""
    match = WRITTEN.fullmatch(text)
    if not match:
        return text
    sign, whole, decimals, exponent, pct = match.groups()
    minus = _symbols(lang)[0]
    value = Decimal(whole.replace(",", "") + (decimals or ""))
    if sign in ("-", "\u2212"):
        value = -value
    places = len(decimals or ".") - 1
    if pct:
        pattern = _symbols(lang)[2]
        pattern = _with_decimals(pattern, places) if places else pattern
        from babel.numbers import format_percent

        return format_percent(value / 100, f"{pattern};{minus}{pattern}", locale=_locale(lang))
    pattern = ("#,##0" if "," in whole else "0") + ("." + "0" * places if places else "")
    out = _apply(value, pattern, lang, sign=sign == "+")
    if value == 0 and sign in ("-", "\u2212"):  # "-0.0" keeps its sign, as written
        out = minus + out
    if exponent:
        out += "e" + exponent[1:].replace("-", minus).replace("\u2212", minus)
    return out


def separator(lang: str) -> str:
    """Between the two ends of an interval or the items of a list of numbers: ``", "``, or
    ``"; "`` where the comma is the decimal sign."""
    from babel.numbers import get_decimal_symbol

    return "; " if get_decimal_symbol(_locale(lang)) == "," else ", "


def interval(low, high, lang: str) -> str:
    """``[low, high]`` in the report's precision (``[0,1; 0,2]`` in bokmål)."""
    return f"[{significant(low, lang)}{separator(lang)}{significant(high, lang)}]"
