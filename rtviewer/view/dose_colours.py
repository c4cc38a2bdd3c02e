"""Colours for isodose levels and the dose colourwash (no Qt: plain RGB tuples)."""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["clear_colour", "colourwash_rgba", "isodose_colour", "isodose_palette", "wash_lut"]

# Anchor colours of a cold-to-hot scale by fraction of the reference dose: the
# usual planning-system look (blue low, green mid, yellow 95 %, red 100 %+).
_ANCHORS = np.array([
    [0.00, 0, 0, 160],
    [0.30, 0, 80, 255],
    [0.50, 0, 200, 255],
    [0.70, 0, 200, 80],
    [0.80, 130, 230, 0],
    [0.90, 230, 230, 0],
    [0.95, 255, 190, 0],
    [1.00, 255, 100, 0],
    [1.05, 255, 0, 0],
    [1.07, 255, 0, 170],
    [1.20, 255, 120, 255],
])


def isodose_colour(fraction: float) -> tuple[int, int, int]:
    """RGB of an isodose line at ``fraction`` of the reference dose (1.0 = 100 %).

    Examples
    --------
    >>> isodose_colour(1.0)
    (255, 100, 0)
    """
    f = float(np.clip(fraction, _ANCHORS[0, 0], _ANCHORS[-1, 0]))
    rgb = [np.interp(f, _ANCHORS[:, 0], _ANCHORS[:, c]) for c in (1, 2, 3)]
    return (int(round(rgb[0])), int(round(rgb[1])), int(round(rgb[2])))


#: Colours an isodose line may take instead of its scale colour when that one is a
#: structure's: distinct, saturated or light, none of them black or the CT's greys.
_SPARE = ((255, 255, 255), (255, 160, 200), (180, 120, 255), (255, 220, 150),
          (150, 255, 200), (255, 120, 60), (120, 200, 255), (200, 255, 100),
          (255, 90, 150), (170, 170, 255), (255, 255, 120), (100, 255, 255))
#: Closer than this (RGB Euclidean distance, 0-441) a line is mistaken for a structure.
COLLISION_RGB = 90.0
#: Two isodose lines are at least this far apart (RGB distance).
LEVEL_SEPARATION_RGB = 45.0


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(np.sqrt(sum((int(x) - int(y)) ** 2 for x, y in zip(a, b, strict=True))))


@functools.cache
def _scale_samples() -> tuple[tuple[int, int, int], ...]:
    """The scale's colours every 2.5 % from 0 to 120 %: candidates for a colliding level."""
    return tuple((int(r), int(g), int(b)) for r, g, b in _scale_rgb(np.linspace(0.0, 1.2, 49)))


def _scale_rgb(fractions: np.ndarray) -> np.ndarray:
    """``(n, 3)`` int64: :func:`isodose_colour` of each fraction, for many at once.

    The same arithmetic (``np.interp`` per channel, rounded half to even as ``round``
    does), so the same integers; one call instead of three per fraction.
    """
    f = np.clip(np.asarray(fractions, dtype=np.float64), _ANCHORS[0, 0], _ANCHORS[-1, 0])
    rgb = np.stack([np.interp(f, _ANCHORS[:, 0], _ANCHORS[:, c]) for c in (1, 2, 3)], axis=-1)
    rounded: np.ndarray = np.rint(rgb).astype(np.int64)
    return rounded


def isodose_palette(fractions: tuple[float, ...],
                    avoid: tuple[tuple[int, int, int], ...] = ()) -> list[tuple[int, int, int]]:
    """See :func:`_isodose_palette`; cached: every redraw of every view asks again."""
    return list(_cached_palette(tuple(fractions), tuple(avoid)))


@functools.lru_cache(maxsize=64)
def _cached_palette(fractions: tuple[float, ...],
                    avoid: tuple[tuple[int, int, int], ...]) -> tuple[tuple[int, int, int], ...]:
    return tuple(_isodose_palette(fractions, avoid))


def _isodose_palette(fractions: tuple[float, ...],
                     avoid: tuple[tuple[int, int, int], ...] = ()) -> list[tuple[int, int, int]]:
    """One colour per isodose level, none close to a structure's colour or another level's.

    Each level keeps its cold-to-hot scale colour (:func:`isodose_colour`) unless that is
    within :data:`COLLISION_RGB` of a colour in ``avoid`` (the structures') or of a level
    already coloured; then it takes the nearest free colour of the scale's neighbours
    and a spare set. The legend and the lines call this with the same arguments.

    Examples
    --------
    >>> isodose_palette((1.0,))
    [(255, 100, 0)]
    >>> isodose_palette((1.05,), avoid=((255, 0, 0),)) != [(255, 0, 0)]
    True
    """
    taken: list[tuple[int, int, int]] = []
    for fraction in fractions:
        wanted = isodose_colour(fraction)
        candidates = [wanted, *_variants(wanted), *_scale_samples(), *_SPARE]
        # structures must never be mistaken for a line; two lines may be a little closer
        free = [c for c in candidates
                if all(_distance(c, b) >= COLLISION_RGB for b in avoid)
                and all(_distance(c, b) >= LEVEL_SEPARATION_RGB for b in taken)]
        # the free colour nearest the scale's keeps the cold-to-hot reading; when every
        # candidate collides, the one farthest from its nearest structure
        if free:
            choice = min(free, key=lambda c: _distance(c, wanted))
        else:
            choice = max(candidates, key=lambda c: min(
                (_distance(c, b) for b in (*avoid, *taken)), default=0.0))
        taken.append(choice)
    return taken


def clear_colour(avoid: tuple[tuple[int, int, int], ...], *,
                 over_grey: bool = False) -> tuple[int, int, int]:
    """The first spare colour (white first) clear of every colour in ``avoid``.

    For markers that must stand out from structures and isodoses (brachy dwell
    positions); the spare farthest from its nearest neighbour when none is clear.
    ``over_grey``: no white (drawn over a DRR or portal image, whose bone is white).

    Examples
    --------
    >>> clear_colour(((255, 0, 0),))
    (255, 255, 255)
    >>> clear_colour(((255, 255, 255),))
    (255, 160, 200)
    """
    spares = _SPARE[1:] if over_grey else _SPARE
    for colour in spares:
        if all(_distance(colour, b) >= COLLISION_RGB for b in avoid):
            return colour
    return max(spares, key=lambda c: min(_distance(c, b) for b in avoid))


def _variants(rgb: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    """``rgb`` lightened and darkened: the same hue, told apart from a structure's."""
    out = []
    for weight in (0.35, 0.6):
        out.append(tuple(int(round(c + (255 - c) * weight)) for c in rgb))
        out.append(tuple(int(round(c * (1 - weight))) for c in rgb))
    return out  # type: ignore[return-value]


def wash_lut(size: int = 256) -> np.ndarray:
    """``(size, 3)`` uint8 colour table from 0 to 110 % of the reference.

    Examples
    --------
    >>> wash_lut(3).tolist()
    [[0, 0, 160], [0, 200, 211], [255, 28, 190]]
    """
    return _scale_rgb(np.linspace(0.0, 1.1, size)).astype(np.uint8)


@functools.cache
def _wash_table() -> np.ndarray:
    """The colourwash's table, made when a dose is first washed.

    Not at import: the window's first image needs none.
    """
    return wash_lut()


def colourwash_rgba(dose_gy: np.ndarray, *, reference_gy: float, threshold_gy: float,
                    alpha: int = 110) -> np.ndarray:
    """Translucent RGBA image of a dose plane.

    Parameters
    ----------
    dose_gy : ndarray, (rows, columns)
        Dose in Gy (NaN outside the grid).
    reference_gy : float, keyword-only
        100 % dose; the scale runs from 0 to 110 % of it.
    threshold_gy : float, keyword-only
        Doses below this are fully transparent.
    alpha : int, keyword-only
        Opacity (0-255) of washed pixels.

    Returns
    -------
    ndarray, (rows, columns, 4) uint8
    """
    if reference_gy <= 0:
        raise ValueError(f"reference_gy must be positive, got {reference_gy}")
    lut = _wash_table()
    values = np.nan_to_num(np.asarray(dose_gy, dtype=np.float32), nan=-1.0)
    index = np.clip(values / (1.1 * reference_gy) * (len(lut) - 1), 0, len(lut) - 1)
    rgba = np.empty(values.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = lut[index.astype(np.intp)]
    rgba[..., 3] = np.where(values >= max(threshold_gy, 1e-12), alpha, 0)
    return rgba
