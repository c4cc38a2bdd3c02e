"""PyInstaller entry point of ``rtviewerw`` (no console; Windows and the macOS .app).

Mirrors the ``rtviewerw`` gui-script: ``rtviewerw PATH...`` opens the window on PATHs.
"""

import multiprocessing
import sys

from rtviewer.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
