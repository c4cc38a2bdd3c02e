"""Linear-quadratic biologically effective dose (BED) and EQD2.

For ``n`` fractions of ``d`` Gy (Fowler, Br J Radiol 62:679 (1989); the GEC-ESTRO
recommendations for cervix brachytherapy, Pötter et al., Radiother Oncol 78:67 (2006))::

    BED  = n · d · (1 + d / (α/β))
    EQD2 = BED / (1 + 2 / (α/β))   = n · d · (d + α/β) / (2 + α/β)

No repair or repopulation term: HDR fractions are short against repair half-times.
"""

from __future__ import annotations

__all__ = ["bed_gy", "eqd2_gy", "ALPHA_BETA_TARGET_GY", "ALPHA_BETA_OAR_GY"]

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
