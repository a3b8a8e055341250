"""The smoke report's text and Markdown, from reports built by hand (a CUDA run, an out-of-memory)."""

from __future__ import annotations

from torchlint.smoke import SmokeReport, markdown, text
from torchlint.smoke.report import Failure, Link, Step, Tie, Where

SCRIPT = "/home/user/project/train.py"
ENVIRONMENT = {"python": "3.12.3", "torch": "2.13.0+cu128", "cuda": "12.8", "devices": ["NVIDIA H100 80GB HBM3"]}


def cuda_step(number: int, seconds: float, data: float) -> Step:
    return Step(
        step=number, seconds=seconds, data_seconds=data, loss=2.5 - number / 10, loss_finite=True, autocast=("cuda bfloat16",),
        grad_norm=1.25, grad_finite=True, batch_size=64, device="cuda:0", param_dtype="float32", lr=1e-4,
        rss_mib=2048.0, allocated_mib=10240.4, reserved_mib=12288.0,
    )


DATA_BOUND = SmokeReport(
    ok=True, outcome="completed", script=SCRIPT, python="/usr/bin/python3", steps_asked=3,
    steps=(cuda_step(1, 0.5, 0.1), cuda_step(2, 0.1, 0.08), cuda_step(3, 0.1, 0.06)),
    ties=(Tie(("TL110", "TL111"), "waiting for the DataLoader took 70% of the step time",
              (Link(12, 14, "Set num_workers", "TL110"),)),),
    environment=ENVIRONMENT, seconds=12.25,
)


def test_markdown_of_a_cuda_run() -> None:
    assert markdown(DATA_BOUND) == """\
# torchlint smoke run: passed

`train.py` · 3 of 3 steps ran · cuda:0 · 100.0 ms per step (median, after the warmup step) · 640 samples/s · data wait 70%

## Steps

| step       | time     | data wait | compute  | loss   | grad norm | autocast      | scaler | memory                         | samples/s |
| ---------- | -------- | --------- | -------- | ------ | --------- | ------------- | ------ | ------------------------------ | --------- |
| 1 (warmup) | 500.0 ms | 100.0 ms  | 400.0 ms | 2.4000 | 1.25      | cuda bfloat16 | -      | 10240/12288 MiB alloc/reserved | 128       |
| 2          | 100.0 ms | 80.0 ms   | 20.0 ms  | 2.3000 | 1.25      | cuda bfloat16 | -      | 10240/12288 MiB alloc/reserved | 640       |
| 3          | 100.0 ms | 60.0 ms   | 40.0 ms  | 2.2000 | 1.25      | cuda bfloat16 | -      | 10240/12288 MiB alloc/reserved | 640       |

## Linked to rules

- TL110, TL111: waiting for the DataLoader took 70% of the step time
  - [train.py:12](file:///home/user/project/train.py#L12) TL110 Set num_workers

python 3.12.3 (/usr/bin/python3) · torch 2.13.0+cu128 · CUDA 12.8 · NVIDIA H100 80GB HBM3 · 12.2 s in all
"""  # noqa: E501 - a Markdown table is as wide as its rows


def test_text_of_an_out_of_memory_run() -> None:
    where = Where(SCRIPT, 40, "train", "logits = model(x)")
    report = SmokeReport(
        ok=False, outcome="out-of-memory", script=SCRIPT, python="/usr/bin/python3", steps_asked=5,
        failure=Failure("OutOfMemoryError", "CUDA out of memory.", "torch.OutOfMemoryError: CUDA out of memory.", where,
                        allocated_mib=79000.5, reserved_mib=80100.0, total_mib=81559.0, batch_size=512),
        output="loading data",
    )
    assert text(report) == """\
torchlint smoke run: FAILED

train.py · out of memory after 0 steps

Error:

torch.OutOfMemoryError: CUDA out of memory. at /home/user/project/train.py:40 in train: logits = model(x)

peak allocated 79000.5 MiB, reserved 80100.0 MiB of 81559.0 MiB; batch size 512

Output (last lines):

  loading data
"""
    assert report.summary() == "smoke run FAILED: out of memory after 0 steps"
    assert "[train.py:40](file:///home/user/project/train.py#L40) in `train`: `logits = model(x)`" in markdown(report)
