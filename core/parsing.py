"""Strict parsing of what arrives in query strings, forms and cookies.

``str.isdigit()`` and ``int()`` accept far more than a person types ("²", "٣", " 7", "+7", "1_000"),
so every id or number from a request goes through here: ASCII digits only, within bounds.
"""

import re

_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_positive_int(value, *, maximum=None):
    """The whole number ``value`` spells in ASCII digits (≥ 1, ≤ ``maximum``), else None."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    if number < 1 or (maximum is not None and number > maximum):
        return None
    return number


def parse_id(value):
    """A database id from a request (an AutoField is at most 2³¹ − 1 on PostgreSQL), else None."""
    return parse_positive_int(value, maximum=2**31 - 1)
