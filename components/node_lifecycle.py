"""Who scales and drains the node pools: the Cluster Autoscaler and the Node Termination Handler.

The autoscaler finds its groups by tag (auto-discovery) and scales them; the Node Termination
Handler in queue mode reads spot interruption notices, rebalance recommendations, scheduled events
and ASG termination lifecycle actions from an SQS queue fed by EventBridge, drains the node and
completes the lifecycle hook.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.charts import release
from components.node_pool import AUTOSCALER_ENABLED
from components.settings import Kubernetes

NAMESPACE = "kube-system"

AUTOSCALER_STATEMENTS = [
    {
        "Effect": "Allow",
        "Action": [
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations",
            "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeTags",
            "ec2:DescribeImages",
            "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:GetInstanceTypesFromInstanceRequirements",
            "eks:DescribeNodegroup",
        ],
        "Resource": "*",
    },
    {
        "Effect": "Allow",
        "Action": [
            "autoscaling:SetDesiredCapacity",
            "autoscaling:TerminateInstanceInAutoScalingGroup",
        ],
        "Resource": "*",
        "Condition": {"StringEquals": {f"aws:ResourceTag/{AUTOSCALER_ENABLED}": "true"}},
    },
]

# EventBridge patterns NTH's queue mode consumes (its documentation, "Queue Processor").
EVENT_PATTERNS = {
    "asg-lifecycle": {
        "source": ["aws.autoscaling"],
        "detail-type": ["EC2 Instance-terminate Lifecycle Action"],
    },
    "spot-interruption": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Spot Instance Interruption Warning"],
    },
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "state-change": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
    },
    "scheduled-change": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
}


class NodeLifecycleArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    region: str
    cluster_name: str
    cluster: Any  # EksCluster
    kubernetes: Kubernetes


class ClusterAutoscaler(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: NodeLifecycleArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:ClusterAutoscaler", name, None, opts)
        kube, scaler = args.kubernetes, args.kubernetes.cluster_autoscaler
        role = args.cluster.service_account_role(
            f"{name}-irsa", NAMESPACE, "cluster-autoscaler",
            statements=AUTOSCALER_STATEMENTS, parent=self,
        )  # fmt: skip
        self.release = release(
            name,
            "cluster-autoscaler",
            kube,
            NAMESPACE,
            {
                "awsRegion": args.region,
                "autoDiscovery": {"clusterName": args.cluster_name},
                "rbac": {
                    "serviceAccount": {
                        "name": "cluster-autoscaler",
                        "annotations": {"eks.amazonaws.com/role-arn": role.arn},
                    }
                },
                "extraArgs": {
                    "expander": scaler.expander,
                    "balance-similar-node-groups": True,
                    "skip-nodes-with-system-pods": False,
                    "scale-down-utilization-threshold": scaler.scale_down_utilization_threshold,
                    "scale-down-unneeded-time": f"{scaler.scale_down_unneeded_time_s}s",
                },
                "priorityClassName": "system-cluster-critical",
            },
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"role_arn": role.arn})


class NodeTerminationHandler(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: NodeLifecycleArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:NodeTerminationHandler", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.queue = aws.sqs.Queue(
            f"{name}-events",
            message_retention_seconds=300,  # a notice is useless after the 2-minute warning
            sqs_managed_sse_enabled=True,
            opts=child,
        )
        rules = []
        for kind, pattern in EVENT_PATTERNS.items():
            rule = aws.cloudwatch.EventRule(
                f"{name}-{kind}", event_pattern=json.dumps(pattern), opts=child
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{kind}", rule=rule.name, arn=self.queue.arn,
                opts=pulumi.ResourceOptions(parent=rule),
            )  # fmt: skip
            rules.append(rule)
        aws.sqs.QueuePolicy(
            f"{name}-events",
            queue_url=self.queue.url,
            policy=pulumi.Output.all(self.queue.arn, *[r.arn for r in rules]).apply(_queue_policy),
            opts=pulumi.ResourceOptions(parent=self.queue),
        )
        role = args.cluster.service_account_role(
            f"{name}-irsa", NAMESPACE, "aws-node-termination-handler",
            statements=[
                {
                    "Effect": "Allow",
                    "Action": [
                        "autoscaling:CompleteLifecycleAction",
                        "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeTags",
                        "ec2:DescribeInstances",
                    ],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Action": ["sqs:DeleteMessage", "sqs:ReceiveMessage"],
                    "Resource": self.queue.arn,
                },
            ],
            parent=self,
        )  # fmt: skip
        self.release = release(
            name,
            "aws-node-termination-handler",
            args.kubernetes,
            NAMESPACE,
            {
                "enableSqsTerminationDraining": True,
                "queueURL": self.queue.url,
                "awsRegion": args.region,
                "checkTagBeforeDraining": True,
                "managedTag": "aws-node-termination-handler/managed",
                "serviceAccount": {
                    "name": "aws-node-termination-handler",
                    "annotations": {"eks.amazonaws.com/role-arn": role.arn},
                },
            },
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"queue_url": self.queue.url})


def _queue_policy(arns: list[str]) -> str:
    queue, *rules = arns
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
                    "Action": "sqs:SendMessage",
                    "Resource": queue,
                    "Condition": {"ArnEquals": {"aws:SourceArn": rules}},
                }
            ],
        }
    )
