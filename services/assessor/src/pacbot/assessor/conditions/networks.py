"""Address ranges of CIDR strings as integers: what ``ipaddress`` answers, without its cost.

A security-group check reads every peer CIDR of every rule; building ``ipaddress`` network
objects for them dominated its run time. ``span`` reads the common dotted IPv4 form directly
and leaves every other form (IPv6, netmasks, anything malformed) to ``ipaddress``, so results
and error messages stay exactly the library's.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

Span = tuple[int, int, int]  # (IP version, first address, last address)

_IPV4 = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})(?:/([0-9]{1,2}))?")


def span(text: str) -> Span:
    """``ipaddress.ip_network(text, strict=False)`` as (version, first, last); raises the same."""
    match = _IPV4.fullmatch(text)
    if match is not None:
        a, b, c, d, prefix = match.groups()
        octets = (a, b, c, d)
        bits = 32 if prefix is None else int(prefix)
        if bits <= 32 and all(_octet(o) for o in octets):
            host = (1 << (32 - bits)) - 1
            first = ((int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)) & ~host
            return 4, first, first | host
    network = ipaddress.ip_network(text, strict=False)
    return network.version, int(network.network_address), int(network.broadcast_address)


def _octet(text: str) -> bool:
    """A decimal octet ``ipaddress`` accepts: 0-255 without leading zeros."""
    return (text == "0" or text[0] != "0") and int(text) <= 255


@lru_cache(maxsize=256)
def spans(cidrs: tuple[str, ...]) -> tuple[Span, ...]:
    """The spans of a policy's own CIDR list (validated at load), computed once per list."""
    return tuple(span(cidr.strip()) for cidr in cidrs)


def covers(peer: Span, target: Span) -> bool:
    """Whether ``target`` is a subnet of ``peer`` (``ipaddress``'s ``subnet_of``)."""
    return peer[0] == target[0] and peer[1] <= target[1] and target[2] <= peer[2]
