"""Where a request came from, as far as the server can tell: kept with every record and event."""

import ipaddress
from dataclasses import dataclass

from accounts.client_ip import client_ip_address


@dataclass(frozen=True)
class RequestMeta:
    """Where a request came from, as far as the server can tell."""

    ip_address: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request) -> "RequestMeta":
        # The same rule as sign-in lockout: REMOTE_ADDR, or the address our own proxies saw.
        raw = client_ip_address(request) or ""
        try:
            ip = ipaddress.ip_address(raw).compressed
        except ValueError:
            ip = None
        return cls(ip_address=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:500])
