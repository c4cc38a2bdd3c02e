"""What is shown where, without Qt.

Scene building, view geometry, contour cuts, beam and plan geometry for drawing, chain
selection, labels, colours and record summaries. The widgets in :mod:`rtviewer.ui` draw
what this package computes; ``rtviewer render``, reports and tests use it without a
display. No Qt and no pydicom, not even indirectly (``pyproject.toml`` contracts).
"""
