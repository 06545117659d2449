"""Digits as people type them, in any script."""

from __future__ import annotations

import unicodedata


def ascii_digits(text: str) -> str:
    """Return `text` with the decimal digits of every script written as 0-9.

    Arabic-Indic (٠١٢…) and Persian (۰۱۲…) digits, full-width digits and the
    digits of other scripts become ASCII; every other character is kept.
    """
    return "".join(_ascii_digit(char) for char in text)


def _ascii_digit(char: str) -> str:
    digit = unicodedata.decimal(char, None)
    return char if digit is None else str(digit)
