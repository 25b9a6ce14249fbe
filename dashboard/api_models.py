"""The API's request and response models (pydantic v2): the same classes validate a request's parameters,
shape each answer and, through their JSON schema, make /api/v1/openapi.json (dashboard/openapi.py), so the
document cannot drift from what the server does."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from data import vocab
from data.models import REGION_CODE_LENGTH

# A region code as the server takes it: a built-in six-digit administrative code or the code of an imported
# boundary (BK0101, "Mission", "Castro/Upper Market"), which may hold any character but begins and ends with a
# visible one. Syntax only: whether it names a region is the lookup's answer (404), inside the viewer's scope
# or not the scope check's (403), both on the server.
RegionCode = Annotated[str, Field(
    min_length=1, max_length=REGION_CODE_LENGTH, pattern=r"^\S(.*\S)?$",
    description="a region code: six-digit administrative code (行政区划代码) or the code of an imported boundary "
                f"(at most {REGION_CODE_LENGTH} characters)")]
Specialty = Literal[vocab.SPECIALTIES]  # type: ignore[valid-type]
AlertStatus = Literal[("unclosed", "all", *vocab.ALERT_STATUSES)]  # type: ignore[valid-type]


class _Query(BaseModel):
    """Query parameters: unknown ones are ignored (as browsers and proxies add their own)."""

    model_config = ConfigDict(extra="ignore")


class RegionPath(BaseModel):
    """The path parameter of /regions/{adcode}."""

    adcode: RegionCode


class RegionQuery(_Query):
    region: RegionCode | None = Field(None, description="a region code (default: the viewer's home region)")


class EntityQuery(RegionQuery):
    specialty: Specialty | None = None
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(100, ge=1, le=1000)


class SummaryQuery(RegionQuery):
    period: str = Field("last-12-months", max_length=32,
                        description="YYYY-MM..YYYY-MM, YYYY-MM-DD..YYYY-MM-DD or last-3-months, last-12-months, "
                                    "last-24-months, this-year, last-year")
    specialty: Specialty | None = None


class AlertQuery(RegionQuery):
    status: AlertStatus = "unclosed"
    limit: int = Field(50, ge=1, le=500)


class RegionRef(BaseModel):
    adcode: str
    name: str
    level: str


class RegionOut(RegionRef):
    parent_adcode: str | None
    children: list[RegionRef]


class EntityOut(BaseModel):
    id: int
    credit_code: str
    name: str
    specialty: str
    subtype: str
    address: str | None
    grade: str | None
    lon: float | None
    lat: float | None
    province_adcode: str | None
    city_adcode: str | None
    county_adcode: str | None


class EntityPage(BaseModel):
    region: str
    total: int
    page: int
    per_page: int
    items: list[EntityOut]


class ChildSummary(BaseModel):
    adcode: str
    name: str
    entities: int
    inspections: int
    non_compliant: int
    penalties: int
    penalty_amount: float
    complaints: int
    rate: float | None = Field(description="non-compliant share of the period's inspections; null when none")


class SummaryOut(BaseModel):
    region: str
    period: str
    specialty: str | None
    computed_at: str | None
    children: list[ChildSummary]


class AlertOut(BaseModel):
    id: int
    raised_at: dt.datetime
    device_id: str | None
    entity_id: int | None
    entity: str | None
    rule: str
    indicator: str
    value: float | None
    severity: str
    level: str
    status: str
    active: bool
    occurrences: int
    due_at: dt.datetime | None
    overdue: bool
    message: str
    county_adcode: str | None


class AlertList(BaseModel):
    region: str
    status: str
    items: list[AlertOut]


class ReadingIn(BaseModel):
    """One reading as a device sends it. The ingest checks each item itself (data/monitoring/ingest.py) so that a
    bad item is rejected with its index and field while the rest of the batch is taken."""

    device_id: str
    indicator: str
    measured_at: dt.datetime = Field(description="ISO 8601 with a zone")
    value: float
    unit: str


class ReadingBatch(BaseModel):
    readings: list[ReadingIn] = Field(max_length=5000)


class Rejection(BaseModel):
    index: int
    field: str
    reason: str


class IngestOut(BaseModel):
    accepted: int
    duplicates: int
    late: int
    rejected: int
    rejections: list[Rejection]
    alerts: dict[str, int]


class PrescriptionIn(BaseModel):
    """One prescription as an institution's system sends it. As with readings, the check validates each row itself
    (data/prescriptions/ingest.py: row, field, value, reason) and takes the rest of the batch."""

    institution: str = Field(description="the institution's credit code (统一社会信用代码)")
    rx_no: str
    prescriber: str = Field(description="the prescriber's licence number (执业证书编码)")
    issued_on: dt.date
    setting: str = Field(description="outpatient, emergency, pain or inpatient")
    department: str
    diagnosis: str | None = None
    drug: str
    drug_class: str = Field(description="ordinary, narcotic, psych1 or psych2")
    dosage_form: str
    days: float = Field(description="days' supply")
    doses: float | None = None
    extension_reason: str | None = Field(None, description="the written reason that allows a longer supply")


class PrescriptionBatch(BaseModel):
    prescriptions: list[PrescriptionIn] = Field(max_length=5000)


class PrescriptionRejection(BaseModel):
    row: int
    field: str
    value: str
    reason: str


class PrescriptionCheckOut(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    rejections: list[PrescriptionRejection]
    hits: dict[str, int]
    alerts: dict[str, int]


class ProblemField(BaseModel):
    field: str
    reason: str


class ErrorOut(BaseModel):
    error: str
    problems: list[ProblemField] = []
