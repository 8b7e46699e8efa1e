"""Ids and numbers from requests: only what a person types as ASCII digits gets through."""

import pytest

from core.parsing import UnreadableJSON, load_json, parse_id, parse_json_int, parse_positive_int


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


@pytest.mark.parametrize("value", [True, False, 1.0, 1.5, float("inf"), float("nan"), "1", [1], {"a": 1}, None])
def test_a_json_int_is_an_int_and_nothing_python_would_coerce(value):
    assert parse_json_int(value) is None


def test_a_json_int_is_bounded():
    assert parse_json_int(3, minimum=1, maximum=3) == 3
    assert parse_json_int(0, minimum=1) is None
    assert parse_json_int(10**30, maximum=2**31 - 1) is None


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 5000 + b"]" * 5000,  # json.loads would raise RecursionError
        b'{"a": [[[[1]]]]}',
        b"NaN",
        b'{"a": Infinity}',
        b"-Infinity",
        b"1" * 5000,  # longer than Python converts to an int
        b"\xff\xfe",
        b"{",
        b"x" * 101,
    ],
)
def test_load_json_refuses_what_is_not_small_plain_json(data):
    with pytest.raises(UnreadableJSON):
        load_json(data, max_bytes=100 if len(data) == 101 else 10**6, max_depth=3)


def test_load_json_reads_brackets_inside_strings_as_text():
    assert load_json('{"a": "[[[[[["}', max_bytes=100, max_depth=1) == {"a": "[[[[[["}
