"""Analytic contour factories for core tests: circles, squares, stacks, rotations."""

from __future__ import annotations

import numpy as np


def circle_uv(radius_mm, n=720, center=(0.0, 0.0), clockwise=False):
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    if clockwise:
        t = -t
    return np.column_stack([center[0] + radius_mm * np.cos(t), center[1] + radius_mm * np.sin(t)])


def polygon_area_circle(radius_mm, n=720):
    """Exact area of the regular n-gon inscribed in a circle."""
    return 0.5 * n * radius_mm**2 * np.sin(2 * np.pi / n)


def square_uv(half_mm, center=(0.0, 0.0)):
    c = np.asarray(center, float)
    return np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float) * half_mm + c


def rotation(axis, angle_deg):
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    a = np.radians(angle_deg)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * k @ k


def stack(polygon_uv, offsets, rot=None, shift=(0.0, 0.0, 0.0)):
    """Polygons at the given offsets along +z, then rotated and shifted, in patient mm."""
    rot = np.eye(3) if rot is None else rot
    out = []
    for z in offsets:
        p = np.column_stack([polygon_uv, np.full(len(polygon_uv), float(z))])
        out.append(p @ np.asarray(rot).T + np.asarray(shift))
    return out


def stack_of(polygon_fn, offsets, rot=None, shift=(0.0, 0.0, 0.0)):
    """Like `stack` but with one (list of) polygon(s) per offset from ``polygon_fn(z)``."""
    rot = np.eye(3) if rot is None else rot
    out = []
    for z in offsets:
        polys = polygon_fn(z)
        for poly in polys:
            p = np.column_stack([poly, np.full(len(poly), float(z))])
            out.append(p @ np.asarray(rot).T + np.asarray(shift))
    return out
