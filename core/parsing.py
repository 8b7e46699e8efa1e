"""Strict parsing of what arrives in query strings, forms and cookies.

``str.isdigit()`` and ``int()`` accept far more than a person types ("²", "٣", " 7", "+7", "1_000"),
so every id or number from a request goes through here: ASCII digits only, within bounds.
"""

import json
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


def parse_json_int(value, *, minimum=None, maximum=None):
    """``value`` (as ``json.loads`` gave it) if it is a whole number within bounds, else None.

    ``type(x) is int``: a bool is an int to Python and 1.5, 1e999 and NaN are floats, none of
    which is an id or a position."""
    if type(value) is not int:
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value


class UnreadableJSON(ValueError):
    """A request body that is not a small, plain JSON document."""


def _refuse_constant(name):
    raise UnreadableJSON(f"non-standard JSON constant {name}")


def json_depth(text):
    """How deeply arrays and objects nest in the JSON ``text`` (brackets inside strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def load_json(data, *, max_bytes, max_depth):
    """The JSON document in ``data`` (bytes or str), or UnreadableJSON when it is larger than
    ``max_bytes``, nests deeper than ``max_depth`` (the parser recurses, so deep nesting would
    raise RecursionError), is not UTF-8 or not JSON, or uses NaN or Infinity."""
    if len(data) > max_bytes:
        raise UnreadableJSON("too large")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise UnreadableJSON("not UTF-8") from None
    if json_depth(text) > max_depth:
        raise UnreadableJSON("nested too deeply")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:  # JSONDecodeError, or an integer longer than Python converts
        raise UnreadableJSON(str(error)) from None
