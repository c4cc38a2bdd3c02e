"""The window's modules import no scipy: its packages cost about a second of start-up.

scipy is imported where it is used (smooth structure models, structure comparison,
plan checks, gamma), none of which runs before the first image. Nor do the window's
modules import PyYAML (goal and lesson files), the plan checks (``rtviewer.review``) or
the folder checks (``rtviewer.dicom.check``): each is imported when first used. The side
panel's pages not on screen at the first image are built, and their modules imported, when
their tab is first shown (``rtviewer.ui.views.lazy_tabs``).
"""

from __future__ import annotations

import subprocess
import sys

from testsupport import REPO_ROOT

_WINDOW_MODULES = [
    "rtviewer.app", "rtviewer.ui.window.main_window", "rtviewer.ui.window.viewer_controller",
    "rtviewer.ui.window.help_menu", "rtviewer.ui.window.recent_menu",
    "rtviewer.ui.window.plan_checks_dock", "rtviewer.ui.views.viewer",
    "rtviewer.ui.window.lesson_player", "rtviewer.ui.window.presenter",
    "rtviewer.ui.window.check_panel",
]
#: Imported after the first image (menus, checks, goal and lesson files).
_LATER = ("yaml", "rtviewer.review", "rtviewer.dicom.check")


def test_the_window_modules_import_no_scipy():
    code = ("import importlib, sys\n"
            f"for name in {_WINDOW_MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO_ROOT, timeout=300, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_window_modules_import_no_yaml_nor_checks():
    code = ("import importlib, sys\n"
            f"for name in {_WINDOW_MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] == 'yaml' or "
            f"m in {_LATER!r} or m.startswith(('rtviewer.review.', 'rtviewer.dicom.check.'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO_ROOT, timeout=300, check=True)
    assert out.stdout.strip() == "[]", out.stdout


#: The side panel's pages built when first shown, with the modules only they use (the
#: TG-43 calculation: the window only recognises its dose, ``model/tg43_mark.py``).
_LAZY_PAGES = ("rtviewer.ui.panels.dvh_panel", "rtviewer.ui.panels.goals_panel",
               "rtviewer.ui.panels.compare_panel", "rtviewer.ui.panels.plan_panel",
               "rtviewer.ui.panels.brachy_panel", "rtviewer.ui.panels.rtimage_panel",
               "rtviewer.ui.views.bev_view", "rtviewer.ui.views.record_view",
               "rtviewer.model.brachy_tg43_dose", "rtviewer.model.gec_estro")


def test_the_window_modules_import_no_page_built_on_demand():
    code = ("import importlib, sys\n"
            f"for name in {_WINDOW_MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            f"print(sorted(m for m in sys.modules if m in {_LAZY_PAGES!r}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO_ROOT, timeout=300, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_banner_names_other_patients_without_importing_the_checks(corpus):
    # the banner is filled at the first image: the checks' rule, not every check
    plan, dose = (corpus / "dicompyler-core" / name for name in ("rtplan.dcm", "rtdose.dcm"))
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from rtviewer.ui.panels.patient_banner import other_patients\n"
            f"print(repr(other_patients(Path({str(plan)!r}), {{'dose': Path({str(dose)!r})}})))\n"
            "print(sorted(m for m in sys.modules if m.startswith('rtviewer.dicom.check')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO_ROOT, timeout=300, check=True)
    assert out.stdout.split("\n")[:2] == ["''", "[]"], out.stdout
