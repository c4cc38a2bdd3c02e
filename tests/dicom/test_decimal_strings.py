"""Bulk parsing of plain Decimal Strings: bit for bit what numpy.fromstring gives."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.dicom.decimal_strings import parse_plain_decimals


def _fromstring(joined: bytes) -> np.ndarray:
    return np.fromstring(joined, dtype=np.float64, sep="\\")


@pytest.mark.parametrize("pattern", ["%.2f", "%.6f", "%.4g", "%.1f", "%d", "%.10f", "%.0f"])
def test_random_values_are_identical_to_fromstring(pattern: str) -> None:
    rng = np.random.default_rng(13)
    numbers = np.concatenate([rng.uniform(-500, 500, 20_000), rng.uniform(-1, 1, 2_000),
                              rng.normal(0, 1e4, 2_000)])
    fields = [(pattern % x).encode() for x in numbers]
    fields = [f for f in fields if b"e" not in f]  # %g may write an exponent: not plain
    joined = b"\\".join(fields)
    parsed = parse_plain_decimals(joined)
    assert parsed is not None
    expected = _fromstring(joined)
    assert parsed.shape == expected.shape == (len(fields),)
    assert np.array_equal(parsed.view(np.int64), expected.view(np.int64))  # signs of zero too


def test_every_plain_form() -> None:
    joined = b"-0\\0\\.5\\5.\\-.25\\007\\123456789012345\\0.00000000000001\\-99999.9999"
    parsed = parse_plain_decimals(joined)
    assert parsed is not None
    assert np.array_equal(parsed.view(np.int64), _fromstring(joined).view(np.int64))
    assert parsed[0] == 0.0 and np.signbit(parsed[0])
    assert parsed[6] == 123456789012345.0


@pytest.mark.parametrize("joined", [
    b"", b"1e3", b"1E-2\\3", b"+1", b"1\\\\2", b"1\\", b"\\1", b"1 \\2", b" 1", b"1-2",
    b"--1", b"1.2.3", b"-", b".", b"-.", b"1234567890123456", b"nan", b"1\x00",
])
def test_anything_else_is_left_to_the_caller(joined: bytes) -> None:
    assert parse_plain_decimals(joined) is None
