"""Region files: `regions/<region>.yaml`, what runs where and how often.

A region file names one regional agent: its target, static labels, schedule
defaults and the journeys it runs. It is plain YAML so that Terraform can
`yamldecode` it too; booleans follow YAML 1.2 (`true`/`false` only, as in
Terraform), so `deploy: no` is rejected instead of silently deploying.

Every problem is one line, `<file>: <key path>: <what is wrong and what to do>`,
raised as `RegionConfigError` (one line per problem). `timeout` longer than
the interval is only a warning: `max_instances=1` keeps runs from overlapping
and the skipped run is counted in `synth_agent_missed_runs_total`.

    models.py        typed models (extra="forbid"), defaults applied by `RegionConfig.schedules()`
    yaml_loading.py  safe YAML 1.2, duplicate keys rejected, errors with line and column
    checks.py        one file checked: validation errors as lines, cross-checks, warnings
    files.py         naming, listing and loading region files
"""

from agent.regions.checks import RegionCheck, check_region_file
from agent.regions.files import load_region, region_files, region_path
from agent.regions.models import JourneySchedule, RegionConfig

__all__ = [
    "JourneySchedule",
    "RegionCheck",
    "RegionConfig",
    "check_region_file",
    "load_region",
    "region_files",
    "region_path",
]
