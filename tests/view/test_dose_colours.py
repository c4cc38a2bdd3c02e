"""The colourwash table and the scale's samples are the isodose scale's own colours.

They were built at import, one :func:`isodose_colour` call per entry (305 calls, about
25 ms of the window's start); now in one array call when first needed. The integers
must be the same: the test compares with the per-entry calls.
"""

from __future__ import annotations

import numpy as np

from rtviewer.view import dose_colours
from rtviewer.view.dose_colours import colourwash_rgba, isodose_colour, wash_lut


def _one_by_one(fractions: np.ndarray) -> np.ndarray:
    return np.array([isodose_colour(float(f)) for f in fractions], dtype=np.int64)


def test_wash_table_is_the_isodose_scale_entry_by_entry():
    for size in (2, 3, 64, 256, 1001):
        expected = _one_by_one(np.linspace(0.0, 1.1, size)).astype(np.uint8)
        table = wash_lut(size)
        assert table.dtype == np.uint8 and table.shape == (size, 3)
        assert np.array_equal(table, expected), size


def test_many_fractions_round_as_the_scalar_colour_does():
    # below, inside and above the scale, on every anchor and between them (ties included)
    rng = np.random.default_rng(3)
    fractions = np.concatenate([rng.uniform(-0.5, 1.6, 20000), np.linspace(0.0, 1.2, 12001),
                                dose_colours._ANCHORS[:, 0]])
    assert np.array_equal(dose_colours._scale_rgb(fractions), _one_by_one(fractions))


def test_scale_samples_are_plain_int_triples_of_the_scale():
    samples = dose_colours._scale_samples()
    assert list(samples) == [isodose_colour(f) for f in np.linspace(0.0, 1.2, 49)]
    assert all(type(c) is int for rgb in samples for c in rgb)


def test_colourwash_uses_the_scale_at_the_reference_dose():
    dose = np.array([[0.0, 10.0, 11.0, np.nan]], dtype=np.float32)
    rgba = colourwash_rgba(dose, reference_gy=10.0, threshold_gy=1.0, alpha=110)
    lut = wash_lut()
    assert rgba[0, 1, :3].tolist() == lut[int(1 / 1.1 * 255)].tolist()
    assert rgba[0, 2, :3].tolist() == lut[255].tolist()
    assert rgba[0, :, 3].tolist() == [0, 110, 110, 0]
