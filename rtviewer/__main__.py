"""``python -m rtviewer`` is the same as the ``rtviewer`` command."""

import sys

from rtviewer.cli import main

if __name__ == "__main__":
    sys.exit(main())
