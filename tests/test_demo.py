"""The demo generator: reproducible, realistic in shape, and all-or-nothing when it writes."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from data import credit_code, db, models
from data.demo import build as demo_build
from data.demo import generate
from geo import assign, boundaries

UNTIL = dt.date(2026, 6, 30)


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar()


def test_county_scale_builds_on_both_databases(engine, cache_dir):
    report = demo_build.build(engine, "410000", "county", seed=3, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)
    assert report.rows["entity"] == 3000 == _count(engine, models.Entity)
    for model in (models.Inspection, models.Penalty, models.Complaint, models.Device, models.Reading, models.Alert):
        assert _count(engine, model) == report.rows[model.__tablename__] > 0, model
    with engine.connect() as conn:
        assert db.data_version(conn) == 1
        assert db.get_meta(conn, "demo_seed") == "3"
        # Penalties follow non-compliant inspections only.
        joined = conn.execute(text(
            "SELECT i.result, COUNT(*) FROM penalty p JOIN inspection i ON i.id = p.inspection_id GROUP BY i.result"
        )).all()
        assert {r for r, _ in joined} == {"non_compliant"}
        if engine.dialect.name == "postgresql":
            # The build analysed what it wrote (db.analyze): the planner knows the inspections are there.
            planned = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'inspection'::regclass")).scalar()
            assert planned == report.rows["inspection"]
        # Ids continue after the demo's explicit ids (sequences were moved on PostgreSQL).
        conn.execute(models.Inspector.__table__.insert().values(badge_no="X-1", name="新人", region_adcode="410105"))
    # The reading constraints deferred during the load are back: a duplicate and an orphan are refused.
    with engine.connect() as conn:
        existing = conn.execute(select(models.Reading.device_id, models.Reading.indicator, models.Reading.measured_at)
                                .limit(1)).one()
    for values in ({"device_id": existing[0], "indicator": existing[1], "measured_at": existing[2]},
                   {"device_id": "NO-SUCH-DEVICE", "indicator": "ph", "measured_at": existing[2]}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(models.Reading.__table__.insert().values(value=1.0, unit="u", **values))


def test_same_seed_same_data_other_seed_other_data(cache_dir):
    leaves = boundaries.polygons("410000", "county", cache_dir)
    a = generate.entities(np.random.default_rng(11), leaves, 500, UNTIL)
    b = generate.entities(np.random.default_rng(11), leaves, 500, UNTIL)
    c = generate.entities(np.random.default_rng(12), leaves, 500, UNTIL)
    pd.testing.assert_frame_equal(a, b)
    assert not a["credit_code"].equals(c["credit_code"]) or not a["lon"].equals(c["lon"])


@pytest.fixture(scope="module")
def henan_demo(cache_dir):
    leaves = boundaries.polygons("410000", "county", cache_dir)
    rng = np.random.default_rng(5)
    ents = generate.entities(rng, leaves, 3000, UNTIL)
    staff = generate.inspectors(rng, ents)
    insp = generate.inspections(rng, ents, staff, UNTIL - dt.timedelta(days=730), UNTIL)
    comps = generate.complaints(rng, ents, leaves, UNTIL - dt.timedelta(days=730), UNTIL)
    return leaves, ents, staff, insp, comps


def test_entities_are_inside_their_counties_with_valid_codes(henan_demo):
    leaves, ents, *_ = henan_demo
    again = assign.assign(ents["lon"].to_numpy(), ents["lat"].to_numpy(), leaves, snap_m=0)
    assert (again["region_match"] == "inside").all()
    assert (again["county_adcode"].to_numpy() == ents["county_adcode"].to_numpy()).all()
    assert ents["credit_code"].map(credit_code.is_valid).all()
    assert ents["credit_code"].is_unique and ents["name"].is_unique
    assert set(ents["grade"].dropna()) == {"A", "B", "C"}
    assert ents["specialty"].nunique() == 8


def test_cities_are_denser_than_the_countryside(henan_demo):
    leaves, ents, *_ = henan_demo
    per_county = ents.groupby("county_adcode").size().reindex(leaves["adcode"]).fillna(0)
    density = per_county.to_numpy() / leaves.to_crs(3857).area.to_numpy() * 1e6  # per km² (rough)
    urban = leaves["name"].str.endswith("区").to_numpy()
    assert np.median(density[urban]) > 2 * np.median(density[~urban])


def test_inspections_follow_the_calendar_and_quality(henan_demo):
    _, ents, staff, insp, _ = henan_demo
    months = pd.to_datetime(insp["inspected_on"]).dt.month
    by_month = months.value_counts()
    assert by_month[2] < 0.7 * by_month[3]  # the Spring Festival lull
    pools = insp[insp["entity_id"].isin(ents.loc[ents["subtype"] == "swimming_pool", "id"])]
    summer = pd.to_datetime(pools["inspected_on"]).dt.month.isin([6, 7, 8]).mean()
    assert summer > 0.35  # 3 of 12 months hold over a third of pool inspections
    weekday = pd.to_datetime(insp["inspected_on"]).dt.day_of_week
    assert (weekday >= 5).mean() < 0.05
    quality = ents.set_index("id")["quality"].reindex(insp["entity_id"]).to_numpy()
    failed = insp["result"].to_numpy() == "non_compliant"
    assert quality[failed].mean() < quality[~failed].mean()
    # Two different officers of the entity's own county.
    assert (insp["inspector_id"] != insp["second_inspector_id"]).all()
    home = staff.set_index("id")["region_adcode"]
    assert (home.reindex(insp["inspector_id"]).to_numpy() == insp["county_adcode"].to_numpy()).all()


def test_complaints_cluster_in_hotspots(henan_demo):
    _, ents, _, _, comps = henan_demo
    def top_share(codes: pd.Series) -> float:
        counts = codes.value_counts()
        return counts.head(max(1, len(counts) // 10)).sum() / counts.sum()
    assert top_share(comps["county_adcode"]) > top_share(ents["county_adcode"]) + 0.1
    assert (comps["closed_at"].dropna() > comps.loc[comps["closed_at"].notna(), "received_at"]).all()


def test_sensor_series_carry_real_world_faults(cache_dir):
    leaves = boundaries.polygons("410000", "county", cache_dir)
    rng = np.random.default_rng(9)
    ents = generate.entities(rng, leaves, 3000, UNTIL)
    devs = generate.devices(rng, ents, UNTIL)
    batches = list(generate.readings(rng, devs, generate.SCALES["county"], UNTIL))
    readings = pd.concat(batches)
    hours = generate.SCALES["county"].reading_days * 24
    per_series = readings.groupby(["device_id", "indicator"]).size()
    assert (per_series < hours).mean() > 0.5  # gaps
    values = readings.sort_values("measured_at").groupby(["device_id", "indicator"])["value"]
    flat = values.apply(lambda v: (v.diff() == 0).rolling(24).sum().max() >= 23)
    assert flat.any()  # stuck sensors
    over = (readings["value"] > readings["high"]) | (readings["value"] < readings["low"])
    assert 0 < over.mean() < 0.1


def test_a_failure_half_way_leaves_the_previous_data(tmp_path, cache_dir, monkeypatch):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    demo_build.build(engine, "320600", "county", seed=1, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)
    before = _count(engine, models.Entity), _count(engine, models.Reading)

    with pytest.raises(demo_build.DatabaseNotEmpty):
        demo_build.build(engine, "320600", "county", seed=2, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)

    def broken_readings(_rng, devs, _scale, _until):
        """One good batch of readings is written, then the generator fails."""
        yield pd.DataFrame({"device_id": [devs["id"].iloc[0]], "indicator": ["x"],
                            "measured_at": [pd.Timestamp("2026-01-01", tz="UTC")], "value": [1.0], "unit": ["u"],
                            "low": [np.nan], "high": [np.nan]})
        raise RuntimeError("disk full")

    monkeypatch.setattr(generate, "readings", broken_readings)
    with pytest.raises(RuntimeError, match="disk full"):
        demo_build.build(engine, "320600", "county", seed=2, cache_dir=cache_dir, until=UNTIL, replace=True,
                         progress=lambda _m: None)
    assert (_count(engine, models.Entity), _count(engine, models.Reading)) == before
    with engine.connect() as conn:
        assert db.get_meta(conn, "demo_seed") == "1"
