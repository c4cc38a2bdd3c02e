"""The readable table of ``rtviewer dvh``: padded names, right-aligned fixed-decimal numbers."""

import re

import numpy as np

from rtviewer.cli.dvh_table import compute_rows, readable_table
from rtviewer.core.grid import Grid


def _square(z_mm: float, half_mm: float) -> np.ndarray:
    return np.array([[-half_mm, -half_mm, z_mm], [half_mm, -half_mm, z_mm],
                     [half_mm, half_mm, z_mm], [-half_mm, half_mm, z_mm]])


def _rows():
    # 1 mm grid centred on the origin, uniform 2.5 Gy: every dose statistic is 2.50 Gy.
    affine = np.eye(4)
    affine[:3, 3] = -20.0
    grid = Grid(affine, (41, 41, 41))
    dose_gy = np.full(grid.shape, 2.5)
    rois = [(1, "PTV", [_square(z, 5.0) for z in range(-5, 5)]),
            (12, "肺 left lung", [_square(z, 2.0) for z in range(0, 3)]),
            (3, "empty", [])]
    return compute_rows(rois, dose_gy, grid)


def _width(text: str) -> int:
    return sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in text)


def test_columns_line_up_in_terminal_columns_with_fixed_decimals():
    lines = readable_table(_rows()).splitlines()
    header, body, footer = lines[0], lines[1:-1], lines[-1]
    assert [line.split()[0] for line in body] == ["1", "3", "12"]  # ROI Number order
    # one width for every line, counting the CJK character as two terminal columns
    assert {_width(line) for line in body} == {_width(header)}
    # each number ends where its heading ends (right-aligned)
    heads = [m for m in re.finditer(r"\S+", header)][1:]
    assert [m.group() for m in heads[:2]] == ["Volume", "cc"]
    ptv = body[0]
    assert ([m.end() for m in re.finditer(r"\S+", ptv)][2:]
            == [m.end() for m in heads[1:]])
    cells = ptv.split()[2:]
    volume, doses = cells[0], cells[1:]
    # 10 planes of a 10 mm square, slab model with end caps: 10 x 10 x 10 mm = 1 cc
    assert volume == "1.000"
    assert doses == ["2.50"] * 11
    # a structure without contours has its volume and "-" for every undefined statistic
    assert body[1].split()[2:] == ["0.000"] + ["-"] * 11
    # 3 planes of a 4 mm square: 4 x 4 x 3 mm = 0.048 cc, name padded by display width
    assert body[2].split()[4:5] == ["0.048"]
    assert "2 decimals" in footer and "3 decimals" in footer


def test_v_levels_asked_for_are_columns_of_the_text_table():
    from rtviewer.cli.dvh_table import Levels

    levels = Levels(vgy=(2.0, 3.0), vpct=(40.0,), reference_gy=5.0, piv_cc=None,
                    reference_label="user")
    lines = readable_table(_rows(), levels).splitlines()
    header = lines[0]
    assert header.endswith("V2Gy cc  V2Gy %  V3Gy cc  V3Gy %  V40% cc  V40% %")
    # uniform 2.5 Gy: all of the 1 cc PTV gets >= 2 Gy and >= 40 % of 5 Gy, none >= 3 Gy
    ptv = lines[1].split()
    assert ptv[-6:] == ["1.000", "100.00", "0.000", "0.00", "1.000", "100.00"]
    assert len(lines[1]) == len(header)  # right-aligned under their headings
    assert lines[-1] == "V% levels: % of 5 Gy (user)"
    # without --vpct's reference the % columns are undefined, and the table says why
    bare = readable_table(_rows(), Levels(vpct=(40.0,))).splitlines()
    assert bare[1].split()[-2:] == ["-", "-"]
    assert "no reference dose" in bare[-1]
