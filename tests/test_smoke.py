"""``torchlint smoke`` on the CPU build of torch: the repository's examples and small scripts written
for these tests, each run for real in a subprocess; the report's content asserted."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from torchlint.smoke import SmokeOptions, SmokeReport, run, text
from torchlint.smoke.report import Link, Tie

pytest.importorskip("torch", reason="the smoke run needs torch (tests/requirements.txt)")

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "smoke_scripts"
EXAMPLES = ROOT / "examples"
EXE = str(Path(sys.executable).parent / "torchlint")
TL101_MESSAGE = "Run the forward and loss under torch.autocast(..., dtype=torch.bfloat16)"

#: Every run the tests look at, started together (they are subprocesses, mostly waiting on torch's import).
RUNS = {
    "plain": SmokeOptions(str(SCRIPTS / "plain_loop.py")),
    "amp": SmokeOptions(str(SCRIPTS / "amp_bf16.py"), steps=4),
    "scaler": SmokeOptions(str(SCRIPTS / "scaler_fp16.py"), steps=3),
    "hf": SmokeOptions(str(SCRIPTS / "hf_tiny.py"), steps=3),
    "raises": SmokeOptions(str(SCRIPTS / "raises.py")),
    "never": SmokeOptions(str(SCRIPTS / "never_steps.py")),
    "slow": SmokeOptions(str(SCRIPTS / "slow.py"), timeout=20),  # room for a slow import of torch on a busy machine
    "nan": SmokeOptions(str(SCRIPTS / "nan_loss.py")),
    "frozen": SmokeOptions(str(SCRIPTS / "frozen.py"), steps=2),
    "slow_data": SmokeOptions(str(SCRIPTS / "slow_data.py"), steps=4),
    "eval": SmokeOptions(str(SCRIPTS / "eval_in_train_mode.py")),
    "eval_after": SmokeOptions(str(SCRIPTS / "eval_after_training.py"), steps=3),
    "busy_after": SmokeOptions(str(SCRIPTS / "busy_after_steps.py"), steps=2, timeout=60),
    "legacy": SmokeOptions(str(EXAMPLES / "train_legacy.py")),
    "mlp": SmokeOptions(str(EXAMPLES / "train_mlp.py"), args=("--epochs", "2")),
}


@pytest.fixture(scope="module")
def reports() -> dict[str, SmokeReport]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(run, options) for name, options in RUNS.items()}
        return {name: future.result() for name, future in futures.items()}


def test_plain_loop_reports_every_step(reports: dict[str, SmokeReport]) -> None:
    report = reports["plain"]
    assert (report.ok, report.outcome, report.summary()) == (True, "completed", "smoke run passed: 5 of 5 steps ran")
    assert [step.step for step in report.steps] == [1, 2, 3, 4, 5]
    for step in report.steps:
        assert step.batch_size == 16 and step.device == "cpu" and step.param_dtype == "float32" and step.lr == 1e-3
        assert step.autocast == () and step.scaler_scale is None and step.no_grad == ()
        assert 0 <= step.data_seconds <= step.seconds and step.compute_seconds == step.seconds - step.data_seconds
        assert step.samples_per_second == 16 / step.seconds
        assert step.loss_finite and abs(step.loss - math.log(4)) < 0.4  # four classes at initialisation
        assert step.grad_finite and step.grad_norm > 0
        assert step.rss_mib > 50 and step.allocated_mib is None
    assert report.steps[0].loss == pytest.approx(1.3257, abs=1e-4)  # torch.manual_seed(0), the first batch
    assert report.loaders == (Link(11, 1, "DataLoader(batch_size=16, num_workers=0, pin_memory=False)"),)
    tl101 = Link(18, 13, TL101_MESSAGE, "TL101")
    assert report.ties == (Tie(("TL101",), "autocast was off in every step (parameters in float32)", (tl101,)),)
    assert report.environment["torch"].startswith("2.") and report.environment["devices"] == []
    rendered = text(report)
    assert rendered.startswith("torchlint smoke run: passed\n\nplain_loop.py · 5 of 5 steps ran · cpu · ")
    assert "step        time" in rendered and "\n1 (warmup)  " in rendered
    tie = "- TL101: autocast was off in every step (parameters in float32)\n"
    tie += f"  - tests/smoke_scripts/plain_loop.py:18 TL101 {TL101_MESSAGE}\n"
    assert tie in rendered


def test_bf16_autocast_on_the_cpu_is_seen(reports: dict[str, SmokeReport]) -> None:
    report = reports["amp"]
    assert report.ok and report.outcome == "completed" and len(report.steps) == 4
    assert [step.autocast for step in report.steps] == [("cpu bfloat16",)] * 4
    assert [round(step.lr, 6) for step in report.steps] == [1e-4, 3.25e-4, 5.5e-4, 7.75e-4]  # LinearLR's warmup
    assert all(step.batch_size == 8 for step in report.steps)
    assert not any("TL101" in tie.codes for tie in report.ties)


def test_a_grad_scaler_reports_its_scale_and_the_unscaled_loss(reports: dict[str, SmokeReport]) -> None:
    report = reports["scaler"]
    assert report.ok and [step.scaler_scale for step in report.steps] == [1024.0] * 3
    assert [step.autocast for step in report.steps] == [("cpu float16",)] * 3
    for step in report.steps:  # the loss backward() was called on is scaled by 1024; the report has the loss
        assert abs(step.loss - math.log(4)) < 0.6 and step.grad_norm < 10


def test_huggingface_tiny_model_loop(reports: dict[str, SmokeReport]) -> None:
    report = reports["hf"]
    assert report.ok and report.outcome == "completed" and len(report.steps) == 3
    for step in report.steps:
        assert step.batch_size == 4  # from the dict batch's input_ids
        assert abs(step.loss - math.log(2)) < 0.1 and step.grad_norm > 0
        assert step.no_grad == ()
    assert report.ties[0].codes == ("TL101",) and report.ties[0].links[0].line == 26


def test_an_exception_names_the_users_frame(reports: dict[str, SmokeReport]) -> None:
    report = reports["raises"]
    assert (report.ok, report.outcome, len(report.steps)) == (False, "error", 1)
    failure = report.failure
    assert failure is not None and failure.type == "ValueError"
    assert failure.summary == "ValueError: batch 1 has the wrong shape: (8, 4)"
    assert failure.where is not None
    assert (failure.where.file, failure.where.line, failure.where.function) == (str(SCRIPTS / "raises.py"), 9, "check")
    assert failure.where.code == 'raise ValueError(f"batch {index} has the wrong shape: {tuple(batch.shape)}")'
    assert report.summary() == "smoke run FAILED: ValueError: batch 1 has the wrong shape: (8, 4) after 1 step"
    assert "ValueError: batch 1 has the wrong shape: (8, 4) at tests/smoke_scripts/raises.py:9 in check: raise" in text(report)


def test_a_script_that_never_steps(reports: dict[str, SmokeReport]) -> None:
    report = reports["never"]
    assert (report.ok, report.outcome, report.steps, report.failure) == (False, "no-step", (), None)
    assert report.summary() == "smoke run FAILED: the script ended without an optimizer step"
    assert report.output == "done without a step"
    assert "Output (last lines):\n\n  done without a step\n" in text(report)


def test_a_script_that_runs_out_of_time_says_where_it_was(reports: dict[str, SmokeReport]) -> None:
    report = reports["slow"]
    assert (report.ok, report.outcome, len(report.steps)) == (False, "timeout", 1)
    assert report.where is not None
    assert (report.where.line, report.where.function, report.where.code) == (11, "wait_for_data", "time.sleep(0.05)")
    assert 20 <= report.seconds < 20 + 10
    assert report.summary() == "smoke run FAILED: stopped by the timeout after 1 of 5 steps"


def test_a_nan_loss_fails_the_run(reports: dict[str, SmokeReport]) -> None:
    report = reports["nan"]
    assert (report.ok, report.outcome) == (False, "completed")
    assert [step.loss_finite for step in report.steps] == [True, True, False, False, False]
    assert math.isnan(report.steps[2].loss) and report.steps[2].grad_finite is False
    assert report.notes[:2] == (
        "The loss is nan at step 3: the steps did not stay finite.", "The gradient norm is nan at step 3.",
    )
    assert report.summary() == "smoke run FAILED: 5 of 5 steps ran, with a loss or gradient that is not finite"


def test_a_parameter_frozen_by_mistake_is_named(reports: dict[str, SmokeReport]) -> None:
    report = reports["frozen"]
    assert report.ok and [step.no_grad for step in report.steps] == [("encoder.weight", "encoder.bias")] * 2
    assert report.notes[0] == (
        "2 parameter(s) with requires_grad=True got no gradient at step 1: encoder.weight, encoder.bias. "
        "Frozen by mistake? Look for a .detach(), a torch.no_grad() block or a layer the forward skips."
    )


def test_waiting_for_data_ties_to_tl110_and_the_dataloader_line(reports: dict[str, SmokeReport]) -> None:
    report = reports["slow_data"]
    assert report.ok and report.data_share is not None and report.data_share > 0.5
    assert all(step.data_seconds >= 4 * 0.02 for step in report.steps)  # four samples of 20 ms each
    tie = report.ties[0]
    assert tie.codes == ("TL110", "TL111")
    assert tie.reason == f"waiting for the DataLoader took {report.data_share:.0%} of the step time"
    assert [(link.line, link.code) for link in tie.links] == [(20, "TL110")]


def test_evaluation_in_train_mode_ties_to_tl133(reports: dict[str, SmokeReport]) -> None:
    report = reports["eval"]
    tie = next(tie for tie in report.ties if tie.codes == ("TL133",))
    # Evaluations after steps 1-5: the run stops once the one after the last step has run its forward.
    assert tie.reason == "layers that behave differently in training ran in training mode under torch.no_grad(): Dropout 5x"
    assert tie.links == (Link(9, 1, "the model ran here with Dropout in training mode"),)
    assert "step 4: validation loss" not in report.output  # the fifth evaluation stopped after its forward


def test_an_evaluation_after_the_last_step_ties_to_tl133(reports: dict[str, SmokeReport]) -> None:
    report = reports["eval_after"]
    assert (report.ok, report.outcome, len(report.steps)) == (True, "completed", 3)
    tie = next(tie for tie in report.ties if tie.codes == ("TL133",))
    layers = "BatchNorm1d 1x, Dropout 1x"
    assert tie.reason == f"layers that behave differently in training ran in training mode under torch.no_grad(): {layers}"
    assert tie.links == (
        Link(27, 1, "the model ran here with BatchNorm1d in training mode"),
        Link(27, 1, "the model ran here with Dropout in training mode"),
    )
    assert "TL133: layers that behave differently" in text(report)


def test_work_after_the_last_step_is_stopped_after_the_grace_time(reports: dict[str, SmokeReport]) -> None:
    report = reports["busy_after"]
    assert (report.ok, report.outcome, report.summary()) == (True, "completed", "smoke run passed: 2 of 2 steps ran")
    assert report.failure is None and report.where is None
    assert report.seconds < 60  # stopped by the grace time, not the timeout


def test_the_legacy_example_fails_at_its_missing_import(reports: dict[str, SmokeReport]) -> None:
    report = reports["legacy"]
    assert (report.ok, report.outcome, report.steps) == (False, "error", ())
    assert report.failure is not None and report.failure.summary == "ModuleNotFoundError: No module named 'torchvision'"
    assert report.failure.where is not None
    assert (report.failure.where.line, report.failure.where.code) == (10, "import torchvision")


def test_the_mlp_example_runs_with_its_arguments(reports: dict[str, SmokeReport]) -> None:
    report = reports["mlp"]
    assert report.ok and report.outcome == "completed"
    assert all(step.batch_size == 128 for step in report.steps)
    tie = next(tie for tie in report.ties if tie.codes == ("TL133",))
    assert tie.reason.endswith(": BatchNorm1d 1x, Dropout 1x")  # the evaluation after the first epoch's four steps
    assert [(link.line, link.code) for link in tie.links] == [(30, "TL133")]


def test_cli_json_exit_codes_and_script_arguments() -> None:
    script = str(EXAMPLES / "train_mlp.py")
    command = [EXE, "smoke", script, "--steps", "2", "--format", "json", "--", "--batch-size", "8", "--epochs", "1"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is True and data["summary"] == "smoke run passed: 2 of 2 steps ran"
    assert [step["batch_size"] for step in data["steps"]] == [8, 8]
    assert data["median_samples_per_second"] == data["steps"][1]["samples_per_second"] == 8 / data["steps"][1]["seconds"]
    failed = subprocess.run([sys.executable, "-m", "torchlint", "smoke", str(SCRIPTS / "nan_loss.py"), "--steps", "3"],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert failed.stdout.startswith("torchlint smoke run: FAILED\n\nnan_loss.py · 3 of 3 steps ran, with a loss or gradient")
    assert "[ 25%] step 1/3: loss " in failed.stderr


def test_cli_usage_errors() -> None:
    missing = subprocess.run([EXE, "smoke", "no_such_script.py"], capture_output=True, text=True, timeout=60)
    assert (missing.returncode, missing.stderr) == (2, "torchlint: error: no such file: no_such_script.py\n")
    command = [EXE, "smoke", str(SCRIPTS / "plain_loop.py"), "--steps", "0"]
    zero = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert (zero.returncode, zero.stderr) == (2, "torchlint: error: --steps must be at least 1\n")


def test_an_interpreter_without_torch(tmp_path: Path) -> None:
    venv.create(tmp_path / "env", with_pip=False)
    python = str(tmp_path / "env" / "bin" / "python")
    report = run(SmokeOptions(str(SCRIPTS / "plain_loop.py"), python=python))
    assert (report.ok, report.outcome) == (False, "no-torch")
    assert report.summary() == f"smoke run FAILED: torch is not installed in {python}; install it with: pip install torch"


def test_a_missing_interpreter() -> None:
    report = run(SmokeOptions(str(SCRIPTS / "plain_loop.py"), python="/nonexistent/python"))
    assert (report.ok, report.outcome) == (False, "crashed")
    assert report.failure is not None and report.failure.message.startswith("cannot start /nonexistent/python")


def test_cancel_stops_the_run() -> None:
    cancel = threading.Event()
    seen: list[tuple[int, str]] = []
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    report = run(SmokeOptions(str(SCRIPTS / "slow.py"), timeout=60), on_progress=lambda p, m: seen.append((p, m)), cancel=cancel)
    assert (report.ok, report.outcome) == (False, "cancelled")
    assert report.seconds < 10
    assert seen[0] == (0, "starting slow.py") and seen[-1] == (100, "smoke run FAILED: the smoke run was cancelled")
