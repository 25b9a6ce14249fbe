"""The 双随机 draw as a pure function (data/draws/sampling.py): reproducible from its seed, never a conflicted
inspector, and weights that shift how often entities are drawn exactly as configured (chi-square, fixed seeds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from data.draws import sampling

COUNTIES = ("410102", "410103", "410105")


def _pool(weights_by_entity: dict[int, float]) -> pd.DataFrame:
    ids = sorted(weights_by_entity)
    return pd.DataFrame({"entity_id": ids, "weight": [weights_by_entity[i] for i in ids], "province_adcode": "410000",
                         "city_adcode": "410100", "county_adcode": [COUNTIES[i % 3] for i in ids]})


def _staff(per_county: int = 3, city: int = 2) -> pd.DataFrame:
    rows = [(100 * (c + 1) + k, "410000", "410100", code) for c, code in enumerate(COUNTIES) for k in range(per_county)]
    rows += [(900 + k, "410000", "410100", None) for k in range(city)]
    return pd.DataFrame(rows, columns=["id", "province_adcode", "city_adcode", "county_adcode"])


def test_same_seed_same_draw_whatever_the_row_order():
    pool = _pool({i: 1.0 + (i % 4) for i in range(1, 61)})
    first = sampling.draw(pool, 12, 20260701, _staff(), {})
    shuffled = pool.sample(frac=1, random_state=3)
    again = sampling.draw(shuffled, 12, 20260701, _staff(), {})
    pd.testing.assert_frame_equal(first.items, again.items)
    other = sampling.draw(pool, 12, 20260702, _staff(), {})
    assert other.items["entity_id"].tolist() != first.items["entity_id"].tolist()
    assert first.items["rank"].tolist() == list(range(1, 13)) and first.items["entity_id"].is_unique


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), count=st.integers(1, 30),
       excluded=st.dictionaries(st.integers(1, 30), st.sets(st.sampled_from(_staff()["id"].tolist()), max_size=6),
                                max_size=30))
def test_no_drawn_pair_ever_conflicts(seed, count, excluded):
    staff = _staff()
    drawn = sampling.draw(_pool({i: 0.5 + (i % 3) for i in range(1, 31)}), count, seed, staff, excluded).items
    home = staff.set_index("id")
    for item in drawn.itertuples():
        pair = {item.inspector_id, item.second_inspector_id}
        assert len(pair) == 2, "two different officers"
        assert not pair & excluded.get(item.entity_id, set()), "never one who inspected it last or declared a conflict"
        county_staff = set(home.index[home["county_adcode"] == item.county_adcode]) - excluded.get(item.entity_id, set())
        if len(county_staff) >= 2:
            assert pair <= county_staff, "the county's own officers first"
        else:  # then the city's pool: its counties' officers and its own
            assert set(home.loc[list(pair), "city_adcode"]) == {item.city_adcode}
    assert len(drawn) <= count


def test_entity_without_an_eligible_pair_is_passed_over():
    staff = _staff(per_county=2, city=0)
    blocked = {1: set(staff["id"])}  # every officer excluded for entity 1
    drawn = sampling.draw(_pool({1: 1000.0, 2: 1.0, 3: 1.0}), 3, 1, staff, blocked)
    assert 1 not in drawn.items["entity_id"].tolist() and drawn.passed_over == 1 and len(drawn.items) == 2


def test_weights_shift_the_draw_frequencies_as_configured():
    """Four groups of 25 entities weighted 0.5, 1, 2 and 4: the first pick falls in each group with probability
    weight × 25 / Σ, so over 2,000 seeded draws the counts must fit those shares (and not equal shares)."""
    group_weight = (0.5, 1.0, 2.0, 4.0)
    pool = _pool({i: group_weight[(i - 1) // 25] for i in range(1, 101)})
    staff = _staff()
    firsts = np.array([sampling.draw(pool, 1, seed, staff, {}).items["entity_id"].iloc[0] for seed in range(2000)])
    observed = np.bincount((firsts - 1) // 25, minlength=4)
    expected = np.array(group_weight) / sum(group_weight) * len(firsts)
    assert chisquare(observed, expected).pvalue > 0.001, (observed, expected)
    assert chisquare(observed, np.full(4, len(firsts) / 4)).pvalue < 1e-12, "weights matter"
    # and in a draw of ten, the heavier groups are included more often, in the configured order
    included = np.zeros(4)
    for seed in range(200):
        included += np.bincount((sampling.draw(pool, 10, seed, staff, {}).items["entity_id"].to_numpy() - 1) // 25,
                                minlength=4)
    assert list(np.argsort(included)) == [0, 1, 2, 3]


def test_bad_inputs_are_refused():
    import pytest

    with pytest.raises(ValueError, match="at least one"):
        sampling.draw(_pool({1: 1.0}), 0, 1, _staff(), {})
    with pytest.raises(ValueError, match="positive"):
        sampling.draw(_pool({1: 0.0, 2: 1.0}), 1, 1, _staff(), {})
