# Root inputs. None of them is a secret: journey secrets and the status token
# live in a Kubernetes Secret referenced by name (secret_name).

variable "aws_region" {
  description = "AWS region of the results bucket (and of the AWS API calls Terraform makes)."
  type        = string
}

variable "image" {
  description = "Agent image, pinned by digest (registry/synth@sha256:...) or an explicit version tag. Never :latest."
  type        = string
}

variable "image_pull_policy" {
  description = "imagePullPolicy of the agent container."
  type        = string
  default     = "Always"
}

variable "bucket_name" {
  description = "Results bucket name (created here when create_bucket = true)."
  type        = string
}

variable "results_prefix" {
  description = "Key prefix under which the agents write in the bucket."
  type        = string
  default     = "results"
}

variable "create_bucket" {
  description = "Create the results bucket, its KMS key, log bucket and Glue table in this workspace. Set false in per-cluster workspaces that reuse a bucket created elsewhere."
  type        = bool
  default     = true
}

variable "existing_kms_key_arn" {
  description = "KMS key ARN of an existing results bucket (only when create_bucket = false)."
  type        = string
  default     = null
}

variable "existing_bucket_region" {
  description = "Region of an existing results bucket (only when create_bucket = false). null = aws_region."
  type        = string
  default     = null
}

variable "eks_oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (IRSA)."
  type        = string
}

variable "eks_oidc_provider_url" {
  description = "Issuer URL of the cluster's OIDC provider (aws eks describe-cluster --query cluster.identity.oidc.issuer)."
  type        = string
}

variable "kubeconfig_path" {
  description = "kubeconfig used by the kubernetes provider."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "kubeconfig context of the target cluster. null = current context."
  type        = string
  default     = null
}

variable "secret_name" {
  description = "Name of the existing Secret (in each agent namespace) holding SYNTH_SECRET_* variables and the optional SYNTH_STATUS_TOKEN. null = agents get no secrets."
  type        = string
  default     = "synth-agent-secrets"
}

variable "namespace_prefix" {
  description = "Each agent runs in namespace \"<namespace_prefix>-<region>\"."
  type        = string
  default     = "synth"
}

variable "create_namespaces" {
  description = "Create the per-region namespaces (false if they are pre-created together with their Secrets)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of AWS names (IAM roles \"<name_prefix>-agent-<region>\"). Change it to run several fleets in one account."
  type        = string
  default     = "synth"
}

variable "network_policy_enabled" {
  description = "Create the ingress NetworkPolicy (port 9464 only) for every agent."
  type        = bool
  default     = true
}

variable "metrics_allowed_namespaces" {
  description = "Namespaces allowed to reach the agents' port 9464 (e.g. [\"monitoring\"]). Empty = any."
  type        = list(string)
  default     = []
}

variable "service_monitor_enabled" {
  description = "Create a Prometheus-operator ServiceMonitor per agent (requires the CRDs)."
  type        = bool
  default     = false
}

variable "service_monitor_labels" {
  description = "Labels the Prometheus-operator uses to select ServiceMonitors."
  type        = map(string)
  default     = {}
}

variable "passed_screenshot_retention_days" {
  description = "Days to keep screenshots of passing runs."
  type        = number
  default     = 7
}

variable "failed_screenshot_retention_days" {
  description = "Days to keep screenshots of failing runs."
  type        = number
  default     = 90
}

variable "result_retention_days" {
  description = "Days to keep result.json objects and summaries."
  type        = number
  default     = 400
}

variable "create_glue_table" {
  description = "Create the Glue database/table over the summaries for Athena."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags for every AWS resource."
  type        = map(string)
  default     = {}
}
