"""Random rows picked by the database, for demo generators that read large tables."""

import random

from django.db.models import F, QuerySet

# A multiplicative hash modulo a prime spreads consecutive keys over the whole range; with a
# salt from the generator's random stream, each seed picks its own rows.
_MULTIPLIER = 2_654_435_761
_PRIME = 4_294_967_291


def sample(queryset: QuerySet, count: int, rng: random.Random) -> QuerySet:
    """``count`` rows of ``queryset`` (all of them if it has fewer), chosen at random and
    reproducibly from ``rng``. The database orders the rows by a salted hash of their key and
    returns only those picked, so memory does not grow with the table."""
    salt = rng.getrandbits(24)
    draw = (F("pk") + salt) * _MULTIPLIER % _PRIME
    return queryset.alias(demo_draw=draw).order_by("demo_draw", "pk")[: max(count, 0)]
