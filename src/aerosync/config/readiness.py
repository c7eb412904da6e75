"""`training.records.readiness`: the crew readiness export back to flight operations and crew
management (EBT -> FOS/CMS), and the rules it applies.

The defaults are those of the crew-operations design page (14 CFR 61.57, EASA FCL.060, ORO.FTL.210,
ORO.FC.231); every figure can be changed per company. A rule that is not `required` is still
computed and exported with its state, but does not make a pilot not ready (night currency by
default: a pilot who is not night-current may still fly by day).
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aerosync.config.connection_ids import ConnId

# In a required qualification code, the type the row is about (`TYPE_RATING:<type_code>`).
TYPE_PLACEHOLDER = "<type_code>"
# The qualification codes whose holders are rated for a type: `TYPE_RATING:<type>`.
TYPE_RATING_PREFIX = "TYPE_RATING:"
DEFAULT_QUALIFICATIONS = (f"TYPE_RATING:{TYPE_PLACEHOLDER}", "LINE_CHECK", "MEDICAL")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _names(value: list[str], what: str) -> list[str]:
    cleaned = [item.strip() for item in value]
    if any(not item for item in cleaned):
        raise ValueError(f"an empty {what}")
    repeated = sorted({item for item in cleaned if cleaned.count(item) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed more than once")
    return cleaned


class RecencyRule(_Strict):
    """Take-offs and landings as pilot flying in the same type within `days` days (D included)."""

    days: int = Field(default=90, ge=1, le=366)
    takeoffs: int = Field(default=3, ge=1, le=100)
    landings: int = Field(default=3, ge=1, le=100)
    required: bool = True


class NightRecencyRule(RecencyRule):
    """The same with night take-offs and landings only (to carry passengers at night)."""

    required: bool = False


class FlightTimeRule(_Strict):
    """Cumulative flight time (block time of legs operated in `roles`): held while each sum is
    below its limit."""

    hours_28_days: float = Field(default=100, gt=0, le=10_000)
    hours_calendar_year: float = Field(default=900, gt=0, le=10_000)
    hours_12_months: float = Field(default=1000, gt=0, le=10_000)
    roles: list[str] = Field(default_factory=lambda: ["PIC", "SIC"], min_length=1)
    required: bool = True

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        return _names(value, "role")


class EbtModuleRule(_Strict):
    """A completed EBT module (grading session, or LMS completion of an EBT course) within its
    validity in calendar months."""

    validity_months: int = Field(default=12, ge=1, le=120)
    required: bool = True


class EmploymentRule(_Strict):
    """Active on the day by the HRIS's effective-dated record (always required)."""

    active_statuses: list[str] = Field(default_factory=lambda: ["active"], min_length=1)

    @field_validator("active_statuses")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        return [status.lower() for status in _names(value, "status")]


class ReadinessRules(_Strict):
    """Who is a pilot, and what each rule asks of them."""

    # HRIS roles whose holders are pilots (exact, as the HRIS spells them).
    pilot_roles: list[str] = Field(default_factory=lambda: ["CPT", "FO"], min_length=1)
    recency: RecencyRule = RecencyRule()
    night_recency: NightRecencyRule = NightRecencyRule()
    flight_time: FlightTimeRule = FlightTimeRule()
    ebt_module: EbtModuleRule = EbtModuleRule()
    employment: EmploymentRule = EmploymentRule()
    # Qualifications each role requires, valid on the day; `<type_code>` is the row's type.
    # Roles not listed require `default_qualifications`.
    default_qualifications: list[str] = Field(default_factory=lambda: list(DEFAULT_QUALIFICATIONS))
    qualifications: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("pilot_roles", "default_qualifications")
    @classmethod
    def _listed_once(cls, value: list[str]) -> list[str]:
        return _names(value, "name")

    @field_validator("qualifications")
    @classmethod
    def _per_role(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {
            role: _names(codes, f"qualification of role {role}") for role, codes in value.items()
        }

    @model_validator(mode="after")
    def _roles_are_pilots(self) -> Self:
        unknown = sorted(set(self.qualifications) - set(self.pilot_roles))
        if unknown:
            raise ValueError(
                f"qualifications name role(s) {', '.join(unknown)} that are not in pilot_roles"
            )
        return self

    def required_for(self, role: str) -> list[str]:
        """The qualification codes (templates) a role requires."""
        return self.qualifications.get(role, self.default_qualifications)


class ReadinessPost(_Strict):
    """The readiness export POSTed page by page to a REST endpoint behind an Airflow `http`
    connection (host = base URL); never retried."""

    conn_id: ConnId
    endpoint: str = Field(default="readiness", min_length=1)
    page_size: int = Field(default=500, ge=1, le=10_000)
    timeout_seconds: float = Field(default=30, gt=0, le=300)


class ReadinessExport(_Strict):
    """Readiness per pilot and type on each window's last day, written as CSV and JSON into
    `export_to` (a folder or any `ObjectStoragePath` URL) and, with `post_to`, posted."""

    export_to: str = Field(min_length=1)
    post_to: ReadinessPost | None = None
    # Who lapses within this many days after the day is listed as lapsing.
    horizon_days: int = Field(default=30, ge=0, le=366)
    rules: ReadinessRules = ReadinessRules()
