"""Data drift checks of a window of production rows against a training profile.

Needs numpy, scipy and pandas but not scikit-learn, so the monitor Lambda can
run it. `check_drift` returns a JSON-serialisable report; `churnops.drift.report`
renders it as an HTML page.
"""

from churnops.drift.config import DriftConfig
from churnops.drift.dataset import SCORE_FIELD, check_drift
from churnops.drift.errors import DriftError

__all__ = ["SCORE_FIELD", "DriftConfig", "DriftError", "check_drift"]
