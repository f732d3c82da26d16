output "regions" {
  description = "Deployed regions and the region file each one came from."
  value       = { for r, cfg in local.deployed_regions : r => cfg.file }
}

output "bucket_name" {
  description = "Results bucket."
  value       = var.bucket_name
}

output "kms_key_arn" {
  description = "KMS key of the results bucket (readers such as Athena users need kms:Decrypt on it)."
  value       = local.kms_key_arn
}

output "glue_table" {
  description = "Glue database.table over the run summaries (null when not created here)."
  value       = var.create_bucket && var.create_glue_table ? "${one(module.results_bucket[*].glue_database_name)}.${one(module.results_bucket[*].glue_table_name)}" : null
}

output "agents" {
  description = "Per region: namespace, IAM role and in-cluster metrics URL."
  value = {
    for r, m in module.regional_agent : r => {
      namespace        = m.namespace
      iam_role_arn     = m.iam_role_arn
      metrics_endpoint = m.metrics_endpoint
      resources        = m.resources
    }
  }
}
