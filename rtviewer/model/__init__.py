"""Typed, immutable models of the DICOM-RT objects as the viewer understands them."""
