"""The ``torchlint`` command: ``check``, ``fix``, ``rules``, ``server``, ``gpu-check``, ``smoke``.

Exit codes follow ruff: 0 when clean, 1 when findings remain, 2 on a usage or internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from . import __version__, output, reporting
from .config import Config, ConfigError, load
from .engine import SYNTAX_ERROR, RuleFailure, analyze
from .file_sources import NotebookFile, PythonFile, open_source
from .files import SourceFile, UnreadableFile, discover, missing
from .model import Finding
from .notebook import NotebookError
from .output import text as text_output
from .registry import all_rules, resolve_alias
from .results_cache import FOLDER as CACHE_FOLDER
from .results_cache import ResultsCache
from .suppression import add_noqa

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 8


class UsageError(Exception):
    pass


@dataclass(frozen=True)
class Mode:
    fix: bool = False
    unsafe: bool = False
    diff: bool = False
    actions: bool = False
    #: Where a plain check keeps and finds its results; ``None`` with ``--no-cache``.
    cache: ResultsCache | None = None

    @property
    def cached(self) -> ResultsCache | None:
        """The cache, when this mode's results go there (a plain check: not --fix, not --diff)."""
        return None if self.fix or self.diff else self.cache


@dataclass
class FileResult:
    path: str
    findings: list[output.Located] = field(default_factory=list)
    #: The findings whose fixes were applied.
    applied: list[Finding] = field(default_factory=list)
    diff: str = ""
    #: Why the file (or the folder, with ``folder``) was not checked.
    error: str = ""
    internal_errors: list[str] = field(default_factory=list)
    folder: bool = False
    #: Why the file's fixes were not applied (it was checked).
    fix_error: str = ""
    #: Why the file was skipped though nothing is wrong with it (a notebook in another language).
    warning: str = ""

    @property
    def fixed(self) -> int:
        return len(self.applied)


#: What ``torchlint --help`` says first (plain text: argparse prints it as it is).
DESCRIPTION = "Find and fix PyTorch training code that is outdated or trains silently wrong."

def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    argv, script_args = _script_arguments(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if script_args is not None:
        args.script_args = script_args
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_ERROR
    try:
        return args.run(args)
    except (UsageError, ConfigError) as error:
        print(f"torchlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `torchlint ... | head`: the reader left, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN
    except Exception:  # noqa: BLE001 - the last line of defence: say what broke, exit 2
        print("torchlint: internal error, please report it:", file=sys.stderr)
        traceback.print_exc()
        return EXIT_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="torchlint", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"torchlint {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    for name, help_text, fix in (
        ("check", "report findings (and fix them with --fix)", False),
        ("fix", "apply the safe fixes (same as `check --fix`)", True),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .); - reads standard input")
        command.add_argument("--select", help="comma-separated codes or prefixes to enable (e.g. TL1,TL402)")
        command.add_argument("--ignore", help="comma-separated codes or prefixes to disable")
        command.add_argument(
            "--output-format", "--format", dest="format", choices=(*output.FORMATS, "text"), default="full",
            help="full (the default): each finding with its source line and a caret; concise: one line each "
            "(text: the same, as before); the others for CI and programs",
        )
        command.add_argument("-o", "--output-file", help="write the report to this file instead of standard output")
        command.add_argument("--show-fixes", action="store_true", help="with --fix: list what was fixed, per file and rule")
        command.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that may change behaviour")
        command.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
        command.add_argument("--actions", action="store_true", help="with --diff: also show each code action's edit")
        command.add_argument("--statistics", action="store_true", help="print a count per rule instead of each finding")
        command.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
        command.add_argument("--no-cache", action="store_true", help=f"neither read nor write {CACHE_FOLDER}")
        command.add_argument("--stdin-filename", help="the path standard input stands for (settings, messages)")
        command.add_argument(
            "--show-settings",
            action="store_true",
            help="print the settings that apply to each PATH (the target torch included) and where they come from; check nothing",
        )
        if fix:
            command.set_defaults(fix=True, add_noqa=False)
        else:
            command.add_argument("--fix", action="store_true", help="apply the safe fixes in place")
            command.add_argument(
                "--add-noqa", action="store_true",
                help="add a `# noqa: CODE` for every finding to its line, to adopt torchlint on existing code",
            )
        command.set_defaults(run=_check)

    rules = commands.add_parser("rules", help="list the rules, or print one rule's documentation")
    rules.add_argument("code", nargs="?", help="a rule code such as TL103")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                       help="markdown: every rule's documentation, as docs/rules.md is generated")
    rules.set_defaults(run=_rules)

    server = commands.add_parser("server", help="run the language server on standard input/output")
    server.set_defaults(run=_server)

    gpu = commands.add_parser(
        "gpu-check",
        help="run a smoke training step (AMP, AdamW, warmup-cosine, pinned DataLoader) and report",
        description="Runs a few real training steps in the given interpreter and reports the environment, "
        "the devices, step time, peak memory and whether the loss stayed finite.",
    )
    gpu.add_argument("--python", default=sys.executable, help="the interpreter to run in (it needs torch)")
    gpu.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    gpu.add_argument("--dtype", default="auto", choices=("auto", "bf16", "fp16", "fp32"))
    gpu.add_argument("--steps", type=int, default=5)
    gpu.add_argument("--timeout", type=float, default=180.0, help="seconds before the step is stopped")
    gpu.add_argument("--format", choices=("text", "json"), default="text")
    gpu.set_defaults(run=_gpu_check)

    smoke = commands.add_parser(
        "smoke",
        usage="torchlint smoke [options] SCRIPT [-- ARGS...]",
        help="run your training script for a few optimizer steps and report time, memory, loss and AMP",
        description="Runs SCRIPT in the given interpreter, unchanged, and stops it after --steps optimizer steps. "
        "Reports per step the time waiting for data and computing, peak memory, the loss, autocast, GradScaler, "
        "the gradient norm and parameters left without a gradient, tied to torchlint's findings in the script. "
        "Exit status 0 when the steps ran and stayed finite. Arguments after -- go to the script.",
    )
    smoke.add_argument("script", metavar="SCRIPT", help="the training script (its own arguments go after --)")
    smoke.add_argument("--python", default=sys.executable, help="the interpreter to run in (it needs torch)")
    smoke.add_argument("--steps", type=int, default=5, help="optimizer steps before the script is stopped (default 5)")
    smoke.add_argument("--timeout", type=float, default=300.0, help="seconds before the script is stopped (default 300)")
    smoke.add_argument("--format", choices=("text", "json"), default="text")
    smoke.set_defaults(run=_smoke, script_args=[])
    return parser


# -- check / fix --------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    overrides = _overrides(args)
    cache = None if args.no_cache else ResultsCache(Path.cwd() / CACHE_FOLDER)
    mode = Mode(fix=args.fix, unsafe=args.unsafe_fixes, diff=args.diff, actions=args.actions, cache=cache)
    if args.actions and not args.diff:
        raise UsageError("--actions only applies together with --diff")
    if args.add_noqa and (args.fix or args.diff or "-" in args.paths):
        raise UsageError("--add-noqa writes the files it checks: it cannot be combined with --fix, --diff or - (standard input)")
    paths = args.paths or ["."]
    if args.show_settings:
        return _show_settings(args, overrides, paths)
    if "-" in paths:
        if len(paths) > 1:
            raise UsageError("- (standard input) cannot be combined with other paths")
        return _check_stdin(args, overrides, replace(mode, cache=None))
    absent = [p for p in paths if missing(Path(p))]
    if absent:
        raise UsageError(f"no such file or directory: {', '.join(absent)}")

    config_for = _config_loader(overrides)
    unlisted: list[FileResult] = []

    def unreadable(folder: Path, error: OSError) -> None:
        display = _display(str(folder))
        message = f"{display}: cannot read folder ({error.strerror or error}); skipped"
        unlisted.append(FileResult(display, error=message, folder=True))

    files = sorted({f for p in paths for f in discover(Path(p), config_for, unreadable)})
    if not files and not unlisted:
        print(f"torchlint: warning: no Python files found under {', '.join(paths)}", file=sys.stderr)
    tasks = [(str(f), config_for(f.parent), mode) for f in files]
    if args.add_noqa:
        return _add_noqa(tasks, unlisted)
    results = unlisted + _run(tasks)
    return _report(args, results, mode)


def _add_noqa(tasks: list[tuple[str, Config, Mode]], unlisted: list[FileResult]) -> int:
    """``--add-noqa``: write a suppression for each finding into its file (a notebook's cells)."""
    added = 0
    errors = [r.error for r in unlisted]
    for path, config, _ in tasks:
        display = _display(path)
        try:
            file = SourceFile.read(Path(path), config.max_file_size)
            source = open_source(file.text, display)
        except (UnreadableFile, NotebookError) as unreadable:
            errors.append(f"{display}: {unreadable}")
            continue
        findings = [f for f in analyze(source.module, display, config) if f.code != SYNTAX_ERROR]
        text, count = add_noqa(source.module, findings)
        if count:
            file.write(Path(path), source.written(text))
            added += count
    for message in errors:
        print(f"torchlint: error: {message}", file=sys.stderr)
    print(f"Added {added} noqa directive{'' if added == 1 else 's'}.", file=sys.stderr)
    return EXIT_ERROR if errors else EXIT_CLEAN


def _overrides(args: argparse.Namespace) -> dict:
    overrides: dict = {}
    if args.select is not None:
        overrides["select"] = args.select.split(",")
    if args.ignore is not None:
        overrides["extend_ignore"] = args.ignore.split(",")
    if overrides:
        Config().override(**overrides)  # fail fast on an unknown code, before reading any file
    return overrides


def _config_loader(overrides: dict):
    @cache
    def config_for(directory: Path) -> Config:
        config, warnings = load(directory)
        for warning in warnings:
            _warn_once(warning)
        return config.override(**overrides, source="command line") if overrides else config

    return config_for


@cache
def _warn_once(message: str) -> None:
    print(f"torchlint: warning: {message}", file=sys.stderr)


def _run(tasks: list[tuple[str, Config, Mode]]) -> list[FileResult]:
    """Each file's result: from the cache where it has one, else analysed (in parallel when many)."""
    cached = [_from_cache(task) for task in tasks]
    computed = iter(_analyse_all([task for task, hit in zip(tasks, cached, strict=True) if hit is None]))
    return [hit if hit is not None else next(computed) for hit in cached]


def _from_cache(task: tuple[str, Config, Mode]) -> FileResult | None:
    """The file's result as the cache holds it, analysing nothing; ``None`` when it holds none."""
    path, config, mode = task
    if mode.cached is None:
        return None
    try:
        text = SourceFile.read(Path(path), config.max_file_size).text
        source = open_source(text, _display(path))
    except (UnreadableFile, NotebookError):
        return None  # analysing it says why
    findings = mode.cached.get(mode.cached.key(source.name, text, config))
    return None if findings is None else FileResult(source.name, source.locate(findings))


def _analyse_all(tasks: list[tuple[str, Config, Mode]]) -> list[FileResult]:
    workers = os.cpu_count() or 1
    if workers > 1 and len(tasks) >= PARALLEL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor  # imported only when needed: a cached run has none

        chunk = max(1, len(tasks) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_process, tasks, chunksize=chunk))
    return [_process(task) for task in tasks]


def _process(task: tuple[str, Config, Mode]) -> FileResult:
    path, config, mode = task
    display = _display(path)
    try:
        source = SourceFile.read(Path(path), config.max_file_size)
    except UnreadableFile as error:
        return FileResult(display, error=str(error).replace(path, display, 1))
    result = _lint_file(source.text, display, config, mode)
    if mode.fix and not mode.diff and result.fixed:
        source.write(Path(path), result.diff)
        result.diff = ""
    return result


def _lint_file(text: str, display: str, config: Config, mode: Mode) -> FileResult:
    """Findings of a file's ``text`` (a notebook's code cells as one module); with a fix mode,
    ``diff`` holds the file's fixed text or the diff."""
    try:
        source = open_source(text, display)
    except NotebookError as error:
        return FileResult(display, error=f"{display}: {error}; skipped")
    if isinstance(source, NotebookFile) and not source.notebook.cells:
        language = source.notebook.language
        skipped = f"{display}: a notebook in {language}, not Python; skipped" if language != "python" else ""
        return FileResult(display, warning=skipped)
    result = _lint(source, config, mode)
    if mode.cached is not None and not result.internal_errors:  # a failing rule must fail again next time
        mode.cached.put(mode.cached.key(display, text, config), [entry.finding for entry in result.findings])
    return result


def _lint(source: PythonFile | NotebookFile, config: Config, mode: Mode) -> FileResult:
    """Findings of one file; with a fix mode, ``diff`` holds the fixed text or the diff.

    A rule that fails is reported as an internal error of that file; the other rules' findings stand.
    """
    display, text = source.name, source.module
    failures: list[str] = []

    def report(failure: RuleFailure) -> None:
        failures.append(f"{display}: internal error, please report it: {failure}")

    if not (mode.fix or mode.diff):
        return FileResult(display, source.locate(analyze(text, display, config, on_error=report)), internal_errors=failures)
    from .fixing.fixer import FixFailed, fix_all, run_action  # libcst is loaded only when fixing

    fixed = fix_all(text, display, config, unsafe=mode.unsafe, on_error=report)
    result = FileResult(display, source.locate(fixed.remaining), fixed.applied, internal_errors=failures)
    if fixed.failure:
        result.fix_error = f"{display}: {fixed.failure}"
    if not mode.diff:
        result.diff = source.written(fixed.source)
        return result
    parts = [source.diff(fixed.source)] if fixed.source != text else []
    if mode.actions:
        for finding in analyze(text, display, config):
            for action in finding.actions:
                try:
                    changed = run_action(text, finding, action)
                except FixFailed as error:
                    result.fix_error = f"{display}: {error}"
                    continue
                where = source.locate([finding])[0].where()[len(display) + 1 :]
                parts.append(source.diff(changed, f"{display} ({finding.code} at {where}: {action.title})"))
    result.diff = "".join(parts)
    return result


def _show_settings(args: argparse.Namespace, overrides: dict, paths: list[str]) -> int:
    """The effective settings of each path: a file's folder, a folder itself, the working
    folder for standard input (or ``--stdin-filename``'s)."""
    config_for = _config_loader(overrides)
    described = {}
    for path in paths:
        if path == "-":
            target = Path(args.stdin_filename).resolve().parent if args.stdin_filename else Path.cwd()
        else:
            if not Path(path).exists():
                raise UsageError(f"no such file or directory: {path}")
            target = Path(path).resolve()
            target = target if target.is_dir() else target.parent
        described[path] = config_for(target).describe()
    if args.format == "json":
        print(json.dumps(described, indent=2))
        return EXIT_CLEAN
    for path, settings in described.items():
        print(f"{path}:")
        for key, value in settings.items():
            if key == "target_torch_source":
                continue
            if key == "target_torch":
                source = settings["target_torch_source"]
                value = f"{value} (from {source})" if value else "not set (rules assume a current torch)"
            elif isinstance(value, (list, dict)):
                value = json.dumps(value)
            print(f"  {key.replace('_', '-')}: {value}")
    return EXIT_CLEAN


def _check_stdin(args: argparse.Namespace, overrides: dict, mode: Mode) -> int:
    name = args.stdin_filename or "-"
    config = _config_loader(overrides)(Path(name).resolve().parent if args.stdin_filename else Path.cwd())
    try:
        source = SourceFile.decode(sys.stdin.buffer.read(), name)
    except UnreadableFile as error:
        print(f"torchlint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    result = _lint_file(source.text, name, config, mode)
    if mode.fix and not mode.diff:
        sys.stdout.flush()
        sys.stdout.buffer.write(source.encode(result.diff if result.fixed else source.text))  # in the input's encoding
        result.diff = ""
        _print_errors([result])
        with _report_to(args, sys.stderr) as to:
            _print_findings(args, [result], to=to)
        return _exit_code(args, [result])
    return _report(args, [result], mode)


def _report(args: argparse.Namespace, results: list[FileResult], mode: Mode) -> int:
    _print_errors(results)
    if mode.diff:
        sys.stdout.write("".join(r.diff for r in results))
        fixed = sum(r.fixed for r in results)
        print(f"Would fix {fixed} finding{'' if fixed == 1 else 's'}.", file=sys.stderr)
        if any(r.internal_errors for r in results):
            return EXIT_ERROR
        return EXIT_FINDINGS if any(r.diff or r.error or r.fix_error for r in results) and not args.exit_zero else EXIT_CLEAN
    with _report_to(args, sys.stdout) as to:
        _print_findings(args, results, to=to)
    return _exit_code(args, results)


@contextmanager
def _report_to(args: argparse.Namespace, default) -> Iterator:
    """Where the report goes: ``--output-file`` (its folder made if need be), else ``default``."""
    if not args.output_file:
        yield default
        return
    path = Path(args.output_file)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file = path.open("w", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the report to {path} ({error.strerror or error})") from None
    with file:
        yield file


def _print_errors(results: list[FileResult]) -> None:
    for result in results:
        for message in [m for m in (result.error, result.fix_error) if m] + result.internal_errors:
            print(f"torchlint: error: {message}", file=sys.stderr)
        if result.warning:
            print(f"torchlint: warning: {result.warning}", file=sys.stderr)


def _print_findings(args: argparse.Namespace, results: list[FileResult], to) -> None:
    entries = [f for r in results for f in r.findings]
    findings = [entry.finding for entry in entries]
    fixed = sum(r.fixed for r in results)
    shown_fixes = text_output.fixes({r.path: r.applied for r in results}) if args.show_fixes and args.fix else ""
    machine = output.MACHINE_FORMATS.get(args.format)
    if machine is not None:
        document = machine(entries)
        if document:
            print(document, file=to)
        if shown_fixes:
            print(shown_fixes, file=sys.stderr)
        return
    if args.statistics:
        body = text_output.statistics(findings)
    else:
        body = text_output.full(entries) if args.format == "full" else text_output.concise(entries)
    if body:
        print(body + ("\n" if args.format == "full" else ""), file=to)
    if shown_fixes:
        print(shown_fixes, file=to)
    unread = _not_checked(results)
    if results and (findings or fixed or not unread):  # not "All checks passed!" when a file was not checked
        print(text_output.summary(findings, fixed, unsafe_allowed=args.unsafe_fixes), file=to)
    if unread:
        print(unread, file=to)


def _not_checked(results: list[FileResult]) -> str:
    """``1 file and 2 folders not checked (see the errors above).``, or empty when all were."""
    counts = Counter("folder" if r.folder else "file" for r in results if r.error)
    said = [f"{counts[kind]} {kind}{'' if counts[kind] == 1 else 's'}" for kind in ("file", "folder") if counts[kind]]
    return f"{' and '.join(said)} not checked (see the errors above)." if said else ""


def _exit_code(args: argparse.Namespace, results: list[FileResult]) -> int:
    if any(r.internal_errors for r in results):
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(r.findings or r.error for r in results) else EXIT_CLEAN


def _display(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative


# -- rules / server -----------------------------------------------------------------------


def _rules(args: argparse.Namespace) -> int:
    rules = all_rules()
    if args.code:
        rule = rules.get(resolve_alias(args.code.upper()) or "")
        if rule is None:
            raise UsageError(f"unknown rule {args.code!r} (run `torchlint rules` for the list)")
        if args.format == "json":
            print(json.dumps(_rule_dict(rule), indent=2))
        else:  # text and markdown are the same for one rule
            print(rule.documentation())
        return EXIT_CLEAN
    if args.format == "json":
        print(json.dumps([_rule_dict(rule) for rule in rules.values()], indent=2))
        return EXIT_CLEAN
    if args.format == "markdown":
        print(reporting.rules_markdown(), end="")
        return EXIT_CLEAN
    width = max(len(rule.name) for rule in rules.values())
    for code, rule in rules.items():
        fix = "[*]" if rule.fixable() else "   "
        also = f"  (also {', '.join(rule.aliases)})" if rule.aliases else ""
        print(f"{code}  {rule.name:<{width}}  {rule.severity.value:<7}  {fix}  {rule.summary()}{also}")
    return EXIT_CLEAN


def _rule_dict(rule) -> dict:
    return {
        "code": rule.code,
        "name": rule.name,
        "aliases": list(rule.aliases),
        "severity": rule.severity.value,
        "fixable": rule.fixable(),
        "fix_safety": rule.fix_applicability.value if rule.fixable() else None,
        "code_action": rule.action_title if rule.has_action() else None,
        "summary": rule.summary(),
        "documentation": rule.documentation(),
    }


def _server(args: argparse.Namespace) -> int:
    try:
        from .lsp import serve
    except ImportError as error:
        raise UsageError(
            f"the language server needs pygls and lsprotocol ({error}): pip install 'torchlint[server]'"
        ) from None
    serve()
    return EXIT_CLEAN


def _gpu_check(args: argparse.Namespace) -> int:
    from .gpu_check import CheckOptions, render_text, run

    if args.steps < 1:
        raise UsageError("--steps must be at least 1")
    options = CheckOptions(python=args.python, device=args.device, dtype=args.dtype, steps=args.steps, timeout=args.timeout)
    show = None if args.format == "json" else lambda percent, message: print(f"[{percent:3}%] {message}", file=sys.stderr)
    report = run(options, on_progress=show)
    print(json.dumps(report, indent=2) if args.format == "json" else render_text(report))
    return EXIT_CLEAN if report["ok"] else EXIT_FINDINGS


def _script_arguments(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """``smoke``'s own arguments, and the script's: those after the first ``--``."""
    if argv[:1] != ["smoke"] or "--" not in argv:
        return argv, None
    split = argv.index("--")
    return argv[:split], argv[split + 1 :]


def _smoke(args: argparse.Namespace) -> int:
    from . import smoke

    if args.steps < 1:
        raise UsageError("--steps must be at least 1")
    if not Path(args.script).is_file():
        raise UsageError(f"no such file: {args.script}")
    options = smoke.SmokeOptions(args.script, tuple(args.script_args), args.python, args.steps, args.timeout)
    show = None if args.format == "json" else lambda percent, message: print(f"[{percent:3}%] {message}", file=sys.stderr)
    report = smoke.run(options, on_progress=show)
    sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n" if args.format == "json" else smoke.text(report))
    return EXIT_CLEAN if report.ok else EXIT_FINDINGS
