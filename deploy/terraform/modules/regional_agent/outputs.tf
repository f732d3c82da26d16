output "region" {
  description = "Region served by this agent."
  value       = var.region
}

output "namespace" {
  description = "Namespace the agent runs in."
  value       = local.ns
}

output "iam_role_arn" {
  description = "IAM role assumed by the agent through IRSA."
  value       = aws_iam_role.agent.arn
}

output "service_name" {
  description = "Service exposing /metrics, /healthz and /readyz on port 9464."
  value       = kubernetes_service_v1.agent.metadata[0].name
}

output "metrics_endpoint" {
  description = "In-cluster URL of the agent's Prometheus metrics."
  value       = "http://${kubernetes_service_v1.agent.metadata[0].name}.${local.ns}.svc:9464/metrics"
}

output "resources" {
  description = "Requests/limits computed from the region's concurrency."
  value = {
    concurrency = var.concurrency
    requests    = local.resource_requests
    limits      = local.resource_limits
  }
}
