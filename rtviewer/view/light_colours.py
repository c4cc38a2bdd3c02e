"""Structure colours a white background would swallow, and what to draw them with.

A structure set may give an ROI white or a pale colour ("Borders" in the
dicompyler-core example is white): right on a CT, lost on the DVH plot's white
background and in a white table. Such colours keep their own value (the file's,
never changed) and get a dark outline for display. No Qt: plain RGB tuples.
"""

from __future__ import annotations

__all__ = ["OUTLINE_RGB", "contrast_ratio", "needs_outline", "relative_luminance"]

#: The outline drawn around a light colour (a dark grey, no structure's hue).
OUTLINE_RGB = (70, 70, 70)
#: Below this contrast ratio against the background a line is hard to find (WCAG 2
#: asks 3 for graphics; 1.6 picks white, yellow, cyan, pure green and pastels, not
#: orange, red or a mid green).
MIN_CONTRAST = 1.6


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black to 1 white).

    Examples
    --------
    >>> relative_luminance((255, 255, 255)), relative_luminance((0, 0, 0))
    (1.0, 0.0)
    """
    def linear(channel: int) -> float:
        c = channel / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(c)) for c in rgb)
    return round(0.2126 * r + 0.7152 * g + 0.0722 * b, 12)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (same) to 21 (black on white).

    Examples
    --------
    >>> round(contrast_ratio((0, 0, 0), (255, 255, 255)), 1)
    21.0
    """
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def needs_outline(rgb: tuple[int, int, int],
                  background: tuple[int, int, int] = (255, 255, 255)) -> bool:
    """Whether a line or swatch of ``rgb`` needs a dark outline on ``background``.

    Examples
    --------
    >>> needs_outline((255, 255, 255)), needs_outline((255, 255, 0))
    (True, True)
    >>> needs_outline((255, 0, 0)), needs_outline((0, 128, 0))
    (False, False)
    """
    return contrast_ratio(rgb, background) < MIN_CONTRAST
