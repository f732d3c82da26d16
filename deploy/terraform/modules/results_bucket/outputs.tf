output "bucket_name" {
  description = "Name of the results bucket."
  value       = aws_s3_bucket.results.bucket
}

output "bucket_arn" {
  description = "ARN of the results bucket."
  value       = aws_s3_bucket.results.arn
}

output "bucket_region" {
  description = "AWS region the results bucket lives in (agents use it as AWS_REGION for S3 calls)."
  value       = aws_s3_bucket.results.region
}

output "results_prefix" {
  description = "Key prefix the agents write under."
  value       = var.results_prefix
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the results bucket."
  value       = aws_kms_key.results.arn
}

output "log_bucket_name" {
  description = "Name of the access-log bucket."
  value       = aws_s3_bucket.logs.bucket
}

output "glue_database_name" {
  description = "Glue database holding the summaries table (null when create_glue_table = false)."
  value       = try(aws_glue_catalog_database.synth[0].name, null)
}

output "glue_table_name" {
  description = "Glue table over the JSON-lines summaries (null when create_glue_table = false)."
  value       = try(aws_glue_catalog_table.run_summaries[0].name, null)
}
