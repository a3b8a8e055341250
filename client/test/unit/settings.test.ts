import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientSettings, expandPath, RESTART_SETTINGS, serverSettings, SettingsReader } from '../../src/settings';

function reader(values: Record<string, unknown>): SettingsReader {
    return { get: <T>(key: string) => values[key] as T | undefined };
}

describe('serverSettings', () => {
    it('sends the defaults when nothing is set, and no selection', () => {
        assert.deepEqual(serverSettings(reader({})), { ignore: [], severity: {}, debounce: 150, showSyntaxErrors: true });
    });

    it('maps every server key', () => {
        const settings = serverSettings(
            reader({
                select: ['TL1', ' TL402 '],
                ignore: ['TL105'],
                severity: { TL103: 'error' },
                targetTorch: ' 2.4 ',
                debounce: 400,
                showSyntaxErrors: false,
                diagnosticsScope: 'workspace',
                interpreter: '/usr/bin/python3',
                'gpuCheck.device': 'cuda',
            }),
        );
        assert.deepEqual(settings, {
            select: ['TL1', 'TL402'],
            ignore: ['TL105'],
            severity: { TL103: 'error' },
            targetTorch: '2.4',
            debounce: 400,
            showSyntaxErrors: false,
            diagnosticsScope: 'workspace',
        });
    });

    it('keeps the file selection when the select setting is empty', () => {
        assert.equal('select' in serverSettings(reader({ select: [] })), false);
        assert.equal('select' in serverSettings(reader({ select: ['', '  '] })), false);
    });

    it('drops malformed entries instead of sending them', () => {
        const settings = serverSettings(reader({ ignore: 'TL105', severity: { TL103: 3, TL104: 'info' }, debounce: 'soon' }));
        assert.deepEqual(settings.ignore, []);
        assert.deepEqual(settings.severity, { TL104: 'info' });
        assert.equal(settings.debounce, 150);
    });
});

describe('clientSettings', () => {
    it('has the documented defaults', () => {
        assert.deepEqual(clientSettings(reader({})), {
            interpreter: '',
            importStrategy: 'useBundled',
            run: 'onType',
            fixAllOnSave: false,
            gpuCheck: { device: 'auto', dtype: 'auto', steps: 5, timeout: 180 },
        });
    });

    it('reads the GPU check and the launch settings', () => {
        const settings = clientSettings(
            reader({
                interpreter: ' /opt/py/bin/python ',
                importStrategy: 'fromEnvironment',
                run: 'onSave',
                fixAllOnSave: true,
                'gpuCheck.device': 'cuda:1',
                'gpuCheck.dtype': 'fp16',
                'gpuCheck.steps': 10,
                'gpuCheck.timeout': 30,
            }),
        );
        assert.equal(settings.interpreter, '/opt/py/bin/python');
        assert.equal(settings.importStrategy, 'fromEnvironment');
        assert.equal(settings.run, 'onSave');
        assert.equal(settings.fixAllOnSave, true);
        assert.deepEqual(settings.gpuCheck, { device: 'cuda:1', dtype: 'fp16', steps: 10, timeout: 30 });
    });

    it('treats an unknown import strategy as the bundled one', () => {
        assert.equal(clientSettings(reader({ importStrategy: 'fromPath' })).importStrategy, 'useBundled');
    });
});

describe('expandPath', () => {
    it('expands the workspace folder and the home folder', () => {
        assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', '/work/project', '/home/me'), '/work/project/.venv/bin/python');
        assert.equal(expandPath('~/envs/torch/bin/python', undefined, '/home/me'), '/home/me/envs/torch/bin/python');
        assert.equal(expandPath('${userHome}/py', undefined, '/home/me'), '/home/me/py');
    });

    it('leaves other paths alone', () => {
        assert.equal(expandPath('/usr/bin/python3', '/work', '/home/me'), '/usr/bin/python3');
        assert.equal(expandPath('/opt/~x/python', '/work', '/home/me'), '/opt/~x/python');
    });
});

describe('RESTART_SETTINGS', () => {
    it('names the settings a running server cannot take over', () => {
        assert.deepEqual(RESTART_SETTINGS, ['torchlint.interpreter', 'torchlint.importStrategy', 'torchlint.run', 'torchlint.diagnosticsScope']);
    });
});
