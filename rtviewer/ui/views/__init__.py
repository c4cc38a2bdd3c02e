"""The picture widgets and what is drawn over them.

The viewer's slice views, beam's-eye view, RT Image and record views, their shared
observable state, legends, labels and overlays.
"""
