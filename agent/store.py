"""Compatibility alias: the local store now lives in `agent.storage.local`."""

from __future__ import annotations

from agent.storage.local import RESULT_FILE, LocalStore, atomic_write, result_json

__all__ = ["RESULT_FILE", "LocalStore", "atomic_write", "result_json"]
