"""Monitoring per region: the alert topic, kube-prometheus-stack with the pressure alert rules,
and Grafana dashboards provisioned as ConfigMaps (picked up by Grafana's dashboard sidecar)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.charts import release
from components.dashboards import DASHBOARDS, alert_rules, dashboard
from components.node_pool import POOL_LABEL, ROLE_LABEL
from components.settings import Kubernetes, Monitoring

NAMESPACE = "monitoring"
DASHBOARD_LABEL = "grafana_dashboard"


class MonitoringArgs(BaseModel):
    model_config = ConfigDict(frozen=True)

    monitoring: Monitoring | None
    kubernetes: Kubernetes | None


class RegionalMonitoring(pulumi.ComponentResource):
    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Encrypted with a key of our own: CloudWatch alarms cannot publish to a topic under the
        # AWS-managed aws/sns key (its policy cannot grant cloudwatch.amazonaws.com).
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        key = aws.kms.Key(
            f"{name}-alerts",
            description="encrypts the alert topic; CloudWatch alarms may use it",
            enable_key_rotation=True,
            policy=account.account_id.apply(_alerts_key_policy),
            opts=child,
        )
        self.alert_topic = aws.sns.Topic(f"{name}-alerts", kms_master_key_id=key.arn, opts=child)
        if args.monitoring is not None:
            for i, email in enumerate(args.monitoring.alert_emails):
                aws.sns.TopicSubscription(
                    f"{name}-alerts-{i}", topic=self.alert_topic.arn, protocol="email",
                    endpoint=email,
                    opts=pulumi.ResourceOptions(parent=self.alert_topic),
                )  # fmt: skip
        self.prometheus_stack = None
        if args.kubernetes is not None and args.monitoring is not None:
            stack = self.prometheus_stack = release(
                f"{name}-prometheus",
                "kube-prometheus-stack",
                args.kubernetes,
                NAMESPACE,
                {
                    "prometheus": {
                        "prometheusSpec": {
                            "retention": args.monitoring.prometheus_retention,
                            # Find the DCGM exporter's ServiceMonitor whatever its labels.
                            "serviceMonitorSelectorNilUsesHelmValues": False,
                        }
                    },
                    "kube-state-metrics": {
                        "metricLabelsAllowlist": [
                            f"nodes=[{POOL_LABEL},{ROLE_LABEL},node.kubernetes.io/instance-type]"
                        ]
                    },
                    "grafana": {
                        "sidecar": {
                            "dashboards": {
                                "enabled": True,
                                "label": DASHBOARD_LABEL,
                                "searchNamespace": NAMESPACE,
                            }
                        }
                    },
                    "additionalPrometheusRulesMap": {"aeon-pressure": alert_rules(args.monitoring)},
                },
                child,
            )
            for uid, panels in DASHBOARDS.items():
                k8s.core.v1.ConfigMap(
                    f"{name}-dashboard-{uid}",
                    metadata={
                        "name": f"dashboard-{uid}",
                        "namespace": NAMESPACE,
                        "labels": {DASHBOARD_LABEL: "1"},
                    },
                    data={f"{uid}.json": json.dumps(dashboard(uid, panels))},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[stack]),
                )
        self.register_outputs({"alert_topic_arn": self.alert_topic.arn})


def _alerts_key_policy(account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "account administers the key",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "alarms publish to the encrypted topic",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                },
            ],
        }
    )
