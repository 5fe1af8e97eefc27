"""Redis stopped (X7): the pages still serve, the cache counts as a miss, and it is used again
once Redis is back. A real redis-server on a port of its own, stopped and started by the test."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            *(shutil.which("redis-server"), "--port", str(port), "--save", ""),
            *("--appendonly", "no", "--bind", "127.0.0.1"),
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not start")


@pytest.fixture
def redis_cache(settings):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = _start(port)
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {**settings.REDIS_CACHE_OPTIONS},
        }
    }
    state = {"server": server, "port": port}
    yield state
    state["server"].kill()
    state["server"].wait()


def test_pages_serve_while_redis_is_down_and_the_cache_returns_with_it(
    redis_cache, client_as, monkeypatch
):
    client = client_as("street_dispatcher")
    cache.set("probe", "up")
    assert cache.get("probe") == "up"
    assert client.get("/").status_code == 200
    # when Redis stops
    redis_cache["server"].kill()
    redis_cache["server"].wait()

    # then the home page, a list and the public query still answer, and the cache is a miss;
    # the home page's figures are computed at once, not after waiting for a lock nobody holds
    def no_waiting(seconds):
        raise AssertionError("waited for a cache lock while the cache was down")

    monkeypatch.setattr("pingan.cases.selectors.time.sleep", no_waiting)
    assert client.get("/").status_code == 200
    assert client.get("/cases/").status_code == 200
    assert client.get("/q/").status_code == 200
    wrong = client.post("/q/", {"number": "DC-NONE", "code": "000000"})
    assert wrong.status_code == 400 and "事项编号或查询码不正确" in wrong.content.decode()
    assert cache.get("probe") is None
    cache.set("probe", "lost")  # no error either
    monkeypatch.undo()  # time.sleep is the time module's own: restore it for the restart
    # when Redis is back, the cache is used again
    redis_cache["server"] = _start(redis_cache["port"])
    cache.set("probe", "back")
    assert cache.get("probe") == "back"
