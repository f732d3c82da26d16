variable "bucket_name" {
  description = "Name of the S3 bucket that receives run results, screenshots and summaries."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 chars, lowercase letters, digits, '.' and '-')."
  }
}

variable "results_prefix" {
  description = "Key prefix under which agents write (<prefix>/region=<r>/... and <prefix>/_summaries/region=<r>/...). No leading or trailing slash."
  type        = string
  default     = "results"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.results_prefix))
    error_message = "results_prefix must be a non-empty key prefix without leading/trailing slashes."
  }
}

variable "log_bucket_name" {
  description = "Name of the bucket receiving S3 server access logs. Defaults to \"<bucket_name>-access-logs\"."
  type        = string
  default     = null
}

variable "passed_screenshot_retention_days" {
  description = "Days to keep screenshots of passing runs (objects tagged synth-kind=screenshot, synth-outcome=passed)."
  type        = number
  default     = 7

  validation {
    condition     = var.passed_screenshot_retention_days >= 1
    error_message = "passed_screenshot_retention_days must be >= 1."
  }
}

variable "failed_screenshot_retention_days" {
  description = "Days to keep screenshots of failing runs (synth-kind=screenshot, synth-outcome=failed; covers failed, timeout and error)."
  type        = number
  default     = 90

  validation {
    condition     = var.failed_screenshot_retention_days >= 1
    error_message = "failed_screenshot_retention_days must be >= 1."
  }
}

variable "result_retention_days" {
  description = "Days to keep result.json objects (synth-kind=result) and summaries (synth-kind=summary). Also the catch-all for untagged objects under the prefix."
  type        = number
  default     = 400

  validation {
    condition     = var.result_retention_days >= 1
    error_message = "result_retention_days must be >= 1."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days to keep noncurrent object versions (overwrites and deletes) under the results prefix."
  type        = number
  default     = 30
}

variable "summary_noncurrent_version_retention_days" {
  description = "Days to keep noncurrent versions of summary objects. Agents rewrite their daily summary object after every run, so each run leaves a noncurrent version behind: keep this short."
  type        = number
  default     = 1
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 1
}

variable "access_log_retention_days" {
  description = "Days to keep S3 server access logs in the log bucket."
  type        = number
  default     = 90
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the results KMS key is deleted after a destroy."
  type        = number
  default     = 30
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets. Keep false in production."
  type        = bool
  default     = false
}

variable "create_glue_table" {
  description = "Create a Glue catalog database + table over the JSON-lines summaries (queryable from Athena with partition projection)."
  type        = bool
  default     = true
}

variable "glue_database_name" {
  description = "Glue catalog database name (lowercase, underscores)."
  type        = string
  default     = "synth"
}

variable "glue_table_name" {
  description = "Glue catalog table name for the run summaries."
  type        = string
  default     = "run_summaries"
}

variable "summary_projection_start_date" {
  description = "First date (yyyy-MM-dd) of the date partition projection range; the range ends at NOW."
  type        = string
  default     = "2024-01-01"

  validation {
    condition     = can(regex("^\\d{4}-\\d{2}-\\d{2}$", var.summary_projection_start_date))
    error_message = "summary_projection_start_date must be yyyy-MM-dd."
  }
}

variable "tags" {
  description = "Tags applied to every AWS resource of this module."
  type        = map(string)
  default     = {}
}
