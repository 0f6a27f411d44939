"""The ``fleetline`` command line: demo, serve, token, plan, region, simulate, study."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from fleetline.domain.access import Role
from fleetline.domain.errors import DomainError, InvalidField


class CommandFailed(Exception):
    """A command line error, printed as one line with a non-zero exit."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fleetline", description="The live operations platform for distribution fleets."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="serve a synthetic company and its planned day")
    demo.add_argument("--host", default=None)
    demo.add_argument("--port", type=int, default=None)
    demo.add_argument("--trucks", type=int, default=30)
    demo.add_argument("--orders", type=int, default=450)
    demo.add_argument("--time-limit", type=float, default=10.0, help="seconds for the plan")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument(
        "--speed", type=float, default=60.0, help="simulated seconds per second (0: no live day)"
    )

    serve = sub.add_parser("serve", help="serve the API, the consoles and the tracking pages")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="run N API and console processes on ports PORT.. PORT+N-1 (PostgreSQL); "
        "the engine runs apart, in `fleetline worker`",
    )
    serve.add_argument("--face", action="store_true", help=argparse.SUPPRESS)
    sub.add_parser(
        "worker",
        help="run the engine of a split installation (PostgreSQL), or wait as its standby",
    )

    token = sub.add_parser("token", help="manage bearer tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="print a new bearer token")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--name", default=None)
    create.add_argument("--driver", default=None, help="the driver id of a driver token")

    plan = sub.add_parser("plan", help="solve a problem in VROOM's JSON input format")
    plan.add_argument("problem", type=Path, help="PROBLEM.json in VROOM's input format")
    plan.add_argument("-o", "--output", type=Path, default=None, help="where to write it")
    plan.add_argument("--time-limit", type=float, default=5.0, help="seconds to search")

    _simulate_parser(sub)
    from fleetline.study.command import add_study_parser

    add_study_parser(sub)

    region = sub.add_parser("region", help="road networks")
    region_sub = region.add_subparsers(dest="region_command", required=True)
    prepare = region_sub.add_parser("import", help="prepare a road network, once")
    prepare.add_argument("extract", type=Path, help="an OpenStreetMap extract (.osm.pbf)")
    prepare.add_argument("--into", type=Path, default=Path("regions"), help="target folder")
    return parser


def _simulate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = sub.add_parser("simulate", help="play a synthetic day against the system")
    simulate.add_argument("--trucks", type=int, default=30)
    simulate.add_argument("--orders", type=int, default=450)
    simulate.add_argument("--seed", type=int, default=7)
    simulate.add_argument(
        "--speed", type=float, default=0.0, help="60: a minute a second; 0: flat out"
    )
    simulate.add_argument("--region", type=Path, default=None, help="a prepared road network")
    for rate in ("breakdowns", "failures", "window-changes", "incidents"):
        simulate.add_argument(f"--{rate}", default="0", metavar="R", help=f"{rate} rate, 0 to 1")
    simulate.add_argument("--breakdown", action="append", metavar="[TRUCK@]HH:MM", help="force one")
    simulate.add_argument("--until", default=None, metavar="HH:MM", help="stop the day then")
    simulate.add_argument("--time-limit", type=float, default=5.0, help="seconds for the plan")
    simulate.add_argument("--decision-delay", type=int, default=180, help="dispatcher's seconds")
    simulate.add_argument("--plan-from", type=Path, default=None, help="replay a report's plan")
    simulate.add_argument("--report", type=Path, default=None, help="write the JSON report")
    simulate.add_argument("-v", "--verbose", action="store_true", help="show each hour")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from fleetline.demo import run_demo

            run_demo(args)
        elif args.command in ("serve", "worker"):
            from fleetline.server import run_server
            from fleetline.worker import NeedsPostgreSQL, run_worker

            try:
                if args.command == "worker":
                    return run_worker()
                run_server(args.host, args.port, args.workers, args.face)
            except NeedsPostgreSQL as error:
                raise CommandFailed(str(error)) from error
        elif args.command == "token":
            _create_token(args.role, args.name, args.driver)
        elif args.command == "plan":
            _plan(args.problem, args.output, args.time_limit)
        elif args.command == "simulate":
            from fleetline.sim.client import SimulationFailed
            from fleetline.sim.local import run_simulate

            try:
                run_simulate(args)
            except SimulationFailed as error:
                raise CommandFailed(str(error)) from error
        elif args.command == "study":
            from fleetline.sim.client import SimulationFailed
            from fleetline.study.command import run_study
            from fleetline.study.runner import StudyFailed

            try:
                run_study(args)
            except (SimulationFailed, StudyFailed, ValueError) as error:
                raise CommandFailed(str(error)) from error
            except KeyboardInterrupt as error:
                raise CommandFailed("study stopped; no day is left playing") from error
        elif args.command == "region":
            _import_region(args.extract, args.into)
    except (CommandFailed, DomainError) as error:
        print(f"fleetline: {error}", file=sys.stderr)
        return 2
    return 0


def _create_token(role: str, name: str | None, driver: str | None) -> None:
    from fleetline.bootstrap import bootstrap
    from fleetline.operations.access import issue_token

    services = bootstrap(recover=False)
    try:
        with services.uow_factory() as uow:
            secret, _ = issue_token(
                uow, services.bus.context, Role(role), name or f"{role} token", driver
            )
            uow.commit()
    finally:
        services.close()
    print(secret)


def _plan(problem: Path, output: Path | None, time_limit: float) -> None:
    from fleetline.planning.vroom_format import solve_vroom_document

    if time_limit <= 0:
        raise CommandFailed("--time-limit must be positive")
    try:
        document = json.loads(problem.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandFailed(f"cannot read {problem}: {error.strerror}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandFailed(f"{problem} is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise InvalidField("problem", "a VROOM problem is a JSON object")
    solution = solve_vroom_document(document, time_limit_s=time_limit)
    text = json.dumps(solution, indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


def _import_region(extract: Path, into: Path) -> None:
    from fleetline.network.region import RegionError, import_region

    try:
        prepared = import_region(extract, into)
    except RegionError as error:
        raise CommandFailed(str(error)) from error
    print(f"prepared {prepared}")
    print(f"use it with: FLEETLINE_REGION={prepared}")


if __name__ == "__main__":
    raise SystemExit(main())
