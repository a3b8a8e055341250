import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findOnPath, InterpreterLookup, PATH_PYTHON, resolveInterpreter } from '../../src/interpreter';

interface Calls {
    pythonExtension: number;
    onPath: string[];
}

function lookup(setting: string, pythonExtension: () => Promise<string | undefined>, onPath: string | undefined, trusted = true): [InterpreterLookup, Calls] {
    const calls: Calls = { pythonExtension: 0, onPath: [] };
    return [
        {
            setting: () => setting,
            pythonExtension: () => {
                calls.pythonExtension += 1;
                return pythonExtension();
            },
            onPath: (name) => {
                calls.onPath.push(name);
                return onPath;
            },
            trusted,
        },
        calls,
    ];
}

const notInstalled = () => Promise.reject(new Error('Python extension is not installed or is disabled'));

describe('resolveInterpreter', () => {
    it('takes the setting first and asks nothing else', async () => {
        const [sources, calls] = lookup('/opt/env/bin/python', async () => '/ext/python', '/usr/bin/python3');
        const logs: string[] = [];
        assert.deepEqual(await resolveInterpreter(sources, (m) => logs.push(m)), { path: '/opt/env/bin/python', source: 'setting' });
        assert.deepEqual(calls, { pythonExtension: 0, onPath: [] });
        assert.deepEqual(logs, []);
    });

    it("then the Python extension's active environment, and logs the fallback", async () => {
        const [sources, calls] = lookup('', async () => '/ext/venv/bin/python', '/usr/bin/python3');
        const logs: string[] = [];
        assert.deepEqual(await resolveInterpreter(sources, (m) => logs.push(m)), { path: '/ext/venv/bin/python', source: 'python extension' });
        assert.equal(calls.onPath.length, 0);
        assert.equal(logs.length, 1);
        assert.match(logs[0], /active environment: \/ext\/venv\/bin\/python/);
    });

    it('then python3 on PATH when the Python extension is not installed', async () => {
        const [sources, calls] = lookup('', notInstalled, '/usr/bin/python3');
        const logs: string[] = [];
        assert.deepEqual(await resolveInterpreter(sources, (m) => logs.push(m)), { path: '/usr/bin/python3', source: 'PATH' });
        assert.deepEqual(calls, { pythonExtension: 1, onPath: [PATH_PYTHON] });
        assert.match(logs[0], /Python extension is not available \(Python extension is not installed or is disabled\)/);
        assert.match(logs[1], /using \/usr\/bin\/python3 from PATH/);
    });

    it('then python3 on PATH when the Python extension has no environment', async () => {
        const [sources] = lookup('', async () => undefined, '/usr/local/bin/python3');
        const logs: string[] = [];
        assert.deepEqual(await resolveInterpreter(sources, (m) => logs.push(m)), { path: '/usr/local/bin/python3', source: 'PATH' });
        assert.match(logs[0], /has no active environment/);
    });

    it('does not ask the Python extension in an untrusted workspace', async () => {
        const [sources, calls] = lookup('', async () => '/workspace/.venv/bin/python', '/usr/bin/python3', false);
        const logs: string[] = [];
        assert.deepEqual(await resolveInterpreter(sources, (m) => logs.push(m)), { path: '/usr/bin/python3', source: 'PATH' });
        assert.equal(calls.pythonExtension, 0);
        assert.match(logs[0], /not trusted/);
    });

    it('takes the (user) setting in an untrusted workspace too', async () => {
        const [sources] = lookup('/home/me/py/bin/python', async () => undefined, undefined, false);
        assert.deepEqual(await resolveInterpreter(sources, () => undefined), { path: '/home/me/py/bin/python', source: 'setting' });
    });

    it('reports that nothing was found', async () => {
        const [sources] = lookup('', notInstalled, undefined);
        const logs: string[] = [];
        assert.equal(await resolveInterpreter(sources, (m) => logs.push(m)), undefined);
        assert.match(logs.at(-1)!, /set torchlint.interpreter/);
    });
});

describe('findOnPath', () => {
    it('returns the first executable match in PATH order', () => {
        const searchPath = ['/a', '/b', '/c'].join(path.delimiter);
        const executables = new Set([path.join('/b', 'python3'), path.join('/c', 'python3')]);
        assert.equal(findOnPath('python3', searchPath, (file) => executables.has(file)), path.join('/b', 'python3'));
    });

    it('skips empty entries and finds nothing in an empty PATH', () => {
        assert.equal(findOnPath('python3', `${path.delimiter}${path.delimiter}`, () => true), undefined);
        assert.equal(findOnPath('python3', undefined, () => true), undefined);
    });
});
