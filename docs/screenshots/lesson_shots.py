"""Screenshots of a built-in lesson step in the real window, optionally in presenter mode.

Usage: ``lesson_shots.py OUT.png WIDTHxHEIGHT FOLDER LESSON STEP [presenter]``: FOLDER
holds the demo patients (``rtviewer demo``), LESSON is the start of a built-in
lesson's file name (``2-lung``), STEP counts from 1. Run under an X server whose
screen is the picture's size (``xvfb-run -s "-screen 0 1024x768x24"``): presenter
mode takes the whole screen.
"""

from __future__ import annotations

import sys
import time

from window_shots import fixed_window  # this folder: the scripts run as files


def main(argv: list[str]) -> int:
    """Open FOLDER, then the lesson at STEP, and save the window as OUT.png."""
    out, size, folder, lesson_name, step = argv[:5]
    presenter = len(argv) > 5 and argv[5] == "presenter"
    app, window, controller, open_path = fixed_window()
    from rtviewer.view.lesson_file import builtin_lesson_paths

    width, height = (int(v) for v in size.split("x"))
    window.resize(width, height)
    window.show()
    open_path(folder)

    def settle(condition, seconds: float = 300) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not condition():
            app.processEvents()
            time.sleep(0.02)

    settle(lambda: not window.is_scanning() and window.results and not controller._workers)
    path = next(p for p in builtin_lesson_paths() if p.name.startswith(lesson_name))
    window.lessons.open_file(path)
    if presenter:
        window.presenter.set_active(True)
    window.lessons.go(int(step) - 1)
    settle(lambda: window.lessons._waiting_for is None and not controller._workers)
    controller.viewer.dvh_panel.wait_all()
    for _ in range(60):  # late menus, DVH redraw, repaint
        app.processEvents()
        time.sleep(0.05)
    window.grab().save(out)
    print(f"{out}: {path.name} step {step}, problems {window.lessons.problems}")
    controller.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
