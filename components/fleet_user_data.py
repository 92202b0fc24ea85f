"""What a fleet instance runs, as user data (pure): the CloudWatch agent for memory metrics, then
nginx as the edge HTTP cache or the preprocessing worker container under systemd. Any failing
step marks the instance unhealthy in its group, so the group replaces it and the failure shows in
its scaling activities instead of a silently idle instance."""

from __future__ import annotations

import base64
import json
from typing import Any

from components.settings import Pool, PoolRole

CW_AGENT_NAMESPACE = "CWAgent"


def cloudwatch_agent_config() -> dict[str, Any]:
    """Memory and CPU per group, so alarms can watch the fleet as one."""
    return {
        "metrics": {
            "namespace": CW_AGENT_NAMESPACE,
            "append_dimensions": {"AutoScalingGroupName": "${aws:AutoScalingGroupName}"},
            "aggregation_dimensions": [["AutoScalingGroupName"]],
            "metrics_collected": {"mem": {"measurement": ["mem_used_percent"]}},
        }
    }


EDGE_CACHE_CONFIG = "/etc/nginx/conf.d/aeon-edge-cache.conf"


def edge_cache_config(origin: str, cache_gb: int) -> str:
    """nginx as a caching reverse proxy for the service domain (TLS to the origin, SNI on)."""
    return (
        f"proxy_cache_path /var/cache/nginx/aeon levels=1:2 keys_zone=aeon:64m "
        f"max_size={cache_gb}g inactive=24h use_temp_path=off;\n"
        "server {\n"
        "  listen 80 default_server;\n"
        "  location = /healthz { return 200 'ok'; }\n"
        "  location / {\n"
        "    proxy_cache aeon;\n"
        "    proxy_cache_use_stale error timeout updating;\n"
        "    proxy_cache_lock on;\n"
        f"    proxy_pass https://{origin};\n"
        "    proxy_ssl_server_name on;\n"
        "    proxy_ssl_verify on;\n"
        "    proxy_ssl_trusted_certificate /etc/pki/tls/certs/ca-bundle.crt;\n"
        f"    proxy_set_header Host {origin};\n"
        "  }\n"
        "}\n"
    )


def worker_unit(image: str, queue_url: str) -> str:
    """A systemd unit that runs the preprocessing worker container and restarts it."""
    return (
        "[Unit]\nDescription=aeon preprocessing worker\nAfter=docker.service\n"
        "Requires=docker.service\n\n[Service]\nRestart=always\n"
        "ExecStartPre=-/usr/bin/docker rm -f aeon-preprocess\n"
        f"ExecStart=/usr/bin/docker run --rm --name aeon-preprocess -e AEON_QUEUE_URL={queue_url} "
        f"{image}\n\n[Install]\nWantedBy=multi-user.target\n"
    )


def fleet_user_data(
    pool: Pool, *, queue_url: str | None, origin: str | None, worker_image: str | None
) -> str:
    """Install and start what the fleet runs; any failing step marks the instance unhealthy, so
    the group replaces it and the failure shows in its scaling activities."""
    lines = [
        "#!/bin/bash",
        "set -euo pipefail",
        "token=$(curl -fsS -X PUT http://169.254.169.254/latest/api/token "
        "-H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
        'meta() { curl -fsS -H "X-aws-ec2-metadata-token: $token" '
        "http://169.254.169.254/latest/meta-data/$1; }",
        "instance=$(meta instance-id)",
        "region=$(meta placement/region)",
        'trap \'echo "aeon: user data failed at line $LINENO" >&2; '
        'aws autoscaling set-instance-health --region "$region" --instance-id "$instance" '
        "--health-status Unhealthy' ERR",
        "dnf install -y amazon-cloudwatch-agent",
        "cat > /opt/aws/amazon-cloudwatch-agent/etc/aeon.json <<'EOF'",
        json.dumps(cloudwatch_agent_config()),
        "EOF",
        "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s "
        "-c file:/opt/aws/amazon-cloudwatch-agent/etc/aeon.json",
    ]
    if pool.role == PoolRole.EDGE_CACHE:
        if origin is None:
            raise ValueError(f"edge cache {pool.name} needs an origin domain (routing.domain)")
        lines += [
            "dnf install -y nginx",
            f"cat > {EDGE_CACHE_CONFIG} <<'EOF'",
            edge_cache_config(origin, max(1, pool.root_volume_gb // 2)).rstrip("\n"),
            "EOF",
            "nginx -t",
            "systemctl enable --now nginx",
            "curl -fsS --retry 5 --retry-connrefused http://127.0.0.1/healthz",
        ]
    else:
        if worker_image is None or queue_url is None:
            raise ValueError(f"preprocessing fleet {pool.name} needs a worker image and a queue")
        registry = worker_image.split("/", 1)[0]
        lines += ["dnf install -y docker", "systemctl enable --now docker"]
        if ".dkr.ecr." in registry:
            lines.append(
                f'aws ecr get-login-password --region "$region" | '
                f"docker login --username AWS --password-stdin {registry}"
            )
        lines += [
            f"docker pull {worker_image}",
            "cat > /etc/systemd/system/aeon-preprocess.service <<'EOF'",
            worker_unit(worker_image, queue_url).rstrip("\n"),
            "EOF",
            "systemctl daemon-reload",
            "systemctl enable --now aeon-preprocess",
            "systemctl is-active aeon-preprocess",
        ]
    return base64.b64encode(("\n".join(lines) + "\n").encode()).decode()
