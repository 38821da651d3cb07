"""The address a sign-in attempt comes from, for lockout (django-axes' AXES_CLIENT_IP_CALLABLE).

By default only REMOTE_ADDR counts: anyone can send an X-Forwarded-For header, so trusting it
would let an attacker pick a new address for every guess (no lockout) or name a colleague's
address (locking them out). Behind N proxies of our own (`TRUSTED_PROXY_COUNT`), each proxy
appends the address it received the request from, so the client is the N-th entry from the right;
anything further left was written by the client and is ignored. The header is read only from a
request that came from one of the proxies' networks (`TRUSTED_PROXY_NETWORKS`): a client that
reaches the app directly wrote all of it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _from_trusted_proxy(remote_addr: str | None) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network) for network in settings.TRUSTED_PROXY_NETWORKS
    )


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the right-most untrusted X-Forwarded-For entry."""
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count <= 0 or not _from_trusted_proxy(remote_addr):
        return remote_addr
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxy_count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote_addr
    candidate = forwarded[-proxy_count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
