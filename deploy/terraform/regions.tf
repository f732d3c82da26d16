# Region discovery: every regions/*.yaml at the repository root is one
# regional agent, unless the file says `deploy: false` (regions/local.yaml,
# regions/demo-*.yaml). Adding a region is adding a YAML file: no .tf change.
#
# This file is deliberately self-contained (no providers, no resources):
# tests/deploy evaluates it with `terraform console` on a copy of the tree.

variable "only_regions" {
  description = "Restrict this workspace to these region names (e.g. one workspace per cluster). Empty = every deployable region file."
  type        = list(string)
  default     = []
}

locals {
  regions_dir = "${path.module}/../../regions"

  # file name => raw YAML text (mounted verbatim into the agent's pod)
  region_sources = {
    for f in fileset(local.regions_dir, "*.yaml") : f => file("${local.regions_dir}/${f}")
  }

  # file name => decoded region config
  region_configs = {
    for f, src in local.region_sources : f => yamldecode(src)
  }

  # region name => what the regional_agent module needs. Keyed by the
  # `region` value, so two files claiming the same region fail the plan
  # with a duplicate-key error instead of silently deploying one of them.
  deployed_regions = {
    for f, cfg in local.region_configs : cfg.region => {
      file        = f
      source      = local.region_sources[f]
      concurrency = try(cfg.concurrency, 1)
    }
    if try(cfg.deploy, true) != false && (length(var.only_regions) == 0 || contains(var.only_regions, cfg.region))
  }
}
