"""What is drawn over a slice view, one class per kind, all through one protocol.

:class:`~rtviewer.ui.views.overlays.protocol.SliceOverlay` is the protocol (attach to a
view, redraw for a plane, legend entries, hit-test for the readout). The slice view
draws the image, dose wash, isodoses and structures with it; the RT views add the
beams, brachy sources and reference points. A new overlay is a new module here.
"""
