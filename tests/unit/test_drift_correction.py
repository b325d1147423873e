"""Multiple-testing corrections against hand-computed and scipy values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from churnops.drift.correction import adjust
from churnops.drift.errors import DriftError

P_VALUES = [0.01, 0.04, 0.03, 0.005, 0.5]


def test_holm_known_values() -> None:
    # Sorted: 0.005*5, 0.01*4, 0.03*3, 0.04*2, 0.5*1 -> 0.025, 0.04, 0.09, 0.09 (monotone), 0.5
    assert adjust(P_VALUES, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.025, 0.5])


def test_holm_caps_at_one() -> None:
    assert adjust([0.6, 0.7], "holm") == pytest.approx([1.0, 1.0])


def test_bh_matches_scipy() -> None:
    expected = stats.false_discovery_control(np.array(P_VALUES), method="bh")
    assert adjust(P_VALUES, "bh") == pytest.approx(list(expected))


def test_none_returns_inputs() -> None:
    assert adjust(P_VALUES, "none") == P_VALUES


def test_empty_list() -> None:
    assert adjust([], "holm") == []


def test_single_value_unchanged() -> None:
    assert adjust([0.03], "holm") == pytest.approx([0.03])
    assert adjust([0.03], "bh") == pytest.approx([0.03])


def test_ties_keep_order() -> None:
    assert adjust([0.01, 0.01, 0.2], "holm") == pytest.approx([0.03, 0.03, 0.2])


def test_unknown_method_rejected() -> None:
    with pytest.raises(DriftError, match="unknown correction 'bonferroni'"):
        adjust([0.1], "bonferroni")


def test_invalid_p_value_rejected() -> None:
    with pytest.raises(DriftError, match="between 0 and 1"):
        adjust([0.1, 1.5], "holm")
