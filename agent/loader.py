"""Find and import journey files; collect their `@journey` functions.

A broken file becomes one `JourneyLoadError` naming the file and the line;
the journeys of the other files are still returned.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from agent.dsl import Journey
from agent.errors import JourneyLoadError

DEFAULT_DIR = Path("journeys")


@dataclass
class LoadedJourneys:
    journeys: dict[str, Journey] = field(default_factory=dict)
    errors: list[JourneyLoadError] = field(default_factory=list)

    def select(self, ids: Iterable[str] = (), tags: Iterable[str] = ()) -> list[Journey]:
        """Journeys whose id is in `ids` (all if empty) and that carry any of `tags`."""
        wanted_ids, wanted_tags = set(ids), set(tags)
        chosen = [j for j in self.journeys.values() if not wanted_ids or j.id in wanted_ids]
        if wanted_tags:
            chosen = [j for j in chosen if wanted_tags & set(j.tags)]
        return sorted(chosen, key=lambda j: j.id)


def journey_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their `*.py` files (not `_private.py` helpers)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.py") if not p.name.startswith("_")))
        else:
            files.append(path)
    return files


def load_journeys(paths: Iterable[Path] = (DEFAULT_DIR,)) -> LoadedJourneys:
    loaded = LoadedJourneys()
    for file in journey_files(paths):
        try:
            found = _load_file(file)
        except JourneyLoadError as exc:
            loaded.errors.append(exc)
            continue
        for item in found:
            other = loaded.journeys.get(item.id)
            if other is not None:
                loaded.errors.append(
                    JourneyLoadError(
                        str(file),
                        item.line,
                        f"duplicate journey id {item.id!r}, already defined in {other.file}:{other.line}; "
                        "give each journey a unique id",
                    )
                )
                continue
            loaded.journeys[item.id] = item
    return loaded


def _load_file(file: Path) -> list[Journey]:
    if not file.exists():
        raise JourneyLoadError(str(file), None, "no such journey file")
    if file.suffix != ".py":
        raise JourneyLoadError(str(file), None, "a journey file must be a .py file")
    digest = hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:10]
    module_name = f"synth_journeys.{file.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise JourneyLoadError(str(file), None, "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    # A journey's folder is importable while it loads, so shared `_helpers.py` work.
    folder = str(file.resolve().parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except JourneyLoadError as exc:
        sys.modules.pop(module_name, None)
        raise JourneyLoadError(str(file), exc.line, exc.problem) from None
    except SyntaxError as exc:
        sys.modules.pop(module_name, None)
        raise JourneyLoadError(str(file), exc.lineno, f"syntax error: {exc.msg}; fix the Python syntax") from None
    except Exception as exc:
        sys.modules.pop(module_name, None)
        line = _line_in(file, exc)
        hint = "install the module or fix the import" if isinstance(exc, ImportError) else "fix the code"
        raise JourneyLoadError(str(file), line, f"{type(exc).__name__}: {exc} ({hint})") from None
    finally:
        if added:
            sys.path.remove(folder)
    found = [value for value in vars(module).values() if isinstance(value, Journey)]
    return sorted({j.id: j for j in found}.values(), key=lambda j: j.line)


def _line_in(file: Path, exc: BaseException) -> int | None:
    """The last traceback line that lies in `file`."""
    target = str(file.resolve())
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and str(Path(frame.filename).resolve()) == target:
            line = frame.lineno
    return line
