"""Starting a policy pack exactly as the Pulumi CLI does, and talking to it over gRPC.

The CLI runs `python -u -m pulumi.policy <engine-address> .` with the pack directory as the working
directory and PULUMI_CONFIG / PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN /
PULUMI_ORGANIZATION in the environment; the pack prints its port and serves the Analyzer service.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aeon import interrupts
from aeon.errors import UserError

START_TIMEOUT_S = 60.0
# Python packs never dial the engine; the CLI still passes its address as the first argument.
ENGINE_ADDRESS = "127.0.0.1:0"
MAX_MESSAGE = 400 * 1024 * 1024  # what pulumi-policy's own server accepts


def project_python(root: Path, definition: dict[str, Any] | None) -> Path:
    """The interpreter the CLI would use: the project's virtualenv when Pulumi.yaml names one."""
    runtime = (definition or {}).get("runtime")
    options = runtime.get("options", {}) if isinstance(runtime, dict) else {}
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    if not venv:
        return Path(sys.executable)
    folder = Path(venv) if Path(venv).is_absolute() else root / venv
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        raise UserError(
            f"the project's virtualenv {folder} has no Python (Pulumi.yaml runtime.options."
            f"virtualenv); create it: python3.11 -m venv {venv} && {venv}/bin/pip install -e ."
        )
    return python


class PolicyPackProcess:
    """One running pack; use as a context manager. `stub` is an AnalyzerStub."""

    def __init__(
        self,
        pack_dir: Path,
        *,
        python: Path | None = None,
        project: str,
        stack: str,
        config: dict[str, str] | None = None,
        dry_run: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.pack_dir = Path(pack_dir)
        self.python = Path(python or sys.executable)
        self.env = {
            **os.environ,
            "PULUMI_CONFIG": json.dumps(config or {}),
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": "true" if dry_run else "false",
            "PULUMI_ORGANIZATION": "organization",
            **(extra_env or {}),
        }
        self._proc: subprocess.Popen | None = None
        self._forget_child: Callable[[], None] | None = None
        self._stderr = None
        self.channel = None
        self.stub = None

    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        import grpc
        from pulumi.runtime.proto import analyzer_pb2_grpc

        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise UserError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [str(self.python), "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."],
            cwd=self.pack_dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        # If a signal ends aeon before close() runs, the pack must not outlive it.
        self._forget_child = interrupts.kill_on_interrupt(self._proc)
        port = self._read_port()
        # The CLI streams a plugin's stderr to the user; relay what the pack said while starting
        # (e.g. that its speed shim could not install).
        if started := self.stderr_text():
            sys.stderr.write(started)
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE),
                ("grpc.max_send_message_length", MAX_MESSAGE),
            ],
        )
        grpc.channel_ready_future(self.channel).result(timeout=START_TIMEOUT_S)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _read_port(self) -> int:
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self._proc.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(START_TIMEOUT_S)
        text = line[0].decode().strip() if line else ""
        if not text.isdigit():
            self.close()
            raise RuntimeError(
                f"policy pack {self.pack_dir} did not print its port (got {text!r}); "
                f"stderr:\n{self.stderr_text()[-4000:]}"
            )
        return int(text)

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None
        if self._forget_child is not None:
            self._forget_child()
            self._forget_child = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
