"""Ids and numbers from requests: only what a person types as ASCII digits gets through."""

import pytest

from core.parsing import parse_id, parse_positive_int


@pytest.mark.parametrize("value, expected", [("1", 1), ("42", 42), ("007", 7), (str(2**31 - 1), 2**31 - 1)])
def test_ascii_digits_are_ids(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "²",  # passes str.isdigit(), fails int()
        "٣",  # Arabic-Indic three: int() accepts it
        "３",  # full-width three: int() accepts it too
        " 7",
        "7 ",
        "+7",
        "-1",
        "0",
        "1_000",
        "1e3",
        "7.0",
        "",
        "\x00",
        str(2**31),
        "9" * 400,
        None,
        7,
        ["7"],
    ],
)
def test_anything_else_is_no_id(value):
    assert parse_id(value) is None


def test_a_maximum_bounds_the_number():
    assert parse_positive_int("100", maximum=100) == 100
    assert parse_positive_int("101", maximum=100) is None
    assert parse_positive_int("99999") == 99999
