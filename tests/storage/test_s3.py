"""S3Store against a real moto server over HTTP with the real boto3 client."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from storage_helpers import Moto, make_settings

from agent.errors import ConfigError, FatalStoreError, TransientStoreError
from agent.storage import ObjectInfo, S3Store, open_store
from agent.storage.base import content_type_for, tags_for

INFO = ObjectInfo("application/json", {"run-id": "r1", "region": "eu-west-1"}, tags_for("result", "passed"))


def test_endpoint_comes_from_the_standard_variable(moto: Moto, bucket: str) -> None:
    store = S3Store(bucket, "p")
    assert store.client.meta.endpoint_url == moto.url


def test_service_specific_endpoint_variable_is_honoured(
    moto: Moto, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto.url)
    store = S3Store(bucket, "p")
    store.put("a.json", b"{}", INFO)
    assert store.get("a.json") == b"{}"


def test_put_sets_key_content_type_metadata_tags_and_aes256(s3: Any, bucket: str) -> None:
    store = S3Store(bucket, "/synth/results/", sse="AES256")
    store.put("region=eu/x.json", b"{}", INFO)
    head = s3.head_object(Bucket=bucket, Key="synth/results/region=eu/x.json")
    assert head["ContentType"] == "application/json"
    assert head["Metadata"] == {"run-id": "r1", "region": "eu-west-1"}
    assert head["ServerSideEncryption"] == "AES256"
    tags = s3.get_object_tagging(Bucket=bucket, Key="synth/results/region=eu/x.json")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"synth-kind": "result", "synth-outcome": "passed"}


def test_put_with_kms_key(s3: Any, bucket: str) -> None:
    key_id = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    store = S3Store(bucket, "p", sse="aws:kms", kms_key_id=key_id)
    store.put("k.jpg", b"\xff\xd8", ObjectInfo(content_type_for("k.jpg")))
    head = s3.head_object(Bucket=bucket, Key="p/k.jpg")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(key_id)
    assert head["ContentType"] == "image/jpeg"


def test_kms_without_key_id_uses_the_bucket_default(s3: Any, bucket: str) -> None:
    S3Store(bucket, "p", sse="aws:kms").put("k.json", b"{}", INFO)
    head = s3.head_object(Bucket=bucket, Key="p/k.json")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert "SSEKMSKeyId" not in head or head["SSEKMSKeyId"]


def test_no_sse_sends_no_encryption_header(s3: Any, bucket: str) -> None:
    store = S3Store(bucket, "", sse="")
    assert store.encryption() == {}
    store.put("k.json", b"{}", INFO)
    assert "ServerSideEncryption" not in s3.head_object(Bucket=bucket, Key="k.json")


def test_kms_key_id_without_kms_is_a_config_error(moto: Moto) -> None:
    with pytest.raises(ConfigError, match=r"SYNTH_S3_KMS_KEY_ID is set but SYNTH_S3_SSE is 'AES256'"):
        S3Store("b-b-b", "p", sse="AES256", kms_key_id="abc")


def test_missing_bucket_is_fatal_not_found(moto: Moto) -> None:
    with pytest.raises(FatalStoreError, match="NoSuchBucket") as info:
        S3Store("no-such-bucket-here", "p").put("k.json", b"{}", INFO)
    assert info.value.reason == "not_found"
    assert "s3://no-such-bucket-here/p/k.json" in str(info.value)


def test_bucket_policy_deny_is_fatal_auth(s3: Any, bucket: str) -> None:
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny))
    with pytest.raises(FatalStoreError, match="403") as info:
        S3Store(bucket, "p").check_writable("region=eu/_probes/w.json")
    assert info.value.reason == "auth"
    assert "s3:PutObject" in str(info.value)


def test_unreachable_endpoint_is_transient(moto: Moto, bucket: str) -> None:
    store = S3Store(bucket, "p")
    moto.stop()
    with pytest.raises(TransientStoreError, match="PutObject s3://"):
        store.put("k.json", b"{}", INFO)


def test_missing_credentials_are_fatal_auth(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(FatalStoreError, match="no AWS credentials") as info:
        S3Store("b-b-b", "p").put("k.json", b"{}", INFO)
    assert info.value.reason == "auth"


def test_get_and_list(bucket: str) -> None:
    store = S3Store(bucket, "root")
    assert store.get("missing.json") is None
    for k in ("a/1.json", "a/2.json", "b/3.json"):
        store.put(k, k.encode(), INFO)
    assert store.list("a/") == ["a/1.json", "a/2.json"]
    assert store.get("b/3.json") == b"b/3.json"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("s3://", "expected s3://BUCKET/PREFIX"),
        ("gs://bucket/x", "use a directory path or s3://BUCKET/PREFIX"),
        ("", "use a directory path or s3://BUCKET/PREFIX"),
    ],
)
def test_bad_destinations_name_the_uri(uri: str, message: str, tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match=message):
        open_store(uri, make_settings(tmp_path))


def test_open_store_takes_sse_from_settings(moto: Moto, tmp_path: Any) -> None:
    store = open_store("s3://bkt-x/a/b/", make_settings(tmp_path, s3_sse="aws:kms", s3_kms_key_id="k-1"))
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix, store.uri) == ("bkt-x", "a/b", "s3://bkt-x/a/b")
    assert store.encryption() == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "k-1"}
