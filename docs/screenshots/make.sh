#!/bin/sh
# Regenerates the README screenshots with `rtviewer render` (offscreen) from the corpus,
# and the window screenshots under xvfb-run (`make.sh window`: those alone).
# Deterministic: two runs on one machine write byte-identical PNGs (the demo patients
# are written to the same folder each time, the window shots use a fixed font, style,
# scale and geometry, dates come from SOURCE_DATE_EPOCH, and Qt writes no PNG time).
set -e
cd "$(dirname "$0")/../.."
DATA=${RTVIEWER_TEST_DATA:-../shared/data}
PY=${PYTHON:-.venv/bin/python}
R="$PY -m rtviewer render"
OUT=docs/screenshots
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767780000}  # 2026-01-07, burn-in dates
export QT_SCALE_FACTOR=1 QT_ENABLE_HIGHDPI_SCALING=0 TZ=UTC LC_ALL=C.UTF-8
ALL=$([ "${1:-all}" = window ] && echo no || echo yes)
if [ $ALL = yes ]; then
$R "$DATA/dicompyler-core" --out $OUT/dicompyler-core.png
$R "$DATA/pps-vendor-plans/BrainSRSRaystationVMAT" --out $OUT/raystation-srs.png
$R "$DATA/matrad-dicomexport" --view coronal --size 700x700 --out $OUT/matrad-coronal.png
$R "$DATA/nelms-dvh-analytical" --structures STRUCTURES/Cone_10_0.dcm \
   --dose DOSE_GRIDS/Linear_SupInf_1mm_Aligned.dcm --view sagittal --size 700x700 \
   --position=0,0,0 --out $OUT/nelms-cone-sagittal.png
# issue 20: rtviewer's TG-43 dose of the Eclipse HDR plan's dwells (the plan has no RT Dose)
$R "$DATA/pytg43-brachy/HDR" --tg43-dose --out $OUT/tg43-eclipse-hdr.png
fi
# The built-in teaching patients (rtviewer demo), written to the same temporary folder
# every run (the window shows the folder's path in its tree).
DEMO=${TMPDIR:-/tmp}/rtviewer-screenshots
rm -rf "$DEMO"
mkdir -p "$DEMO"
trap 'rm -rf "$DEMO"' EXIT
$PY -m rtviewer demo --out "$DEMO/demo" >/dev/null
# `make.sh window` takes the window screenshots only (the renders below take long)
if [ $ALL = yes ]; then
$R "$DEMO/demo" --patient RTV-DEMO-THORAX --out $OUT/demo-thorax.png
$R "$DEMO/demo" --patient RTV-DEMO-THORAX --view bev --size 700x700 --out $OUT/demo-bev.png
$R "$DEMO/demo" --patient RTV-DEMO-THORAX --view record --size 1000x500 --out $OUT/demo-record.png
$R "$DEMO/demo" --patient RTV-DEMO-GYN-HDR --view sagittal --size 700x700 --out $OUT/demo-hdr.png
# Beam's-eye view objects (issue 14, points 2-5 and 7): cases derived from corpus files by
# the test suite's factories, written under the demo's temporary folder.
CASES="$DEMO/derived"
$PY docs/screenshots/derived_cases.py "$DATA" "$CASES"
$R "$CASES/halcyon" --view bev --beam-number 1 --size 700x760 --out $OUT/bev-dual-layer.png
$R "$CASES/accessories" --view bev --beam-number 1 --size 700x800 --out $OUT/bev-accessories.png
$R "$DATA/dicompyler-core" --view bev --fluence --beam-number 1 --control-point 40 \
   --size 700x800 --out $OUT/bev-fluence.png
$R "$CASES/proton" --view bev --size 700x800 --out $OUT/bev-proton.png
$R "$CASES/tilted" --view rtimage --size 700x760 --out $OUT/rtimage-tilted.png
$R "$DEMO/demo" --patient RTV-DEMO-THORAX --view bev --beam-number 6 --size 700x760 \
   --out $OUT/bev-demo-wedge.png
# --- issue 14 points 1, 6 and 8: tilted structure sets, brachy near the plane, folders
# without images (cases written by docs/screenshots/tilted_cases.py from corpus files).
TILTED="$DEMO/tilted"
$PY docs/screenshots/tilted_cases.py "$DATA" "$TILTED"
$R "$TILTED/matrad-tilted" --out $OUT/tilted-matrad.png
$R "$TILTED/oncentra-tilted" --position=-12.2,-45.4,-605.6 --out $OUT/tilted-oncentra-brachy.png
$R "$DATA/slicerrt-eclipse-prostate" --out $OUT/prostate-no-image.png
$R "$TILTED/plan-only" --out $OUT/plan-only-proton.png
$R "$TILTED/rt-image-only" --size 700x760 --out $OUT/rt-image-only.png
fi
# --- issue 17: the real window (tree, banner, views, tabs, status bar) at 1600x1000 and
# 1280x800, under an X server (apt-get install xvfb xauth and the X11 libraries of the
# README). Skipped with a note where xvfb-run is missing.
if command -v xvfb-run >/dev/null 2>&1; then
  for size in 1600x1000 1280x800; do
    for spec in "thorax|$DEMO/demo|RTV-DEMO-THORAX" "hdr|$DEMO/demo|RTV-DEMO-GYN-HDR" \
                "dcore|$DATA/dicompyler-core|" "prostate|$DATA/slicerrt-eclipse-prostate|" \
                "srs|$DATA/pps-vendor-plans/BrainSRSRaystationVMAT|"; do
      name=${spec%%|*}; rest=${spec#*|}; folder=${rest%%|*}; patient=${rest#*|}
      env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 ${size}x24 -dpi 96" $PY \
        docs/screenshots/window_shots.py "$OUT/window-$name-$size.png" "$size" "$folder" \
        $patient
    done
  done
  # --- issue 19: the comparison mode. VMAT against the 3DCRT plan (another plan), the
  # 3DCRT replan (beam 6 turned 30 -> 50 deg) against the 3DCRT plan, and a
  # 'recalculation' of the 3DCRT dose (2 % higher, 1 mm left: docs/screenshots/recalc_case.py)
  $PY docs/screenshots/recalc_case.py "$DEMO/demo/RTV-DEMO-THORAX" "$DEMO/recalc/RTV-DEMO-THORAX"
  SHOT="docs/screenshots/compare_shots.py"
  env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" $PY $SHOT \
    "$DEMO/vmat" "$DEMO/demo" RTV-DEMO-THORAX "Lung VMAT" -
  env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" $PY $SHOT \
    "$DEMO/recalc-shot" "$DEMO/recalc" RTV-DEMO-THORAX "Lung 3DCRT" 3%/3mm
  env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" $PY $SHOT \
    "$DEMO/replan" "$DEMO/demo" RTV-DEMO-THORAX "Lung 3D Replan" 3%/3mm
  # the same comparison at 1280x800: the Compare tab must leave the views usable
  env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1280x800x24 -dpi 96" $PY $SHOT \
    "$DEMO/replan-small" "$DEMO/demo" RTV-DEMO-THORAX "Lung 3D Replan" - 1280x800
  cp "$DEMO/replan-small-difference.png" "$OUT/compare-replan-1280x800.png"
  for part in difference dvh plans; do
    cp "$DEMO/vmat-$part.png" "$OUT/compare-vmat-3d-$part.png"
  done
  for part in difference gamma plans; do  # gamma pass / fail: half a minute at load 8
    cp "$DEMO/replan-$part.png" "$OUT/compare-replan-$part.png"
  done
  for part in difference gamma; do
    cp "$DEMO/recalc-shot-$part.png" "$OUT/compare-recalc-$part.png"
  done
else
  echo "make.sh: xvfb-run not found, window-*.png and compare-*.png not regenerated" >&2
fi
# --- issue 23: presenter mode at a projector's 1024x768, two lesson steps at 1280x720.
if command -v xvfb-run >/dev/null 2>&1; then
  LESSON="docs/screenshots/lesson_shots.py"
  env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1024x768x24 -dpi 96" $PY $LESSON \
    $OUT/presenter-lesson.png 1024x768 "$DEMO/demo" 2-lung 2 presenter
  env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1280x720x24 -dpi 96" $PY $LESSON \
    $OUT/lesson-lung-goals.png 1280x720 "$DEMO/demo" 2-lung 7
  env -u QT_QPA_PLATFORM xvfb-run -a -s "-screen 0 1280x720x24 -dpi 96" $PY $LESSON \
    $OUT/lesson-hdr-point-a.png 1280x720 "$DEMO/demo" 4-hdr 4
fi
