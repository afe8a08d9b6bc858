"""Figures in text, normalised so that a claim's figure can be compared with an abstract's.

Researchers restate figures: "30,000 hours" becomes "about 30k hours" or "thirty thousand hours",
"3.01x" becomes "three times", "reduced by 39.6%" becomes "roughly a 40% cut", "2 to 5 times"
becomes "two- to five-fold". :func:`figures` reads every figure of a text into :class:`Figure`
(a value or a range, a kind from its unit, and how approximate it is said to be);
:mod:`rag.grounding.figure_matching` says whether a claimed figure is one a source states.

- **numbers**: digits with thousands separators and decimals, or in scientific notation
  ("3e-4"); suffixes ``k``/``K``, ``M``, ``B`` ("100K", "1.5B"); number words ("three",
  "twenty-five", "a hundred thousand", "one billion", "four dozen"); multipliers ("twice",
  "double", "triple", "half", "two-fold"); fractions ("a third", "four-fifths", "two thirds";
  "a fifth of a second" is a duration);
- **ranges**: "3 to 4", "3-4x", "between two- and five-fold", "300M to 1.5B";
- **kinds**, from the unit after the number: ``ratio`` (x, times, -fold), ``percent`` (%, percent,
  percentage points), ``duration`` (hours, ms, seconds: compared in seconds), ``frequency``
  (Hz, kHz), ``size`` (GB, MB), ``scale`` (a number with a k/M/B suffix or "million", as in
  model sizes and data amounts), otherwise ``plain``;
- **approximation**: "about", "around", "roughly", "nearly", "almost", "approximately", "~",
  "over", "more than", "up to", "at least" (kept with the figure), and the rounding step of the
  digits written ("3" allows 2.5-3.5, "1.2" 1.15-1.25);
- **multipliers in words**: "a factor of 30", "threefold", "x7".

A number that is part of a name ("GPT-4", "AISHELL-1", "Wav2Vec 2.0", "FastSpeech 2", "LLaMA-2 7B")
or a year is not a figure a claim has to match (``Figure.named``); a small number word with no unit
("two stages", up to :data:`WEAK_WORDS`) or a rough count ("a few dozen", "several hundred") is
``weak``: neither is required of a source.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["ratio", "percent", "duration", "frequency", "size", "scale", "plain"]

WEAK_WORDS = 3
"""A number word up to this with no unit ("two stages", "three datasets") is not required of a
source: a paraphrase counts things the abstract lists by name."""

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1, "an": 1, "dozen": 12,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_MULTIPLIERS = {
    "twice": 2.0, "double": 2.0, "doubles": 2.0, "doubled": 2.0, "doubling": 2.0, "triple": 3.0,
    "triples": 3.0, "tripled": 3.0, "thrice": 3.0, "quadruple": 4.0, "half": 0.5, "halve": 0.5,
    "halves": 0.5, "halved": 0.5, "halving": 0.5,
}  # fmt: skip
_FRACTIONS = {
    "half": 0.5, "third": 1 / 3, "quarter": 0.25, "fourth": 0.25, "fifth": 0.2, "sixth": 1 / 6,
    "eighth": 0.125, "tenth": 0.1,
}  # fmt: skip
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}

_NUMBER_WORDS = sorted(
    (*(k for k in _UNITS if k not in ("a", "an")), *_TENS, *_SCALES), key=len, reverse=True
)
_ONE_WORD = "(?:" + "|".join(_NUMBER_WORDS) + ")"
_AND = "|".join(rf"(?<={scale} )and[ ]+(?!{_ONE_WORD}[\s-]+{scale})" for scale in _SCALES)
"""An "and" inside a number, unless the same scale follows ("one hundred and two hundred")."""
_WORD_NUMBER = (
    rf"(?:an?[\s-]+(?=(?:{'|'.join(_SCALES)}|dozen)\b))?{_ONE_WORD}"
    rf"(?:[\s-]+(?:{_AND})?{_ONE_WORD})*"
    r"(?:\s+and\s+a\s+(?:half|quarter))?"
    rf"|(?:half|a\s+quarter|a\s+third)(?:\s+of)?[\s-]+(?:an?[\s-]+)?(?:{'|'.join(_SCALES)})"
)
"""Numbers in words: "two hundred and seventy", "a hundred thousand", "fifty-six", "two and a
half", "half a billion", "a quarter of a million"; "one hundred and two hundred" is two."""
_POWER = r"\d+\s?\^\s?\{?\d+\}?"
_DIGITS = rf"{_POWER}|\d+(?:\.\d+)?[eE][-+\u2212]?\d+\b|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
"""Digits: "2^18" (a power, as codebook sizes are written), "3e-4" (scientific notation), "2,160",
"0.96", ".5"."""
_PREFIXED = re.compile(r"(?<![\w.])[x\u00d7]\s?(?P<value>\d+(?:\.\d+)?)(?![\w.])")
"""A multiplier written before its number: "x7 faster"."""
_SCALED = rf"(?:\s+|-)({'|'.join(_SCALES)})"
"""A scale word after digits: "1.5 billion", "8-billion(-parameter)"."""
_NUMBER = rf"(?:{_DIGITS})(?:\s?[kKmMbBtT](?![a-zA-Z]))?(?:{_SCALED})?|\b(?:{_WORD_NUMBER})\b"
_APPROX = (
    r"about|around|roughly|nearly|almost|approximately|approx\.?|some|close\s+to|just\s+(?:over|under)|"
    r"over|more\s+than|less\s+than|fewer\s+than|shorter\s+than|under|above|below|up\s+to|at\s+least|at\s+most|"
    r"as\s+(?:much|many|few|little)\s+as|~|≈|>|<"
)
_RANGE_JOIN = r"\s*(?:-|\u2013|—|to|~|sim|(?(between)and|(?!)))\s*"
"""Between the two ends of a range; "sim" is a LaTeX "\\sim" that lost its backslash."""
_UNIT = (
    r"(?P<unit>%|percent(?:age points?)?|per\s?cent|pp\b|points?\b|x(?![a-z])|\u00d7|times\b|-?fold\b|"
    r"k?hz\b|fps\b|frames?\s+per\s+second\b|(?:hours?|hrs?|h)\b|(?:ms|msec|milliseconds?)\b|(?:s|sec|secs|seconds?)\b|minutes?\b|"
    r"min\b|days?\b|[kmgt]i?b\b|bytes?\b(?!-)|(?:million|billion|thousand)\b)?"
)
_GLUED = r"(?P<glued>-?(?:fold|times|x(?![a-z])|\u00d7|%))?"
"""A unit glued to the number: "3x", "2-fold", "1.75times" (a LaTeX "\\times" that lost its backslash)."""
_FACTOR = re.compile(
    r"(?P<approx>(?:about|around|roughly|nearly|almost|approximately|some|over|more than|up to)\s+)?"
    r"\b(?:a\s+)?factor\s+of\s+(?P<inner>(?:about|around|roughly|nearly|almost|over|up to)\s+)?"
    r"(?P<value>\d+(?:\.\d+)?|"
    + "|".join(sorted((k for k in _UNITS if k not in ("a", "an")), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
"""A multiplier said as "a factor of 30" or "by a factor of about three"."""
_WORD_FOLD = re.compile(
    r"(?P<approx>(?:about|around|roughly|nearly|almost|some|over|more than|up to)\s+)?(?:an?\s+)?\b(?P<word>"
    + "|".join(sorted((k for k in _UNITS if k not in ("a", "an", "dozen")), key=len, reverse=True))
    + r"|"
    + "|".join(_TENS)
    + r")fold\b",
    re.IGNORECASE,
)
"""A multiplier in one word: "threefold", "tenfold"."""
_FIGURE = re.compile(
    rf"(?P<approx>(?:{_APPROX})\s*)?(?P<between>between\s+)?(?<![\w.])"
    rf"(?P<low>{_NUMBER}){_GLUED}(?:[-\u2013]?{_RANGE_JOIN}(?P<high>{_NUMBER}))?"
    rf"\s*-?\s*{_UNIT}",
    re.IGNORECASE,
)
_STANDALONE = re.compile(
    rf"(?P<approx>(?:{_APPROX})\s*)?\b(?P<word>" + "|".join(_MULTIPLIERS) + r")\b", re.IGNORECASE
)
_NUMERATORS = {word: value for word, value in _UNITS.items() if 1 <= value <= 9}
"""A fraction's numerator in words: "a", "one" to "nine"."""
_FRACTION = re.compile(
    rf"(?P<approx>(?:{_APPROX})\s*)?(?<!\band )\b(?P<numerator>{'|'.join(_NUMERATORS)})[\s-]+"
    rf"(?P<fraction>{'|'.join(_FRACTIONS)}|halves)s?\b"
    r"(?!\s+of\s+(?:an?\s+)?(?:hundred|thousand|million|billion)\b)"
    r"(?:\s+of\s+(?:a|an|one)\s+(?P<unit>second|minute|hour|day)\b)?",
    re.IGNORECASE,
)
"""A fraction in words: "a third", "four-fifths", "two thirds"; "a fifth of a second" is a
duration ("two and a half" and "a quarter of a million" are numbers, read with them)."""
_VAGUE = re.compile(r"\b(?:a\s+few|few|several|many|some)\s+$", re.IGNORECASE)
"""Before a number in words, a word that makes it a rough count: "a few dozen steps", "several
hundred hours" state no figure a source must match."""
_NAME_BEFORE = re.compile(r"(?:[A-Za-z][\w.]*[-_]|[A-Z][\w.]*[A-Z0-9][\w.]*[\s-]|[A-Z][a-z]+[A-Z]\w*\s|v)$")
"""Right before a number, the end of a name: "GPT-", "AISHELL-", "Wav2Vec ", "LLaMA-2 ", "v"."""
_NAME_AFTER = re.compile(r"[A-Za-z]{2,}")
"""Right after a number with no space: "2nd", "4o", "3D", "16kHz" (a unit is read first)."""


@dataclass(frozen=True)
class Figure:
    """One figure: ``low`` == ``high`` for a single value."""

    low: float
    high: float
    kind: Kind
    approx: str = ""
    """The approximation word before it ("about", "up to"), lower case, or ""."""
    step: float = 0.0
    """Half the unit of the last digit written (rounding allowance): 0.5 for "3", 0.05 for "1.2"."""
    named: bool = False
    """Part of a name ("GPT-4", "FastSpeech 2") or a year: not required of a source."""
    weak: bool = False
    """A number word with no unit ("two stages"): not required of a source."""
    text: str = ""
    start: int = 0
    """Where the figure's text starts in the text it was read from."""

    @property
    def required(self) -> bool:
        """Whether a claim stating this figure needs a source that states it."""
        return not (self.named or self.weak)


_PART = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}


def _word_value(text: str) -> float | None:
    lowered = " ".join(text.lower().replace("-", " ").split())
    part = re.fullmatch(r"(?:a )?(half|quarter|third)(?: of)? (?:an? )?(\w+)", lowered)
    if part and part.group(2) in _SCALES:
        return _PART[part.group(1)] * _SCALES[part.group(2)]
    extra = re.search(r" and a (half|quarter)$", lowered)
    if extra:
        lowered = lowered[: extra.start()]
    total, current = 0.0, 0.0
    seen = False
    last = ""
    for word in lowered.split():
        if word == "and":
            continue
        if last in _UNITS and last != "dozen" and (word in _UNITS or word in _TENS) and word != "dozen":
            return None  # "two ten-thousandths", "one two": not one number
        last = word
        if word == "dozen":  # "four dozen" is 48
            current = (current or 1) * 12
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            scale = _SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0.0
        else:
            return None
        seen = True
    if not seen:
        return None
    return total + current + (_PART[extra.group(1)] if extra else 0.0)


def _value(text: str) -> tuple[float, float, bool] | None:
    """(value, rounding step, written in words) of one number."""
    text = text.strip()
    match = re.fullmatch(rf"({_DIGITS})\s?([kKmMbBtT])?(?:{_SCALED})?", text, re.IGNORECASE)
    if match and re.fullmatch(_POWER, match.group(1)):
        base, exponent = (float(part) for part in re.findall(r"\d+", match.group(1)))
        try:
            power = base**exponent
        except OverflowError:
            return None
        return (power, 0.5, False) if math.isfinite(power) else None  # "9^99999" is no figure
    if match:
        digits = match.group(1).replace(",", "").replace("\u2212", "-")
        mantissa, _, exponent = digits.lower().partition("e")
        decimals = len(mantissa.partition(".")[2]) - int(exponent or 0)
        scale = _SUFFIX.get((match.group(2) or "").lower(), 1.0)
        scale *= _SCALES.get((match.group(3) or "").lower(), 1)
        return float(digits) * scale, 0.5 * 10.0**-decimals * scale, False
    value = _word_value(text)
    if value is None:
        return None
    step = 0.05 * value if value >= 100 else 0.5  # "a hundred thousand" is a round number
    return value, step, True


def _kind(unit: str, number_text: str) -> Kind:
    unit = unit.lower().strip()
    if unit in ("%", "pp") or unit.startswith(("percent", "per cent", "point")):
        return "percent"
    if unit in ("x", "\u00d7", "times") or unit.endswith("fold"):
        return "ratio"
    if unit.endswith("hz") or unit == "fps" or unit.startswith("frame"):
        return "frequency"
    if re.fullmatch(r"hours?|hrs?|h|ms|msec|milliseconds?|s|secs?|seconds?|minutes?|min|days?", unit):
        return "duration"
    if re.fullmatch(r"[kmgt]i?b|bytes?", unit):
        return "size"
    if unit in ("million", "billion", "thousand") or re.search(
        r"\d\s?[kKmMbB]$|million|billion", number_text
    ):
        return "scale"
    return "plain"


_SECONDS = {"h": 3600.0, "hr": 3600.0, "hour": 3600.0, "ms": 0.001, "msec": 0.001, "millisecond": 0.001}
_SECONDS |= {"min": 60.0, "minute": 60.0, "day": 86400.0, "s": 1.0, "sec": 1.0, "second": 1.0}


def _in_base_unit(kind: Kind, unit: str, value: float) -> float:
    unit = unit.lower().rstrip("s") if len(unit) > 2 else unit.lower()
    if kind == "duration":
        return value * _SECONDS.get(unit, _SECONDS.get(unit.rstrip("s"), 1.0))
    if kind == "frequency" and unit.startswith("k"):
        return value * 1000
    if kind == "size":
        return value * {"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}.get(unit[:1], 1.0)
    if unit in ("million", "billion", "thousand"):
        return value * _SCALES[unit]
    return value


def _is_named(text: str, start: int, end: int, number: str, unit: str) -> bool:
    """A number glued to a name, or a year: not a figure a claim asserts."""
    before = text[max(0, start - 30) : start]
    if not unit and _NAME_BEFORE.search(before):
        return True
    if _NAME_AFTER.match(text, end) and not unit:
        return True
    plain = number.replace(",", "")
    return not unit and re.fullmatch(r"(?:19|20)\d\d", plain) is not None


def figures(text: str) -> list[Figure]:
    """Every figure stated in ``text``, in order (see the module docstring)."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_FACTOR, _WORD_FOLD):
        for match in pattern.finditer(text):
            if any(s <= match.start() < e or match.start() <= s < match.end() for s, e in taken):
                continue
            raw = match.group("value") if pattern is _FACTOR else match.group("word")
            value = float(raw) if raw[0].isdigit() else float(_word_value(raw) or 0)
            approx = " ".join(
                ((match.group("approx") or "") + (match.groupdict().get("inner") or "")).lower().split()
            )
            found.append(
                Figure(value, value, "ratio", approx, 0.5, text=match.group(0).strip(), start=match.start())
            )
            taken.append((match.start(), match.end()))
    for match in _FRACTION.finditer(text):
        if any(s <= match.start("numerator") < e for s, e in taken):
            continue
        fraction = match.group("fraction").lower().replace("halves", "half")
        value = _NUMERATORS[match.group("numerator").lower()] * _FRACTIONS[fraction]
        unit = match.group("unit")
        kind: Kind = "duration" if unit else "ratio"
        value = _in_base_unit(kind, unit, value) if unit else value
        approx = " ".join((match.group("approx") or "").lower().split())
        text_of = match.group(0).strip()
        found.append(Figure(value, value, kind, approx=approx, text=text_of, start=match.start("numerator")))
        taken.append((match.start(), match.end()))
    for match in _FIGURE.finditer(text):
        low_text, high_text = match.group("low"), match.group("high")
        unit = (match.group("unit") or match.group("glued") or "").strip().lstrip("-")
        low = _value(low_text)
        if low is None:
            continue
        high = _value(high_text) if high_text else None
        start = match.start("low")
        if any(s < match.end() and start < e for s, e in taken):
            continue
        words = low[2] and (high is None or high[2])
        before = text[max(0, match.start() - 12) : match.start()]
        number_text = low_text if high_text is None else high_text
        kind = _kind(unit, number_text)
        if kind == "plain" and high is not None and re.search(r"[kKmMbB]$", low_text.strip()):
            kind = "scale"
        low_value = _in_base_unit(kind, unit, low[0])
        high_value = _in_base_unit(kind, unit, high[0]) if high else low_value
        step = _in_base_unit(kind, unit, max(low[1], high[1] if high else 0.0))
        named = not high_text and _is_named(text, start, match.end("low"), low_text, unit)
        if high_text and not unit and _is_named(text, start, match.end("low"), low_text, unit):
            named = True
        common = {
            "kind": kind,
            "approx": " ".join((match.group("approx") or "").lower().split()),
            "step": step,
            "named": named,
            "weak": words and ((kind == "plain" and low[0] <= WEAK_WORDS) or bool(_VAGUE.search(before))),
            "text": match.group(0).strip(),
            "start": match.start("low"),
        }
        if high is not None and high_value < low_value:  # "from 8.3 to 1.4": two values, not a range
            found += [Figure(low_value, low_value, **common), Figure(high_value, high_value, **common)]
        else:
            found.append(Figure(low_value, high_value, **common))
        taken.append((match.start(), match.end()))
    for match in _PREFIXED.finditer(text):
        if not any(s <= match.start() < e for s, e in taken):
            value = float(match.group("value"))
            step = 0.5 * 10.0 ** -len(match.group("value").partition(".")[2])
            found.append(Figure(value, value, "ratio", step=step, text=match.group(0), start=match.start()))
            taken.append((match.start(), match.end()))
    for match in _STANDALONE.finditer(text):
        if any(s <= match.start("word") < e for s, e in taken):
            continue
        value = _MULTIPLIERS[match.group("word").lower()]
        approx = " ".join((match.group("approx") or "").lower().split())
        found.append(
            Figure(
                value, value, "ratio", approx=approx, text=match.group(0).strip(), start=match.start("word")
            )
        )
    return found
