"""The TG-43U1 2-D engine against the AAPM/ESTRO consensus data it is built from.

The tables come from ``rtviewer/core/tg43_sources.json``; when the consensus spreadsheets
are in the workspace (``../shared/reference/tg43-consensus``) and xlrd is installed, the
committed file is checked against a fresh read of them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from rtviewer.core import tg43

SOURCES = ("mHDR-v2", "GammaMed Plus HDR", "GammaMed Plus PDR")
REFERENCE = Path(os.environ.get("RTVIEWER_TEST_DATA", "/work/shared/data")).parent \
    / "reference" / "tg43-consensus"
DATA = json.loads((Path(tg43.__file__).parent / "tg43_sources.json").read_text())["sources"]


def test_the_data_file_is_a_fresh_read_of_the_consensus_spreadsheets():
    pytest.importorskip("xlrd")
    if not REFERENCE.is_dir():
        pytest.skip(f"{REFERENCE} not here")
    import importlib.util
    script = Path(__file__).parents[2] / "scripts" / "make_tg43_data.py"
    spec = importlib.util.spec_from_file_location("make_tg43_data", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (Path(tg43.__file__).parent / "tg43_sources.json").read_text()
    assert module.render(module.build(REFERENCE)) == committed


@pytest.mark.parametrize("key", SOURCES)
def test_every_table_names_its_cells(key):
    raw = DATA[key]
    assert raw["dose_rate_constant_cell"] == "C5" and raw["active_length_cell"] == "C10"
    assert ":" in raw["radial_dose_function"]["g_L_cells"]
    assert ":" in raw["anisotropy_function"]["F_cells"]
    assert "2904" in tg43.load_source(key).citation or "Perez" in tg43.load_source(key).citation


@pytest.mark.parametrize("key", SOURCES)
def test_lambda_g_f_re_derived_at_every_tabulated_point(key):
    """At a tabulated (r, θ) the engine returns Λ · G_L/G_L(1 cm, 90°) · g_L(r) · F(r, θ)
    with g_L and F read straight from the table (no interpolation in play)."""
    source = tg43.load_source(key)
    raw = DATA[key]
    g_of = dict(zip(raw["radial_dose_function"]["r_cm"], raw["radial_dose_function"]["g_L"],
                    strict=True))
    table = raw["anisotropy_function"]
    length = raw["active_length_cm"]
    g0 = tg43.geometry_function(np.array(1.0), np.array(np.pi / 2), length)
    checked = 0
    for i, theta in enumerate(table["theta_deg"]):
        for j, r in enumerate(table["r_cm"]):
            if r not in g_of or r < tg43.minimum_distance_cm(source):
                continue
            th = np.radians(theta)
            expected = (raw["dose_rate_constant_cgy_per_h_per_u"]
                        * tg43.geometry_function(np.array(r), np.array(th), length) / g0
                        * g_of[r] * table["F"][i][j])
            got = tg43.dose_rate_cgy_per_h(source, np.array([r]), np.array([th]))[0]
            assert got == pytest.approx(float(expected), rel=1e-12), (theta, r)
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("key", SOURCES)
def test_one_u_at_one_cm_on_the_transverse_axis_is_lambda(key):
    source = tg43.load_source(key)
    rate = tg43.dose_rate_cgy_per_h(source, np.array([1.0]), np.array([np.pi / 2]))[0]
    assert rate == pytest.approx(DATA[key]["dose_rate_constant_cgy_per_h_per_u"], rel=1e-12)


def test_mhdr_v2_lambda_is_the_checked_1_1094():
    # ../shared/reference/README.md: "1.1094 cGy h⁻¹ per U at 1 cm on the transverse axis"
    assert tg43.load_source("mHDR-v2").dose_rate_constant_cgy_per_h_per_u == \
        pytest.approx(1.1094, abs=5e-5)


def _qa_points(key):
    qa = DATA[key]["qa_along_away"]
    for i, z in enumerate(qa["z_cm"]):
        for j, y in enumerate(qa["y_cm"]):
            if y == 0.0 and z == 0.0:
                continue
            yield z, y, qa["dose_rate_cgy_per_h_per_u"][i][j]


def _engine(key, z, y):
    return tg43.dose_rate_cgy_per_h(tg43.load_source(key), np.array([np.hypot(y, z)]),
                                    np.array([np.arctan2(y, z)]))[0]


@pytest.mark.parametrize("key", SOURCES)
def test_transverse_and_along_axis_dose_for_1_u_1_h_within_half_a_percent(key):
    """The consensus QA along-away table, 1 U for 1 h, on the transverse axis (z = 0) and
    along the source axis (y = 0) from 1 cm to 7 cm: within 0.5 %."""
    checked = 0
    for z, y, expected in _qa_points(key):
        if (z == 0.0 or y == 0.0) and np.hypot(y, z) >= 1.0:
            assert _engine(key, z, y) == pytest.approx(expected, rel=0.005), (z, y)
            checked += 1
    assert checked == 6 + 2 * 9  # y = 1..7 on the transverse axis, z = ±1..±7 along it


@pytest.mark.parametrize("key", SOURCES)
def test_whole_along_away_table(key):
    """Every point of the QA table from 1 cm on within 0.5 %; nearer the source within
    1 % (the QA table comes from the Monte Carlo data directly: at z = ±0.5 cm on the
    mHDR-v2 axis, F between the tabulated 0.4 and 0.75 cm is 0.87 % off it)."""
    for z, y, expected in _qa_points(key):
        tolerance = 0.005 if np.hypot(y, z) >= 1.0 else 0.01
        assert _engine(key, z, y) == pytest.approx(expected, rel=tolerance), (z, y)


def test_old_demo_point_source_was_off_by_what_the_issue_says():
    """The 1-D point source with φ_an = 0.98 the demo used read −2 % at 1 cm and +54 %
    along the axis at 1 cm against the mHDR-v2 consensus data."""
    line = _engine("mHDR-v2", 0.0, 1.0)
    old = 1.109 * 1.0 * 0.98
    assert old / line - 1 == pytest.approx(-0.02, abs=0.002)
    along = _engine("mHDR-v2", 1.0, 0.0)  # 1 cm beyond the tip
    assert old / along - 1 == pytest.approx(0.54, abs=0.03)


def test_g_l_extrapolates_log_linearly_beyond_the_table_and_holds_below():
    source = tg43.load_source("mHDR-v2")
    r, g = source.g_r_cm, source.g_l
    assert tg43.radial_dose_function(source, np.array([0.01]))[0] == g[0]
    slope = np.log(g[-1] / g[-2]) / (r[-1] - r[-2])
    got = tg43.radial_dose_function(source, np.array([12.0]))[0]
    assert got == pytest.approx(g[-1] * np.exp(slope * 2.0), rel=1e-12)
    assert got < g[-1]


def test_f_uses_the_nearest_r_outside_the_table():
    source = tg43.load_source("GammaMed Plus HDR")
    theta = np.radians(np.array([10.0]))
    assert tg43.anisotropy_function(source, np.array([0.05]), theta)[0] == \
        tg43.anisotropy_function(source, np.array([source.f_r_cm[0]]), theta)[0]
    assert tg43.anisotropy_function(source, np.array([15.0]), theta)[0] == \
        tg43.anisotropy_function(source, np.array([10.0]), theta)[0]


def test_geometry_function_tends_to_the_axis_value_and_to_inverse_square():
    length = 0.35
    near_axis = tg43.geometry_function(np.array(2.0), np.array(1e-7), length)
    assert near_axis == pytest.approx(1.0 / (4.0 - length**2 / 4.0), rel=1e-9)
    far = tg43.geometry_function(np.array(100.0), np.array(0.7), length)
    assert far == pytest.approx(1e-4, rel=1e-5)


def test_dwell_dose_sums_dwells_and_scales_with_time_and_strength():
    source = tg43.load_source("mHDR-v2")
    point = np.array([[10.0, 0.0, 0.0]])
    axis = np.array([[0.0, 0.0, 1.0]] * 2)
    one = tg43.dwell_dose_gy(source, point, np.zeros((1, 3)), axis[:1], np.array([3600.0]),
                             40000.0)[0]
    assert one == pytest.approx(40000 * 1.10942 / 100, rel=1e-9)
    two = tg43.dwell_dose_gy(source, point, np.array([[0, 0, -5.0], [0, 0, 5.0]]), axis,
                             np.array([1800.0, 1800.0]), 40000.0)[0]
    # the point is 5 mm towards the tip of the first dwell and 5 mm behind the second
    rate = (_engine("mHDR-v2", 0.5, 1.0) + _engine("mHDR-v2", -0.5, 1.0)) / 2
    assert two == pytest.approx(40000 * rate / 100, rel=1e-9)
