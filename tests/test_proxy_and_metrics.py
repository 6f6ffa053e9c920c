"""Behind a proxy, the caller's address is read only from the hops the deployment trusts; `/metrics`
answers the local scraper or the holder of the metrics token, nobody else."""

import importlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from oneclass.api import build_api
from oneclass.api.deps import client_ip
from oneclass.settings import get_settings

LOOPBACK = ("127.0.0.1", 50000)
ELSEWHERE = ("203.0.113.9", 50000)
METRICS_TOKEN = "metrics-token-for-this-test-only"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set settings for one test; the next test reads the environment as it was."""
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def _set(env: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        env.setenv(name, value)
    get_settings.cache_clear()


def _request(peer: str, forwarded_for: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for is not None else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1234)})


def test_without_trusted_hops_x_forwarded_for_is_ignored(env: pytest.MonkeyPatch) -> None:
    _set(env, TRUSTED_PROXY_HOPS="0")
    assert client_ip(_request("198.51.100.7", "10.0.0.1")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("hops", "forwarded_for", "expected"),
    [
        (1, "6.6.6.6, 198.51.100.20", "198.51.100.20"),  # the caller's "6.6.6.6" is its own words
        (2, "6.6.6.6, 198.51.100.20, 10.0.0.2", "198.51.100.20"),
        (2, "198.51.100.20", "10.0.0.9"),  # fewer entries than hops: not through the proxies
        (1, "", "10.0.0.9"),
    ],
)
def test_with_n_trusted_hops_the_nth_address_from_the_right_is_the_caller(
    env: pytest.MonkeyPatch, hops: int, forwarded_for: str, expected: str
) -> None:
    _set(env, TRUSTED_PROXY_HOPS=str(hops))
    assert client_ip(_request("10.0.0.9", forwarded_for)) == expected


def test_reflex_reads_the_same_setting(env: pytest.MonkeyPatch) -> None:
    import rxconfig

    _set(env, TRUSTED_PROXY_HOPS="2")
    try:
        assert importlib.reload(rxconfig).config.trusted_proxy_hops == 2
    finally:
        env.undo()
        get_settings.cache_clear()
        importlib.reload(rxconfig)  # later tests see the config the run started with


def test_a_negative_hop_count_is_refused(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        _set(env, TRUSTED_PROXY_HOPS="-1")
        get_settings()


def test_metrics_answer_on_loopback_only(env: pytest.MonkeyPatch) -> None:
    _set(env, METRICS_TOKEN="")
    assert TestClient(build_api(), client=LOOPBACK).get("/metrics").status_code == 200
    assert TestClient(build_api(), client=("::1", 50000)).get("/metrics").status_code == 200
    refused = TestClient(build_api(), client=ELSEWHERE).get("/metrics")
    assert refused.status_code == 403 and "oneclass_http" not in refused.text
    # A proxy on this machine forwards outsiders from loopback: forwarded is not local.
    proxied = TestClient(build_api(), client=LOOPBACK).get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403
    # Without a token set, no bearer value opens it.
    bearer = TestClient(build_api(), client=ELSEWHERE).get("/metrics", headers={"Authorization": "Bearer "})
    assert bearer.status_code == 403


def test_metrics_answer_a_remote_scraper_with_the_token(env: pytest.MonkeyPatch) -> None:
    _set(env, METRICS_TOKEN=METRICS_TOKEN)
    remote = TestClient(build_api(), client=ELSEWHERE)
    assert remote.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200
    assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert remote.get("/metrics").status_code == 403
