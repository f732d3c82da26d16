terraform {
  # Pinned to one provider major each; commit the .terraform.lock.hcl that
  # `terraform init` writes so every apply uses the exact same builds.
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70.0, < 6.0.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.31.0, < 3.0.0"
    }
  }
}
