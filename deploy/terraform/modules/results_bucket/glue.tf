# Optional Glue catalog table over the compact run summaries, so Athena can
# query <prefix>/_summaries/region=<r>/journey=<j>/date=<YYYY-MM-DD>/<writer>.jsonl
# without crawlers: partitions come from partition projection.
#
# region and journey are "injected" projections: every query must pin them
# with equality predicates, e.g.
#   SELECT status, count(*) FROM synth.run_summaries
#   WHERE region = 'eu-west-1' AND journey = 'checkout'
#     AND "date" BETWEEN '2025-01-01' AND '2025-01-31'
#   GROUP BY status;
# ("date" must be quoted in Athena SQL.) Readers also need kms:Decrypt on the
# results key.

locals {
  summaries_location = "s3://${aws_s3_bucket.results.bucket}/${var.results_prefix}/_summaries"

  # The summary lines also carry "region" and "journey"; those two are
  # declared once, as partition keys below (Hive/Athena reject a name that is
  # both a column and a partition key), and their values come from the path.
  summary_columns = [
    { name = "run_id", type = "string" },
    { name = "started_at", type = "string" },
    { name = "status", type = "string" },
    { name = "duration_s", type = "double" },
    { name = "attempts", type = "int" },
    { name = "failed_step", type = "string" },
    { name = "error", type = "string" },
    { name = "screenshot", type = "string" },
    { name = "release", type = "string" },
  ]
}

resource "aws_glue_catalog_database" "synth" {
  count       = var.create_glue_table ? 1 : 0
  name        = var.glue_database_name
  description = "synth synthetic-monitoring run summaries"
}

resource "aws_glue_catalog_table" "run_summaries" {
  count         = var.create_glue_table ? 1 : 0
  name          = var.glue_table_name
  database_name = aws_glue_catalog_database.synth[0].name
  description   = "One JSON line per journey run, written by the synth agents."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    "EXTERNAL"                      = "TRUE"
    "classification"                = "json"
    "projection.enabled"            = "true"
    "projection.region.type"        = "injected"
    "projection.journey.type"       = "injected"
    "projection.date.type"          = "date"
    "projection.date.format"        = "yyyy-MM-dd"
    "projection.date.range"         = "${var.summary_projection_start_date},NOW"
    "projection.date.interval"      = "1"
    "projection.date.interval.unit" = "DAYS"
    "storage.location.template"     = "${local.summaries_location}/region=$${region}/journey=$${journey}/date=$${date}"
    "ignore.malformed.json"         = "true"
  }

  partition_keys {
    name = "region"
    type = "string"
  }

  partition_keys {
    name = "journey"
    type = "string"
  }

  partition_keys {
    name = "date"
    type = "string"
  }

  storage_descriptor {
    location      = "${local.summaries_location}/"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = "jsonl"
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"

      parameters = {
        "ignore.malformed.json" = "true"
        "case.insensitive"      = "true"
      }
    }

    dynamic "columns" {
      for_each = local.summary_columns
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}
