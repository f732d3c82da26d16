# Lifecycle rules keyed on the object tags every agent upload carries
# (synth-kind = result | screenshot | summary | probe,
#  synth-outcome = passed | failed on results and screenshots).
#
# When several rules match one object, S3 applies the earliest expiration, so
# the prefix-wide "default-retention" rule (result_retention_days) never keeps
# a tagged screenshot longer than its own rule; it only catches objects whose
# tagging failed.
#
# S3 forbids AbortIncompleteMultipartUpload and ExpiredObjectDeleteMarker in a
# rule whose filter uses tags, hence the separate housekeeping rules.

locals {
  prefix           = "${var.results_prefix}/"
  summaries_prefix = "${var.results_prefix}/_summaries/"
}

resource "aws_s3_bucket_lifecycle_configuration" "results" {
  bucket = aws_s3_bucket.results.id

  rule {
    id     = "screenshots-passed"
    status = "Enabled"

    filter {
      and {
        prefix = local.prefix
        tags = {
          "synth-kind"    = "screenshot"
          "synth-outcome" = "passed"
        }
      }
    }

    expiration {
      days = var.passed_screenshot_retention_days
    }
  }

  rule {
    id     = "screenshots-failed"
    status = "Enabled"

    filter {
      and {
        prefix = local.prefix
        tags = {
          "synth-kind"    = "screenshot"
          "synth-outcome" = "failed"
        }
      }
    }

    expiration {
      days = var.failed_screenshot_retention_days
    }
  }

  rule {
    id     = "results"
    status = "Enabled"

    filter {
      and {
        prefix = local.prefix
        tags = {
          "synth-kind" = "result"
        }
      }
    }

    expiration {
      days = var.result_retention_days
    }
  }

  rule {
    id     = "summaries"
    status = "Enabled"

    filter {
      and {
        prefix = local.summaries_prefix
        tags = {
          "synth-kind" = "summary"
        }
      }
    }

    expiration {
      days = var.result_retention_days
    }
  }

  # Write probes (<prefix>/region=<r>/_probes/<writer>.json, synth-kind=probe):
  # rewritten by every readiness check, worthless after a day.
  rule {
    id     = "probes"
    status = "Enabled"

    filter {
      and {
        prefix = local.prefix
        tags = {
          "synth-kind" = "probe"
        }
      }
    }

    expiration {
      days = 1
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  rule {
    id     = "default-retention"
    status = "Enabled"

    filter {
      prefix = local.prefix
    }

    expiration {
      days = var.result_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }
  }

  # Bucket-wide: an interrupted multipart upload (large full-page PNG, agent
  # killed mid-upload) is never useful, whatever its key.
  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  rule {
    id     = "summaries-noncurrent"
    status = "Enabled"

    filter {
      prefix = local.summaries_prefix
    }

    noncurrent_version_expiration {
      noncurrent_days = var.summary_noncurrent_version_retention_days
    }
  }

  rule {
    id     = "delete-markers"
    status = "Enabled"

    filter {
      prefix = local.prefix
    }

    expiration {
      expired_object_delete_marker = true
    }
  }

  # Lifecycle rules on a versioned bucket need versioning to be configured first.
  depends_on = [aws_s3_bucket_versioning.results]
}
