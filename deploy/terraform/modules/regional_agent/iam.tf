# IAM role for the agent's service account (IRSA). The agent may only write
# under its own region's prefixes:
#   <prefix>/region=<region>/...              run results and screenshots
#   <prefix>/_summaries/region=<region>/...   its compact summaries
# read back its own summary objects (it rewrites them), list those two
# prefixes, and use the bucket's KMS key. Nothing else in the bucket.

locals {
  oidc_issuer = trimsuffix(trimprefix(var.oidc_provider_url, "https://"), "/")
  namespace   = coalesce(var.namespace, "synth-${var.region}")
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "IRSAServiceAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${local.namespace}:${var.service_account_name}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "agent" {
  name                 = "${var.iam_role_name_prefix}-${var.region}"
  description          = "synth agent ${var.region}: writes results under its own region prefix only"
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.iam_permissions_boundary_arn
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "agent" {
  statement {
    sid     = "WriteOwnRegionObjects"
    effect  = "Allow"
    actions = ["s3:PutObject", "s3:PutObjectTagging"]
    resources = [
      "${var.bucket_arn}/${var.results_prefix}/region=${var.region}/*",
      "${var.bucket_arn}/${var.results_prefix}/_summaries/region=${var.region}/*",
    ]
  }

  statement {
    sid       = "ReadOwnRegionSummaries"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/${var.results_prefix}/_summaries/region=${var.region}/*"]
  }

  statement {
    sid       = "ListOwnRegionPrefixes"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values = [
        "${var.results_prefix}/region=${var.region}/*",
        "${var.results_prefix}/_summaries/region=${var.region}/*",
      ]
    }
  }

  statement {
    sid       = "UseResultsKey"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "agent" {
  name   = "synth-results-${var.region}"
  role   = aws_iam_role.agent.id
  policy = data.aws_iam_policy_document.agent.json
}
