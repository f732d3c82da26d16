"""Reading a region file's YAML: safe, YAML 1.2 booleans, no duplicate keys, errors with line numbers.

Booleans follow YAML 1.2 (`true`/`false` only, as in Terraform's
`yamldecode`), so `deploy: no` is rejected instead of silently deploying.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from agent.errors import RegionConfigError


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans (as Terraform) and no duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                problem = f"duplicate key {key!r}: each key may appear once"
                raise _DuplicateKey(problem=problem, problem_mark=key_node.start_mark)
            if isinstance(key, Hashable):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def read_yaml(path: Path) -> object:
    """The document in `path`; `RegionConfigError` names the file, line and column of a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegionConfigError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        kind = "YAML error" if isinstance(exc, _DuplicateKey) else "YAML syntax error"
        hint = ""
        if "alias" in str(exc.context):
            hint = "; quote values that start with '*' or contain ': '"
        elif "<block" in str(exc.problem):
            hint = "; check the indentation"
        raise RegionConfigError(f"{path}: {where}{kind}: {exc.problem}{hint}") from None
    except yaml.YAMLError as exc:
        raise RegionConfigError(f"{path}: YAML syntax error: {exc}") from None
