"""scripts/h200_phase_means.py, which reprints the figures of docs/gpu-measurements.md from the
H200 traces: steady means leave out each phase's ramps, and the documented figures match the real
traces where they are present (../shared/data/gpu-h200, beside the clone)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.telemetry.fakes import SHARED_H200

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "h200_phase_means.py"
GPM_HEADER = (
    "t_s,phase,nvml_gpu_util_pct,gpm_sm_util_pct,gpm_tensor_util_pct,gpm_dram_bw_util_pct,power_mw"
)


def run(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(data)], capture_output=True, text=True
    )


def row(output: str, phase: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(phase + " "))


def test_steady_means_leave_out_the_ramps(tmp_path):
    # 3 ramp samples at 0, 4 steady at 80, 3 ramp samples at 0: all-sample mean 32, steady 80.
    values = [0] * 3 + [80] * 4 + [0] * 3
    gpm = [GPM_HEADER] + [f"{i},load,{v},{v},{v},{v},{v * 1000}" for i, v in enumerate(values)]
    (tmp_path / "gpm_workloads.csv").write_text("\n".join(gpm) + "\n")
    nvml = ["t_s,phase,gpu_util_pct,mem_used_bytes,power_mw"]
    nvml += [f"{i},load,{v},{2**30},{v * 1000}" for i, v in enumerate(values)]
    (tmp_path / "nvml_load_phases.csv").write_text("\n".join(nvml) + "\n")
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert row(proc.stdout, "load").split()[2:5] == ["32.0", "/", "80.0"]


def test_missing_traces_are_a_clear_error(tmp_path):
    proc = run(tmp_path)
    assert proc.returncode == 2 and "pass --data DIR" in proc.stderr


@pytest.mark.skipif(
    not (SHARED_H200 / "gpm_workloads.csv").exists(),
    reason="the real H200 traces (../shared/data/gpu-h200) are not present",
)
def test_documented_figures_come_from_the_real_traces():
    out = run(SHARED_H200).stdout
    # docs/gpu-measurements.md#phase-means: NVML counter, SM, tensor (steady means).
    matmul = row(out, "matmul_compute_bound").split()
    assert [matmul[4], matmul[7], matmul[10]] == ["98.5", "94.8", "92.1"]
    decode = row(out, "batch1_decode_mlp").split()
    assert [decode[4], decode[7], decode[10]] == ["71.2", "38.3", "1.8"]
    # The counter is not monotonic in load: 25 % duty reads more than 50 %.
    assert float(row(out, "duty_25").split()[4]) > float(row(out, "duty_50").split()[4])
