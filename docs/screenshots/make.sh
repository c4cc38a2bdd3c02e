#!/bin/sh
# Regenerates the README screenshots with `rtviewer render` (offscreen) from the corpus.
set -e
cd "$(dirname "$0")/../.."
DATA=${RTVIEWER_TEST_DATA:-../shared/data}
R=".venv/bin/python -m rtviewer render"
OUT=docs/screenshots
$R "$DATA/dicompyler-core" --out $OUT/dicompyler-core.png
$R "$DATA/pps-vendor-plans/BrainSRSRaystationVMAT" --out $OUT/raystation-srs.png
$R "$DATA/matrad-dicomexport" --view coronal --size 700x700 --out $OUT/matrad-coronal.png
$R "$DATA/nelms-dvh-analytical" --structures STRUCTURES/Cone_10_0.dcm \
   --dose DOSE_GRIDS/Linear_SupInf_1mm_Aligned.dcm --view sagittal --size 700x700 \
   --position=0,0,0 --out $OUT/nelms-cone-sagittal.png
# The built-in teaching patients (rtviewer demo), written to a temporary folder.
DEMO=$(mktemp -d)
trap 'rm -rf "$DEMO"' EXIT
.venv/bin/python -m rtviewer demo --out "$DEMO/demo" >/dev/null
$R "$DEMO/demo" --patient RTV-DEMO-THORAX --out $OUT/demo-thorax.png
$R "$DEMO/demo" --patient RTV-DEMO-THORAX --view bev --size 700x700 --out $OUT/demo-bev.png
$R "$DEMO/demo" --patient RTV-DEMO-THORAX --view record --size 1000x500 --out $OUT/demo-record.png
$R "$DEMO/demo" --patient RTV-DEMO-GYN-HDR --view sagittal --size 700x700 --out $OUT/demo-hdr.png
