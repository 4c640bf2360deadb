"""What a case returns, and a stopwatch."""

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    ours_seconds: float
    raw_seconds: float
    target: float | None = None  # the suite's target for the case applies when None

    @property
    def ratio(self) -> float:
        return self.ours_seconds / self.raw_seconds if self.raw_seconds else float("inf")


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
