"""Solids are built once per contour content; the cache stays within its bound."""

import numpy as np
from core_shapes import square_uv, stack

from rtviewer.core.content_cache import ContentCache, arrays_digest
from rtviewer.core.structure_model import build_structure_model


def test_the_same_contours_by_value_give_the_same_solid():
    box = stack(square_uv(5.0), [0.0, 2.0, 4.0])
    first = build_structure_model(box, "slab")
    assert build_structure_model([p.copy() for p in box], "slab") is first
    assert build_structure_model(box, "none") is not first  # the model is part of the key
    assert build_structure_model(box, "slab", plane_spacing_mm=3.0) is not first
    moved = [p + [0.0, 0.0, 0.5] for p in box]
    assert build_structure_model(moved, "slab") is not first
    assert first is not None and first.volume_mm3 == 10 * 10 * 6


def test_least_recently_used_entries_go_first_within_the_cost_bound():
    cache: ContentCache[int] = ContentCache(max_cost=10)
    built: list[str] = []

    def value(key: str, cost: int) -> int:
        return cache.get_or_build(key, lambda: built.append(key) or len(built), cost)

    assert value("a", 4) == 1 and value("b", 4) == 2 and value("a", 4) == 1  # a is recent
    assert value("c", 4) == 3  # 12 > 10: b, the least recently used, goes
    assert value("a", 4) == 1 and value("b", 4) == 4
    assert value("huge", 11) == 5 and value("huge", 11) == 6  # never kept
    assert built == ["a", "b", "c", "b", "huge", "huge"]


def test_digest_tells_dtype_shape_and_values_apart():
    a = np.zeros((2, 3))
    assert arrays_digest([a]) == arrays_digest([np.zeros((2, 3))])
    assert arrays_digest([a]) != arrays_digest([np.zeros((3, 2))])
    assert arrays_digest([a]) != arrays_digest([np.zeros((2, 3), dtype=np.float32)])
    assert arrays_digest([a, a]) != arrays_digest([a])
