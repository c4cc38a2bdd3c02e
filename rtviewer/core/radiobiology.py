"""Linear-quadratic biologically effective dose (BED) and EQD2.

For ``n`` fractions of ``d`` Gy (Fowler, Br J Radiol 62:679 (1989); the GEC-ESTRO
recommendations for cervix brachytherapy, Pötter et al., Radiother Oncol 78:67 (2006))::

    BED  = n · d · (1 + d / (α/β))
    EQD2 = BED / (1 + 2 / (α/β))   = n · d · (d + α/β) / (2 + α/β)

No repair or repopulation term: HDR fractions are short against repair half-times.
"""

from __future__ import annotations

import math

__all__ = ["bed_gy", "eqd2_gy", "physical_from_bed_gy", "physical_from_eqd2_gy",
           "ALPHA_BETA_TARGET_GY", "ALPHA_BETA_OAR_GY"]

#: GEC-ESTRO defaults (Pötter et al. 2006): tumour α/β = 10 Gy, late-responding
#: organs at risk α/β = 3 Gy.
ALPHA_BETA_TARGET_GY = 10.0
ALPHA_BETA_OAR_GY = 3.0


def _check(dose_per_fraction_gy: float, fractions: float, alpha_beta_gy: float) -> None:
    if alpha_beta_gy <= 0:
        raise ValueError(f"α/β must be positive, got {alpha_beta_gy!r} Gy")
    if dose_per_fraction_gy < 0 or fractions < 0:
        raise ValueError("dose per fraction and number of fractions must not be negative")


def bed_gy(dose_per_fraction_gy: float, fractions: float, alpha_beta_gy: float) -> float:
    """BED (Gy) of ``fractions`` × ``dose_per_fraction_gy`` for ``alpha_beta_gy``."""
    _check(dose_per_fraction_gy, fractions, alpha_beta_gy)
    return fractions * dose_per_fraction_gy * (1.0 + dose_per_fraction_gy / alpha_beta_gy)


def eqd2_gy(dose_per_fraction_gy: float, fractions: float, alpha_beta_gy: float) -> float:
    """EQD2 (Gy): the dose in 2-Gy fractions with the same BED."""
    return bed_gy(dose_per_fraction_gy, fractions, alpha_beta_gy) / (1.0 + 2.0 / alpha_beta_gy)


def physical_from_bed_gy(bed: float, fractions: float, alpha_beta_gy: float) -> float:
    """The total physical dose (Gy) in ``fractions`` equal fractions whose BED is ``bed``.

    The positive root of ``D² / (n·α/β) + D − BED = 0`` (the inverse of :func:`bed_gy`
    for a total dose ``D = n·d``); used to turn an EQD2/BED dose threshold of a
    clinical goal into the physical dose of a plan's DVH.
    """
    _check(0.0, fractions, alpha_beta_gy)
    if bed <= 0 or fractions <= 0:
        return 0.0
    scale = fractions * alpha_beta_gy
    return 0.5 * scale * (math.sqrt(1.0 + 4.0 * bed / scale) - 1.0)


def physical_from_eqd2_gy(eqd2: float, fractions: float, alpha_beta_gy: float) -> float:
    """The total physical dose (Gy) in ``fractions`` fractions whose EQD2 is ``eqd2``."""
    return physical_from_bed_gy(eqd2 * (1.0 + 2.0 / alpha_beta_gy), fractions, alpha_beta_gy)
