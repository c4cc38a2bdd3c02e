"""Structure names matched through AAPM TG-263 standard names and a synonym list.

A goal names a structure by its TG-263 standard name (Mayo CS et al., "American
Association of Physicists in Medicine Task Group 263: Standardizing Nomenclatures in
Radiation Oncology", Int J Radiat Oncol Biol Phys 2018;100(4):1057–1066). A
structure set's ROI matches it

1. **exactly** (same string);
2. as **TG-263 written differently**: equal after ignoring case, spaces, ``_`` and
   ``-`` (``spinal cord`` → ``SpinalCord``; TG-263 names are unique that way);
3. through a **synonym**: the user-editable list maps other habits to a standard name
   (``Cord``, ``SC`` → ``SpinalCord``; ``Lt Lung`` → ``Lung_L``).

Each match says which rule made it, so the user can see and correct it.
:data:`TG263_NAMES` holds the standard names of the organs the shipped goal sets and
common structure sets use (a subset of TG-263's table).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_SYNONYMS", "TG263_NAMES", "NameMatch", "find_roi", "normalise",
           "standard_name"]

#: TG-263 standard names (subset: thorax, pelvis, head and neck, abdomen, whole body).
TG263_NAMES: tuple[str, ...] = (
    "External", "Skin", "SpinalCord", "SpinalCanal", "CaudaEquina", "Brain", "Brainstem",
    "OpticChiasm", "OpticNrv_L", "OpticNrv_R", "Eye_L", "Eye_R", "Lens_L", "Lens_R",
    "Cochlea_L", "Cochlea_R", "Parotid_L", "Parotid_R", "Parotids", "Glnd_Submand_L",
    "Glnd_Submand_R", "Larynx", "Mandible", "Cavity_Oral", "Lips", "Musc_Constrict",
    "Pituitary", "Hippocampus_L", "Hippocampus_R", "Thyroid", "Esophagus", "Trachea",
    "Bronchus", "Heart", "Pericardium", "GreatVes", "A_Aorta", "BrachialPlex_L",
    "BrachialPlex_R", "Lung_L", "Lung_R", "Lungs", "Lungs-GTV", "Lungs-ITV", "Breast_L",
    "Breast_R", "Chestwall", "Liver", "Stomach", "Duodenum", "Bowel", "Bowel_Small",
    "Bowel_Large", "Colon", "Kidney_L", "Kidney_R", "Kidneys", "Pancreas", "Spleen",
    "Bladder", "Rectum", "Colon_Sigmoid", "Anus", "Prostate", "SeminalVes", "PenileBulb",
    "Urethra", "Femur_Head_L", "Femur_Head_R", "Femur_L", "Femur_R", "Bone_Pelvic",
    "Ribs", "SacralPlex", "Vagina", "Uterus", "Ovary_L", "Ovary_R",
)

#: Synonyms shipped by default: other naming habits → TG-263 standard name. A goal file
#: or the user's synonym file adds to or overrides these.
DEFAULT_SYNONYMS: dict[str, str] = {
    "BODY": "External", "Outline": "External", "Patient": "External",
    "Cord": "SpinalCord", "SC": "SpinalCord", "Spinal Cord": "SpinalCord",
    "Canal": "SpinalCanal", "Brain Stem": "Brainstem", "Chiasm": "OpticChiasm",
    "Optic Chiasm": "OpticChiasm", "Lt Lung": "Lung_L", "Left Lung": "Lung_L",
    "Lung Lt": "Lung_L", "Rt Lung": "Lung_R", "Right Lung": "Lung_R", "Lung Rt": "Lung_R",
    "Total Lung": "Lungs", "Lung": "Lungs", "Lung Total": "Lungs", "Lungs - GTV": "Lungs-GTV",
    "Lung-GTV": "Lungs-GTV", "Lung_Total-GTV": "Lungs-GTV", "Oesophagus": "Esophagus",
    "Esophagus_NOS": "Esophagus", "Femoral Head Lt": "Femur_Head_L",
    "Femoral Head RT": "Femur_Head_R", "Femoral Head Rt": "Femur_Head_R",
    "Femoral_Head_L": "Femur_Head_L", "Femoral_Head_R": "Femur_Head_R",
    "Lt Femoral Head": "Femur_Head_L", "Rt Femoral Head": "Femur_Head_R",
    "Lt Parotid": "Parotid_L", "Rt Parotid": "Parotid_R", "Parotid Lt": "Parotid_L",
    "Parotid Rt": "Parotid_R", "Lt Kidney": "Kidney_L", "Rt Kidney": "Kidney_R",
    "Bowel Bag": "Bowel", "Small Bowel": "Bowel_Small", "Sigmoid": "Colon_Sigmoid",
    "Seminal Vesicles": "SeminalVes", "Penile Bulb": "PenileBulb",
    "Great Vessels": "GreatVes", "Left Eye": "Eye_L", "Right Eye": "Eye_R",
    "Left Lens": "Lens_L", "Right Lens": "Lens_R", "Left Optic Nerve": "OpticNrv_L",
    "Right Optic Nerve": "OpticNrv_R", "Whole Brain": "Brain", "Aorta": "A_Aorta",
    "Brachial Plexus L": "BrachialPlex_L",
    "Brachial Plexus R": "BrachialPlex_R", "Lt Breast": "Breast_L", "Rt Breast": "Breast_R",
}

_PUNCTUATION = re.compile(r"[\s_\-]+")


def normalise(name: str) -> str:
    """``name`` without case, spaces, ``_`` and ``-`` (the comparison key)."""
    return _PUNCTUATION.sub("", name).lower()


_STANDARD = {normalise(n): n for n in TG263_NAMES}


@dataclass(frozen=True)
class NameMatch:
    """How a ROI name relates to TG-263: its standard name and the rule that found it."""

    roi_name: str
    standard: str | None
    how: str


def standard_name(roi_name: str, synonyms: Mapping[str, str] | None = None) -> NameMatch:
    """The TG-263 standard name of ``roi_name``, and how it was found (module docstring).

    ``synonyms`` (other name → standard name) is consulted after the TG-263 names and
    before the shipped :data:`DEFAULT_SYNONYMS`, so a user's entry wins.
    """
    if roi_name in TG263_NAMES:
        return NameMatch(roi_name, roi_name, "TG-263")
    key = normalise(roi_name)
    if key in _STANDARD:
        return NameMatch(roi_name, _STANDARD[key], "TG-263 (case or punctuation differs)")
    for table, label in ((synonyms or {}, "synonym"), (DEFAULT_SYNONYMS, "default synonym")):
        for other, standard in table.items():
            if normalise(other) == key:
                return NameMatch(roi_name, standard, f"{label} '{other}' → {standard}")
    return NameMatch(roi_name, None, "no TG-263 name")


def find_roi(goal_structure: str, roi_names: Iterable[str],
             synonyms: Mapping[str, str] | None = None) -> NameMatch | None:
    """The ROI a goal's structure name refers to, or None.

    An exact name wins; then a ROI whose standard name (:func:`standard_name`) is the
    goal structure's standard name (or, for a goal structure that is no TG-263 name,
    whose name is the same after :func:`normalise`).
    """
    names = list(roi_names)
    if goal_structure in names:
        return NameMatch(goal_structure, standard_name(goal_structure, synonyms).standard,
                         "same name")
    wanted = standard_name(goal_structure, synonyms).standard
    for name in names:
        match = standard_name(name, synonyms)
        if wanted is not None and match.standard == wanted:
            return match
        if wanted is None and normalise(name) == normalise(goal_structure):
            return NameMatch(name, None, "same name (case or punctuation differs)")
    return None
