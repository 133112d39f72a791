"""Command line: ``newsclean run --input PATH... --output DIR``.

Luigi's own entry point exits 0 even when a task failed; a cron job or a CI step needs to
know, so this CLI maps Luigi's run result and the batch's own outcome to exit codes.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import luigi
from luigi.execution_summary import LuigiStatusCode

from pipeline import boilerplate
from pipeline.config import ConfigError, load_config
from pipeline.fingerprint import input_signature
from pipeline.tasks import pipeline_task

EXIT_OK = 0
EXIT_USAGE = 2  # bad arguments or config (argparse uses 2 as well)
EXIT_DOCUMENT_ERRORS = 3  # the batch finished, but some inputs are in errors.jsonl
EXIT_TASK_FAILED = 4
EXIT_SCHEDULING = 5

EXIT_CODES_HELP = """exit codes:
  0  success: every input is an article or a rejection with a reason
  2  bad arguments or config file
  3  the batch finished, but some inputs could not be read or processed (see errors.jsonl)
  4  a task failed (see the log); rerun to resume from the completed tasks
  5  scheduling error (missing dependencies, scheduler unreachable)
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsclean", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXIT_CODES_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="clean a batch of inputs into an output folder",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXIT_CODES_HELP)
    run.add_argument("--input", nargs="+", required=True, metavar="PATH",
                     help="files or folders of .txt, .html, .jsonl, .warc(.gz)")
    run.add_argument("--output", required=True, metavar="DIR")
    run.add_argument("--config", metavar="FILE", help="TOML overriding configs/default.toml")
    run.add_argument("--workers", type=int, default=1, metavar="N", help="Luigi worker processes")
    run.add_argument("--quiet", action="store_true", help="print only the final summary")
    return parser


def _setup_logging(quiet: bool) -> None:
    logger = logging.getLogger("newsclean")
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsclean %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
    logger.propagate = False


def _validate(args: argparse.Namespace) -> str | None:
    """Everything that can be checked before any work starts; returns an error message."""
    missing = [p for p in args.input if not Path(p).exists()]
    if missing:
        return f"input not found: {', '.join(missing)}"
    if args.workers < 1:
        return "--workers must be at least 1"
    try:
        boilerplate.load_rules(load_config(args.config))
    except ConfigError as exc:
        return f"config error: {exc}"
    return None


def _summary(out: Path) -> tuple[str, int]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    line = (f"{report['documents']} documents: {report['articles']} articles, {report['rejected']} rejected, "
            f"{report['errors']} errors; {report['removed_paragraphs']} paragraphs removed -> {out}")
    return line, report["errors"]


def run(args: argparse.Namespace) -> int:
    error = _validate(args)
    if error:
        print(f"newsclean: {error}", file=sys.stderr)
        return EXIT_USAGE
    _setup_logging(args.quiet)
    out = Path(args.output)
    config_file = str(Path(args.config).resolve()) if args.config else ""
    task = pipeline_task(list(args.input), str(out), config_file, input_signature(args.input))
    result = luigi.build([task], local_scheduler=True, workers=args.workers, detailed_summary=True,
                         log_level="WARNING")
    if result.status in (LuigiStatusCode.SCHEDULING_FAILED, LuigiStatusCode.FAILED_AND_SCHEDULING_FAILED,
                         LuigiStatusCode.MISSING_EXT, LuigiStatusCode.NOT_RUN):
        print(f"newsclean: scheduling failed\n{result.summary_text}", file=sys.stderr)
        return EXIT_SCHEDULING
    if result.status == LuigiStatusCode.FAILED or not task.complete():
        print(f"newsclean: a task failed; rerun the same command to resume\n{result.summary_text}",
              file=sys.stderr)
        return EXIT_TASK_FAILED
    line, errors = _summary(out)
    print(line)
    return EXIT_DOCUMENT_ERRORS if errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return run(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
