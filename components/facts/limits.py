"""Limits AWS and Kubernetes put on what the stack config may say (sources: docs/limits.md).

A bound marked "ours" is not an API limit but the point past which a value cannot be meant (a
monthly budget of 2^63 dollars, a TTL of a thousand years); docs/limits.md says why for each.
"""

from __future__ import annotations

# --- EC2 and EBS ------------------------------------------------------------------------------
# The largest instance types in DescribeInstanceTypes (moto's packaged copy, 2026-11):
# u7i-12tb/u7in-32tb.224xlarge with 896 vCPUs; u7in-32tb.224xlarge with 32,768 GiB of memory.
MAX_INSTANCE_VCPUS = 896
MAX_INSTANCE_MEMORY_GIB = 32_768
# gp3 volume size 1-65,536 GiB, IOPS 3,000-80,000 (at most 500 per GiB), throughput 125-2,000
# MiB/s (at most 0.25 MiB/s per provisioned IOPS): the EBS volume types page since the 2025 gp3
# update.
MAX_EBS_GIB = 65_536
GP3_MAX_IOPS_PER_GIB = 500
GP3_MAX_MIBPS_PER_IOPS = 0.25
GP3_BASELINE_IOPS = 3_000
GP3_BASELINE_MIBPS = 125
# An instance count no pool means (ours): twice the 5,000 nodes Kubernetes supports per cluster.
MAX_POOL_SIZE = 10_000
# MixedInstancesPolicy accepts at most 40 overrides (instance types).
MAX_INSTANCE_TYPES = 40

# --- VPC and EKS ------------------------------------------------------------------------------
VPC_PREFIX_RANGE = (16, 28)  # a VPC's IPv4 block: /16 to /28
SUBNET_MIN_PREFIX = 28  # the smallest subnet AWS creates is a /28
# EKS serviceIpv4Cidr: inside RFC 1918 space, /12 to /24, not overlapping the cluster's VPC.
SERVICE_CIDR_PREFIX_RANGE = (12, 24)
PRIVATE_BLOCKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")

# --- tags and labels --------------------------------------------------------------------------
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# Kubernetes: a label value, a name part of a label key and a DNS label are at most 63 chars; a
# label key's prefix (a DNS subdomain) at most 253.
K8S_LABEL_MAX = 63
K8S_PREFIX_MAX = 253
# The Cluster Autoscaler reads node labels from ASG tags
# `k8s.io/cluster-autoscaler/node-template/label/<key>`: the tag key limit bounds the label key.
NODE_TEMPLATE_LABEL_TAG = "k8s.io/cluster-autoscaler/node-template/label/"

# --- time -------------------------------------------------------------------------------------
# Ours: a day count beyond 100 years (S3 Object Lock's longest retention) cannot be meant.
MAX_DAYS = 36_500
# Ours: a cache TTL beyond one year (HTTP/1.1 told servers never to send Expires more than a year
# ahead, RFC 2616 14.21; CloudFront's default maximum TTL is one year).
MAX_TTL_S = 31_536_000
# A request waits at most an ALB's longest idle timeout (4,000 s): longer queue timeouts and
# latency targets cannot be met by any request.
MAX_REQUEST_S = 4_000
# CloudWatch alarms: evaluation periods x period may not exceed one day.
MAX_ALARM_WINDOW_S = 86_400

# --- money and counts -------------------------------------------------------------------------
# Ours: a monthly budget above $1 billion is a typo (AWS Budgets caps the amount only by string
# length).
MAX_MONTHLY_USD = 1_000_000_000
# AWS Budgets: at most 10 notifications per budget and 10 e-mail subscribers per notification.
MAX_BUDGET_NOTIFICATIONS = 10
MAX_BUDGET_EMAILS = 10
# Kubernetes replicas and quotas (ours): at most one GPU replica per GPU of the largest pools.
MAX_REPLICAS = 10_000
MAX_GPU_QUOTA = 80_000  # MAX_POOL_SIZE nodes x 8 GPUs
# RFC 5321: an address is at most 254 characters, its local part at most 64.
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
