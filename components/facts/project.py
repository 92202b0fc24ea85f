"""The Pulumi project's name: the namespace of every stack config key (`aeon-infra:pools`)."""

from __future__ import annotations

PROJECT = "aeon-infra"
