"""The storage module, the same tests against a local directory and against a local S3-protocol
server (moto's server mode, over HTTP): put, get, replace, delete, and no reach into another
school's keys."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from oneclass import storage
from oneclass.services.errors import NotFound
from oneclass.settings import get_settings


@dataclass(frozen=True)
class Caller:
    school_id: uuid.UUID | None


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Settings that choose the backend, as a deployment's environment would."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"oneclass-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test").create_bucket(
            Bucket=bucket
        )
        for name, value in {"STORAGE_ENDPOINT_URL": endpoint, "STORAGE_BUCKET": bucket, "STORAGE_ACCESS_KEY": "test", "STORAGE_SECRET_KEY": "test"}.items():
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    storage.reset_backend()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()
    storage.reset_backend()


def test_settings_choose_the_backend(store: str, tmp_path: Path) -> None:
    chosen = storage.backend()
    if store == "s3":
        assert isinstance(chosen, storage.S3Bucket)
    else:
        assert isinstance(chosen, storage.LocalDirectory) and chosen.root == tmp_path / "files"


def test_put_get_replace_delete(store: str) -> None:
    school = Caller(uuid.uuid4())
    key = storage.school_key(school.school_id, "photos", "student-1.jpg")
    assert key == f"{school.school_id}/photos/student-1.jpg"
    storage.put(school, key, b"\xff\xd8first", "image/jpeg")
    assert storage.get(school, key) == b"\xff\xd8first"
    storage.put(school, key, b"second")
    assert storage.get(school, key) == b"second"
    storage.delete(school, key)
    with pytest.raises(NotFound):
        storage.get(school, key)
    storage.delete(school, key)  # deleting what is gone is no error


def test_another_schools_key_reaches_nothing(store: str) -> None:
    mine, theirs = Caller(uuid.uuid4()), Caller(uuid.uuid4())
    their_key = storage.school_key(theirs.school_id, "reports", "term-1.pdf")
    storage.put(theirs, their_key, b"%PDF their report")
    for attempt in (
        lambda: storage.get(mine, their_key),
        lambda: storage.put(mine, their_key, b"overwritten"),
        lambda: storage.delete(mine, their_key),
        lambda: storage.get(Caller(None), their_key),  # a platform caller has no school's files
    ):
        with pytest.raises(NotFound):
            attempt()
    assert storage.get(theirs, their_key) == b"%PDF their report"


@pytest.mark.parametrize(
    "suffix",
    ["../{other}/reports/term-1.pdf", "reports/../../{other}/reports/term-1.pdf", "reports//term-1.pdf", "", "reports/", "/reports/x", "reports/a b"],
)
def test_a_key_that_climbs_out_or_is_malformed_is_refused(store: str, suffix: str) -> None:
    mine, theirs = Caller(uuid.uuid4()), Caller(uuid.uuid4())
    storage.put(theirs, storage.school_key(theirs.school_id, "reports", "term-1.pdf"), b"theirs")
    with pytest.raises(NotFound):
        storage.get(mine, f"{mine.school_id}/" + suffix.format(other=theirs.school_id))
    with pytest.raises(ValueError):
        storage.school_key(mine.school_id, "..", "x")
