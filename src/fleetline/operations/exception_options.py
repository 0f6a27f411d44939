"""Which what-if solves answer which kind of exception."""

from __future__ import annotations

from collections.abc import Callable

from fleetline.domain.live import ExceptionKind, ExceptionOption, OperationalException
from fleetline.domain.snapshot import DaySnapshot, RemainingStop
from fleetline.network.base import TravelTimes
from fleetline.operations.exceptions import OptionsFinder
from fleetline.planning.failed_options import failed_delivery_options
from fleetline.planning.options import breakdown_options


def exception_finders(
    travel_times: TravelTimes,
    time_limit_s: float,
    stop_lookup: Callable[[str], RemainingStop | None],
    *,
    parallel: bool = True,
    max_iterations: int | None = None,
) -> dict[ExceptionKind, OptionsFinder]:
    """Return the options finder of each kind of exception.

    Parameters
    ----------
    travel_times
        Travel times, traffic included.
    time_limit_s
        Seconds each what-if solve may search.
    stop_lookup
        Returns an order as a stop to place (a failed delivery is no longer on any route).
    parallel
        Solve the options of one exception side by side on worker processes.
    max_iterations
        Iterations each what-if solve may search besides the time limit (``None``: the
        time limit alone); with it, the options do not depend on machine speed.
    """

    def breakdown(snapshot: DaySnapshot, exception: OperationalException) -> list[ExceptionOption]:
        if exception.vehicle_id is None:
            return []
        return breakdown_options(
            snapshot,
            exception.vehicle_id,
            travel_times,
            time_limit_s=time_limit_s,
            max_iterations=max_iterations,
            parallel=parallel,
        )

    def failed(snapshot: DaySnapshot, exception: OperationalException) -> list[ExceptionOption]:
        if exception.order_id is None:
            return []
        return failed_delivery_options(
            snapshot,
            exception.order_id,
            travel_times,
            stop=stop_lookup(exception.order_id),
            time_limit_s=time_limit_s / 2,
            max_iterations=max_iterations,
        )

    return {ExceptionKind.BREAKDOWN: breakdown, ExceptionKind.FAILED_DELIVERY: failed}
