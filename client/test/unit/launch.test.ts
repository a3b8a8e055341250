import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { serverLaunch } from '../../src/launch';

describe('serverLaunch', () => {
    it('runs the bundled server ahead of anything on PYTHONPATH', () => {
        const logs: string[] = [];
        const launch = serverLaunch('/py', 'torchlint', 'useBundled', '/ext/bundled/libs', { PYTHONPATH: '/mine', HOME: '/home/me' }, (m) => logs.push(m));
        assert.equal(launch.command, '/py');
        assert.deepEqual(launch.args, ['-m', 'torchlint', 'server']);
        assert.equal(launch.env.PYTHONPATH, ['/ext/bundled/libs', '/mine'].join(path.delimiter));
        assert.equal(launch.env.HOME, '/home/me');
        assert.equal(launch.strategy, 'useBundled');
        assert.deepEqual(logs, []);
    });

    it("leaves the environment alone for the interpreter's own torchlint", () => {
        const launch = serverLaunch('/py', 'torchlint', 'fromEnvironment', '/ext/bundled/libs', { PYTHONPATH: '/mine' }, () => undefined);
        assert.equal(launch.env.PYTHONPATH, '/mine');
        assert.equal(launch.strategy, 'fromEnvironment');
    });

    it('falls back to the environment, and says so, when the build has no bundle', () => {
        const logs: string[] = [];
        const launch = serverLaunch('/py', 'torchlint', 'useBundled', undefined, {}, (m) => logs.push(m));
        assert.equal(launch.strategy, 'fromEnvironment');
        assert.equal(launch.env.PYTHONPATH, undefined);
        assert.match(logs[0], /falling back/);
    });
});
