"""Gi* hot spots: queen contiguity from polygons, z-scores equal to PySAL esda's, BH."""

import numpy as np
import pytest

from pingan.orgs.geometry import rect_polygon
from pingan.orgs.models import Division
from pingan.risk.hotspots import (
    benjamini_hochberg,
    getis_ord_star,
    queen_neighbours,
    two_sided_p,
)

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")


def lattice(rows: int, cols: int) -> list[dict]:
    return [
        rect_polygon((c * 0.01, r * 0.01, (c + 1) * 0.01, (r + 1) * 0.01))
        for r in range(rows)
        for c in range(cols)
    ]


def esda_z(y: np.ndarray, neighbours: list[list[int]]) -> np.ndarray:
    w = libpysal.weights.W({i: js for i, js in enumerate(neighbours)}, silence_warnings=True)
    return esda.G_Local(y, w, transform="B", star=True, permutations=0).Zs


def test_queen_contiguity_counts_shared_corners():
    neighbours = queen_neighbours(lattice(3, 3))
    assert neighbours[4] == [0, 1, 2, 3, 5, 6, 7, 8]  # the centre touches all eight
    assert neighbours[0] == [1, 3, 4]  # a corner cell: two edges and one corner


def test_gi_star_equals_esda_on_a_lattice():
    rng = np.random.default_rng(7)
    neighbours = queen_neighbours(lattice(12, 15))
    for _ in range(5):
        y = rng.gamma(2.0, 10.0, size=len(neighbours))
        y[rng.integers(0, len(y), 10)] += 80  # a few high values
        np.testing.assert_allclose(
            getis_ord_star(y, neighbours), esda_z(y, neighbours), rtol=0, atol=1e-9
        )


@pytest.mark.django_db
def test_gi_star_equals_esda_on_the_dongcheng_grids():
    geometries = list(
        Division.objects.filter(level="grid").order_by("path").values_list("geometry", flat=True)
    )
    neighbours = queen_neighbours(geometries)
    assert all(neighbours), "every demo grid has a neighbour"
    y = np.random.default_rng(2026).poisson(5, size=len(geometries)).astype(float)
    np.testing.assert_allclose(
        getis_ord_star(y, neighbours), esda_z(y, neighbours), rtol=0, atol=1e-9
    )


def test_flat_values_have_no_hot_spot():
    neighbours = queen_neighbours(lattice(3, 3))
    assert not getis_ord_star(np.full(9, 4.0), neighbours).any()
    assert not getis_ord_star(np.zeros(9), neighbours).any()


def test_two_sided_p_and_benjamini_hochberg_by_hand():
    assert two_sided_p(np.array([1.959963984540054]))[0] == pytest.approx(0.05)
    p = np.array([0.01, 0.04, 0.03, 0.20])
    # sorted: 0.01·4/1 = 0.04, 0.03·4/2 = 0.06, 0.04·4/3 = 0.0533 → monotone 0.0533, 0.2
    np.testing.assert_allclose(benjamini_hochberg(p), [0.04, 0.0533333, 0.0533333, 0.2], rtol=1e-5)
