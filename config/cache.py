"""Django's Redis cache, with one Redis client per connection pool instead of a new one per call.

Django's `RedisCacheClient.get_client` builds a `redis.Redis` object on every cache call (about 180 µs
here, more than the round trip); a signed-in page makes several (session, member-token version,
status). redis-py clients are thread-safe over their pool, so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, object] = {}

    def get_client(self, key=None, *, write=False):
        client = self._clients.get(write)
        if client is None:
            # Django's client has both attributes; its stubs declare neither.
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[write] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
