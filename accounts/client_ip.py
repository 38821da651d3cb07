"""The address a sign-in attempt comes from, for lockout (django-axes' AXES_CLIENT_IP_CALLABLE).

By default only REMOTE_ADDR counts: anyone can send an X-Forwarded-For header, so trusting it
would let an attacker pick a new address for every guess (no lockout) or name a colleague's
address (locking them out). Behind N proxies of our own (`TRUSTED_PROXY_COUNT`), each proxy
appends the address it received the request from, so the client is the N-th entry from the right;
anything further left was written by the client and is ignored.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the right-most untrusted X-Forwarded-For entry."""
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count <= 0:
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
