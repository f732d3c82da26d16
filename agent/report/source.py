"""Where the report reads from: the compact summaries of a results root.

    <root>/_summaries/region=<r>/journey=<j>/date=<YYYY-MM-DD>/<writer>.jsonl

The root is a local directory or `s3://bucket/prefix`. Listing is pruned by
the Hive keys: only the wanted regions and journeys, and only the dates the
window touches (S3: one `list_objects_v2` per region and journey that starts
after the window's first date and stops past its last), so a report never
lists a whole bucket and never reads a `result.json`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar
from urllib.parse import quote
from urllib.request import pathname2url

from agent.errors import ConfigError, InfraError
from agent.report.window import Window
from agent.summary import SUMMARY_DIR

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

T = TypeVar("T")

S3_READERS = 8
PRESIGN_EXPIRES_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Group:
    """The summary files of one region and journey within the window's dates."""

    region: str
    journey: str
    files: tuple[str, ...]


class SummarySource(Protocol):
    uri: str

    def groups(self, window: Window, regions: Sequence[str], journeys: Sequence[str]) -> Iterator[Group]: ...

    def read(self, files: Sequence[str]) -> Iterator[bytes]: ...

    def link(self, key: str) -> str: ...

    def exists(self, key: str) -> bool: ...


def _key_value(name: str, key: str) -> str | None:
    prefix = f"{key}="
    return name[len(prefix) :] if name.startswith(prefix) and len(name) > len(prefix) else None


def _wanted(value: str, allowed: Sequence[str]) -> bool:
    return not allowed or value in allowed


class LocalSource:
    """Summaries under a local results directory."""

    def __init__(self, root: Path, out_dir: Path | None = None) -> None:
        if not root.exists():
            raise ConfigError(
                f"--results {root}: no such directory; pass the results root the agents write to "
                "(a path or s3://bucket/prefix; default $SYNTH_RESULTS or ./results)"
            )
        if not root.is_dir():
            raise ConfigError(f"--results {root}: is a file, not a results directory")
        self.root = root
        self.uri = str(root)
        self.out_dir = out_dir

    def _dirs(self, parent: Path, key: str, allowed: Sequence[str]) -> list[tuple[str, Path]]:
        try:
            entries = list(os.scandir(parent))
        except FileNotFoundError:
            return []
        found = []
        for entry in entries:
            value = _key_value(entry.name, key)
            if value is not None and entry.is_dir() and _wanted(value, allowed):
                found.append((value, Path(entry.path)))
        return sorted(found)

    def groups(self, window: Window, regions: Sequence[str], journeys: Sequence[str]) -> Iterator[Group]:
        first, last = window.first_date, window.last_date
        for region, region_dir in self._dirs(self.root / SUMMARY_DIR, "region", regions):
            for journey, journey_dir in self._dirs(region_dir, "journey", journeys):
                files: list[str] = []
                for day, day_dir in self._dirs(journey_dir, "date", ()):
                    if first <= day <= last:
                        files.extend(sorted(e.path for e in os.scandir(day_dir) if e.name.endswith(".jsonl")))
                if files:
                    yield Group(region, journey, tuple(files))

    def read(self, files: Sequence[str]) -> Iterator[bytes]:
        for name in files:
            with open(name, "rb") as handle:
                yield handle.read()

    def link(self, key: str) -> str:
        """The screenshot's path: relative to the report file's directory when there is one."""
        path = self.root / key
        if self.out_dir is None:
            return str(path)
        return pathname2url(os.path.relpath(path.absolute(), self.out_dir.absolute()))

    def exists(self, key: str) -> bool:
        """Whether an artifact is still stored (retention may have removed it)."""
        return (self.root / key).is_file()


class S3Source:
    """Summaries under `s3://bucket/prefix`, read with the standard AWS configuration.

    The endpoint comes from `AWS_ENDPOINT_URL` (MinIO, moto, LocalStack) when set.
    """

    def __init__(self, uri: str, client: S3Client | None = None, presign: bool = False) -> None:
        bucket, _, prefix = uri[len("s3://") :].partition("/")
        if not bucket:
            raise ConfigError(f"--results {uri!r}: expected s3://bucket or s3://bucket/prefix")
        self.uri = uri
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.presign = presign
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """`fn()`, with boto3's errors translated: missing bucket exit 2, the rest exit 3."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return fn()
        except NoCredentialsError:
            raise InfraError(
                f"--results {self.uri}: no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)"
            ) from None
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchBucket", "404"):
                raise ConfigError(f"--results {self.uri}: bucket {self.bucket!r} does not exist") from None
            if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                raise InfraError(f"--results {self.uri}: access denied to {what} ({code})") from None
            raise InfraError(f"--results {self.uri}: S3 refused to {what}: {code or exc}") from None
        except BotoCoreError as exc:
            raise InfraError(f"--results {self.uri}: cannot {what}: {exc}") from None

    def _prefixes(self, prefix: str, key: str, allowed: Sequence[str]) -> list[str]:
        if allowed:
            return sorted(allowed)
        values: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        pages = self._call(
            f"list s3://{self.bucket}/{prefix}",
            lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")),
        )
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                value = _key_value(common["Prefix"][len(prefix) :].rstrip("/"), key)
                if value is not None:
                    values.append(value)
        return sorted(values)

    def _dated_keys(self, prefix: str, window: Window) -> list[str]:
        first, last = window.first_date, window.last_date
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=prefix + "date=", StartAfter=f"{prefix}date={first}")
        iterator = iter(pages)
        while True:
            page = self._call(f"list s3://{self.bucket}/{prefix}", lambda: next(iterator, None))
            if page is None:
                return keys
            for item in page.get("Contents", []):
                key = item["Key"]
                day = key[len(prefix) + len("date=") :].partition("/")[0]
                if day > last:
                    return keys
                if key.endswith(".jsonl"):
                    keys.append(key)

    def groups(self, window: Window, regions: Sequence[str], journeys: Sequence[str]) -> Iterator[Group]:
        root = f"{self.prefix}{SUMMARY_DIR}/"
        for region in self._prefixes(root, "region", regions):
            region_prefix = f"{root}region={region}/"
            for journey in self._prefixes(region_prefix, "journey", journeys):
                keys = self._dated_keys(f"{region_prefix}journey={journey}/", window)
                if keys:
                    yield Group(region, journey, tuple(keys))

    def _get(self, key: str) -> bytes:
        return self._call(
            f"read s3://{self.bucket}/{key}", lambda: self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        )

    def read(self, files: Sequence[str]) -> Iterator[bytes]:
        with ThreadPoolExecutor(max_workers=S3_READERS, thread_name_prefix="report-s3") as pool:
            yield from pool.map(self._get, files)

    def link(self, key: str) -> str:
        full = f"{self.prefix}{key}"
        if self.presign:
            url: str = self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": full}, ExpiresIn=PRESIGN_EXPIRES_S
            )
            return url
        return f"s3://{self.bucket}/{quote(full, safe='/=')}"

    def exists(self, key: str) -> bool:
        """Assumed: a HEAD per screenshot would cost more than a broken thumbnail."""
        return True


def open_source(results: str, out_dir: Path | None = None, presign: bool = False) -> SummarySource:
    if results.startswith("s3://"):
        return S3Source(results, presign=presign)
    if results.startswith("file://"):
        results = results[len("file://") :]
    elif "://" in results:
        raise ConfigError(f"--results {results!r}: use a local path or s3://bucket/prefix")
    return LocalSource(Path(results), out_dir)
