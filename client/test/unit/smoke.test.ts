import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lensUri, previewName, SMOKE_RUN_FILE, smokeArgument, SmokeResult, smokeSummary } from '../../src/smoke';

const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));

describe('smokeArgument', () => {
    it('runs the script from the workspace folder that holds it', () => {
        assert.deepEqual(smokeArgument('file:///w/train.py', '/w/.venv/bin/python', '/w'), {
            uri: 'file:///w/train.py',
            python: '/w/.venv/bin/python',
            cwd: '/w',
        });
    });

    it("leaves the folder to the server (the script's) outside a workspace folder", () => {
        assert.deepEqual(smokeArgument('file:///tmp/t.py', 'python3', undefined), { uri: 'file:///tmp/t.py', python: 'python3' });
    });
});

describe('lensUri', () => {
    it("reads the uri of the server's code lens", () => {
        assert.equal(lensUri([{ uri: 'file:///w/train.py' }]), 'file:///w/train.py');
    });

    it('finds none in other arguments', () => {
        assert.equal(lensUri([]), undefined);
        assert.equal(lensUri([null]), undefined);
        assert.equal(lensUri(['file:///w/train.py']), undefined);
        assert.equal(lensUri([{ uri: 3 }]), undefined);
    });
});

describe('previewName and smokeSummary', () => {
    it('names one preview per script', () => {
        assert.equal(previewName('/w/src/train.py'), 'smoke run of train.py.md');
        assert.equal(previewName('C:\\w\\train.py'), 'smoke run of train.py.md');
    });

    it("shows the server's summary", () => {
        const result: SmokeResult = {
            report: { ok: false, outcome: 'no-step', summary: 'smoke run FAILED: the script ended without an optimizer step', script: '/w/t.py' },
            markdown: '# torchlint smoke run: FAILED\n',
        };
        assert.equal(smokeSummary(result), 'torchlint: smoke run FAILED: the script ended without an optimizer step');
    });
});

describe('package.json', () => {
    // Not `resourceScheme == file`: the workbench sees a remote file (code-server, Remote-SSH) as
    // vscode-remote, while the extension host, where the command checks the scheme, sees it as file.
    it('contributes the command, for trusted workspaces and Python editors only', () => {
        const command = packageJson.contributes.commands.find((entry: { command: string }) => entry.command === SMOKE_RUN_FILE);
        assert.deepEqual(command, {
            command: SMOKE_RUN_FILE,
            title: 'Smoke-Run This File',
            category: 'torchlint',
            enablement: 'isWorkspaceTrusted && editorLangId == python',
        });
        assert.match(packageJson.capabilities.untrustedWorkspaces.description, /the smoke run \(Smoke-Run This File and its code lens\)/);
    });
});
