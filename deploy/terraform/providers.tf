provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({
      Application = "synth"
      ManagedBy   = "terraform"
    }, var.tags)
  }
}

# One Kubernetes provider = one cluster. Every region file with deploy != false
# becomes an agent in this cluster. To run each region in its own cluster,
# use one workspace (state) per cluster with only_regions and kube_context set
# per workspace: see docs/deploy.md ("One cluster or one per region").
provider "kubernetes" {
  config_path    = var.kubeconfig_path
  config_context = var.kube_context
}
