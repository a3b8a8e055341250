import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogOutputChannel } from 'vscode';
import { isDeliberateExit, LeveledChannel, parseLine } from '../../src/log';

function recorder(): [LogOutputChannel, string[]] {
    const lines: string[] = [];
    const record = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
    const log = { name: 'torchlint', trace: record('trace'), debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
    return [log as unknown as LogOutputChannel, lines];
}

describe('parseLine', () => {
    it("reads the level of the language client's lines", () => {
        assert.deepEqual(parseLine('[Warn  - 10:02:03 AM] torchlint: unknown setting'), { level: 'warn', text: 'torchlint: unknown setting' });
        assert.deepEqual(parseLine('[Error - 10:02:03] boom'), { level: 'error', text: 'boom' });
    });

    it('has no level for a continuation line', () => {
        assert.deepEqual(parseLine('Traceback (most recent call last):'), { level: undefined, text: 'Traceback (most recent call last):' });
    });
});

describe('LeveledChannel', () => {
    it('passes each line at its level, continuations at the level before', () => {
        const [log, lines] = recorder();
        const channel = new LeveledChannel(log);
        channel.appendLine('[Info  - 1:00:00 PM] server started');
        channel.appendLine('[Error - 1:00:01 PM] analysis failed');
        channel.appendLine('  File "x.py", line 1');
        channel.append('stderr text\n');
        assert.deepEqual(lines, ['info: server started', 'error: analysis failed', 'error:   File "x.py", line 1', 'error: stderr text']);
    });
});

describe('isDeliberateExit', () => {
    it('is the exit with 0 of a server the client is stopping', () => {
        assert.equal(isDeliberateExit('Server process exited with code 0.', false), true);
    });

    it('is no other exit', () => {
        assert.equal(isDeliberateExit('Server process exited with code 0.', true), false);
        assert.equal(isDeliberateExit('Server process exited with code 1.', false), false);
        assert.equal(isDeliberateExit('Server process exited with signal SIGKILL.', false), false);
    });
});
