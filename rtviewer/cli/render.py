"""``rtviewer render PATH --out FILE.png``: draw what the window shows, offscreen."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rtviewer.cli.common import fail
from rtviewer.printable import printable

VIEWS = ("axial", "sagittal", "coronal", "dvh", "all", "bev", "rtimage", "record")


def _position(text: str) -> tuple[float, float, float]:
    try:
        x, y, z = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected X,Y,Z in mm, got {text!r}") from exc
    return x, y, z


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected WxH in pixels, got {text!r}") from exc
    if width < 50 or height < 50:
        raise argparse.ArgumentTypeError("size must be at least 50x50")
    return width, height


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``render``."""
    p = sub.add_parser("render", help="render a view to PNG offscreen (with a JSON of geometry)")
    p.add_argument("path", metavar="PATH", help="folder (or file) to open")
    p.add_argument("--out", required=True, type=Path, help="PNG file to write")
    p.add_argument("--view", choices=VIEWS, default="all",
                   help="which view (default: all = the main window at 1600x1000)")
    p.add_argument("--position", type=_position, metavar="X,Y,Z",
                   help="crosshair in patient mm (default: isocentre, else dose or image centre)")
    p.add_argument("--size", type=_size, metavar="WxH", help="image size (default 800x800)")
    p.add_argument("--patient", help="Patient ID (default: lowest with something renderable)")
    p.add_argument("--plan", metavar="FILE|UID", help="RT Plan to show")
    p.add_argument("--dose", metavar="FILE|UID", help="RT Dose to show")
    p.add_argument("--structures", metavar="FILE|UID", help="RT Structure Set to show")
    p.add_argument("--beam-number", type=int, metavar="N",
                   help="bev/rtimage: Beam Number (bev default: lowest TREATMENT beam)")
    p.add_argument("--control-point", type=int, metavar="INDEX",
                   help="bev: 0-based Control Point Index (default 0)")
    p.add_argument("--fluence", action="store_true",
                   help="bev: also draw the beam's MU-weighted fluence and the union of its "
                        "apertures (the JSON then gives every control point's aperture)")
    p.add_argument("--image", metavar="FILE|UID",
                   help="rtimage: RT Image to show (default: the first by path)")
    p.add_argument("--tg43-dose", action="store_true",
                   help="brachy: show rtviewer's own TG-43 dose of the plan's dwells (one "
                        "fraction, on a grid around the applicator) instead of any RT Dose")
    p.add_argument("--tg43-grid-mm", type=float, default=2.0, metavar="MM",
                   help="spacing of the --tg43-dose grid (default 2 mm)")
    return p


def run(args: argparse.Namespace) -> int:
    """Render; exit 2 with one line when nothing renderable exists."""
    from rtviewer.errors import RtViewerError
    from rtviewer.ui.render.offscreen import NothingToRender, RenderRequest, render

    request = RenderRequest(path=Path(args.path), out=args.out, view=args.view,
                            position_mm=args.position, size=args.size, patient=args.patient,
                            plan=args.plan, dose=args.dose, structures=args.structures,
                            beam_number=args.beam_number, control_point=args.control_point,
                            image=args.image, fluence=args.fluence,
                            tg43_dose=args.tg43_dose, tg43_grid_mm=args.tg43_grid_mm)
    unwritable = _unwritable(args.out)
    if unwritable:  # before the scan and the drawing, not after
        return fail("render", unwritable, 2)
    try:
        render(request, lambda line: print(printable(line), file=sys.stderr))
    except (NothingToRender, RtViewerError) as exc:
        return fail("render", exc, 2)
    except OSError as exc:  # the disk filled, or the folder changed meanwhile
        return fail("render", f"cannot write {args.out}: {exc.strerror or exc}", 2)
    print(str(args.out))
    return 0


def _unwritable(out: Path) -> str | None:
    """Why the PNG (and its JSON) cannot be written to ``out``, or None."""
    folder = out.absolute().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the folder {folder} for --out: {exc.strerror or exc}"
    if not folder.is_dir():
        return f"--out {out}: {folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write into {folder} (--out {out}): permission denied"
    if out.is_dir():
        return f"--out {out} is a folder; give a PNG file name"
    return None
