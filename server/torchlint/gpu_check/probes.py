"""The environment checks of the GPU check: memory, versions, kernels, throughput, bandwidth, compile.

Loaded by :mod:`smoke` in the user's interpreter (by path, beside it), so it imports only the
standard library at the top; torch is passed in. Every check uses torch's documented API
(``torch.cuda.mem_get_info``, ``get_arch_list``, ``Event``, ``comm.reduce_add``, ``compile``).
Each mismatch is a problem with the command that fixes it; :func:`version_problems` and
:func:`arch_problems` take plain values, so they are tested without a GPU.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time

GiB = 2**30
#: Dense bf16/fp16 tensor-core peak in TFLOP/s, from the vendors' data sheets; the first match by name wins.
PEAK_TFLOPS = (
    ("H200", 989.0), ("H100 PCIe", 756.0), ("H100", 989.0), ("A100", 312.0), ("L40S", 362.0), ("L4", 121.0),
    ("V100", 125.0), ("T4", 65.0),
)
#: Below this share of the peak, a matmul figure is worth a look.
LOW_SHARE = 0.3
WHEEL_INDEX = "https://download.pytorch.org/whl"


def problem(text: str, fix: str) -> dict:
    return {"problem": text, "fix": fix}


def driver_cuda() -> str | None:
    """The newest CUDA the installed NVIDIA driver supports, from ``nvidia-smi``'s header."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        output = subprocess.run(["nvidia-smi"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"CUDA Version:\s*([0-9]+\.[0-9]+)", output)
    return found.group(1) if found else None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def _wheel(cuda: str) -> str:
    major, minor = _version(cuda)
    return f"pip install --upgrade torch --index-url {WHEEL_INDEX}/cu{major}{minor}"


def version_problems(torch_cuda: str | None, driver: str | None) -> list[dict]:
    """torch built for a newer CUDA than the driver runs, or a CPU-only torch on a machine with a GPU."""
    if driver is None:
        return []
    if torch_cuda is None:
        return [problem(f"This torch is a CPU-only build, but the NVIDIA driver (CUDA {driver}) sees a GPU.", _wheel(driver))]
    if _version(torch_cuda) > _version(driver):
        return [problem(
            f"torch is built for CUDA {torch_cuda}, newer than the driver's CUDA {driver}: CUDA calls will fail. "
            f"Upgrade the NVIDIA driver, or install a torch built for CUDA {driver}.",
            _wheel(driver),
        )]
    return []


def arch_problems(name: str, capability: tuple[int, int], arch_list: list[str], torch_cuda: str | None) -> list[dict]:
    """A device whose compute capability this torch has no kernels (nor PTX to compile them) for."""
    major, minor = capability
    if not arch_list or f"sm_{major}{minor}" in arch_list:
        return []
    ptx = [_version(arch.removeprefix("compute_")) for arch in arch_list if arch.startswith("compute_")]
    if any((p[0] // 10, p[0] % 10) <= capability for p in ptx if p):
        return []  # the driver compiles the PTX for this device at load time
    built = ", ".join(arch_list)
    fix = _wheel(torch_cuda) if torch_cuda else f"pip install --upgrade torch --index-url {WHEEL_INDEX}/cu128"
    return [problem(f"{name} is sm_{major}{minor}, which this torch has no kernels for (built for {built}).", fix)]


def memory(torch) -> list[dict]:
    found = []
    for index in range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(index)
        found.append({"index": index, "free_gib": round(free / GiB, 2), "total_gib": round(total / GiB, 2)})
    return found


def memory_problems(found: list[dict]) -> list[dict]:
    return [
        problem(f"cuda:{d['index']} has {d['free_gib']} of {d['total_gib']} GiB free: another process holds it.",
                "nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv")
        for d in found if d["total_gib"] and d["free_gib"] / d["total_gib"] < 0.5
    ]


def peak_tflops(name: str) -> float | None:
    return next((peak for model, peak in PEAK_TFLOPS if model in name), None)


def matmul(torch, device: str, dtype_name: str) -> dict:
    """TFLOP/s of a square matmul (8192 on a GPU, 512 on a CPU), after a warmup."""
    dtype = getattr(torch, dtype_name)
    on_cuda = device.startswith("cuda")
    n, repeat = (8192, 10) if on_cuda else (512, 3)
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(2):
        a @ b
    if on_cuda:
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(repeat):
            a @ b
        end.record()
        end.synchronize()
        seconds = start.elapsed_time(end) / 1000
    else:
        began = time.perf_counter()
        for _ in range(repeat):
            a @ b
        seconds = time.perf_counter() - began
    tflops = 2 * n**3 * repeat / seconds / 1e12
    peak = peak_tflops(torch.cuda.get_device_name(device)) if on_cuda else None
    return {"dtype": dtype_name, "size": n, "tflops": round(tflops, 3), "peak_tflops": peak,
            "share": round(tflops / peak, 3) if peak else None}


def host_to_device(torch, device: str, mib: int = 256) -> dict:
    """GB/s of copies to the GPU from pinned and from pageable host memory."""
    pageable = torch.empty(mib * 2**20, dtype=torch.uint8)
    pinned = pageable.pin_memory()
    found = {}
    for kind, source in (("pinned", pinned), ("pageable", pageable)):
        source.to(device)
        torch.cuda.synchronize(device)
        began = time.perf_counter()
        for _ in range(5):
            source.to(device, non_blocking=True)
        torch.cuda.synchronize(device)
        found[f"{kind}_gbps"] = round(5 * source.numel() / (time.perf_counter() - began) / 1e9, 2)
    return found


def compile_check(torch, device: str) -> dict:
    """``torch.compile`` of a tiny function: Inductor (Triton kernels) on a GPU; Dynamo's capture alone on a CPU."""
    backend = "inductor" if device.startswith("cuda") else "eager"
    began = time.perf_counter()
    try:
        compiled = torch.compile(lambda x: torch.sin(x) * 2 + x, backend=backend, fullgraph=True)
        x = torch.randn(1024, device=device)
        ok = bool(torch.allclose(compiled(x), torch.sin(x) * 2 + x))
        error = None if ok else "the compiled function gave another result"
    except Exception as failure:  # noqa: BLE001 - any failure of the compiler is the finding
        ok, error = False, f"{type(failure).__name__}: {str(failure).splitlines()[0] if str(failure) else ''}"
    return {"ok": ok, "backend": backend, "seconds": round(time.perf_counter() - began, 2), "error": error}


def compile_problems(found: dict) -> list[dict]:
    if found["ok"]:
        return []
    fix = "pip install --upgrade triton" if found["backend"] == "inductor" else "pip install --upgrade torch"
    return [problem(f"torch.compile ({found['backend']}) failed: {found['error']}", fix)]


def all_reduce(torch, mib: int = 64) -> dict | None:
    """A sum over every GPU and back (``torch.cuda.comm``), with its bandwidth; ``None`` below two GPUs."""
    count = torch.cuda.device_count()
    if count < 2:
        return None
    tensors = [torch.ones(mib * 2**18, device=f"cuda:{i}") for i in range(count)]
    for _ in range(2):
        total = torch.cuda.comm.reduce_add(tensors, destination=0)
        torch.cuda.comm.broadcast(total, devices=list(range(count)))
    for i in range(count):
        torch.cuda.synchronize(i)
    began = time.perf_counter()
    total = torch.cuda.comm.reduce_add(tensors, destination=0)
    torch.cuda.comm.broadcast(total, devices=list(range(count)))
    for i in range(count):
        torch.cuda.synchronize(i)
    seconds = time.perf_counter() - began
    return {"devices": count, "mib": mib, "gbps": round(mib * 2**20 / seconds / 1e9, 2), "correct": float(total[0]) == count}


def run_all(torch, device: str, progress) -> dict:
    """Every check for ``device``; the problems found, each with its fix."""
    on_cuda = device.startswith("cuda")
    found: dict = {"memory": memory(torch), "driver_cuda": driver_cuda(), "arch_list": torch.cuda.get_arch_list()}
    problems = memory_problems(found["memory"]) + version_problems(torch.version.cuda, found["driver_cuda"])
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        problems += arch_problems(props.name, (props.major, props.minor), found["arch_list"], torch.version.cuda)
    progress(92, "timing matmuls")
    dtypes = ["bfloat16", "float16"] if on_cuda else ["float32", "bfloat16"]
    found["matmul"] = [matmul(torch, device, dtype) for dtype in dtypes]
    found["host_to_device"] = host_to_device(torch, device) if on_cuda else None
    progress(95, "compiling a function with torch.compile")
    found["compile"] = compile_check(torch, device)
    problems += compile_problems(found["compile"])
    found["all_reduce"] = all_reduce(torch) if on_cuda else None
    found["problems"] = problems
    return found
