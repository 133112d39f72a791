"""Command line: ``newsclean run | status | rerun``.

Luigi's own entry point exits 0 even when a task failed; a cron job or a CI step needs to
know, so this CLI maps Luigi's run result and the batch's own outcome to exit codes.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import luigi
import luigi.configuration
from luigi.execution_summary import LuigiStatusCode

from pipeline import boilerplate
from pipeline.config import CONFIG_DIR, ConfigError, load_config
from pipeline.fingerprint import input_signature
from pipeline.layout import STAGES, read_run_file, write_run_file
from pipeline.rerun import delete, plan_deletions, stages_to_rebuild
from pipeline.status import FAILED, run_status, shard_count
from pipeline.tasks import Publish, fingerprints_for, stage_tasks, task_params

EXIT_OK = 0
EXIT_USAGE = 2  # bad arguments or config (argparse uses 2 as well)
EXIT_DOCUMENT_ERRORS = 3  # the batch finished, but some inputs are in errors.jsonl
EXIT_TASK_FAILED = 4
EXIT_SCHEDULING = 5

EXIT_CODES_HELP = """exit codes:
  0  success: every input is an article or a rejection with a reason
  2  bad arguments or config file
  3  the batch finished, but some inputs could not be read or processed (see errors.jsonl)
  4  a task failed (see the log); rerun the same command to resume from the completed tasks
  5  scheduling error (missing dependencies, scheduler unreachable)
"""


class UsageError(Exception):
    """Something the user must fix before any work can start."""


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="newsclean", description=__doc__, formatter_class=fmt,
                                     epilog=EXIT_CODES_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="clean a batch of inputs into an output folder", formatter_class=fmt,
                         epilog=EXIT_CODES_HELP)
    run.add_argument("--input", nargs="+", required=True, metavar="PATH",
                     help="files or folders of .txt, .html, .jsonl, .warc(.gz)")
    run.add_argument("--output", required=True, metavar="DIR")
    run.add_argument("--config", metavar="FILE", help="TOML overriding configs/default.toml")
    run.add_argument("--workers", type=int, default=1, metavar="N", help="Luigi worker processes")
    run.add_argument("--quiet", action="store_true", help="print only the final summary")

    status = sub.add_parser("status", help="list every stage and shard: done, missing, stale, failed")
    status.add_argument("--output", required=True, metavar="DIR")

    rerun = sub.add_parser("rerun", help="delete a stage's outputs and rebuild them", formatter_class=fmt,
                           epilog=EXIT_CODES_HELP)
    rerun.add_argument("step", choices=STAGES)
    rerun.add_argument("--output", required=True, metavar="DIR")
    scope = rerun.add_mutually_exclusive_group()
    scope.add_argument("--downstream", action="store_true", help="also every stage after it (the default)")
    scope.add_argument("--only", action="store_true", help="only this stage; later stages keep their outputs")
    rerun.add_argument("--shard", type=int, metavar="N", help="only shard N of per-shard stages")
    rerun.add_argument("--dry-run", action="store_true", help="print what would be deleted and rebuilt")
    rerun.add_argument("--workers", type=int, default=1, metavar="N")
    rerun.add_argument("--quiet", action="store_true")
    return parser


def _setup_logging(quiet: bool) -> None:
    logger = logging.getLogger("newsclean")
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsclean %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False


def _check_run_args(args: argparse.Namespace) -> None:
    """Everything that can be checked before any work starts."""
    missing = [p for p in args.input if not Path(p).exists()]
    if missing:
        raise UsageError(f"input not found: {', '.join(missing)}")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    try:
        boilerplate.load_rules(load_config(args.config))
    except ConfigError as exc:
        raise UsageError(f"config error: {exc}") from None


def _build(tasks: list[luigi.Task], workers: int) -> int:
    luigi.configuration.get_config().read(str(CONFIG_DIR / "luigi.cfg"))
    result = luigi.build(tasks, local_scheduler=True, workers=workers, detailed_summary=True,
                         log_level="WARNING")
    if result.status in (LuigiStatusCode.SCHEDULING_FAILED, LuigiStatusCode.FAILED_AND_SCHEDULING_FAILED,
                         LuigiStatusCode.MISSING_EXT, LuigiStatusCode.NOT_RUN):
        print(f"newsclean: scheduling failed\n{result.summary_text}", file=sys.stderr)
        return EXIT_SCHEDULING
    if result.status == LuigiStatusCode.FAILED or not all(t.complete() for t in tasks):
        print(f"newsclean: a task failed; run the same command again to resume\n{result.summary_text}",
              file=sys.stderr)
        return EXIT_TASK_FAILED
    return EXIT_OK


def _summary(out: Path) -> int:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    print(f"{report['documents']} documents: {report['articles']} articles, {report['rejected']} rejected, "
          f"{report['errors']} errors; {report['removed_paragraphs']} paragraphs removed -> {out}")
    return EXIT_DOCUMENT_ERRORS if report["errors"] else EXIT_OK


def _params_from_run_file(out: Path) -> dict[str, Any]:
    try:
        run = read_run_file(out)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    return task_params(run["inputs"], str(out), run["config_file"], input_signature(run["inputs"]))


def cmd_run(args: argparse.Namespace) -> int:
    _check_run_args(args)
    _setup_logging(args.quiet)
    out = Path(args.output)
    inputs = [str(Path(p).resolve()) for p in args.input]
    config_file = str(Path(args.config).resolve()) if args.config else ""
    write_run_file(out, {"inputs": inputs, "config_file": config_file})
    params = task_params(inputs, str(out), config_file, input_signature(inputs))
    code = _build([Publish(**params)], args.workers)
    return code if code != EXIT_OK else _summary(out)


def cmd_status(args: argparse.Namespace) -> int:
    out = Path(args.output)
    states = run_status(out, fingerprints_for(_params_from_run_file(out)))
    for state in states:
        print(state.summary())
        for shard, error in sorted(state.errors.items(), key=lambda kv: -1 if kv[0] is None else kv[0]):
            print(f"    {'batch' if shard is None else f'shard {shard}'} failed last time: {error}")
    return EXIT_TASK_FAILED if any(FAILED in s.shards.values() for s in states) else EXIT_OK


def cmd_rerun(args: argparse.Namespace) -> int:
    out = Path(args.output)
    params = _params_from_run_file(out)
    fps = fingerprints_for(params)
    n = shard_count(out, fps["ingest"])
    if n is None:
        raise UsageError(f"{out}: Ingest has not run yet; use 'newsclean run'")
    if args.shard is not None and not 0 <= args.shard < n:
        raise UsageError(f"--shard must be between 0 and {n - 1}")
    stages = stages_to_rebuild(args.step, downstream=not args.only)
    paths = plan_deletions(out, fps, stages, n, args.shard)
    print(f"rebuild: {', '.join(stages)}" + (f" (shard {args.shard})" if args.shard is not None else ""))
    for path in paths:
        print(f"delete: {path}")
    if args.dry_run:
        return EXIT_OK
    delete(paths)
    _setup_logging(args.quiet)
    if args.only:
        return _build(stage_tasks(args.step, params, n, args.shard), args.workers)
    code = _build([Publish(**params)], args.workers)
    return code if code != EXIT_OK else _summary(out)


COMMANDS = {"run": cmd_run, "status": cmd_status, "rerun": cmd_rerun}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"newsclean: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
