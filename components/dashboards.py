"""Grafana dashboards and Prometheus alert rules, built as data.

Every PromQL expression names metrics the deployed exporters emit: the DCGM exporter
(`DCGM_FI_*`), kube-state-metrics (`kube_*`) and node-exporter (`node_*`).
"""

from __future__ import annotations

from typing import Any

from components.settings import Monitoring

GPU_REQUESTED = 'sum(kube_pod_container_resource_requests{resource="nvidia_com_gpu"})'
GPU_ALLOCATABLE = 'sum(kube_node_status_allocatable{resource="nvidia_com_gpu"})'
NODE_CPU_BUSY = '(1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))) * 100'
NODE_MEMORY_USED = "(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100"

DASHBOARDS: dict[str, list[tuple[str, str, str]]] = {
    # title -> panels (title, PromQL, unit)
    "optimization-overview": [
        ("GPU utilization (NVML counter)", "avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL)", "percent"),
        (
            "SM activity (what the GPU really does)",
            "avg by (Hostname) (DCGM_FI_PROF_SM_ACTIVE) * 100",
            "percent",
        ),
        ("GPUs requested / allocatable", f"{GPU_REQUESTED} / {GPU_ALLOCATABLE} * 100", "percent"),
        ("Node CPU busy", NODE_CPU_BUSY, "percent"),
        ("Pending pods", 'sum(kube_pod_status_phase{phase="Pending"})', "short"),
    ],
    "resource-efficiency": [
        (
            "Tensor core activity",
            "avg by (modelName) (DCGM_FI_PROF_PIPE_TENSOR_ACTIVE) * 100",
            "percent",
        ),
        (
            "GPU memory bandwidth activity",
            "avg by (modelName) (DCGM_FI_PROF_DRAM_ACTIVE) * 100",
            "percent",
        ),
        (
            "GPU framebuffer used",
            "sum by (Hostname) (DCGM_FI_DEV_FB_USED)"
            " / sum by (Hostname) (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) * 100",
            "percent",
        ),
        ("Node memory used", NODE_MEMORY_USED, "percent"),
        (
            "CPU requested / allocatable",
            'sum(kube_pod_container_resource_requests{resource="cpu"})'
            ' / sum(kube_node_status_allocatable{resource="cpu"}) * 100',
            "percent",
        ),
    ],
    "cost-analysis": [
        (
            "GPUs requested by namespace",
            'sum by (namespace) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"})',
            "short",
        ),
        ("Idle allocatable GPUs", f"{GPU_ALLOCATABLE} - {GPU_REQUESTED}", "short"),
        ("Nodes by pool", "count by (label_aeon_ai_pool) (kube_node_labels)", "short"),
        ("GPU power draw", "sum by (Hostname) (DCGM_FI_DEV_POWER_USAGE)", "watt"),
        (
            "Nodes by instance type",
            "count by (label_node_kubernetes_io_instance_type) (kube_node_labels)",
            "short",
        ),
    ],
}


def dashboard(uid: str, panels: list[tuple[str, str, str]]) -> dict[str, Any]:
    """A Grafana dashboard model (schema 39) of time-series panels, two per row."""
    return {
        "uid": f"aeon-{uid}",
        "title": f"aeon / {uid.replace('-', ' ')}",
        "schemaVersion": 39,
        "time": {"from": "now-24h", "to": "now"},
        "refresh": "1m",
        "tags": ["aeon"],
        "panels": [
            {
                "id": i + 1,
                "type": "timeseries",
                "title": title,
                "datasource": {"type": "prometheus", "uid": "prometheus"},
                "gridPos": {"x": (i % 2) * 12, "y": (i // 2) * 8, "w": 12, "h": 8},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "targets": [{"refId": "A", "expr": expr}],
            }
            for i, (title, expr, unit) in enumerate(panels)
        ],
    }


def alert_rules(monitoring: Monitoring) -> dict[str, Any]:
    """PrometheusRule groups for the framework's optimization triggers."""
    cpu, memory = monitoring.cpu_pressure, monitoring.memory_pressure
    cpu_min, memory_min = cpu.duration_s // 60, memory.duration_s // 60
    return {
        "groups": [
            {
                "name": "aeon-pressure",
                "rules": [
                    {
                        "alert": "NodeCpuPressure",
                        "expr": f"{NODE_CPU_BUSY} >= {cpu.threshold_pct:g}",
                        "for": f"{cpu.duration_s // 60}m",
                        "labels": {"severity": "warning"},
                        "annotations": {
                            "summary": f"CPU >= {cpu.threshold_pct:g}% for {cpu_min} min"
                        },
                    },
                    {
                        "alert": "NodeMemoryPressure",
                        "expr": f"{NODE_MEMORY_USED} >= {memory.threshold_pct:g}",
                        "for": f"{memory.duration_s // 60}m",
                        "labels": {"severity": "warning"},
                        "annotations": {
                            "summary": f"memory >= {memory.threshold_pct:g}% for {memory_min} min"
                        },
                    },
                ],
            }
        ]
    }
