from pathlib import Path

from agent.schema import SCHEMA_PATH, result_schema

ROOT = Path(__file__).resolve().parents[2]


def test_exported_schema_is_in_sync_with_the_model() -> None:
    committed = (ROOT / SCHEMA_PATH).read_text()
    assert committed == result_schema(), "result.json schema changed: run `make schema` and commit it"


def test_schema_describes_the_result_fields() -> None:
    import json

    schema = json.loads(result_schema())
    assert {"run_id", "journey", "region", "status", "steps", "attempts"} <= set(schema["properties"])
    assert schema["properties"]["status"]["enum"] == ["passed", "failed", "timeout", "error"]
