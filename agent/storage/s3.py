"""The S3 results store (and any S3-compatible store), through boto3.

Credentials come from the standard chain only (environment, shared config,
web identity, container or instance role). S3-compatible stores are reached
with the standard `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3` variables, which
botocore honours natively. botocore errors are translated here into
`TransientStoreError` or `FatalStoreError(reason)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)

from agent.errors import ConfigError, FatalStoreError, StoreError, TransientStoreError
from agent.storage.base import ObjectInfo, content_type_for, tags_for

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

AUTH_CODES = frozenset(
    {
        "AccessDenied",
        "AllAccessDisabled",
        "AccountProblem",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "KMS.AccessDeniedException",
        "KMS.DisabledException",
    }
)
NOT_FOUND_CODES = frozenset({"NoSuchBucket", "KMS.NotFoundException"})
TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequests",
        "OperationAborted",
    }
)

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=5,
    read_timeout=30,
)


def translate(exc: Exception, action: str, where: str) -> StoreError:
    """A botocore error as a synth store error naming the action and the key."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return FatalStoreError(
            f"{action} {where}: no AWS credentials in the standard chain "
            "(AWS_* environment, ~/.aws, web identity, container or instance role)",
            "auth",
        )
    if isinstance(exc, ConnectionError | HTTPClientError):
        return TransientStoreError(f"{action} {where}: {exc}")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        words = [f"HTTP {status}", code if code != str(status) else "", str(error.get("Message", ""))]
        detail = f"{action} {where}: " + " ".join(w for w in words if w)
        if code in AUTH_CODES or status == 403:
            return FatalStoreError(
                f"{detail} — the agent's identity needs s3:PutObject and s3:PutObjectTagging on the prefix "
                "(and kms:GenerateDataKey on the key with aws:kms)",
                "auth",
            )
        if code in NOT_FOUND_CODES or status == 404:
            return FatalStoreError(f"{detail} — check the bucket name of the results destination", "not_found")
        if code in TRANSIENT_CODES or status >= 500 or status == 429:
            return TransientStoreError(detail)
        return FatalStoreError(detail, "other")
    if isinstance(exc, BotoCoreError):
        return FatalStoreError(f"{action} {where}: {exc}", "other")
    return FatalStoreError(f"{action} {where}: {type(exc).__name__}: {exc}", "other")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, prefix) of `s3://bucket/prefix`; the prefix has no surrounding slashes."""
    rest = uri[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise ConfigError(f"results destination {uri!r}: expected s3://BUCKET/PREFIX, e.g. s3://acme-synth/results")
    return bucket, prefix.strip("/")


class S3Store:
    """Objects under `s3://bucket/prefix/`, with SSE, metadata and tags."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        sse: str = "AES256",
        kms_key_id: str | None = None,
        client: S3Client | None = None,
    ) -> None:
        if kms_key_id and sse != "aws:kms":
            raise ConfigError(
                f"SYNTH_S3_KMS_KEY_ID is set but SYNTH_S3_SSE is {sse!r}: set SYNTH_S3_SSE=aws:kms "
                "or unset SYNTH_S3_KMS_KEY_ID"
            )
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.sse = sse
        self.kms_key_id = kms_key_id or None
        self.client: S3Client = client or boto3.session.Session().client("s3", config=CLIENT_CONFIG)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def _where(self, rel: str) -> str:
        return f"s3://{self.bucket}/{self.key(rel)}"

    def encryption(self) -> dict[str, str]:
        """The SSE request parameters for `put_object`."""
        if not self.sse:
            return {}
        params = {"ServerSideEncryption": self.sse}
        if self.sse == "aws:kms" and self.kms_key_id:
            params["SSEKMSKeyId"] = self.kms_key_id
        return params

    def put(self, key: str, data: bytes, info: ObjectInfo) -> None:
        extra: dict[str, Any] = {**self.encryption()}
        if info.metadata:
            extra["Metadata"] = {k: _ascii(v) for k, v in info.metadata.items()}
        if info.tags:
            extra["Tagging"] = urlencode(info.tags, quote_via=quote)
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.key(key), Body=data, ContentType=info.content_type, **extra
            )
        except Exception as exc:
            raise translate(exc, "PutObject", self._where(key)) from exc

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(key))
            return response["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise translate(exc, "GetObject", self._where(key)) from exc
        except Exception as exc:
            raise translate(exc, "GetObject", self._where(key)) from exc

    def list(self, prefix: str) -> list[str]:
        root = f"{self.prefix}/" if self.prefix else ""
        keys: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=root + prefix):
                keys.extend(obj["Key"][len(root) :] for obj in page.get("Contents", []))
        except Exception as exc:
            raise translate(exc, "ListObjectsV2", self._where(prefix)) from exc
        return sorted(keys)

    def check_writable(self, probe_key: str) -> None:
        """PUT a tiny probe object with the same headers as real objects."""
        info = ObjectInfo(content_type=content_type_for(probe_key), tags=tags_for("probe"))
        self.put(probe_key, b'{"probe": true}\n', info)


def _ascii(value: str) -> str:
    """S3 user metadata must be ASCII; anything else is percent-encoded."""
    return value if value.isascii() else quote(value, safe="")
