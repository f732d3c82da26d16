# Kubernetes objects of one regional agent: namespace, IRSA service account,
# region-file ConfigMap, a single-replica Deployment running
# `synth agent --region <region>`, a metrics Service, an ingress-only
# NetworkPolicy and an optional ServiceMonitor.

locals {
  # ---- Resource sizing -----------------------------------------------------
  # Measured by `make bench` (bench/results/2026-12-04.md), PSS of the agent
  # plus all its Chromium processes, prewarmed spare context included:
  # 831 MB at concurrency 1, 941 MB at 2, 1247 MB at 4, i.e. ~700 MB for the
  # agent and the shared browser processes and ~140 MB per concurrent journey.
  #   request = 576Mi (agent + shared browser processes + spare context)
  #           + 256Mi per concurrent journey (a renderer and its context,
  #             with headroom over the measured ~140 MB for heavier shops)
  #   limit   = 1.5 x request: headroom for heavy pages and full-page
  #             screenshots, and for the tmpfs pages of /tmp and /dev/shm,
  #             which are charged to the container's memory cgroup.
  #   cpu     = 500m per concurrent journey, capped at
  #             max_cpu_request_millicores. No CPU limit by default: CFS
  #             throttling would distort the timings the agent measures.
  memory_request_mi = 576 + 256 * var.concurrency
  memory_limit_mi   = ceil(local.memory_request_mi * 1.5)
  cpu_request_m     = min(500 * var.concurrency, var.max_cpu_request_millicores)

  resource_requests = {
    cpu    = "${local.cpu_request_m}m"
    memory = "${local.memory_request_mi}Mi"
  }
  resource_limits = merge(
    { memory = "${local.memory_limit_mi}Mi" },
    var.cpu_limit == null ? {} : { cpu = var.cpu_limit },
  )

  # ---- Names, labels, paths --------------------------------------------------
  name = "synth-agent"

  selector_labels = {
    "app.kubernetes.io/name"     = "synth-agent"
    "app.kubernetes.io/instance" = "synth-agent-${var.region}"
  }
  labels = merge(var.labels, local.selector_labels, {
    "app.kubernetes.io/component"  = "agent"
    "app.kubernetes.io/part-of"    = "synth"
    "app.kubernetes.io/managed-by" = "terraform"
    "synth-region"                 = var.region
  })

  metrics_port = 9464
  regions_dir  = "/etc/synth/regions"
  journeys_dir = length(var.journeys) > 0 ? "/etc/synth/journeys" : "/app/journeys"
  spool_dir    = "/var/spool/synth"

  prometheus_annotations = {
    "prometheus.io/scrape" = "true"
    "prometheus.io/port"   = tostring(local.metrics_port)
    "prometheus.io/path"   = "/metrics"
  }

  # Where this agent writes, passed as `--results`: the agent prefers a
  # region file's own `results:` over $SYNTH_RESULTS, and only this bucket
  # and prefix are writable for the role.
  results_uri = "s3://${var.bucket_name}/${var.results_prefix}"

  # The spool may hold at most 75% of its emptyDir: going over size_limit
  # gets the pod evicted, and the summary journal and the run being written
  # live there too.
  spool_max_mb = floor(var.spool_size_limit_mb * 0.75)

  # Non-secret environment. Secrets arrive through env_from secret_ref. The
  # agent rejects unknown SYNTH_* variables, so only settings it knows.
  env = merge(
    {
      SYNTH_LISTEN       = "0.0.0.0:${local.metrics_port}"
      SYNTH_REGIONS_DIR  = local.regions_dir
      SYNTH_JOURNEYS_DIR = local.journeys_dir
      SYNTH_SPOOL_DIR    = local.spool_dir
      SYNTH_SPOOL_MAX_MB = tostring(local.spool_max_mb)
      SYNTH_LOG_FORMAT   = var.log_format
      # Encrypt with the bucket's key: the agent's default (AES256) would be
      # refused by the bucket policy.
      SYNTH_S3_SSE        = "aws:kms"
      SYNTH_S3_KMS_KEY_ID = var.kms_key_arn
      # The root filesystem is read-only: Chromium and fontconfig write
      # their profile/cache under $HOME, so point it at the /tmp tmpfs.
      HOME                       = "/tmp"
      TMPDIR                     = "/tmp"
      AWS_STS_REGIONAL_ENDPOINTS = "regional"
    },
    var.bucket_region == null ? {} : {
      AWS_REGION         = var.bucket_region
      AWS_DEFAULT_REGION = var.bucket_region
    },
    var.extra_env,
  )

  ns = var.create_namespace ? kubernetes_namespace_v1.this[0].metadata[0].name : local.namespace
}

resource "kubernetes_namespace_v1" "this" {
  count = var.create_namespace ? 1 : 0

  metadata {
    name = local.namespace
    labels = merge(local.labels, {
      # The pod below satisfies the "restricted" Pod Security Standard.
      "pod-security.kubernetes.io/enforce" = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
      "pod-security.kubernetes.io/warn"    = "restricted"
    })
  }
}

resource "kubernetes_service_account_v1" "agent" {
  metadata {
    name      = var.service_account_name
    namespace = local.ns
    labels    = local.labels
    annotations = {
      "eks.amazonaws.com/role-arn"               = aws_iam_role.agent.arn
      "eks.amazonaws.com/sts-regional-endpoints" = "true"
    }
  }

  # The EKS pod-identity webhook projects its own web-identity token; the
  # agent never talks to the Kubernetes API.
  automount_service_account_token = false
}

resource "kubernetes_config_map_v1" "region" {
  metadata {
    name      = "synth-region-${var.region}"
    namespace = local.ns
    labels    = local.labels
  }

  data = {
    "${var.region}.yaml" = var.region_file
  }
}

resource "kubernetes_config_map_v1" "journeys" {
  count = length(var.journeys) > 0 ? 1 : 0

  metadata {
    name      = "synth-journeys"
    namespace = local.ns
    labels    = local.labels
  }

  data = var.journeys
}

resource "kubernetes_deployment_v1" "agent" {
  #checkov:skip=CKV_K8S_35:The agent's contract is SYNTH_SECRET_* environment variables (and SYNTH_STATUS_TOKEN). They come from an existing Secret via envFrom.secretRef, so no value is ever in Terraform variables or state; file mounts would need an agent-side reader for no security gain inside a single-process container.
  #checkov:skip=CKV_K8S_11:No CPU limit on purpose: the agent measures page and step timings, and CFS throttling under a limit would show up as false slowness. CPU requests are set (500m per concurrent journey); set var.cpu_limit to add a limit.
  #checkov:skip=CKV_K8S_14:The image comes from var.image, which has no default and whose validation rejects blank tags and :latest (tag or @sha256 digest required); checkov cannot see through the variable.
  #checkov:skip=CKV_K8S_43:The image is a variable validated to be pinned by digest or an explicit non-latest tag; a digest cannot be hard-coded in a reusable module (pass image = "repo@sha256:..." to pin by digest).
  metadata {
    name      = local.name
    namespace = local.ns
    labels    = local.labels
  }

  # With for_each over many regions, one region whose Secret does not exist
  # yet must not block the whole apply; the pod starts as soon as it exists.
  wait_for_rollout = false

  spec {
    # One agent per region: two replicas would run every journey twice.
    replicas               = 1
    revision_history_limit = 3

    # Recreate, not RollingUpdate: never two agents of one region at once
    # (duplicate runs, two writers of the same summary object).
    strategy {
      type = "Recreate"
    }

    selector {
      match_labels = local.selector_labels
    }

    template {
      metadata {
        labels = local.labels
        annotations = merge(local.prometheus_annotations, {
          # Roll the pod when the region file or journeys change.
          "synth/region-file-sha256" = sha256(var.region_file)
          "synth/journeys-sha256"    = sha256(jsonencode(var.journeys))
        })
      }

      spec {
        service_account_name             = kubernetes_service_account_v1.agent.metadata[0].name
        automount_service_account_token  = false
        enable_service_links             = false
        termination_grace_period_seconds = 60
        node_selector                    = var.node_selector

        security_context {
          run_as_non_root = true
          run_as_user     = var.run_as_user
          run_as_group    = var.run_as_user
          fs_group        = var.run_as_user

          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name              = "agent"
          image             = var.image
          image_pull_policy = var.image_pull_policy
          # The image's ENTRYPOINT is tini -- synth agent.
          args = ["--region", var.region, "--results", local.results_uri]

          port {
            name           = "metrics"
            container_port = local.metrics_port
            protocol       = "TCP"
          }

          dynamic "env" {
            for_each = local.env
            content {
              name  = env.key
              value = env.value
            }
          }

          dynamic "env_from" {
            for_each = var.secret_name == null ? [] : [var.secret_name]
            content {
              secret_ref {
                name     = env_from.value
                optional = false
              }
            }
          }

          resources {
            requests = local.resource_requests
            limits   = local.resource_limits
          }

          startup_probe {
            http_get {
              path = "/healthz"
              port = "metrics"
            }
            period_seconds    = 5
            timeout_seconds   = 3
            failure_threshold = 24
          }

          liveness_probe {
            http_get {
              path = "/healthz"
              port = "metrics"
            }
            period_seconds    = 20
            timeout_seconds   = 5
            failure_threshold = 3
          }

          readiness_probe {
            http_get {
              path = "/readyz"
              port = "metrics"
            }
            period_seconds    = 10
            timeout_seconds   = 5
            failure_threshold = 3
          }

          security_context {
            run_as_non_root            = true
            run_as_user                = var.run_as_user
            run_as_group               = var.run_as_user
            read_only_root_filesystem  = true
            allow_privilege_escalation = false
            privileged                 = false

            capabilities {
              drop = ["ALL"]
            }

            seccomp_profile {
              type = "RuntimeDefault"
            }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }

          volume_mount {
            name       = "dshm"
            mount_path = "/dev/shm"
          }

          volume_mount {
            name       = "spool"
            mount_path = local.spool_dir
          }

          volume_mount {
            name       = "region"
            mount_path = local.regions_dir
            read_only  = true
          }

          dynamic "volume_mount" {
            for_each = length(var.journeys) > 0 ? [local.journeys_dir] : []
            content {
              name       = "journeys"
              mount_path = volume_mount.value
              read_only  = true
            }
          }
        }

        volume {
          name = "tmp"
          empty_dir {
            medium     = "Memory"
            size_limit = var.tmp_size_limit
          }
        }

        # Chromium needs a large /dev/shm; the container default (64Mi) makes
        # renderers crash on heavy pages. (The agent currently passes
        # --disable-dev-shm-usage, which moves that memory to /tmp, sized the
        # same; this mount keeps any other browser launch safe.)
        volume {
          name = "dshm"
          empty_dir {
            medium     = "Memory"
            size_limit = var.shm_size_limit
          }
        }

        # Disk-backed spool: results survive agent crashes (not pod deletion)
        # until uploaded.
        volume {
          name = "spool"
          empty_dir {
            size_limit = "${var.spool_size_limit_mb}Mi"
          }
        }

        volume {
          name = "region"
          config_map {
            name         = kubernetes_config_map_v1.region.metadata[0].name
            default_mode = "0444"

            items {
              key  = "${var.region}.yaml"
              path = "${var.region}.yaml"
            }
          }
        }

        dynamic "volume" {
          for_each = length(var.journeys) > 0 ? [1] : []
          content {
            name = "journeys"
            config_map {
              name         = kubernetes_config_map_v1.journeys[0].metadata[0].name
              default_mode = "0444"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_service_v1" "agent" {
  metadata {
    name        = local.name
    namespace   = local.ns
    labels      = local.labels
    annotations = local.prometheus_annotations
  }

  spec {
    type     = "ClusterIP"
    selector = local.selector_labels
    # The Service exists for scraping: keep a not-ready agent (e.g. uploads
    # failing) in the endpoints so its metrics still reach Prometheus.
    publish_not_ready_addresses = true

    port {
      name        = "metrics"
      port        = local.metrics_port
      target_port = "metrics"
      protocol    = "TCP"
    }
  }
}

resource "kubernetes_network_policy_v1" "agent" {
  count = var.network_policy_enabled ? 1 : 0

  metadata {
    name      = "${local.name}-ingress"
    namespace = local.ns
    labels    = local.labels
  }

  spec {
    pod_selector {
      match_labels = local.selector_labels
    }

    # Only ingress is restricted: journeys must reach their targets and S3.
    policy_types = ["Ingress"]

    ingress {
      ports {
        port     = tostring(local.metrics_port)
        protocol = "TCP"
      }

      dynamic "from" {
        for_each = var.metrics_allowed_namespaces
        content {
          namespace_selector {
            match_labels = {
              "kubernetes.io/metadata.name" = from.value
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_manifest" "service_monitor" {
  count = var.service_monitor_enabled ? 1 : 0

  manifest = {
    apiVersion = "monitoring.coreos.com/v1"
    kind       = "ServiceMonitor"
    metadata = {
      name      = local.name
      namespace = local.ns
      labels    = merge(local.labels, var.service_monitor_labels)
    }
    spec = {
      selector = {
        matchLabels = local.selector_labels
      }
      endpoints = [
        {
          port     = "metrics"
          path     = "/metrics"
          interval = var.scrape_interval
        },
      ]
    }
  }
}
