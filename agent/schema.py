"""Export the JSON Schema of `result.json`: `python -m agent.schema`."""

from __future__ import annotations

import json
from pathlib import Path

from agent.model import JourneyResult

SCHEMA_PATH = Path("results/schema/journey-result.schema.json")


def result_schema() -> str:
    schema = JourneyResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/synth-monitoring/synth/results/schema/journey-result.schema.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(result_schema())
    print(f"wrote {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
