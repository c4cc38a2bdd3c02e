"""TG-43 point-source dose for an HDR Ir-192 source (AAPM TG-43U1 1-D formalism).

Dose from one dwell of ``t`` seconds at distance ``r``::

    D(r) = S_k · Λ · (r0 / r)² · g(r) · φ_an · t / 3600          (cGy, S_k in U)

with ``r0`` = 1 cm, the dose-rate constant Λ = 1.109 cGy h⁻¹ U⁻¹ and the radial dose
function g(r) tabulated below: approximately the microSelectron mHDR-v2 values of
the AAPM/ESTRO HEBD consensus dataset (Perez-Calatayud et al., Med. Phys. 39 (2012)
2904), transcribed to three decimals without the published table at hand (within
about 1 % of it; check it before any quantitative use). g(1 cm) = 1 by definition.
Interpolated linearly in r, nearest value outside the table. The anisotropy is
the 1-D factor φ_an = 0.98. A teaching approximation, not a clinical calculation:
the line-source geometry and F(r, θ) are ignored. Within 2 mm of a dwell the dose
is held at its 2 mm value (no voxel holds the singularity).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["ANISOTROPY_FACTOR", "DOSE_RATE_CONSTANT", "MIN_DISTANCE_CM", "dwell_dose_gy",
           "radial_dose_function"]

FloatArray = NDArray[np.float64]

#: Λ, cGy h⁻¹ U⁻¹ (1 U = 1 µGy m² h⁻¹ = 1 cGy cm² h⁻¹).
DOSE_RATE_CONSTANT = 1.109
#: φ_an, the 1-D anisotropy factor.
ANISOTROPY_FACTOR = 0.98
MIN_DISTANCE_CM = 0.2

_G_R_CM = np.array([0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0])
_G_VALUE = np.array([0.992, 0.995, 0.998, 1.000, 1.002, 1.003, 1.004, 1.001, 0.996, 0.988,
                     0.965, 0.934])


def radial_dose_function(r_cm: FloatArray) -> FloatArray:
    """g(r) of Ir-192 (mHDR-v2 consensus values), interpolated linearly in r (cm)."""
    return np.interp(r_cm, _G_R_CM, _G_VALUE)


def dwell_dose_gy(points_mm: FloatArray, dwell_mm: FloatArray, dwell_s: float,
                  air_kerma_strength_u: float) -> FloatArray:
    """Dose (Gy) at points ``(N, 3)`` mm from one dwell at ``dwell_mm`` for ``dwell_s`` s.

    ``air_kerma_strength_u`` is S_k in U (µGy m² h⁻¹, the DICOM Reference Air Kerma Rate).
    """
    d = np.asarray(points_mm, dtype=np.float64) - np.asarray(dwell_mm, dtype=np.float64)
    r_cm = np.maximum(np.sqrt(np.einsum("ij,ij->i", d, d)) / 10.0, MIN_DISTANCE_CM)
    rate_cgy_per_h = (air_kerma_strength_u * DOSE_RATE_CONSTANT * radial_dose_function(r_cm)
                      * ANISOTROPY_FACTOR / r_cm**2)
    return rate_cgy_per_h * (dwell_s / 3600.0) / 100.0
