# Inputs of one regional agent. No variable carries a secret value: journey
# secrets (SYNTH_SECRET_*) and the optional SYNTH_STATUS_TOKEN live in an
# existing Kubernetes Secret that is only referenced by name (secret_name), so
# they never enter Terraform variables, plans or state.

variable "region" {
  description = "Region name, exactly the `region` key of regions/<region>.yaml. Used in resource names, the IAM prefix scope and `synth agent --region`."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$", var.region))
    error_message = "region must be a lowercase DNS label of at most 40 characters (it becomes part of Kubernetes and IAM names)."
  }
}

variable "region_file" {
  description = "Raw content of regions/<region>.yaml; mounted read-only at /etc/synth/regions/<region>.yaml."
  type        = string
  nullable    = false
}

variable "concurrency" {
  description = "Journeys the agent runs at once (the `concurrency` key of the region file). Sizes memory and CPU requests."
  type        = number
  default     = 1

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 16 && floor(var.concurrency) == var.concurrency
    error_message = "concurrency must be an integer between 1 and 16."
  }
}

variable "image" {
  description = "Agent image reference, pinned by tag or (preferably) digest, e.g. ghcr.io/acme/synth@sha256:... . Never :latest."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("(@sha256:[0-9a-f]{64}$)|(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$)", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must be pinned by digest (@sha256:...) or an explicit tag other than :latest."
  }
}

variable "image_pull_policy" {
  description = "Kubernetes imagePullPolicy for the agent container."
  type        = string
  default     = "Always"

  validation {
    condition     = contains(["Always", "IfNotPresent"], var.image_pull_policy)
    error_message = "image_pull_policy must be Always or IfNotPresent."
  }
}

variable "journeys" {
  description = "Optional journey files (file name => content) shipped as a ConfigMap and mounted at /etc/synth/journeys instead of the journeys baked into the image. Empty map = use the image's /app/journeys."
  type        = map(string)
  default     = {}
}

variable "bucket_name" {
  description = "Results bucket name."
  type        = string
  nullable    = false
}

variable "bucket_arn" {
  description = "Results bucket ARN (arn:<partition>:s3:::<bucket>)."
  type        = string
  nullable    = false
}

variable "bucket_region" {
  description = "AWS region of the results bucket, passed to the agent as AWS_REGION / AWS_DEFAULT_REGION. null = let the SDK discover it."
  type        = string
  default     = null
}

variable "results_prefix" {
  description = "Key prefix in the results bucket; the agent writes under <prefix>/region=<region>/ and <prefix>/_summaries/region=<region>/."
  type        = string
  nullable    = false
  default     = "results"
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the results bucket."
  type        = string
  nullable    = false
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (IRSA), e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC."
  type        = string
  nullable    = false
}

variable "oidc_provider_url" {
  description = "Issuer URL of the cluster's OIDC provider, with or without https://."
  type        = string
  nullable    = false
}

variable "secret_name" {
  description = "Name of an existing Secret in the agent's namespace whose keys become environment variables (SYNTH_SECRET_* journey secrets, optional SYNTH_STATUS_TOKEN). null = no secrets."
  type        = string
  default     = null
}

variable "namespace" {
  description = "Kubernetes namespace of this agent. null = \"synth-<region>\"."
  type        = string
  default     = null
}

variable "create_namespace" {
  description = "Create the namespace (false when it is managed elsewhere, e.g. together with its Secret)."
  type        = bool
  default     = true
}

variable "service_account_name" {
  description = "Name of the Kubernetes service account bound to the IAM role."
  type        = string
  default     = "synth-agent"
}

variable "iam_role_name_prefix" {
  description = "IAM role name prefix; the role is \"<prefix>-<region>\"."
  type        = string
  default     = "synth-agent"
}

variable "iam_permissions_boundary_arn" {
  description = "Optional permissions boundary attached to the agent role."
  type        = string
  default     = null
}

variable "run_as_user" {
  description = "UID/GID the agent runs as; must match the image's non-root USER (10001 in this repo's Dockerfile)."
  type        = number
  default     = 10001
}

variable "max_cpu_request_millicores" {
  description = "Cap for the CPU request (500m per concurrent journey, capped here)."
  type        = number
  default     = 2000
}

variable "cpu_limit" {
  description = "Optional CPU limit (e.g. \"2\"). Default none: CFS throttling would inflate the step timings the agent measures."
  type        = string
  default     = null
}

variable "spool_size_limit_mb" {
  description = "size_limit (MiB) of the disk-backed emptyDir at /var/spool/synth (runs waiting for upload). The agent's SYNTH_SPOOL_MAX_MB is set to 75% of it."
  type        = number
  default     = 2048

  validation {
    condition     = var.spool_size_limit_mb >= 256
    error_message = "spool_size_limit_mb must be at least 256."
  }
}

variable "tmp_size_limit" {
  description = "size_limit of the memory-backed emptyDir at /tmp (counts against the memory limit when used). The agent launches Chromium with --disable-dev-shm-usage, so Chromium's shared memory lives here: size it like /dev/shm."
  type        = string
  default     = "1Gi"
}

variable "shm_size_limit" {
  description = "size_limit of the memory-backed /dev/shm for Chromium (counts against the memory limit when used)."
  type        = string
  default     = "1Gi"
}

variable "log_format" {
  description = "SYNTH_LOG_FORMAT for the agent."
  type        = string
  default     = "json"
}

variable "extra_env" {
  description = "Additional non-secret environment variables for the agent container."
  type        = map(string)
  default     = {}
}

variable "node_selector" {
  description = "Optional node selector for the agent pod."
  type        = map(string)
  default     = {}
}

variable "labels" {
  description = "Extra labels for every Kubernetes object of this agent."
  type        = map(string)
  default     = {}
}

variable "network_policy_enabled" {
  description = "Create a NetworkPolicy that only admits TCP 9464 (metrics/health) into the agent pod. Egress stays open: journeys reach arbitrary targets."
  type        = bool
  default     = true
}

variable "metrics_allowed_namespaces" {
  description = "When non-empty, only pods in these namespaces (by kubernetes.io/metadata.name) may reach port 9464; empty = any source."
  type        = list(string)
  default     = []
}

variable "service_monitor_enabled" {
  description = "Create a Prometheus-operator ServiceMonitor (needs the monitoring.coreos.com CRDs in the cluster at plan time)."
  type        = bool
  default     = false
}

variable "service_monitor_labels" {
  description = "Extra labels on the ServiceMonitor (e.g. release = kube-prometheus-stack) so the Prometheus selector picks it up."
  type        = map(string)
  default     = {}
}

variable "scrape_interval" {
  description = "Scrape interval used by the ServiceMonitor."
  type        = string
  default     = "30s"
}

variable "tags" {
  description = "Tags for the AWS resources (IAM role)."
  type        = map(string)
  default     = {}
}
