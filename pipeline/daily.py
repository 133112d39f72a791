"""Scheduled batches: one output folder per day, and a backfill entry point for cron.

``DailyBatch(date)`` is the whole pipeline for one date partition of the input
(``input/{date}/`` -> ``OUT/{date}/``); Luigi's ``RangeDaily`` finds the days whose batch is
not complete yet and runs them, so a cron line that calls ``newsclean daily`` every night
also fills in any day a previous night missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

import luigi
from luigi.tools.range import RangeDaily

from pipeline.fingerprint import input_signature
from pipeline.layout import DEDUP_STATE_DIR
from pipeline.tasks import Publish, task_params


def partition(pattern: str, day: dt.date) -> str:
    """The input path of one day: ``{date}`` in the pattern becomes YYYY-MM-DD."""
    return pattern.replace("{date}", day.isoformat())


class DailyBatch(luigi.Task):
    """The pipeline for one day's input partition, into OUT/<date>/."""

    date: dt.date = luigi.DateParameter(positional=True)  # type: ignore[assignment]
    input_pattern: str = luigi.Parameter()  # type: ignore[assignment]
    output_root: str = luigi.Parameter()  # type: ignore[assignment]
    config_file: str = luigi.Parameter(default="")  # type: ignore[assignment]
    dedup_redis: str = luigi.Parameter(default="")  # type: ignore[assignment]

    def input_path(self) -> Path:
        return Path(partition(self.input_pattern, self.date))

    def publish(self) -> Publish:
        inputs = [str(self.input_path().resolve())]
        day = self.date.isoformat()
        out = str(Path(self.output_root) / day)
        # every day is deduplicated against the days before it (see dedupstate.py)
        state = "" if self.dedup_redis else str(Path(self.output_root) / DEDUP_STATE_DIR)
        return Publish(**task_params(inputs, out, self.config_file, input_signature(inputs), day, state,
                                     self.dedup_redis))

    def requires(self) -> list[luigi.Task]:
        """The day before comes first: near-duplicates are checked against earlier days' articles,
        so a backfill must build the days in order. The chain stops at a day that is complete or
        has no input."""
        if not self.input_path().exists():
            return []
        return [self.clone(date=self.date - dt.timedelta(days=1))]

    def run(self) -> Iterator[Publish]:
        yield self.publish()  # only now, after the day before, so its articles are in the state

    def complete(self) -> bool:
        """A day with no input yet is not work to do; it becomes due when its data arrives."""
        return not self.input_path().exists() or self.publish().complete()

    @classmethod
    def bulk_complete(cls, parameter_tuples: Iterable[dt.date]) -> list[dt.date]:
        return [day for day in parameter_tuples if cls(day).complete()]  # type: ignore[call-arg]


def backfill(input_pattern: str, output_root: str, config_file: str, start: dt.date, stop: dt.date,
             dedup_redis: str = "") -> RangeDaily:
    """The RangeDaily task covering [start, stop): every missing day in it gets built."""
    now = int(dt.datetime.combine(stop, dt.time(), tzinfo=dt.UTC).timestamp())
    return RangeDaily(of=DailyBatch, start=start, stop=stop, now=now, days_back=(stop - start).days + 1,
                      of_params={"input_pattern": input_pattern, "output_root": output_root,
                                 "config_file": config_file, "dedup_redis": dedup_redis})
