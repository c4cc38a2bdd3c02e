"""PyInstaller entry point of ``rtviewer`` (console): the same as the pip-installed command."""

import multiprocessing
import sys

from rtviewer.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not re-run main()
    sys.exit(main())
