"""How often one client address may do something, counted in a cache every app server shares.

A fixed window: each window has its own counter, which the cache forgets when the window ends.
A client may therefore burst up to twice the limit across a window's edge, and two requests at
the same instant may count once; that is enough against someone trying record codes by the
thousand, for one read and one write of the cache per hit.
"""

import time

from django.core.cache import caches


def throttle_hit(*, cache_alias: str, scope: str, key: str, limit: int, seconds: int) -> int:
    """Count one hit of `key` in `scope`. Returns 0 while within `limit` hits per `seconds`,
    otherwise the number of seconds until the window ends (for a Retry-After header)."""
    now = time.time()
    window_start = int(now // seconds) * seconds
    left = max(1, int(window_start + seconds - now) + 1)
    cache = caches[cache_alias]
    cache_key = f"throttle:{scope}:{key}:{window_start}"
    count = cache.get(cache_key, 0) + 1
    cache.set(cache_key, count, timeout=left)
    return 0 if count <= limit else left
