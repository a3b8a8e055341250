import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clientSettings, contributedKeys, expandPath, RESTART_SETTINGS, serverSettings, SettingsReader } from '../../src/settings';

interface Property {
    default: unknown;
}

const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, Property> = packageJson.contributes.configuration.properties;
const keys = contributedKeys(packageJson);

function reader(values: Record<string, unknown>): SettingsReader {
    return { get: <T>(key: string) => values[key] as T | undefined };
}

/** What VS Code's configuration gives for `user`'s settings: those over package.json's defaults. */
function vscodeSettings(user: Record<string, unknown> = {}): SettingsReader {
    const defaults = Object.fromEntries(Object.entries(properties).map(([key, property]) => [key.replace(/^torchlint\./, ''), property.default]));
    return reader({ ...defaults, ...user });
}

describe('contributedKeys', () => {
    it("lists package.json's settings without the section prefix", () => {
        assert.equal(keys.length, Object.keys(properties).length);
        for (const key of ['select', 'extendSelect', 'profile', 'ignore', 'severity', 'targetTorch', 'debounce', 'diagnosticsScope', 'gpuCheck.device', 'trace.server']) {
            assert.ok(keys.includes(key), key);
        }
        assert.equal(keys.includes('fixAllOnSave'), false);
    });
});

describe('serverSettings', () => {
    it("sends every contributed setting, with package.json's defaults, dotted keys as objects", () => {
        assert.deepEqual(serverSettings(vscodeSettings(), keys), {
            interpreter: '',
            importStrategy: 'useBundled',
            select: [],
            extendSelect: [],
            profile: '',
            ignore: [],
            severity: {},
            targetTorch: '',
            run: 'onType',
            debounce: 150,
            diagnosticsScope: 'openFiles',
            showSyntaxErrors: true,
            gpuCheck: { device: 'auto', dtype: 'auto', steps: 5, timeout: 180 },
            trace: { server: 'off' },
        });
    });

    it("passes the user's values through as they are, for the server to validate", () => {
        const sent = serverSettings(
            vscodeSettings({ select: [' TL1 '], extendSelect: ['TL104'], profile: 'rl', debounce: 'soon', severity: { TL103: 3 }, 'gpuCheck.steps': -1 }),
            keys,
        );
        assert.deepEqual(sent.select, [' TL1 ']);
        assert.deepEqual(sent.extendSelect, ['TL104']);
        assert.equal(sent.profile, 'rl');
        assert.equal(sent.debounce, 'soon');
        assert.deepEqual(sent.severity, { TL103: 3 });
        assert.deepEqual(sent.gpuCheck, { device: 'auto', dtype: 'auto', steps: -1, timeout: 180 });
    });

    it('sends only the keys it is given', () => {
        assert.deepEqual(serverSettings(reader({ select: ['TL1'], unknown: 1 }), ['select', 'a.b']), { select: ['TL1'], a: { b: undefined } });
    });
});

describe('clientSettings', () => {
    it('reads the launch settings and passes the GPU check settings on', () => {
        const settings = clientSettings(
            reader({
                interpreter: ' /opt/py/bin/python ',
                importStrategy: 'fromEnvironment',
                run: 'onSave',
                gpuCheck: { device: 'cuda:1', dtype: 'fp16', steps: 10, timeout: 30 },
            }),
        );
        assert.deepEqual(settings, {
            interpreter: '/opt/py/bin/python',
            importStrategy: 'fromEnvironment',
            run: 'onSave',
            gpuCheck: { device: 'cuda:1', dtype: 'fp16', steps: 10, timeout: 30 },
        });
    });

    it('treats an unknown import strategy as the bundled one, and a malformed interpreter as none', () => {
        const settings = clientSettings(reader({ importStrategy: 'fromPath', interpreter: 3, run: 'sometimes' }));
        assert.equal(settings.importStrategy, 'useBundled');
        assert.equal(settings.interpreter, '');
        assert.equal(settings.run, 'onType');
        assert.deepEqual(settings.gpuCheck, {});
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
