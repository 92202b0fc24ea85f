"""Budgets and monitoring: the monthly budget's alerts, pressure alarms, where alerts go."""

from __future__ import annotations

from pydantic import Field, field_validator

from components.settings.base import Model, Percent


class Budget(Model):
    monthly_limit_usd: float = Field(gt=0)
    forecast_alert_pct: list[Percent] = Field(min_length=1)
    subscriber_emails: list[str] = Field(min_length=1)


class PressureAlarm(Model):
    threshold_pct: Percent
    duration_s: int = Field(ge=60, description="whole minutes: CloudWatch evaluates 60 s periods")

    @field_validator("duration_s")
    @classmethod
    def _whole_minutes(cls, value: int) -> int:
        if value % 60:
            raise ValueError(f"{value} s is not a whole number of minutes")
        return value


class Monitoring(Model):
    cpu_pressure: PressureAlarm
    memory_pressure: PressureAlarm
    alert_emails: list[str] = Field(default_factory=list, description="SNS subscribers of alarms")
    prometheus_retention: str = Field(default="15d", pattern=r"^\d+[hdw]$")
