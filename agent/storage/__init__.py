"""Results and screenshots to a local directory or S3, through a durable spool.

    ResultsPipeline.publish(result)      the Sink: spools the run on local disk, no network
            │  <spool_dir>/ready/<ns>_<outcome>_<run_id>/{blobs…, result.json}
            ▼
    uploader thread (Drainer)           blobs, then result.json, then delete locally;
            │                           transient errors: backoff + jitter; refused: recheck
            ▼
    ObjectStore: LocalStore | S3Store   <prefix>/region=<r>/journey=<j>/date=<d>/<run_id>/…
                                        <prefix>/_summaries/region=…/journey=…/date=…/<writer>.jsonl

`publish` raises only `FatalStoreError(reason="disk_full")` (the spool disk
cannot take the run) or `ValueError` (a run id or file name that cannot be a
key); the Publisher turns either into a log line and a counter. Layout, tags,
retention and the spool policy are described in docs/storage.md.
"""

from __future__ import annotations

from agent.storage.base import ObjectInfo, ObjectStore
from agent.storage.local import LocalStore
from agent.storage.pipeline import (
    FlushReport,
    ResultsPipeline,
    SpoolStatus,
    UploadPolicy,
    default_writer_id,
    open_store,
)
from agent.storage.s3 import S3Store

__all__ = [
    "FlushReport",
    "LocalStore",
    "ObjectInfo",
    "ObjectStore",
    "ResultsPipeline",
    "S3Store",
    "SpoolStatus",
    "UploadPolicy",
    "default_writer_id",
    "open_store",
]
