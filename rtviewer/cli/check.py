"""``rtviewer check PATH``: is this folder complete, consistent and safe to review.

Exit status: 0 no errors or warnings (information allowed), 1 warnings, 2 errors,
3 usage error or unreadable PATH.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

from rtviewer.cli.common import fail, print_document, quiet_logging
from rtviewer.model.check import EXIT_USAGE, CheckReport, ReportedFinding
from rtviewer.printable import printable_row

_SEVERITY_LABEL = {"error": "ERROR", "warning": "WARNING", "info": "info"}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``check``; its usage errors exit with status 3."""
    p = sub.add_parser(
        "check", help="check a folder of DICOM-RT data for completeness and consistency",
        description="Report what a plan review needs to know about the data: missing or "
                    "inconsistent objects, implausible values, deviations from the DICOM "
                    "standard. Exit status: 0 fine (information only), 1 warnings, "
                    "2 errors, 3 usage error or unreadable PATH.")
    p.add_argument("path", metavar="PATH", nargs="?",
                   help="a folder (searched recursively) or a file")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument("--deep", action="store_true",
                   help="also run dicom3tools' dciodvfy on every file, when installed")
    p.add_argument("--plan-review", action="store_true",
                   help="also run the automated physics plan checks (AAPM TG-275, MPPG 11.a) "
                        "on every plan with its structure set and PLAN dose")
    p.add_argument("--profile", metavar="FILE",
                   help="plan-review limits (YAML) overriding the default profile; "
                        "print the default with --print-profile")
    p.add_argument("--goals", metavar="FILE",
                   help="with --plan-review: the clinical goal set (file or shipped name) whose "
                        "structures the dose grid must cover (default: every organ)")
    p.add_argument("--print-profile", action="store_true",
                   help="print the default plan-review profile (with its sources) and exit")
    _exit_3_on_usage_errors(p)
    return p


def _exit_3_on_usage_errors(p: argparse.ArgumentParser) -> None:
    """Make this subcommand's usage errors (including unknown options) exit with 3."""
    def error(message: str) -> NoReturn:
        p.print_usage(sys.stderr)
        sys.stderr.write(f"rtviewer check: error: {message}\n")
        raise SystemExit(EXIT_USAGE)

    parse_known = p.parse_known_args

    def strict_parse_known_args(args: Any = None, namespace: Any = None) -> Any:
        parsed, extras = parse_known(args, namespace)
        if extras:
            error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    p.error = error  # type: ignore[method-assign]
    p.parse_known_args = strict_parse_known_args  # type: ignore[method-assign]


def run(args: argparse.Namespace) -> int:
    """Run ``check`` and return its exit status."""
    from rtviewer.dicom.check import check_path
    from rtviewer.errors import RtViewerError

    quiet_logging("rtviewer")
    if getattr(args, "print_profile", False):
        from rtviewer.review.profile import default_profile_text

        print_document(default_profile_text())
        return 0
    if args.path is None:  # as argparse says it (PATH is optional for --print-profile only)
        sys.stderr.write("rtviewer check: error: the following arguments are required: PATH\n")
        raise SystemExit(EXIT_USAGE)
    progress = _progress if sys.stderr.isatty() and not args.json else None
    review = None
    try:
        if (getattr(args, "plan_review", False) or getattr(args, "profile", None)
                or getattr(args, "goals", None)):
            from rtviewer.cli.plan_review import PlanReviewStage

            review = PlanReviewStage(args.profile, getattr(args, "goals", None))
        report = check_path(args.path, deep=args.deep, progress=progress, extra=review)
    except RtViewerError as exc:
        return fail("check", exc, EXIT_USAGE)
    if args.json:  # ASCII: valid whatever the console's encoding
        document = report.to_json()
        if review is not None:
            document["plan_review"] = review.to_json(report.root)
        text = json.dumps(document, indent=1, ensure_ascii=True)
    else:
        text = format_report(report)
        if hasattr(sys.stdout, "reconfigure"):  # a console without "×" must not crash us
            sys.stdout.reconfigure(errors="replace")
    print_document(text)
    return report.exit_status()


def _progress(stage: str) -> None:
    sys.stderr.write(f"rtviewer check: {stage}…\n")
    sys.stderr.flush()


def format_report(report: CheckReport) -> str:
    """Return the readable report: findings grouped by file, errors first, then counts."""
    lines = [f"rtviewer check: {report.root}"]
    by_path: dict[str, list[ReportedFinding]] = {}
    for finding in report.findings:
        by_path.setdefault(finding.path, []).append(finding)
    for path, findings in by_path.items():
        uid = findings[0].sop_instance_uid
        lines.append("")
        lines.append(f"{path or '.'}" + (f"  (SOP Instance UID {uid})" if uid else ""))
        for f in findings:
            where = f" [{f.attribute}]" if f.attribute else ""
            lines.append(f"  {_SEVERITY_LABEL[f.severity.value]:<7} {f.code}{where}")
            lines.append(f"          {f.message}")
            if f.assumption:
                lines.append(f"          rtviewer assumes: {f.assumption}")
    lines += _summary(report.findings)
    counts = report.counts()
    lines.append("")
    lines.append(f"{counts['error']} error(s), {counts['warning']} warning(s), "
                 f"{counts['info']} information(s) in {len(by_path)} file(s).")
    return "\n".join(printable_row(lines))  # messages quote values from the files


def _summary(findings: tuple[ReportedFinding, ...]) -> list[str]:
    """One line per severity: each code with the number of its findings."""
    lines = []
    for severity in ("error", "warning", "info"):
        codes: dict[str, int] = {}
        for f in findings:
            if f.severity.value == severity:
                codes[f.code] = codes.get(f.code, 0) + 1
        if codes:
            listed = ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items()))
            lines.append(f"{_SEVERITY_LABEL[severity]:<7} {listed}")
    return [""] + lines if lines else []
