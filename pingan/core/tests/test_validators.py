"""Ids from URLs and query strings."""

import pytest

from pingan.core.validators import parse_pk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("007", 7),
        (str(2**63 - 1), 2**63 - 1),
        (12, 12),
        (str(2**63), None),  # past a 64-bit integer column
        ("¹¹", None),  # isdigit() is true, int() refuses
        ("٣", None),  # an Arabic-Indic digit: int() would accept it
        ("1.5", None),
        ("-1", None),
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_pk_takes_ascii_digits_within_64_bits_only(text, expected):
    assert parse_pk(text) == expected
