"""A simple pencil-beam scanning proton model for the demo plan (not a clinical engine).

Dose per MU of one spot of energy ``E`` at a point::

    D = N · D̂_E(WEPL) · G(u - u_s, v - v_s; σ_E) · (inverse square) · 1.602e-10 Gy/(MeV/g)

* ``D̂_E`` is Bortfeld's depth dose in water (:mod:`rtviewer.demo.bragg`), evaluated at
  the water-equivalent path length from the body surface along the ray from the
  virtual sources through the point: the CT numbers are turned into stopping-power
  ratios relative to water (:func:`stopping_power_ratio`) and summed along the ray.
* ``(u, v)`` is the point projected to the isocentre plane through the two virtual
  sources (Virtual Source-Axis Distances, X and Y, as the IEC gantry axes); ``G`` is a
  normalised 2-D Gaussian (per cm²) with the spot's σ in air at the isocentre and the
  multiple Coulomb scattering in the patient added in quadrature, taken at the layer's
  Bragg peak (2.2 % of its range, the order of Gottschalk's rule of thumb): the
  plateau's lateral penumbra is a little wider than a clinical engine's.
* ``N = 1e8`` protons per MU (the demo machine's calibration).

The spots of a field lie on a 6 mm square grid at the isocentre plane, its energy
layers 5 mm of water apart; a spot is placed where its Bragg peak falls inside the
target (grown laterally by one spot spacing). The spot weights give a uniform
physical dose to the target, each field alone (single-field uniform dose), by a
non-negative least-squares fit (multiplicative updates, Lee & Seung 2001).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.ndimage import gaussian_filter, map_coordinates

from rtviewer.core.iec61217 import BeamGeometry
from rtviewer.demo.bragg import MEV_PER_G_TO_GY, depth_dose, energy_mev, range_mm
from rtviewer.demo.phantom import CtGeometry
from rtviewer.demo.photon_dose import bilinear
from rtviewer.demo.shapes import Ellipsoid

__all__ = ["PROTONS_PER_MU", "RBE", "BeamFrame", "EnergyLayer", "ProtonField",
           "field_dose_gy", "optimise_weights", "plan_layers", "spot_sigma_in_air_mm",
           "spot_sigma_mm", "stopping_power_ratio"]

FloatArray = NDArray[np.float64]

#: Constant relative biological effectiveness of protons (ICRU Report 78): the plan
#: prescribes and the RT Dose stores RBE-weighted dose, 1.1 × the physical dose.
RBE = 1.1
PROTONS_PER_MU = 1.0e8
#: HU → relative stopping power, piecewise linear: air, fat, water, soft tissue, bone.
#: Shaped like a stoichiometric calibration (Schneider, Pedroni, Lomax 1996, Phys Med
#: Biol 41:111), not any scanner's.
HU_POINTS = (-1000.0, -120.0, 0.0, 60.0, 1500.0)
RSP_POINTS = (0.001, 0.93, 1.0, 1.05, 1.83)
SPOT_SPACING_MM = 6.0
#: Spots reach this far beyond the target, so its edge lies inside the field's shoulder
#: (the 95 % level sits about 1.6 σ inside the last row of spots).
SPOT_MARGIN_MM = 8.0
LAYER_SPACING_MM = 5.0
_LATTICE_MM = SPOT_SPACING_MM / 2  # spots on every second ray
_DEPTH_STEP_MM = 2.0


def stopping_power_ratio(hu: ArrayLike) -> NDArray[np.float32]:
    """Stopping power relative to water of CT numbers ``hu`` (see :data:`HU_POINTS`)."""
    return np.interp(np.asarray(hu, dtype=np.float64), HU_POINTS, RSP_POINTS).astype(np.float32)


def spot_sigma_in_air_mm(energy: float) -> float:
    """A spot's σ (mm) in air at the isocentre: 6.5 mm at 70 MeV to 3.0 mm at 230 MeV.

    The order of a modern scanning nozzle's; the plan states it as Scanning Spot Size.
    """
    return 6.5 - 3.5 * (energy - 70.0) / 160.0


def spot_sigma_mm(energy: float) -> float:
    """Lateral σ (mm) of a spot at its Bragg peak: σ in air ⊕ scattering (2.2 % of range)."""
    return float(np.hypot(spot_sigma_in_air_mm(energy), 0.022 * float(range_mm(energy))))


@dataclass(frozen=True)
class EnergyLayer:
    """One energy layer: nominal energy (MeV), spot positions ``(N, 2)`` mm, weights (MU)."""

    energy_mev: float
    spots_mm: FloatArray
    weights_mu: FloatArray

    @property
    def sigma_mm(self) -> float:
        """The layer's lateral spot σ at its Bragg peak (mm)."""
        return spot_sigma_mm(self.energy_mev)


@dataclass(frozen=True)
class ProtonField:
    """A scanned proton field: its number, name, angles and energy layers."""

    number: int
    name: str
    gantry_deg: float
    isocenter_mm: tuple[float, float, float]
    virtual_sad_mm: tuple[float, float]
    layers: tuple[EnergyLayer, ...]

    def geometry(self) -> BeamGeometry:
        """The IEC 61217 geometry, with the two virtual sources."""
        return BeamGeometry(gantry_deg=self.gantry_deg, isocenter_mm=self.isocenter_mm,
                            sad_mm=self.virtual_sad_mm[0], sad_y_mm=self.virtual_sad_mm[1])

    @property
    def meterset_mu(self) -> float:
        """The field's total meterset (MU), the sum of its spot weights."""
        return float(sum(layer.weights_mu.sum() for layer in self.layers))


class BeamFrame:
    """Water-equivalent path lengths on a lattice of rays of one field.

    The lattice has ``(u, v)`` at the isocentre plane every 3 mm (``half_width_mm``
    around the axis) and ``h`` (height above the isocentre along the beam axis,
    ``Zg``) every 2 mm from ``+reach_mm`` (upstream) to ``-reach_mm``.
    """

    def __init__(self, geometry: BeamGeometry, rsp: NDArray[np.float32], ct: CtGeometry,
                 half_width_mm: float, reach_mm: float) -> None:
        self.geometry = geometry
        self.sad = geometry.sad_xy_mm
        n = 2 * int(np.ceil(half_width_mm / (2 * _LATTICE_MM)))  # even: spot rays hit 0
        self.uv = _LATTICE_MM * np.arange(-n, n + 1, dtype=np.float64)
        self.h = np.arange(reach_mm, -reach_mm - 1e-9, -_DEPTH_STEP_MM)
        u, v, h = np.meshgrid(self.uv, self.uv, self.h, indexing="ij")
        patient = self._to_patient(u, v, h)
        index = [(patient[..., 2] - ct.origin_mm[2]) / ct.slice_mm,
                 (patient[..., 1] - ct.origin_mm[1]) / ct.pixel_mm,
                 (patient[..., 0] - ct.origin_mm[0]) / ct.pixel_mm]
        samples = map_coordinates(rsp, index, order=1, mode="constant", cval=0.0)
        # path length per step of h along each (slightly oblique) ray
        stretch = np.sqrt(1.0 + (u / self.sad[0]) ** 2 + (v / self.sad[1]) ** 2)
        step = samples * stretch * _DEPTH_STEP_MM
        self.wepl = np.cumsum(step, axis=2) - step / 2.0  # mm of water, at sample centres

    def _to_patient(self, u: FloatArray, v: FloatArray, h: FloatArray) -> FloatArray:
        gantry = np.stack([u * (1.0 - h / self.sad[0]), v * (1.0 - h / self.sad[1]), h], -1)
        return self.geometry.gantry_to_patient(gantry)

    def coordinates(self, points_mm: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(u, v, h)`` of patient points ``(N, 3)``: their isocentre-plane projection, height."""
        g = self.geometry.patient_to_gantry(points_mm)
        h = g[:, 2]
        return g[:, 0] * self.sad[0] / (self.sad[0] - h), g[:, 1] * self.sad[1] / (
            self.sad[1] - h), h

    def inverse_square(self, h: FloatArray) -> FloatArray:
        """Fluence gain at height ``h`` relative to the isocentre plane (two sources)."""
        return self.sad[0] / (self.sad[0] - h) * self.sad[1] / (self.sad[1] - h)

    def wepl_at(self, u: FloatArray, v: FloatArray, h: FloatArray) -> FloatArray:
        """WEPL (mm) at frame coordinates (trilinear on the lattice; deep water beyond it)."""
        index = [(u - self.uv[0]) / _LATTICE_MM, (v - self.uv[0]) / _LATTICE_MM,
                 (self.h[0] - h) / _DEPTH_STEP_MM]
        return map_coordinates(self.wepl, index, order=1, mode="nearest")


def plan_layers(frame: BeamFrame, target: Ellipsoid) -> list[tuple[float, FloatArray]]:
    """Energies (MeV, 0.1 MeV steps) and spot positions covering ``target`` in depth.

    Spots sit on the 6 mm grid (every second lattice ray) where the layer's range lies
    within the WEPL the ray spends in the target grown by :data:`SPOT_MARGIN_MM` (half a
    layer spacing of slack at each end); layers run from the deepest range down.
    """
    grown = target.grown(SPOT_MARGIN_MM)
    rays = frame.uv[::2]
    u, v, h = np.meshgrid(rays, rays, frame.h, indexing="ij")
    inside = grown.contains(frame._to_patient(u, v, h).reshape(-1, 3)).reshape(u.shape)
    wepl = frame.wepl[::2, ::2]
    entry = np.where(inside, wepl, np.inf).min(axis=2)
    exit_ = np.where(inside, wepl, -np.inf).max(axis=2)
    hit = np.isfinite(entry)
    layers = []
    deepest, shallowest = float(exit_[hit].max()), float(entry[hit].min())
    r = deepest
    while r >= shallowest - LAYER_SPACING_MM / 2:
        energy = round(float(energy_mev(r)), 1)
        reach = float(range_mm(energy))
        on = hit & (entry - LAYER_SPACING_MM / 2 <= reach) & (reach <= exit_ + LAYER_SPACING_MM / 2)
        iu, iv = np.nonzero(on)
        if iu.size:
            layers.append((energy, np.column_stack([rays[iu], rays[iv]])))
        r -= LAYER_SPACING_MM
    return layers


def _spot_kernel(sigma_mm: float) -> NDArray[np.float32]:
    """The fluence (per cm²) of 1 MU at the lattice centre, blurred as :func:`field_dose_gy`."""
    half = int(np.ceil(5.0 * sigma_mm / _LATTICE_MM)) + 1
    image = np.zeros((2 * half + 1, 2 * half + 1))
    image[half, half] = 1.0
    blurred = gaussian_filter(image, sigma_mm / _LATTICE_MM, mode="constant", truncate=5.0)
    return (blurred / (_LATTICE_MM / 10.0) ** 2).astype(np.float32)


def _unit_doses(frame: BeamFrame, layers: list[tuple[float, FloatArray]],
                points_mm: FloatArray) -> NDArray[np.float32]:
    """Physical dose (Gy per MU) of every spot at ``points_mm``: ``(N points, N spots)``.

    The same model as :func:`field_dose_gy` (lattice blur, bilinear lookup, depth-dose
    table), so the fitted weights give the dose the field then computes.
    """
    u, v, h = frame.coordinates(points_mm)
    wepl = frame.wepl_at(u, v, h)
    gain = frame.inverse_square(h) * PROTONS_PER_MU * MEV_PER_G_TO_GY
    columns = []
    for energy, spots in layers:
        kernel = _spot_kernel(spot_sigma_mm(energy))
        centre = (kernel.shape[0] - 1) / 2
        rows = ((u[:, None] - spots[None, :, 0]) / _LATTICE_MM + centre).astype(np.float32)
        cols = ((v[:, None] - spots[None, :, 1]) / _LATTICE_MM + centre).astype(np.float32)
        lateral = bilinear(kernel, rows.ravel(), cols.ravel()).reshape(rows.shape)
        columns.append(lateral * (depth_dose(wepl, energy) * gain).astype(np.float32)[:, None])
    return np.hstack(columns)


def _fit(a: NDArray[np.float32], w: NDArray[np.float32], dose_gy: float,
         iterations: int) -> NDArray[np.float32]:
    """``iterations`` multiplicative NNLS updates of ``w`` towards ``a @ w = dose_gy``."""
    # float32 keeps the spots' normal matrix in cache: the loop is its products
    normal = a.T @ a
    target = a.T @ np.full(a.shape[0], dose_gy, dtype=np.float32)
    w = w.copy()
    for _ in range(iterations):
        w *= target / np.maximum(normal @ w, np.float32(1e-30))
    return w


def optimise_weights(frame: BeamFrame, layers: list[tuple[float, FloatArray]],
                     points_mm: FloatArray, dose_gy: float,
                     iterations: int = 1000) -> list[EnergyLayer]:
    """Spot weights (MU) giving ``dose_gy`` (physical) to ``points_mm`` as evenly as possible.

    Non-negative least squares by multiplicative updates on the normal equations (the
    weights stay positive and the fit converges monotonically); spots left below 1 % of
    the largest weight are then dropped, as a delivery system's minimum would, and the
    rest refitted from where they were. Returns the layers that keep spots.
    """
    a = _unit_doses(frame, layers, points_mm)
    flat = np.full(a.shape[1], dose_gy / max(float(a.sum(axis=1).mean()), 1e-12),
                   dtype=np.float32)
    fitted = _fit(a, flat, dose_gy, iterations)
    keep = fitted >= 0.01 * fitted.max()
    weights = np.zeros(a.shape[1])
    weights[keep] = _fit(a[:, keep], fitted[keep], dose_gy, iterations // 3)
    out, start = [], 0
    for energy, spots in layers:
        w = weights[start:start + len(spots)]
        start += len(spots)
        on = w > 0
        if on.any():
            out.append(EnergyLayer(energy, spots[on], np.round(w[on], 4)))
    return out


def field_dose_gy(frame: BeamFrame, layers: tuple[EnergyLayer, ...],
                  points_mm: FloatArray) -> FloatArray:
    """Physical dose (Gy) of a field at patient points ``(N, 3)`` (zero off its lattice).

    Each layer's spots are laid on the lattice and blurred with the layer's σ (the
    fluence per cm² at the isocentre plane), looked up bilinearly at each point's
    projection, times the depth dose at its WEPL and the inverse square.
    """
    u, v, h = frame.coordinates(points_mm)
    dose = np.zeros(len(points_mm))
    edge = frame.uv[-1]
    on = np.flatnonzero((np.abs(u) < edge) & (np.abs(v) < edge))
    u, v, h = u[on], v[on], h[on]
    wepl = frame.wepl_at(u, v, h)
    rows = ((u - frame.uv[0]) / _LATTICE_MM).astype(np.float32)
    cols = ((v - frame.uv[0]) / _LATTICE_MM).astype(np.float32)
    gain = frame.inverse_square(h) * PROTONS_PER_MU * MEV_PER_G_TO_GY
    cell_cm2 = (_LATTICE_MM / 10.0) ** 2
    for layer in layers:
        image = np.zeros((frame.uv.size, frame.uv.size))
        iu = np.rint((layer.spots_mm[:, 0] - frame.uv[0]) / _LATTICE_MM).astype(int)
        iv = np.rint((layer.spots_mm[:, 1] - frame.uv[0]) / _LATTICE_MM).astype(int)
        np.add.at(image, (iu, iv), layer.weights_mu)
        fluence = gaussian_filter(image, layer.sigma_mm / _LATTICE_MM, mode="constant",
                                  truncate=5.0) / cell_cm2
        lateral = bilinear(fluence.astype(np.float32), rows, cols)
        dose[on] += lateral * depth_dose(wepl, layer.energy_mev) * gain
    return dose
