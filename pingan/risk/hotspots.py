"""Hot spots (热点聚集, M7.3): Getis-Ord Gi* over queen contiguity of the grid polygons.

- Neighbours: two grids are neighbours when their polygons share at least one point (queen
  contiguity), found with a shapely STRtree. Weights are binary and every grid is its own
  neighbour (the "star" in Gi*).
- For grid i with neighbour set N(i) (including i), n grids, values y, mean ȳ and population
  variance s² = mean(y²) − ȳ²::

      G*_i    = Σ_{j∈N(i)} y_j / Σ_j y_j
      E[G*_i] = |N(i)| / n
      V[G*_i] = |N(i)| (n − |N(i)|) / (n − 1) / n² · s² / ȳ²
      z_i     = (G*_i − E[G*_i]) / √V[G*_i]

  which is PySAL's ``esda.G_Local(y, w, transform="B", star=True)`` (the tests compare the
  two). p-values are two-sided from the normal distribution; since some of ~2,000 tests are
  small by chance, they are corrected with Benjamini–Hochberg and a grid is a hot spot when
  its q-value is below the configured false discovery rate and z > 0.
"""

import hashlib
import json
from collections.abc import Sequence

import numpy as np
from scipy import sparse, stats
from shapely import STRtree
from shapely.geometry import shape

_NEIGHBOURS: dict[str, list[list[int]]] = {}


def queen_neighbours(geometries: Sequence[dict | None]) -> list[list[int]]:
    """For each polygon (GeoJSON), the indexes of the others that share at least a point.

    Grid boundaries seldom change: the last answer is kept per process, keyed by a digest of
    the polygons themselves, so a nightly or repeated recompute skips the geometry work."""
    key = hashlib.sha256(json.dumps(list(geometries), sort_keys=True).encode()).hexdigest()
    if key not in _NEIGHBOURS:
        _NEIGHBOURS.clear()
        _NEIGHBOURS[key] = _queen_neighbours(geometries)
    return [list(js) for js in _NEIGHBOURS[key]]


def _queen_neighbours(geometries: Sequence[dict | None]) -> list[list[int]]:
    shapes = [shape(g) if g else None for g in geometries]
    present = [i for i, s in enumerate(shapes) if s is not None]
    tree = STRtree([shapes[i] for i in present])
    neighbours: list[list[int]] = [[] for _ in shapes]
    for position, i in enumerate(present):
        hits = tree.query(shapes[i], predicate="intersects")
        neighbours[i] = sorted(present[h] for h in hits if h != position)
    return neighbours


def weights_matrix(neighbours: list[list[int]]) -> sparse.csr_matrix:
    """Binary weights with ones on the diagonal (each grid counts in its own neighbourhood)."""
    n = len(neighbours)
    rows = [i for i, js in enumerate(neighbours) for _ in js] + list(range(n))
    cols = [j for js in neighbours for j in js] + list(range(n))
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def getis_ord_star(y: Sequence[float], neighbours: list[list[int]]) -> np.ndarray:
    """z-scores of Gi* (see the module docstring); zeros when y has no variation."""
    values = np.asarray(y, dtype=float)
    n = len(values)
    mean = values.mean() if n else 0.0
    variance = (values**2).mean() - mean**2 if n else 0.0
    if n < 2 or mean == 0 or variance <= 1e-12 * max(1.0, mean**2):
        return np.zeros(n)
    w = weights_matrix(neighbours)
    statistic = (w @ values) / values.sum()
    cardinality = np.asarray(w.sum(axis=1)).ravel()
    expected = cardinality / n
    spread = cardinality * (n - cardinality) / (n - 1) / n**2 * variance / mean**2
    return (statistic - expected) / np.sqrt(spread)


def two_sided_p(z: np.ndarray) -> np.ndarray:
    return 2 * stats.norm.sf(np.abs(z))


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values)."""
    if len(p) == 0:
        return np.asarray(p, dtype=float)
    return stats.false_discovery_control(np.asarray(p, dtype=float), method="bh")
