"""Files (photos, logos, report cards, uploads waiting for a job): put, get and delete by key, in
a directory under the data directory, or in any S3-compatible store when the settings give an
endpoint and a bucket (STORAGE_ENDPOINT_URL, STORAGE_BUCKET, STORAGE_ACCESS_KEY,
STORAGE_SECRET_KEY).

Stored files sit outside PostgreSQL and so outside Row Level Security: every key begins with its
school's id (`school_key`), and every call names who acts and is refused a key of another school,
so a key found in a URL or a log reaches nothing of another school. There are no public URLs:
files are served by handlers that check the caller and then `get` the bytes.
"""

import hashlib
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from oneclass.db import InSchool
from oneclass.i18n import N_, _
from oneclass.services.errors import NotFound
from oneclass.settings import get_settings

NO_SUCH_FILE = N_("No such file.")
# A key: the school's id, then path parts of letters, digits and . _ - (no "..", no empty part).
_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Backend(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...  # None: no such file

    def delete(self, key: str) -> None: ...

    def every_key(self) -> Iterator[str]: ...  # every stored key: what a backup copies


class LocalDirectory:
    """Files under a directory of this machine: the default, for one machine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        partial.replace(path)  # a reader sees the old file or the new one, never half of one

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def every_key(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):  # not a write under way
                yield path.relative_to(self.root).as_posix()


class S3Bucket:
    """Files in a bucket of an S3-compatible store (AWS S3, MinIO, Ceph, ...)."""

    def __init__(self, *, endpoint_url: str, bucket: str, access_key: str, secret_key: str, region: str) -> None:
        import boto3

        self.bucket = bucket
        self.client: Any = boto3.client(
            "s3", endpoint_url=endpoint_url, aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None, region_name=region
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            return None
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def every_key(self) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for entry in page.get("Contents", []):
                yield entry["Key"]


@lru_cache
def backend() -> Backend:
    settings = get_settings()
    if settings.storage_endpoint_url and settings.storage_bucket:
        return S3Bucket(
            endpoint_url=settings.storage_endpoint_url, bucket=settings.storage_bucket, access_key=settings.storage_access_key,
            secret_key=settings.storage_secret_key, region=settings.storage_region,
        )
    return LocalDirectory(settings.data_dir / "files")


def reset_backend() -> None:
    """Forget the backend (after settings change, e.g. in tests)."""
    backend.cache_clear()


def school_key(school_id: UUID, *parts: str) -> str:
    """The key of a school's file: `<school id>/<part>/<part>...`."""
    for part in parts:
        if not _PART.fullmatch(part) or part in (".", ".."):
            raise ValueError(f"not a key part: {part!r}")
    return "/".join([str(school_id), *parts])


def photo_key(school_id: UUID, student_id: UUID, content: bytes) -> str:
    """Where a student's photo is kept: a new key for new bytes, so nothing stale is served."""
    return school_key(school_id, "photos", f"student-{student_id}-{hashlib.sha256(content).hexdigest()[:16]}")


def school_of_key(key: str) -> str | None:
    """The school id a well-formed key begins with; None for anything else (`..`, empty parts)."""
    school, _slash, rest = key.partition("/")
    parts = rest.split("/")
    well_formed = _ID.fullmatch(school) and all(_PART.fullmatch(p) and p not in (".", "..") for p in parts)
    return school if well_formed else None


def _checked(caller: InSchool, key: str) -> str:
    """The key, if it is a well-formed key of the caller's school; otherwise no such file."""
    school = school_of_key(key)
    if school is None or caller.school_id is None or school != str(caller.school_id):
        raise NotFound(_(NO_SUCH_FILE))
    return key


def put(caller: InSchool, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
    backend().put(_checked(caller, key), data, content_type)


def get(caller: InSchool, key: str) -> bytes:
    """The file's bytes; NotFound for a missing file and for another school's key alike."""
    data = backend().get(_checked(caller, key))
    if data is None:
        raise NotFound(_(NO_SUCH_FILE))
    return data


def delete(caller: InSchool, key: str) -> None:
    """Remove the file (a missing one is no error); another school's key is refused."""
    backend().delete(_checked(caller, key))
