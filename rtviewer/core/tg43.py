"""AAPM TG-43U1 2-D dose formalism for HDR/PDR line sources, with the consensus datasets.

Dose rate at a point ``r`` cm from the source centre, at polar angle ``θ`` from the
source's long axis (TG-43U1, Rivard et al., Med Phys 31:633 (2004), eq. 1)::

    Ḋ(r, θ) = S_K · Λ · G_L(r, θ) / G_L(r0, θ0) · g_L(r) · F(r, θ)      (cGy h⁻¹)

with S_K in U (1 U = 1 µGy m² h⁻¹ = 1 cGy cm² h⁻¹, numerically the DICOM Reference Air
Kerma Rate in µGy h⁻¹ at 1 m), Λ in cGy h⁻¹ U⁻¹, r0 = 1 cm, θ0 = 90° and the line-source
geometry function ``G_L = β / (L r sin θ)`` (``1 / (r² − L²/4)`` on the axis), β the
angle the active length L subtends at the point.

The tables Λ, L, g_L(r), F(r, θ) are the AAPM/ESTRO HEBD consensus datasets
(Perez-Calatayud et al., Med Phys 39:2904 (2012)) in ``tg43_sources.json``, read cell
by cell from the consensus spreadsheets by ``scripts/make_tg43_data.py`` (the file names
the sheet and cells of each table). Interpolation and extrapolation follow TG-43U1 and
the HEBD report:

- g_L(r): linear in r between tabulated points; below the first tabulated r, the first
  value (nearest neighbour, as the consensus sheets' own r = 0 row); beyond the last,
  log-linear extrapolation from the last two points.
- F(r, θ): bilinear in (r, θ) (hand-written, :func:`_cell`); outside the tabulated r
  range, the nearest tabulated r (the report's nearest-neighbour rule at small r; the
  sheets reach 10 cm).

Points closer to the source centre than :func:`minimum_distance_cm` (inside or at the
end of the active core, where G_L is singular) get the dose at that distance along the
same direction: no voxel or point holds the singularity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

__all__ = ["Tg43Source", "source_names", "load_source", "identify_source",
           "geometry_function", "radial_dose_function", "anisotropy_function",
           "dose_rate_cgy_per_h", "dose_rate_at_cgy_per_h", "dwell_dose_gy",
           "minimum_distance_cm", "R0_CM"]

FloatArray = NDArray[np.float64]

#: Reference distance r0 (cm) at θ0 = 90°.
R0_CM = 1.0
_DATA_FILE = "tg43_sources.json"
#: Floor on r (cm) beyond the end of the active length, where G_L stays finite.
_END_MARGIN_CM = 0.05
_MIN_R_CM = 0.1


@dataclass(frozen=True, eq=False)
class Tg43Source:
    """One source's TG-43U1 consensus dataset.

    ``g_r_cm``/``g_l`` is the radial dose function table; ``f_r_cm`` (cm),
    ``f_theta_deg`` (degrees) and ``f_table`` ``(len(theta), len(r))`` the 2-D anisotropy
    function. ``citation`` names the workbook and sheet the numbers were read from.
    """

    key: str
    name: str
    isotope: str
    aliases: tuple[str, ...]
    dose_rate_constant_cgy_per_h_per_u: float
    active_length_cm: float
    g_r_cm: FloatArray = field(repr=False)
    g_l: FloatArray = field(repr=False)
    f_r_cm: FloatArray = field(repr=False)
    f_theta_deg: FloatArray = field(repr=False)
    f_table: FloatArray = field(repr=False)
    citation: str = field(repr=False)



@cache
def _data() -> dict[str, dict[str, object]]:
    text = resources.files("rtviewer.core").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    sources: dict[str, dict[str, object]] = json.loads(text)["sources"]
    return sources


def source_names() -> tuple[str, ...]:
    """Keys of the sources with a consensus dataset, sorted."""
    return tuple(sorted(_data()))


def _floats(values: object) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    array.setflags(write=False)
    return array


@cache
def load_source(key: str) -> Tg43Source:
    """The consensus dataset of source ``key`` (one of :func:`source_names`).

    Raises
    ------
    KeyError
        ``key`` has no dataset; the message lists the ones there are.
    """
    try:
        raw = _data()[key]
    except KeyError:
        raise KeyError(f"no TG-43 dataset for {key!r}; have {', '.join(source_names())}") \
            from None
    g = raw["radial_dose_function"]
    f = raw["anisotropy_function"]
    assert isinstance(g, dict) and isinstance(f, dict)
    aliases = raw["aliases"]
    assert isinstance(aliases, list)
    return Tg43Source(
        key=key, name=str(raw["name"]), isotope=str(raw["isotope"]),
        aliases=tuple(str(a) for a in aliases),
        dose_rate_constant_cgy_per_h_per_u=float(str(raw["dose_rate_constant_cgy_per_h_per_u"])),
        active_length_cm=float(str(raw["active_length_cm"])),
        g_r_cm=_floats(g["r_cm"]), g_l=_floats(g["g_L"]),
        f_r_cm=_floats(f["r_cm"]), f_theta_deg=_floats(f["theta_deg"]),
        f_table=_floats(f["F"]),
        citation=(f"AAPM/ESTRO HEBD consensus data (Perez-Calatayud et al., Med Phys 39:2904 "
                  f"(2012)), {raw['workbook']} sheet '{raw['sheet']}'"))


def identify_source(*descriptions: str | None) -> Tg43Source | None:
    """The dataset whose alias occurs in one of ``descriptions`` (case-insensitive), if any.

    ``descriptions`` are what a plan says of its source: Source Type / Model ID /
    Source Description, Isotope Name, manufacturer. The longest matching alias wins.
    """
    text = " ".join(d.lower() for d in descriptions if d)
    best: tuple[int, str] | None = None
    for key in source_names():
        for alias in load_source(key).aliases:
            if alias in text and (best is None or len(alias) > best[0]):
                best = (len(alias), key)
    return None if best is None else load_source(best[1])


def minimum_distance_cm(source: Tg43Source) -> float:
    """Closest distance (cm) from the source centre at which the dose is evaluated."""
    return max(_MIN_R_CM, source.active_length_cm / 2.0 + _END_MARGIN_CM)


def geometry_function(r_cm: FloatArray, theta_rad: FloatArray, length_cm: float) -> FloatArray:
    """Line-source geometry function G_L(r, θ) (cm⁻²), TG-43U1 eq. 4."""
    r = np.asarray(r_cm, dtype=np.float64)
    theta = np.asarray(theta_rad, dtype=np.float64)
    return _geometry_zy(r * np.cos(theta), r * np.sin(theta), length_cm)


def _geometry_zy(z: FloatArray, y: FloatArray, length_cm: float) -> FloatArray:
    """G_L at ``z`` cm along the axis and ``y`` cm (≥ 0) away from it.

    β, the angle the line subtends, is ``atan2(L y, y² + z² − L²/4)`` (the angle between
    the vectors to the two ends: their cross and dot products), one arctangent that stays
    accurate near the axis; on the axis (``y`` below 1 µm) the limit ``1 / (z² − L²/4)``.
    """
    half_sq = (length_cm / 2.0) ** 2
    on_axis = y < 1e-4
    y_safe = np.where(on_axis, 1.0, y)
    beta = np.arctan2(length_cm * y_safe, y_safe * y_safe + z * z - half_sq)
    off_axis = beta / (length_cm * y_safe)
    axis = 1.0 / np.maximum(z * z - half_sq, 1e-12)
    return np.where(on_axis, axis, off_axis)


def radial_dose_function(source: Tg43Source, r_cm: FloatArray) -> FloatArray:
    """g_L(r): linear inside the table, nearest below it, log-linear beyond it."""
    r = np.asarray(r_cm, dtype=np.float64)
    table_r, table_g = source.g_r_cm, source.g_l
    inside = np.interp(r, table_r, table_g)  # holds the end values outside
    slope = (np.log(table_g[-1]) - np.log(table_g[-2])) / (table_r[-1] - table_r[-2])
    beyond = table_g[-1] * np.exp(slope * (r - table_r[-1]))
    return np.where(r > table_r[-1], beyond, inside)


def anisotropy_function(source: Tg43Source, r_cm: FloatArray,
                        theta_rad: FloatArray) -> FloatArray:
    """F(r, θ): bilinear in (θ, r), nearest tabulated r outside the r range."""
    r = np.clip(np.asarray(r_cm, dtype=np.float64), source.f_r_cm[0], source.f_r_cm[-1])
    theta_deg = np.clip(np.degrees(np.asarray(theta_rad, dtype=np.float64)),
                        source.f_theta_deg[0], source.f_theta_deg[-1])
    i, ti = _cell(source.f_theta_deg, theta_deg)
    j, tj = _cell(source.f_r_cm, r)
    table = source.f_table
    low = table[i, j] * (1.0 - tj) + table[i, j + 1] * tj
    high = table[i + 1, j] * (1.0 - tj) + table[i + 1, j + 1] * tj
    return np.asarray(low * (1.0 - ti) + high * ti, dtype=np.float64)


def _cell(axis: FloatArray, values: FloatArray) -> tuple[NDArray[np.intp], FloatArray]:
    """Index of the table cell holding each value (clipped inside) and the fraction in it.

    Hand-written rather than scipy's RegularGridInterpolator: the same bilinear weights
    at a third of the cost on the 10⁵-point grids of a 3-D brachy dose.
    """
    index = np.clip(np.searchsorted(axis, values, side="right") - 1, 0, len(axis) - 2)
    start = axis[index]
    return index, (values - start) / (axis[index + 1] - start)


def dose_rate_cgy_per_h(source: Tg43Source, r_cm: FloatArray, theta_rad: FloatArray,
                        air_kerma_strength_u: float = 1.0) -> FloatArray:
    """Ḋ(r, θ) in cGy h⁻¹ for S_K = ``air_kerma_strength_u`` U (TG-43U1 eq. 1).

    ``r_cm`` below :func:`minimum_distance_cm` is raised to it (same θ).
    """
    r = np.asarray(r_cm, dtype=np.float64)
    theta = np.asarray(theta_rad, dtype=np.float64)
    return _rate_zy(source, r * np.cos(theta), r * np.abs(np.sin(theta)), air_kerma_strength_u)


def _rate_zy(source: Tg43Source, z_cm: FloatArray, y_cm: FloatArray,
             air_kerma_strength_u: float) -> FloatArray:
    """Ḋ (cGy h⁻¹) at ``z`` along the axis (towards the tip) and ``y`` ≥ 0 away from it."""
    z, y = np.broadcast_arrays(np.asarray(z_cm, dtype=np.float64),
                               np.asarray(y_cm, dtype=np.float64))
    r = np.hypot(z, y)
    r_min = minimum_distance_cm(source)
    near = r < r_min
    if np.any(near):  # same direction at r_min; the centre itself on the transverse plane
        scale = np.where(near, r_min / np.maximum(r, 1e-300), 1.0)
        centre = r == 0.0
        z = np.where(centre, 0.0, z * scale)
        y = np.where(centre, r_min, y * scale)
        r = np.maximum(r, r_min)
    length = source.active_length_cm
    g0 = _geometry_zy(np.array(0.0), np.array(R0_CM), length)
    theta = np.arctan2(y, z)
    return (air_kerma_strength_u * source.dose_rate_constant_cgy_per_h_per_u
            * _geometry_zy(z, y, length) / g0
            * radial_dose_function(source, r) * anisotropy_function(source, r, theta))


def dose_rate_at_cgy_per_h(source: Tg43Source, points_mm: FloatArray, centre_mm: FloatArray,
                           axis: FloatArray, air_kerma_strength_u: float = 1.0) -> FloatArray:
    """Ḋ (cGy h⁻¹) at ``points_mm`` ``(N, 3)`` from a source at ``centre_mm`` ``(3,)``.

    ``axis`` ``(3,)`` is the source's long axis pointing from its cable end to its tip
    (θ = 0° towards the tip, the consensus tables' convention). Coordinates in any one
    right-handed frame, in mm (DICOM patient coordinates). An axis with a NaN (orientation
    unknown) puts every point on the transverse plane (θ = 90°).
    """
    d_cm = (np.asarray(points_mm, dtype=np.float64).reshape(-1, 3)
            - np.asarray(centre_mm, dtype=np.float64)) / 10.0
    r_sq = np.einsum("ij,ij->i", d_cm, d_cm)
    unit = np.asarray(axis, dtype=np.float64)
    if not np.all(np.isfinite(unit)):
        return _rate_zy(source, np.zeros_like(r_sq), np.sqrt(r_sq), air_kerma_strength_u)
    z = d_cm @ (unit / np.linalg.norm(unit))
    y = np.sqrt(np.maximum(r_sq - z * z, 0.0))
    return _rate_zy(source, z, y, air_kerma_strength_u)


def dwell_dose_gy(source: Tg43Source, points_mm: FloatArray, dwells_mm: FloatArray,
                  axes: FloatArray, dwell_times_s: FloatArray,
                  air_kerma_strength_u: float) -> FloatArray:
    """Dose (Gy) at ``points_mm`` ``(N, 3)`` from dwells ``(M, 3)`` mm of ``dwell_times_s``.

    ``axes`` ``(M, 3)``: each dwell's source axis (see :func:`dose_rate_at_cgy_per_h`);
    ``air_kerma_strength_u``: S_K (U) at the time of the treatment.
    """
    points = np.asarray(points_mm, dtype=np.float64).reshape(-1, 3)
    total_cgy = np.zeros(len(points))
    for centre, axis, seconds in zip(np.asarray(dwells_mm, dtype=np.float64).reshape(-1, 3),
                                     np.asarray(axes, dtype=np.float64).reshape(-1, 3),
                                     np.asarray(dwell_times_s, dtype=np.float64).ravel(),
                                     strict=True):
        if seconds > 0.0:
            total_cgy += dose_rate_at_cgy_per_h(source, points, centre, axis,
                                                air_kerma_strength_u) * (seconds / 3600.0)
    return total_cgy / 100.0
