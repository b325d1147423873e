"""The Production model, loaded once and swapped when the registry changes.

`ModelHolder.current()` checks the registry's Production pointer at most once
per refresh interval. A new version is downloaded (or read from the /tmp cache),
checked against its recorded SHA-256 and loaded before it replaces the old one.
If any step fails, the old model keeps serving and the failure is logged and
counted. Requests never see a half-loaded model, because the swap is one
assignment under the holder's lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from churnops.errors import ChurnopsError
from churnops.registry.errors import NoProductionVersion
from churnops.registry.store import RegistryStore
from churnops.registry.transitions import production_version
from churnops.registry.versions import ModelVersion, load_model_bytes
from churnops.scoring import ChurnModel, sha256_hex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServedModel:
    """A loaded model together with its registry record."""

    model: ChurnModel
    record: ModelVersion


class ModelHolder:
    """Keeps the Production version loaded and refreshes it on an interval."""

    def __init__(
        self,
        store: RegistryStore,
        refresh_seconds: float,
        cache_dir: str | Path,
        on_load_failure: Callable[[Exception], None] = lambda error: None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._store = store
        self._refresh_seconds = refresh_seconds
        self._cache_dir = Path(cache_dir)
        self._on_load_failure = on_load_failure
        self._clock = clock
        self._served: ServedModel | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def current(self) -> ServedModel:
        """Return the model to score with; raise NoProductionVersion if there is none."""
        with self._lock:
            now = self._clock()
            due = self._checked_at is None or now - self._checked_at >= self._refresh_seconds
            if due:
                self._refresh()
                self._checked_at = now
            if self._served is None:
                raise NoProductionVersion(
                    f"model {self._store.model_name} has no Production version loaded"
                )
            return self._served

    def _refresh(self) -> None:
        try:
            record = production_version(self._store)
        except NoProductionVersion:
            if self._served is not None:
                logger.warning("registry has no Production version; keeping version %d",
                               self._served.record.version)
            return
        except ChurnopsError as error:
            self._report(error, "failed to read the Production pointer")
            return
        if self._served is not None and self._served.record.model_sha256 == record.model_sha256:
            self._served = ServedModel(self._served.model, record)
            return
        try:
            model = ChurnModel.from_bytes(self._model_bytes(record), record.model_sha256)
        except ChurnopsError as error:
            self._report(error, f"failed to load version {record.version}")
            return
        previous = self._served.record.version if self._served else None
        self._served = ServedModel(model, record)
        logger.info("now serving %s version %d (was %s)", record.model_name, record.version, previous)

    def _model_bytes(self, record: ModelVersion) -> bytes:
        cached = self._cache_dir / f"{record.model_sha256}.onnx"
        if cached.is_file():
            data = cached.read_bytes()
            if sha256_hex(data) == record.model_sha256:
                return data
            logger.warning("cached model %s is corrupt; downloading it again", cached)
            cached.unlink(missing_ok=True)
        data = load_model_bytes(self._store, record)
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".partial")
            partial.write_bytes(data)
            partial.replace(cached)
        except OSError as error:
            logger.warning("cannot cache the model in %s: %s", self._cache_dir, error)
        return data

    def _report(self, error: Exception, action: str) -> None:
        serving = self._served.record.version if self._served else None
        logger.error("%s: %s; still serving version %s", action, error, serving)
        self._on_load_failure(error)
