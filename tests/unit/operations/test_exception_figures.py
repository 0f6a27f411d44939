"""Exception response times: event to options ready, event to decision."""

from __future__ import annotations

from fleetline.operations.exception_figures import exception_figures, percentile

from .figure_days import exception


def test_the_90th_percentile_is_one_of_the_values_measured() -> None:
    """Ten responses of 10 to 100 s: median 55 s, 90th percentile 90 s, as a dispatcher
    reading 'nine in ten answered within' expects."""
    values = [float(v) for v in range(10, 101, 10)]
    assert percentile(values, 0.9) == 90.0
    assert percentile([], 0.9) is None
    assert percentile([42.0], 0.9) == 42.0


def test_response_and_options_ready_times_of_a_day() -> None:
    """Three exceptions: options after 20, 40 and 60 s; two decided after 2 and 6
    minutes, one dismissed: response median 240 s, p90 360 s; options median 40 s."""
    found = [
        exception("e1", "08:00", ready="08:00:20", resolved="08:02"),
        exception("e2", "09:00", ready="09:00:40", resolved="09:06"),
        exception("e3", "10:00", ready="10:01", resolved="10:05", dismissed=True),
        exception("e4", "11:00"),
    ]
    ready = {e.id: e.options_ready_at for e in found if e.options_ready_at is not None}
    figures = exception_figures(found, ready)
    assert figures.exceptions == 4
    assert (figures.resolved, figures.dismissed) == (2, 1)
    assert figures.response_s_median == 240.0
    assert figures.response_s_p90 == 360.0
    assert figures.options_ready_s_median == 40.0
    assert figures.options_ready_s_p90 == 60.0


def test_a_day_without_exceptions_has_no_response_time() -> None:
    """No exception: the response times are empty (``None``), never a misleading 0 s."""
    figures = exception_figures([], {})
    assert figures.exceptions == 0
    assert figures.response_s_median is None and figures.options_ready_s_p90 is None
