"""The prose of rtviewer's DICOM Conformance Statement (tables come from the code)."""

from __future__ import annotations

from rtviewer.model.kind import KIND_TEXT

__all__ = ["INTRODUCTION", "KIND_USAGE", "IOD_USAGE", "SECURITY", "MEDIA_MODEL"]

INTRODUCTION = """\
rtviewer is a desktop viewer for DICOM-RT data: CT, MR and PET images, RT Structure
Sets, RT Plans (external beam, ion and brachytherapy), RT Doses with their DVHs,
RT Images and treatment records. It reads DICOM files from folders, shows them, and
computes DVHs and dose statistics for review by medical physicists. It never
modifies the files it reads.

Audience: medical physicists, integration engineers and anyone who needs to know
before exchanging data whether what is essential will be read and used.

Remarks: this statement is generated from rtviewer's own tables of SOP classes,
transfer syntaxes and network roles (`python -m rtviewer.cli.conformance_doc`); a
test fails when the document and the code diverge. `rtviewer check PATH` reports,
for a given folder, the deviations from the IODs listed in Annex 8.1.
"""

MEDIA_MODEL = """\
rtviewer has one media Application Entity, a **File-set Reader (FSR)**. The user opens
a folder (or a file); rtviewer reads every file in it recursively. A DICOMDIR is not
required and, when present, is skipped: the files themselves are indexed by their
headers (patient, study, series, instance) and linked by their references (RT Dose →
RT Plan → RT Structure Set → image series, by UID and Frame of Reference). Files
without DICOM File Meta Information are read as Implicit VR Little Endian, the DICOM
default. Files are identified by path, so two files sharing a SOP Instance UID are
both kept and reported. rtviewer writes no DICOMDIR (no File-set Creator or Updater
role) and never writes into a folder it reads. It writes DICOM files only where the user
names a folder: `rtviewer export` (a chain's files copied byte for byte, or
de-identified with new UIDs, each named `<SOP Instance UID>.dcm` with a
`manifest.json`), `rtviewer demo` (the synthetic teaching patients) and the objects
received or retrieved over the network (section 4), stored as received; besides these,
only its own cache, in the user's cache folder.
"""

#: What the viewer does with each kind of object (the table is rtviewer.model.kind's).
KIND_USAGE: dict[str, str] = {kind.value: text.usage for kind, text in KIND_TEXT.items()}

#: (IOD, what is used, what is ignored), for Annex 8.1.
IOD_USAGE: tuple[tuple[str, str, str], ...] = (
    ("CT / MR / PET Image",
     "Image Position/Orientation (Patient), Pixel Spacing, Rows, Columns, Rescale "
     "Slope/Intercept, Frame of Reference UID, Patient Position; Window Center/Width as "
     "the initial window",
     "Overlays, presentation states, VOI LUT sequences, private attributes"),
    ("RT Structure Set",
     "ROI number, name, colour, RT ROI Interpreted Type, Contour Data and Contour "
     "Geometric Type (closed planar contours: volumes, DVHs; open contours and points: "
     "drawn only), referenced Frame of Reference and image series",
     "ROI Physical Properties, ROI generation algorithm (shown only), contour image "
     "references beyond completeness checks"),
    ("RT Plan / RT Ion Plan",
     "Fraction groups, beam metersets, beams and control points (gantry, collimator, "
     "couch, isocentre, jaws, MLC layers incl. MLCX1/MLCX2, energy, spots), wedges "
     "(type, angle, orientation, position), Block Data with divergence, mounting and tray "
     "distance, Applicator Geometry, compensator position and extent, Referenced Bolus, "
     "Virtual Source-Axis Distances, snouts, range shifters and modulators, dose "
     "references and Target Prescription Dose (the prescription), brachy application "
     "setups, channels, sources and dwell positions, tolerance table number and label "
     "(listed per beam)",
     "Tolerance table limits, patient setup beyond Patient Position, fixation devices, "
     "compensator thickness maps and block/wedge dosimetry (drawn and listed, not "
     "modelled)"),
    ("RT Dose",
     "Dose Grid Scaling, Grid Frame Offset Vector (PS3.3 C.8.8.3.2), Dose Units, Type "
     "and Summation Type, referenced plan/structure set/beams, DVH Sequence (curves "
     "kept in their declared units)",
     "Dose comments, Tissue Heterogeneity Correction (shown only)"),
    ("RT Image",
     "RT Image Plane, Position, Orientation (NON_NORMAL), SID/SAD, X-Ray Image Receptor "
     "Angle and Translation, Isocenter Position, gantry/collimator/couch angles, "
     "referenced plan and beam, exposure sequence limiting devices",
     "Fluence maps beyond display"),
    ("RT Beams / Ion Beams / Brachy Treatment Record",
     "Treatment session beams/setups: delivered and specified meterset or time, "
     "termination status and reason, fraction number, referenced plan and beam",
     "Calculated dose references, machine-specific control point detail beyond "
     "display"),
)

SECURITY = """\
rtviewer supports no DICOM security profiles for its network services. It reads files
with the permissions of the user who runs it and never writes to them. `rtviewer export
--anonymise` de-identifies copies with the PS3.15 Annex E Basic Application Level
Confidentiality Profile and its Retain Longitudinal Temporal Information with Modified
Dates and Clean Descriptors options (recorded in each file's De-identification Method
Code Sequence); burnt-in text in pixels is not removed (such RT Images are left out
unless asked for). Its cache (scan index, demo patients) lives in the user's cache
folder and may contain patient names and identifiers: protect that folder as you
protect the data. Access control, audit trails and encryption of data at rest are left
to the operating system.
"""
