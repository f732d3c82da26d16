# synth fleet: one results bucket, one agent per deployable regions/*.yaml.
# Region discovery lives in regions.tf (local.deployed_regions).

data "aws_partition" "current" {}

module "results_bucket" {
  source = "./modules/results_bucket"
  count  = var.create_bucket ? 1 : 0

  bucket_name                      = var.bucket_name
  results_prefix                   = var.results_prefix
  passed_screenshot_retention_days = var.passed_screenshot_retention_days
  failed_screenshot_retention_days = var.failed_screenshot_retention_days
  result_retention_days            = var.result_retention_days
  create_glue_table                = var.create_glue_table
  tags                             = var.tags
}

# one(module.results_bucket[*].x): the value when the bucket is created here,
# null when it is not (no index into an empty module list).
locals {
  bucket_arn    = var.create_bucket ? one(module.results_bucket[*].bucket_arn) : "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
  kms_key_arn   = var.create_bucket ? one(module.results_bucket[*].kms_key_arn) : var.existing_kms_key_arn
  bucket_region = var.create_bucket ? one(module.results_bucket[*].bucket_region) : coalesce(var.existing_bucket_region, var.aws_region)
}

module "regional_agent" {
  source   = "./modules/regional_agent"
  for_each = local.deployed_regions

  region      = each.key
  region_file = each.value.source
  concurrency = each.value.concurrency

  image             = var.image
  image_pull_policy = var.image_pull_policy

  bucket_name    = var.bucket_name
  bucket_arn     = local.bucket_arn
  bucket_region  = local.bucket_region
  results_prefix = var.results_prefix
  kms_key_arn    = local.kms_key_arn

  oidc_provider_arn = var.eks_oidc_provider_arn
  oidc_provider_url = var.eks_oidc_provider_url

  secret_name                = var.secret_name
  namespace                  = "${var.namespace_prefix}-${each.key}"
  create_namespace           = var.create_namespaces
  iam_role_name_prefix       = "${var.name_prefix}-agent"
  network_policy_enabled     = var.network_policy_enabled
  metrics_allowed_namespaces = var.metrics_allowed_namespaces
  service_monitor_enabled    = var.service_monitor_enabled
  service_monitor_labels     = var.service_monitor_labels
  tags                       = var.tags
}
