import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GpuCheckReport, renderReport, summarize, table, torchInstallCommand, wasCancelled } from '../../src/report';

// `torchlint gpu-check --format json --device cpu --steps 3` and the same without torch.
const fixtures = join(__dirname, '..', '..', '..', 'test', 'unit', 'fixtures');
const cpuRun: GpuCheckReport = JSON.parse(readFileSync(join(fixtures, 'gpu-check-cpu.json'), 'utf8'));
const noTorch: GpuCheckReport = JSON.parse(readFileSync(join(fixtures, 'gpu-check-no-torch.json'), 'utf8'));

const cudaRun: GpuCheckReport = {
    ...cpuRun,
    device: 'cuda',
    dtype: 'bf16',
    environment: { ...cpuRun.environment!, cuda_runtime: '12.8', cudnn: 91002, nvidia_driver: '570.86.15' },
    devices: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', capability: '9.0', memory_gib: 79.2, bf16: true, fp16: true, tf32: true }],
    training: { ...cpuRun.training!, peak_memory_mib: 18.5 },
};

describe('renderReport', () => {
    it('shows versions, devices, step time and every step of a CPU run', () => {
        const text = renderReport(cpuRun);
        assert.match(text, /^# torchlint GPU check: passed\n/);
        assert.match(text, /^cpu · bf16 · \d+\.\d ms per step \(median\) · 3 of 3 steps passed$/m);
        assert.match(text, /^\| torch +\| 2\.13\.0\+cpu +\|$/m);
        assert.match(text, /^\| CUDA runtime +\| not available +\|$/m);
        assert.match(text, /^\| Python +\| 3\.11\.7 \(\/home\/user\/project\/\.venv\/bin\/python\) \|$/m);
        assert.match(text, /^\| accelerate +\| 1\.15\.0 \(no accelerate config\) +\|$/m);
        assert.match(text, /^No CUDA device is visible to torch\.$/m);
        const steps = text.split('\n').filter((line) => /^\| [123] /.test(line));
        assert.equal(steps.length, 3);
        const first = cpuRun.training!.steps[0];
        assert.match(steps[0], new RegExp(`^\\| 1 +\\| ${first.loss.toFixed(4)} \\| 1\\.00e-3 +\\| ${(first.seconds * 1000).toFixed(1)} ms \\| pass +\\|$`));
        assert.match(text, /peak memory n\/a \(CPU\) · loss finite: yes$/m);
    });

    it('shows the dtype support of each CUDA device and the peak memory', () => {
        const text = renderReport(cudaRun);
        assert.match(text, /^\| cuda:0 +\| NVIDIA H100 80GB HBM3 \| 9\.0 +\| 79\.2 GiB \| yes +\| yes +\| yes +\|$/m);
        assert.match(text, /^\| CUDA runtime +\| 12\.8 +\|$/m);
        assert.match(text, /peak memory 18\.5 MiB/);
    });

    it('marks failed steps and a failed run', () => {
        const training = cpuRun.training!;
        const failed: GpuCheckReport = {
            ...cpuRun,
            ok: false,
            notes: ['No CUDA device is available: the step ran on the CPU.'],
            training: { ...training, loss_finite: false, steps: [training.steps[0], { ...training.steps[1], loss: Number.NaN, passed: false }] },
        };
        const text = renderReport(failed);
        assert.match(text, /^# torchlint GPU check: FAILED$/m);
        assert.match(text, /^\| 2 +\| NaN +\| .* \| FAIL +\|$/m);
        assert.match(text, /1 of 2 steps passed/);
        assert.match(text, /^## Notes\n\n- No CUDA device is available: the step ran on the CPU\.$/m);
    });

    it('renders a run that could not start as the error and where it ran', () => {
        const text = renderReport({ ok: false, error: 'the GPU check did not finish within 5 s and was stopped', python_executable: '/py', device: 'cuda', dtype: 'auto', log: 'line 1\nline 2' });
        assert.match(text, /^# torchlint GPU check: failed\n\nthe GPU check did not finish within 5 s and was stopped\n/);
        assert.match(text, /^\| interpreter \| \/py +\|$/m);
        assert.match(text, /^```\nline 1\nline 2\n```$/m);
    });
});

describe('summarize', () => {
    it('is one line with the verdict, device, dtype, steps and step time', () => {
        const summary = summarize(cpuRun);
        assert.match(summary, /^torchlint GPU check passed on cpu with bf16: 3\/3 steps, \d+\.\d ms per step$/);
        assert.equal(summary.includes('\n'), false);
    });

    it('gives the error of a run that could not start', () => {
        assert.equal(summarize({ ok: false, error: 'boom' }), 'torchlint GPU check failed: boom');
    });
});

describe('torchInstallCommand', () => {
    it('names the install command for the interpreter without torch', () => {
        assert.equal(torchInstallCommand(noTorch, '/usr/bin/python3'), '/usr/bin/python3 -m pip install torch');
        assert.equal(torchInstallCommand(noTorch, '/home/me/My Envs/python'), '"/home/me/My Envs/python" -m pip install torch');
    });

    it('is absent for any other report', () => {
        assert.equal(torchInstallCommand(cpuRun, '/py'), undefined);
        assert.equal(torchInstallCommand({ ok: false, error: 'the smoke step failed: exit status 1' }, '/py'), undefined);
    });
});

describe('wasCancelled', () => {
    it('tells a cancelled check from a failed one', () => {
        assert.equal(wasCancelled({ ok: false, error: 'the GPU check was cancelled', device: 'auto', dtype: 'auto' }), true);
        assert.equal(wasCancelled({ ok: false, error: 'the GPU check did not finish within 5 s and was stopped' }), false);
        assert.equal(wasCancelled(cpuRun), false);
    });
});

describe('table', () => {
    it('pads the columns and escapes pipes', () => {
        assert.deepEqual(table(['a', 'bb'], [['x|y', '1']]), ['| a    | bb  |', '| ---- | --- |', '| x\\|y | 1   |']);
    });
});
