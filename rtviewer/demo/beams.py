"""The external-beam plans' beams: a 6-field conformal plan, its replan, VMAT arcs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rtviewer.core.iec61217 import BeamGeometry, rotation_z
from rtviewer.demo.aperture import Aperture, conform_aperture, surface_points
from rtviewer.demo.shapes import Ellipsoid

__all__ = ["DemoWedge", "PlannedBeam", "arc", "arc_beams", "conformal_beams", "lateral_weighting",
           "replanned_beams", "CONFORMAL_WEDGES", "REPLAN_BEAM_NUMBER", "REPLAN_GANTRY_DEG"]

#: (gantry, collimator) of the conformal fields: a right-lung fan avoiding the cord.
CONFORMAL_FIELDS = ((0.0, 0.0), (320.0, 10.0), (280.0, 0.0), (240.0, 350.0), (200.0, 0.0),
                    (30.0, 0.0))


@dataclass(frozen=True)
class DemoWedge:
    """A wedge of a demo beam: its DICOM description and its transmission model.

    The transmission across the field is ``factor · exp(g · s)``, ``s`` the distance
    (mm at the isocentre plane) from the central axis towards the thin edge (toe) and
    ``g = tan(angle) · μ`` with ``μ`` the demo beam model's attenuation: at every depth
    the exponent then balances the attenuation along a line tilted by the wedge angle,
    which is what the nominal angle means (the isodose tilt, divergence aside).
    ``kind`` is Wedge Type: STANDARD (physical) or DYNAMIC (jaw-swept, factor 1).
    """

    number: int
    wedge_id: str
    kind: str
    angle_deg: float
    orientation_deg: float
    factor: float

    def toe_direction(self) -> np.ndarray:
        """Unit vector heel → toe in the beam limiting device plane (IEC WEDGE FILTER +Y)."""
        return np.asarray(rotation_z(self.orientation_deg)[:2, :2] @ np.array([0.0, 1.0]))

    def transmission(self, u_mm: np.ndarray, v_mm: np.ndarray, mu_per_mm: float) -> np.ndarray:
        """Relative transmission on the grid ``u`` (``Xb`` columns) × ``v`` (``Yb`` rows)."""
        toe = self.toe_direction()
        s = toe[0] * u_mm[None, :] + toe[1] * v_mm[:, None]
        return self.factor * np.exp(np.tan(np.radians(self.angle_deg)) * mu_per_mm * s)


#: Wedges of the conformal fields by Beam Number: a physical 15° wedge on the 320° field
#: (thin edge towards -Xb) and an enhanced dynamic 30° wedge on the 30° field.
CONFORMAL_WEDGES = {2: DemoWedge(1, "W15", "STANDARD", 15.0, 90.0, 0.81),
                    6: DemoWedge(1, "EDW30IN", "DYNAMIC", 30.0, 0.0, 1.0)}
MLC_MARGIN_MM = 7.0
ARC_MARGIN_MM = 7.0
#: Arc 2 conforms to the PTV part at most this far lateral of the isocentre (mm).
MEDIAL_CUT_MM = 10.0
N_ARC_POINTS = 91


@dataclass(frozen=True)
class PlannedBeam:
    """One beam: control points share the isocentre, SAD, couch and collimator.

    ``gantry_deg`` and ``apertures`` have one entry per control point; the
    ``cumulative_weight`` runs from 0 to 1.
    """

    number: int
    name: str
    gantry_deg: tuple[float, ...]
    collimator_deg: float
    apertures: tuple[Aperture, ...]
    cumulative_weight: tuple[float, ...]
    isocenter_mm: tuple[float, float, float]
    rotation: str = "NONE"  # Gantry Rotation Direction of an arc: "CW" or "CC"
    wedge: DemoWedge | None = None

    @property
    def is_arc(self) -> bool:
        """Whether the gantry moves during the beam."""
        return len(set(self.gantry_deg)) > 1

    def geometry(self, index: int = 0) -> BeamGeometry:
        """The IEC 61217 geometry at control point ``index``."""
        return BeamGeometry(gantry_deg=self.gantry_deg[index], collimator_deg=self.collimator_deg,
                            isocenter_mm=self.isocenter_mm, sad_mm=1000.0, patient_position="HFS")


def conformal_beams(ptv: Ellipsoid, isocenter_mm: tuple[float, float, float]) -> list[PlannedBeam]:
    """Six static fields with MLC conforming to the PTV plus a 7 mm margin."""
    points = surface_points(ptv)
    beams = []
    for n, (gantry, coll) in enumerate(CONFORMAL_FIELDS, start=1):
        geo = BeamGeometry(gantry_deg=gantry, collimator_deg=coll, isocenter_mm=isocenter_mm)
        ap = conform_aperture(geo, points, margin_mm=MLC_MARGIN_MM)
        beams.append(PlannedBeam(n, f"G{int(gantry):03d}", (gantry, gantry), coll, (ap, ap),
                                 (0.0, 1.0), isocenter_mm, wedge=CONFORMAL_WEDGES.get(n)))
    return beams


#: The replan of the conformal plan changes one beam: beam 6 (the wedged anterior oblique,
#: 30°) turns to 50°, entering more medially.
REPLAN_BEAM_NUMBER = 6
REPLAN_GANTRY_DEG = 50.0


def replanned_beams(beams: list[PlannedBeam], ptv: Ellipsoid) -> list[PlannedBeam]:
    """The conformal beams with beam :data:`REPLAN_BEAM_NUMBER` at :data:`REPLAN_GANTRY_DEG`.

    The other beams are the very same objects (a dose cache keyed on them reuses their
    dose); the turned beam keeps its collimator and wedge, its MLC conforms anew.
    """
    out = []
    for beam in beams:
        if beam.number != REPLAN_BEAM_NUMBER:
            out.append(beam)
            continue
        gantry = REPLAN_GANTRY_DEG
        geo = BeamGeometry(gantry_deg=gantry, collimator_deg=beam.collimator_deg,
                           isocenter_mm=beam.isocenter_mm)
        ap = conform_aperture(geo, surface_points(ptv), margin_mm=MLC_MARGIN_MM)
        out.append(replace(beam, name=f"G{int(gantry):03d}", gantry_deg=(gantry, gantry),
                           apertures=(ap, ap)))
    return out


def _static_jaws(apertures: list[Aperture]) -> list[Aperture]:
    """The apertures with the jaws of their union.

    The plan states the jaws once, at the first control point, so the dose of every
    control point must be computed with those jaws.
    """
    jaw_x = (min(a.jaw_x_mm[0] for a in apertures), max(a.jaw_x_mm[1] for a in apertures))
    jaw_y = (min(a.jaw_y_mm[0] for a in apertures), max(a.jaw_y_mm[1] for a in apertures))
    return [replace(a, jaw_x_mm=jaw_x, jaw_y_mm=jaw_y) for a in apertures]


def lateral_weighting(gantries: np.ndarray) -> np.ndarray:
    """Meterset increments of the right-lung arcs: more MU where the arc is lateral."""
    return 1.0 + 0.5 * np.cos(np.radians(gantries - 270.0))


def arc(number: int, start: float, direction: str, collimator: float,
        points: np.ndarray, isocenter_mm: tuple[float, float, float], *,
        n_points: int = N_ARC_POINTS,
        weighting: Callable[[np.ndarray], np.ndarray] = lateral_weighting) -> PlannedBeam:
    """An arc of ``n_points`` control points 2° apart from ``start`` (CW or CC).

    Every control point's MLC conforms to ``points`` (the target's surface) with the arc
    margin, modulated by a travelling wave of 0-2 mm leaf closing; ``weighting`` gives
    the relative meterset increment of each interval from the gantry angle at its end.
    """
    step = 2.0 if direction == "CW" else -2.0
    gantries = tuple(float((start + step * i) % 360.0) for i in range(n_points))
    apertures = []
    pairs = np.arange(60)
    for i, gantry in enumerate(gantries):
        geo = BeamGeometry(gantry_deg=gantry, collimator_deg=collimator, isocenter_mm=isocenter_mm)
        # Leaf modulation: a travelling wave of 0-2 mm closing, as an optimiser would produce.
        shrink = 1.0 + 1.0 * np.sin(0.35 * pairs + 0.21 * i + number)
        apertures.append(conform_aperture(geo, points, margin_mm=ARC_MARGIN_MM, shrink_mm=shrink))
    apertures = _static_jaws(apertures)
    inc = weighting(np.array(gantries[1:]))
    cumulative = np.concatenate([[0.0], np.cumsum(inc) / inc.sum()])
    cumulative = np.round(cumulative, 6)
    cumulative[-1] = 1.0
    return PlannedBeam(number, f"Arc{number} {direction}", gantries, collimator,
                       tuple(apertures), tuple(float(c) for c in cumulative), isocenter_mm,
                       rotation=direction)


def arc_beams(ptv: Ellipsoid, isocenter_mm: tuple[float, float, float]) -> list[PlannedBeam]:
    """Two 180° arcs (CW 180→0, CC 0→180 through the patient's right), 91 control points each.

    Arc 1 covers the whole PTV; arc 2 covers its medial part (beyond ``MEDIAL_CUT_MM``
    lateral of the isocentre towards the midline). Every field enters from the right,
    so the dose falls off towards the mediastinum; the medial arc fills that side, as
    an optimiser's fluence would (PTV D98-D2 spread 9 % instead of 11 %).
    """
    points = surface_points(ptv, n_theta=24, n_phi=48)
    towards_midline = np.sign(-isocenter_mm[0]) or 1.0
    medial = points[towards_midline * (points[:, 0] - isocenter_mm[0]) > -MEDIAL_CUT_MM]
    return [arc(1, 180.0, "CW", 30.0, points, isocenter_mm),
            arc(2, 0.0, "CC", 330.0, medial, isocenter_mm)]
