"""Every named route, page or API, has a permission matrix (X1): who may not, who cannot see,
who may. A new route without one fails here."""

import importlib
from pathlib import Path

from django.conf import settings
from django.urls import URLResolver, get_resolver

from pingan.core.testing import PermissionMatrix

# Routes open to everyone, or guarded by something other than a staff login; each is tested
# where it lives.
PUBLIC = {
    "login": "the login page itself",
    "logout": "ends whatever session there is",
    "set_language": "Django's language switch",
    "javascript-catalog": "the translations the pages' scripts read",
    "favicon": "the site icon browsers ask for (core/tests/test_home.py)",
    "health-live": "monitoring networks only (core/tests/test_health.py)",
    "health-ready": "monitoring networks only (core/tests/test_health.py)",
    "metrics": "monitoring networks only (core/tests/test_health.py)",
    "public-query": "a citizen's progress query (cases/tests/test_public.py)",
    "api-token": "obtains a token with a username and password (core/tests/test_tokens.py)",
    "open311:services": "the public Open311 GeoReport v2 interface (patrol/tests/test_open311.py)",
    "open311:service": "the public Open311 GeoReport v2 interface",
    "open311:requests": "the public Open311 GeoReport v2 interface",
    "open311:request": "the public Open311 GeoReport v2 interface",
}
# Django's own admin, with its own staff and permission checks.
OWN_PERMISSIONS = ("admin:",)


def _route_names(resolver, namespace=()):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _route_names(pattern, inner)
        elif pattern.name:
            yield ":".join((*namespace, pattern.name))


def _matrices():
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("pingan/*/tests/test_*.py")):
        importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
    found, todo = [], list(PermissionMatrix.__subclasses__())
    while todo:
        matrix = todo.pop()
        found.append(matrix)
        todo.extend(matrix.__subclasses__())
    return found


def test_every_route_has_a_permission_matrix():
    routes = {
        name
        for name in _route_names(get_resolver())
        if name not in PUBLIC and not name.startswith(OWN_PERMISSIONS)
    }
    covered = {matrix.url_name for matrix in _matrices() if matrix.url_name}
    assert sorted(routes - covered) == []


def test_public_routes_exist():
    # The exemptions name real routes, so a renamed route cannot hide behind a stale entry.
    assert set(PUBLIC) <= set(_route_names(get_resolver()))


def test_every_matrix_names_a_route():
    routes = set(_route_names(get_resolver()))
    assert sorted({m.url_name for m in _matrices() if m.url_name} - routes) == []
