import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GpuCheckReport, torchInstallCommand, wasCancelled } from '../../src/report';

// `torchlint gpu-check --format json --python /usr/bin/python3` where that Python has no torch.
const fixtures = join(__dirname, '..', '..', '..', 'test', 'unit', 'fixtures');
const noTorch: GpuCheckReport = JSON.parse(readFileSync(join(fixtures, 'gpu-check-no-torch.json'), 'utf8'));
const passed: GpuCheckReport = { ok: true, training: { steps: [] } };

describe('torchInstallCommand', () => {
    it('names the install command for the interpreter without torch', () => {
        assert.equal(torchInstallCommand(noTorch, '/usr/bin/python3'), '/usr/bin/python3 -m pip install torch');
        assert.equal(torchInstallCommand(noTorch, '/home/me/My Envs/python'), '"/home/me/My Envs/python" -m pip install torch');
    });

    it('is absent for any other report', () => {
        assert.equal(torchInstallCommand(passed, '/py'), undefined);
        assert.equal(torchInstallCommand({ ok: false, error: 'the smoke step failed: exit status 1' }, '/py'), undefined);
    });
});

describe('wasCancelled', () => {
    it('tells a cancelled check from a failed one', () => {
        assert.equal(wasCancelled({ ok: false, error: 'the GPU check was cancelled' }), true);
        assert.equal(wasCancelled({ ok: false, error: 'the GPU check did not finish within 5 s and was stopped' }), false);
        assert.equal(wasCancelled(passed), false);
    });
});
