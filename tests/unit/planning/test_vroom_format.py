"""VROOM files in, VROOM answers out; bad files name the field at fault."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fleetline.domain.errors import InvalidField
from fleetline.planning.vroom_format import VroomFormatError, solve_vroom_document
from fleetline.planning.vroom_input import vroom_priority

from .planning_factories import EuclideanTravelTimes

MATRIX = [
    [0, 100, 200, 300],
    [100, 0, 100, 200],
    [200, 100, 0, 100],
    [300, 200, 100, 0],
]

DOC: dict[str, Any] = {
    "vehicles": [
        {
            "id": 7,
            "start_index": 0,
            "end_index": 0,
            "capacity": [4],
            "skills": [1],
            "time_window": [0, 5000],
        },
    ],
    "jobs": [
        {"id": 1, "location_index": 1, "service": 60, "delivery": [1]},
        {
            "id": 2,
            "location_index": 2,
            "service": 60,
            "delivery": [2],
            "time_windows": [[0, 100], [600, 900]],
        },
        {"id": 3, "location_index": 3, "service": 60, "delivery": [1], "skills": [1]},
        {"id": 4, "location_index": 3, "service": 60, "delivery": [1], "skills": [2]},
    ],
    "matrices": {"car": {"durations": MATRIX, "distances": [[10 * x for x in r] for r in MATRIX]}},
}


def _solve(doc: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return solve_vroom_document(doc, time_limit_s=5, max_iterations=100, **kw)


def test_round_trip_on_small_hand_made_file() -> None:
    """A small VROOM file comes back as a VROOM solution with timed steps and loads."""
    out = _solve(DOC)
    assert out["code"] == 0
    (route,) = out["routes"]
    assert route["vehicle"] == 7
    steps = route["steps"]
    assert [s["type"] for s in steps] == ["start", "job", "job", "job", "end"]
    assert sorted(s["id"] for s in steps if s["type"] == "job") == [1, 2, 3]
    assert steps[0]["load"] == [4]
    assert steps[-1]["load"] == [0]
    job2 = next(s for s in steps if s.get("id") == 2)
    assert job2["arrival"] + job2["waiting_time"] >= 600
    assert route["duration"] == 600
    assert route["distance"] == 6000
    assert out["summary"]["cost"] == route["cost"] == 600
    assert out["summary"]["unassigned"] == 1
    (left,) = out["unassigned"]
    assert left == {
        "id": 4,
        "type": "job",
        "location_index": 3,
        "reason_code": "no_vehicle_with_skills",
        "reason": "no vehicle has skill 2",
    }


def test_coordinates_without_matrix_use_travel_times() -> None:
    """Without matrices, [lon, lat] locations are timed by the given provider."""
    doc = {
        "vehicles": [{"id": 1, "start": [9.52, 47.14], "end": [9.52, 47.14]}],
        "jobs": [{"id": 5, "location": [9.52, 47.15], "service": 30}],
    }
    out = _solve(doc, travel_times=EuclideanTravelTimes())
    (route,) = out["routes"]
    assert route["distance"] == 2000
    assert route["duration"] == 200
    assert route["steps"][1]["location"] == [9.52, 47.15]


def test_open_end_vehicle() -> None:
    """A vehicle without an end finishes at its last job."""
    doc = copy.deepcopy(DOC)
    del doc["vehicles"][0]["end_index"]
    doc["jobs"] = doc["jobs"][:1]
    out = _solve(doc)
    assert [s["type"] for s in out["routes"][0]["steps"]] == ["start", "job"]
    assert out["routes"][0]["duration"] == 100


def test_vroom_priority_maps_to_fleetline_levels() -> None:
    """VROOM's 0..100 (higher matters more) maps onto Fleetline's 5..1."""
    assert [vroom_priority(p) for p in (0, 1, 25, 26, 50, 75, 76, 100)] == [5, 4, 4, 3, 3, 2, 1, 1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["jobs"][1].update(time_windows=[[900, 600]]), "jobs[1].time_windows[0]"),
        (lambda d: d["jobs"][3].update(service=-5), "jobs[3].service"),
        (lambda d: d["jobs"][0].update(delivery=[1, 2]), "jobs[0].delivery"),
        (lambda d: d["jobs"][2].pop("location_index"), "jobs[2].location"),
        (lambda d: d["jobs"][0].update(priority=101), "jobs[0].priority"),
        (lambda d: d["vehicles"][0].update(capacity="four"), "vehicles[0].capacity"),
        (lambda d: d.update(vehicles=[]), "vehicles"),
        (lambda d: d["matrices"]["car"]["durations"][2].pop(), "matrices.car.durations[2]"),
        (lambda d: d["jobs"][0].update(location_index=9), "jobs[0].location_index"),
        (lambda d: d["vehicles"][0].update(end_index=9), "vehicles[0].end_index"),
    ],
)
def test_malformed_files_name_the_field(change: Any, field: str) -> None:
    """A malformed VROOM file is refused with the exact field at fault."""
    doc = copy.deepcopy(DOC)
    change(doc)
    with pytest.raises(VroomFormatError) as info:
        _solve(doc)
    assert info.value.field == field
    assert isinstance(info.value, InvalidField)
