"""A truck's remaining stops along the day: each stop's window and its ETA, late in red."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from nicegui import ui

from fleetline.ui.dispatch.map_state import RISK_COLOURS, RISK_WORDS

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class TimelineStop:
    """One remaining stop of a truck, as the timeline needs it."""

    order_id: str
    sequence: int
    label: str
    window_start: datetime
    window_end: datetime
    eta: datetime | None
    risk: str


@dataclass(frozen=True, slots=True)
class TimelineBar:
    """A stop's row: where its window and ETA sit, as percentages of the axis."""

    stop: TimelineStop
    window_left: float
    window_width: float
    eta_left: float | None
    text: str


@dataclass(frozen=True, slots=True)
class TimelineAxis:
    """The hours the timeline spans, with a tick per hour and where now is."""

    start: datetime
    end: datetime
    ticks: tuple[tuple[float, str], ...]
    now_left: float | None


def layout(
    stops: list[TimelineStop], now: datetime, zone: ZoneInfo
) -> tuple[TimelineAxis, list[TimelineBar]]:
    """Place each stop's window and ETA on one axis spanning whole hours.

    Parameters
    ----------
    stops
        The truck's remaining stops, in order.
    now
        The clock's time (a line marks it when inside the axis).
    zone
        The depot's zone, for the hour labels.
    """
    times = [now]
    for stop in stops:
        times += [stop.window_start, stop.window_end]
        if stop.eta is not None:
            times.append(stop.eta)
    first = min(times).astimezone(zone).replace(minute=0, second=0, microsecond=0)
    last = max(times).astimezone(zone)
    end = last.replace(minute=0, second=0, microsecond=0)
    if end < last or end == first:
        end += HOUR
    span = (end - first).total_seconds()

    def at(moment: datetime) -> float:
        return round(100 * (moment - first).total_seconds() / span, 2)

    ticks = []
    tick = first
    while tick <= end:
        ticks.append((at(tick), tick.strftime("%H:%M")))
        tick += HOUR
    bars = []
    for stop in stops:
        start = at(stop.window_start)
        window = (
            f"{stop.window_start.astimezone(zone):%H:%M}–{stop.window_end.astimezone(zone):%H:%M}"
        )
        eta = f"ETA {stop.eta.astimezone(zone):%H:%M}" if stop.eta else "no ETA"
        bars.append(
            TimelineBar(
                stop=stop,
                window_left=start,
                window_width=max(0.5, at(stop.window_end) - start),
                eta_left=at(stop.eta) if stop.eta else None,
                text=f"{window} · {eta} · {RISK_WORDS.get(stop.risk, stop.risk)}",
            )
        )
    now_left = at(now) if first <= now <= end else None
    axis = TimelineAxis(first, end, tuple(ticks), now_left)
    return axis, bars


def draw(title: str, stops: list[TimelineStop], now: datetime, zone: ZoneInfo) -> None:
    """Draw a truck's timeline in the current container."""
    ui.label(title).classes("text-subtitle1 text-weight-medium")
    if not stops:
        ui.label("No stops left for this truck.").classes("text-grey-7")
        return
    axis, bars = layout(stops, now, zone)
    with ui.element("div").classes("fl-timeline w-full"):
        with ui.element("div").classes("fl-tl-row fl-tl-axis"):
            ui.element("div").classes("fl-tl-label")
            with ui.element("div").classes("fl-tl-track"):
                for left, text in axis.ticks:
                    ui.label(text).classes("fl-tl-tick").style(f"left:{left}%")
        for bar in bars:
            late = bar.stop.risk == "late"
            with (
                ui.element("div")
                .classes("fl-tl-row")
                .props(f'data-order-id="{bar.stop.order_id}" data-risk="{bar.stop.risk}"')
            ):
                ui.label(f"{bar.stop.sequence}. {bar.stop.label}").classes(
                    "fl-tl-label ellipsis" + (" text-negative text-weight-bold" if late else "")
                ).tooltip(bar.text)
                with ui.element("div").classes("fl-tl-track"):
                    if axis.now_left is not None:
                        ui.element("div").classes("fl-tl-now").style(f"left:{axis.now_left}%")
                    ui.element("div").classes("fl-tl-window" + (" fl-late" if late else "")).style(
                        f"left:{bar.window_left}%;width:{bar.window_width}%"
                    ).tooltip(bar.text)
                    if bar.eta_left is not None:
                        colour = RISK_COLOURS.get(bar.stop.risk, "#616161")
                        ui.element("div").classes("fl-tl-eta").style(
                            f"left:{bar.eta_left}%;background:{colour}"
                        ).tooltip(bar.text)


TIMELINE_CSS = """
.fl-timeline { display: flex; flex-direction: column; gap: 3px; }
.fl-tl-row { display: flex; align-items: center; gap: 8px; min-height: 20px; }
.fl-tl-label { flex: 0 0 34%; max-width: 34%; font-size: 12px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.fl-tl-track { position: relative; flex: 1 1 auto; height: 16px; background: #f4f6f8;
  border-radius: 3px; }
.fl-tl-axis .fl-tl-track { background: transparent; height: 16px; }
.fl-tl-tick { position: absolute; top: 0; font-size: 10px; color: #607d8b;
  transform: translateX(-50%); }
.fl-tl-window { position: absolute; top: 3px; height: 10px; background: #90caf9;
  border-radius: 2px; }
.fl-tl-window.fl-late { background: #ef9a9a; }
.fl-tl-eta { position: absolute; top: 1px; width: 4px; height: 14px; border-radius: 2px;
  transform: translateX(-50%); }
.fl-tl-now { position: absolute; top: -2px; bottom: -2px; width: 2px; background: #37474f;
  opacity: .6; }
"""
