# Results bucket for the synth agent fleet.
#
# Storage layout (fixed by the agent's storage writer):
#   <prefix>/region=<r>/journey=<j>/date=<YYYY-MM-DD>/<run_id>/result.json
#   <prefix>/region=<r>/journey=<j>/date=<YYYY-MM-DD>/<run_id>/step-NN-<slug>.jpg
#   <prefix>/region=<r>/journey=<j>/date=<YYYY-MM-DD>/<run_id>/step-NN-<slug>-full.png
#   <prefix>/_summaries/region=<r>/journey=<j>/date=<YYYY-MM-DD>/<writer>.jsonl
# Every object carries the S3 object tags
#   synth-kind    = result | screenshot | summary
#   synth-outcome = passed | failed          (failed covers failed, timeout and error)
# which the lifecycle rules in lifecycle.tf key on.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  log_bucket_name = coalesce(var.log_bucket_name, "${var.bucket_name}-access-logs")
  account_arn     = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
}

# ---------------------------------------------------------------------------
# KMS key dedicated to the results bucket
# ---------------------------------------------------------------------------

resource "aws_kms_key" "results" {
  description             = "synth results bucket ${var.bucket_name}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  is_enabled              = true

  # Standard key policy: the account administers the key and IAM policies
  # decide who may use it (the regional agent roles get
  # kms:GenerateDataKey/Encrypt/Decrypt on this key only).
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableIAMPolicies"
        Effect    = "Allow"
        Principal = { AWS = local.account_arn }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  })

  tags = var.tags
}

resource "aws_kms_alias" "results" {
  name          = "alias/synth-results-${var.bucket_name}"
  target_key_id = aws_kms_key.results.key_id
}

# ---------------------------------------------------------------------------
# Results bucket
# ---------------------------------------------------------------------------

resource "aws_s3_bucket" "results" {
  #checkov:skip=CKV_AWS_144:Cross-region replication is a cost/DR decision per installation; results are monitoring telemetry that is regenerated every few minutes, and a replica bucket would need its own region/provider. Add aws_s3_bucket_replication_configuration outside this module if required.
  #checkov:skip=CKV2_AWS_62:No consumer needs S3 event notifications: results are read by the report/Athena on demand and metrics go to Prometheus. Notifications would only add an unused SNS/SQS/Lambda target.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "results" {
  bucket                  = aws_s3_bucket.results.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "results" {
  bucket = aws_s3_bucket.results.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.results.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "results" {
  bucket        = aws_s3_bucket.results.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3-access/${var.bucket_name}/"

  target_object_key_format {
    partitioned_prefix {
      partition_date_source = "EventTime"
    }
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

data "aws_iam_policy_document" "results_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.results.arn,
      "${aws_s3_bucket.results.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # An upload may rely on the bucket default (no SSE header) or ask for
  # aws:kms; an explicit other algorithm (e.g. the agent's own default
  # SYNTH_S3_SSE=AES256) would bypass the results key, so it is refused.
  statement {
    sid       = "DenyNonKMSEncryption"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.results.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    # Both conditions must hold: the header is present (Null = false) and it
    # is not aws:kms. Requests without the header get the KMS default.
    condition {
      test     = "Null"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["false"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }
  }
}

resource "aws_s3_bucket_policy" "results" {
  bucket = aws_s3_bucket.results.id
  policy = data.aws_iam_policy_document.results_bucket.json

  # The public access block must exist first so the policy is never evaluated
  # against a bucket that still allows public policies.
  depends_on = [aws_s3_bucket_public_access_block.results]
}

# ---------------------------------------------------------------------------
# Access-log bucket (hardened the same way, except where S3 logging forbids it)
# ---------------------------------------------------------------------------

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:This is the access-log target itself; logging it into itself would create a feedback loop of log objects and logging it elsewhere needs a third bucket that would then need logging too.
  #checkov:skip=CKV_AWS_144:Access logs are audit data for this bucket pair and expire after access_log_retention_days; cross-region replication is not required.
  #checkov:skip=CKV2_AWS_62:Nothing consumes access-log object events; notifications would only add an unused target.
  #checkov:skip=CKV_AWS_145:S3 server access logging only delivers to target buckets encrypted with SSE-S3 (AES256); SSE-KMS default encryption on a log target bucket is unsupported by AWS and silently drops the logs.
  bucket        = local.log_bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      # SSE-S3: the only default encryption S3 server access logging supports.
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    # Whole bucket: it only ever holds access logs.
    filter {}

    expiration {
      days = var.access_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.logs]
}

data "aws_iam_policy_document" "logs_bucket" {
  statement {
    sid       = "AllowS3ServerAccessLogDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/s3-access/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.results.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.logs.arn,
      "${aws_s3_bucket.logs.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket     = aws_s3_bucket.logs.id
  policy     = data.aws_iam_policy_document.logs_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.logs, aws_s3_bucket_ownership_controls.logs]
}
