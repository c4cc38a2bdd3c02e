"""GEC-ESTRO dose-volume parameters and EQD2 for image-guided cervix brachytherapy.

Pötter et al., Radiother Oncol 78:67-77 (2006) (GEC-ESTRO recommendations II): for the
targets (HR-CTV, IR-CTV) D90 and D98, the minimum dose to the hottest 90 % / 98 % of the
volume, and V100 (and V150, V200: the volume receiving 1, 1.5, 2 × the prescribed dose);
for the organs at risk D2cc and D0.1cc, the minimum dose to the hottest 2 cc / 0.1 cc.
Each is reported per fraction and as EQD2 over the planned fractions (linear-quadratic,
α/β = 10 Gy for targets and 3 Gy for organs at risk, editable), to which an external-beam
EQD2 can be added, as the recommendations sum them.

A structure is a target or an organ at risk by its name (HR-CTV, IR-CTV, GTV, CTV;
bladder, rectum, sigmoid, bowel) or else by its RT ROI Interpreted Type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rtviewer.core.dvh import Dvh
from rtviewer.core.dvh_metrics import (
    dose_at_volume_cc,
    dose_at_volume_percent,
    volume_at_dose_gy,
)
from rtviewer.core.radiobiology import ALPHA_BETA_OAR_GY, ALPHA_BETA_TARGET_GY, eqd2_gy

__all__ = ["EqdSettings", "RoiMetrics", "roi_role", "roi_metrics"]

_TARGET = re.compile(r"(hr|ir)[\s_-]*ctv|ctv[\s_-]*(hr|ir)|\bgtv|\bctv|\bptv", re.IGNORECASE)
_OAR = re.compile(r"bladder|rect|sigmo|bowel|vagin|urethr|blase|vessie", re.IGNORECASE)
_TARGET_TYPES = {"PTV", "CTV", "GTV", "TREATED_VOLUME", "IRRAD_VOLUME"}
_OAR_TYPES = {"ORGAN", "AVOIDANCE"}


@dataclass(frozen=True)
class EqdSettings:
    """α/β (Gy) and the external-beam EQD2 (Gy) added to targets and organs at risk."""

    alpha_beta_target_gy: float = ALPHA_BETA_TARGET_GY
    alpha_beta_oar_gy: float = ALPHA_BETA_OAR_GY
    ebrt_eqd2_target_gy: float = 0.0
    ebrt_eqd2_oar_gy: float = 0.0


@dataclass(frozen=True)
class RoiMetrics:
    """One structure's GEC-ESTRO parameters.

    ``values_gy`` per fraction, ``eqd2_gy`` summed over ``fractions`` (+ the external
    beam's EQD2); ``volumes_pct`` V100/V150/V200 (targets, % of the volume).
    """

    name: str
    role: str
    volume_cc: float
    alpha_beta_gy: float
    fractions: int
    values_gy: dict[str, float]
    eqd2_per_fraction_gy: dict[str, float]
    eqd2_gy: dict[str, float]
    volumes_pct: dict[str, float]


def roi_role(name: str, interpreted_type: str | None) -> str | None:
    """"target", "oar" or None, by name first, then by RT ROI Interpreted Type."""
    if _TARGET.search(name):
        return "target"
    if _OAR.search(name):
        return "oar"
    kind = (interpreted_type or "").upper()
    if kind in _TARGET_TYPES:
        return "target"
    if kind in _OAR_TYPES:
        return "oar"
    return None


def roi_metrics(name: str, role: str, dvh: Dvh, *, prescription_gy: float | None,
                fractions: int, settings: EqdSettings) -> RoiMetrics:
    """The GEC-ESTRO parameters of one structure from its per-fraction DVH."""
    if role == "target":
        values = {"D90": dose_at_volume_percent(dvh, 90.0),
                  "D98": dose_at_volume_percent(dvh, 98.0)}
        alpha_beta, ebrt = settings.alpha_beta_target_gy, settings.ebrt_eqd2_target_gy
        volumes = {} if not prescription_gy else {
            f"V{level}": volume_at_dose_gy(dvh, prescription_gy * level / 100.0,
                                           relative=True)
            for level in (100, 150, 200)}
    else:
        values = {"D2cc": dose_at_volume_cc(dvh, 2.0), "D0.1cc": dose_at_volume_cc(dvh, 0.1)}
        alpha_beta, ebrt = settings.alpha_beta_oar_gy, settings.ebrt_eqd2_oar_gy
        volumes = {}
    per_fraction = {k: eqd2_gy(v, 1, alpha_beta) for k, v in values.items() if v == v}
    total = {k: eqd2_gy(v, fractions, alpha_beta) + ebrt for k, v in values.items() if v == v}
    return RoiMetrics(name, role, dvh.volume_cc, alpha_beta, fractions, values, per_fraction,
                      total, volumes)
