"""Who is asking: the client's address behind the reverse proxy (X6).

Behind nginx every request's ``REMOTE_ADDR`` is the proxy's, so a limit keyed on it (the
public query's, django-axes' lockout) would count every citizen and every clerk as one. The
``X-Forwarded-For`` header is believed only when the request comes from a proxy named in
``PINGAN_TRUSTED_PROXIES`` (addresses or networks); then the client is the right-most address
in it that is not itself a trusted proxy. A header sent by anyone else is ignored, so it cannot
be used to spoof an address or to lock someone else out.
"""

import functools
import ipaddress

from django.conf import settings


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy)


def address_in(address: str | None, networks) -> bool:
    """Whether ``address`` lies in one of ``networks`` (addresses or networks, as settings
    name them); a missing or malformed address lies in none."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(networks)))


def _trusted(address: str) -> bool:
    return address_in(address, getattr(settings, "PINGAN_TRUSTED_PROXIES", ()))


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the forwarded one behind a trusted proxy;
    None when the server was not told (a request built in-process)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if _trusted(hop):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return remote  # a malformed header: the proxy is all we know
    return remote
