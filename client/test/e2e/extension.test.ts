/**
 * The packaged extension in a real VS Code (code-server), driven like a user: diagnostics and the
 * Problems count (of the open file, and of the workspace with its notebook), hover, a quick fix,
 * fix-all on save, a notebook's cells, a snippet, the smoke run (code lens and command), the GPU
 * check's report, a restart with a quiet log, and an interpreter without torch.
 *
 * Inputs (set by .ci/e2e.sh): CODE_SERVER, TORCHLINT_VSIX, TORCHLINT_PYTHON (an interpreter with
 * torch), CHROMIUM. Screenshots go to client/test/e2e/screenshots-last-run/, with code-server's and
 * the extension host's logs when a step fails (or TORCHLINT_E2E_KEEP_LOGS is set).
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it, TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADAM, FILES, LEGACY_SCRIPT, NOTEBOOK, writeProject } from './fixtures';
import { CodeServer, findFiles, Folders, folders, installExtension, keepLogs, launchBrowser, until, Workbench, writeUserSettings } from './workbench';

const repo = resolve(__dirname, '..', '..', '..', '..');
const artifacts = join(repo, 'client', 'test', 'e2e', 'screenshots-last-run');
const python = process.env.TORCHLINT_PYTHON ?? join(repo, '.venv', 'bin', 'python');
const codeServerBin = required('CODE_SERVER');
const vsix = process.env.TORCHLINT_VSIX ?? newestVsix();
// TL103's fix may change behaviour (weight_decay becomes decoupled): its title says so.
const QUICK_FIX = 'torchlint (TL103): Replace Adam with AdamW (unsafe)';

function required(name: string): string {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set: run the end-to-end test through .ci/e2e.sh`);
    }
    return value;
}

function newestVsix(): string {
    const packages = readdirSync(repo).filter((name) => /^torchlint-.*\.vsix$/.test(name));
    assert.ok(packages.length > 0, 'no torchlint-*.vsix: run `npx @vscode/vsce package` first');
    return join(repo, packages.sort().at(-1)!);
}

/** What the CLI finds in `target` (a file or a folder), by severity: the editor must show the same. */
function expectedCounts(target: string): Record<string, number> {
    const output = execFileSync(python, ['-m', 'torchlint', 'check', '--format', 'json', '--exit-zero', target], { encoding: 'utf8' });
    const counts: Record<string, number> = { error: 0, warning: 0, info: 0 };
    for (const finding of JSON.parse(output) as { severity: string }[]) {
        counts[finding.severity] += 1;
    }
    return counts;
}

/** The CLI's `--fix` on a copy of the legacy script: what fix-all on save must write. */
function fixedByCli(scratch: string): string {
    const copy = join(scratch, 'expected.py');
    copyFileSync(join(scratch, 'project', FILES.fixOnSave), copy);
    execFileSync(python, ['-m', 'torchlint', 'check', '--fix', '--exit-zero', copy], { stdio: 'pipe' });
    return readFileSync(copy, 'utf8');
}

function problemCounts(label: string): Record<string, number> {
    const count = (kind: string) => Number(new RegExp(`${kind}: (\\d+)`, 'i').exec(label)?.[1] ?? 0);
    return { error: count('errors'), warning: count('warnings'), info: count('infos') };
}

const userSettings = {
    'torchlint.interpreter': python,
    'torchlint.ignore': ['TL105'],
    'editor.codeActionsOnSave': { 'source.fixAll.torchlint': 'explicit' },
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'extensions.ignoreRecommendations': true,
    'files.autoSave': 'off',
    'editor.minimap.enabled': false,
    'git.enabled': false,
};

describe('torchlint in VS Code', { timeout: 300_000 }, () => {
    const dirs = folders(mkdtempSync(join(tmpdir(), 'torchlint-e2e-')));
    let server: CodeServer;
    let browser: Browser;
    let workbench: Workbench;
    let failed = false;

    /** One step of the test; a failing step leaves a screenshot named after it. */
    function step(name: string, body: (t: TestContext) => Promise<void>): void {
        it(name, async (t) => {
            try {
                await body(t);
            } catch (error) {
                failed = true;
                await workbench?.screenshot(join(artifacts, `failed-${name.replace(/\W+/g, '-')}.png`)).catch(() => undefined);
                throw error;
            }
        });
    }

    before(async () => {
        rmSync(artifacts, { recursive: true, force: true });
        mkdirSync(artifacts, { recursive: true });
        writeProject(dirs.project);
        writeUserSettings(dirs, userSettings);
        installExtension(codeServerBin, dirs, vsix);
        server = await CodeServer.start(codeServerBin, dirs);
        browser = await launchBrowser(process.env.CHROMIUM ?? '/usr/bin/chromium');
        const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
        workbench = new Workbench(page);
        await workbench.open(server.url, dirs.project);
    });

    after(async () => {
        await browser?.close();
        await server?.stop();
        if (failed || process.env.TORCHLINT_E2E_KEEP_LOGS) {
            keepLogs(dirs, join(artifacts, 'logs'));
            console.log(`screenshots and logs: ${artifacts}`);
        }
        rmSync(dirs.root, { recursive: true, force: true });
    });

    step('shows squiggles and the Problems count of the open file only (diagnosticsScope openFiles)', async () => {
        await workbench.openFile(FILES.legacy);
        await until(async () => (await workbench.squiggles().count()) > 0, 60_000, 'torchlint squiggles appear');
        const expected = expectedCounts(join(dirs.project, FILES.legacy));
        await until(async () => {
            const shown = problemCounts(await workbench.problems());
            return shown.error === expected.error && shown.warning === expected.warning;
        }, 30_000, `the Problems count shows ${JSON.stringify(expected)}`);
    });

    step('diagnosticsScope workspace shows the whole folder in the Problems count', async () => {
        const whole = expectedCounts(dirs.project);
        assert.ok(whole.warning > expectedCounts(join(dirs.project, FILES.legacy)).warning, 'the other files add findings');
        const notebook = expectedCounts(join(dirs.project, NOTEBOOK.name));
        assert.ok(notebook.error > 0 && notebook.warning > 0, `the notebook adds findings of its own: ${JSON.stringify(notebook)}`);
        writeWorkspaceSettings(dirs, { 'torchlint.diagnosticsScope': 'workspace' });
        await until(async () => torchlintLog(dirs.userData).includes('torchlint.diagnosticsScope changed'), 20_000, 'the server restarts for the new scope');
        await until(async () => {
            const shown = problemCounts(await workbench.problems());
            return shown.error === whole.error && shown.warning === whole.warning;
        }, 60_000, `the Problems count shows the folder's ${JSON.stringify(whole)}`);
        // Back to the default, so that the later steps see one file's findings and no restart.
        const restarts = scopeRestarts(dirs.userData).length;
        writeWorkspaceSettings(dirs, {});
        await until(async () => {
            const logged = scopeRestarts(dirs.userData);
            return logged.length > restarts && logged.at(-1)!.includes('server running');
        }, 20_000, 'the server restarts with the open-files scope');
    });

    step('hover on a finding shows a short entry with a link to the rule', async () => {
        await workbench.goTo(ADAM.line, ADAM.column);
        await workbench.page.keyboard.press('Control+K');
        await workbench.page.keyboard.press('Control+I');
        const hover = workbench.page.locator('.monaco-hover:visible', { hasText: 'Full rule' });
        await hover.waitFor({ timeout: 15_000 });
        const text = await hover.innerText();
        assert.match(text, /AdamW/);
        assert.match(text, /TL103 adam-not-adamw: Use torch\.optim\.AdamW/);
        assert.match(text, /Fix: Replace Adam with AdamW \(unsafe fix\)/);
        assert.doesNotMatch(text, /Why is this bad\?/);
        await workbench.screenshot(join(artifacts, 'editor-diagnostic.png'));
        await workbench.page.keyboard.press('Escape');
    });

    step('a quick fix from Ctrl+. changes the file', async () => {
        await workbench.goTo(ADAM.line, ADAM.column);
        await workbench.page.keyboard.press('Control+Period');
        const fix = workbench.page.locator('.action-widget', { hasText: QUICK_FIX }).locator('.monaco-list-row', { hasText: QUICK_FIX });
        await fix.first().click();
        await until(async () => (await workbench.editorText()).includes('torch.optim.AdamW(model.parameters()'), 15_000, 'Adam becomes AdamW in the editor');
    });

    step('fix-all runs on save (editor.codeActionsOnSave)', async () => {
        const expected = fixedByCli(dirs.root);
        assert.notEqual(expected, LEGACY_SCRIPT);
        await workbench.openFile(FILES.fixOnSave);
        await until(async () => (await workbench.squiggles().count()) > 0, 30_000, 'the file is checked');
        await workbench.page.keyboard.press('Control+S');
        const onDisk = join(dirs.project, FILES.fixOnSave);
        await until(async () => readFileSync(onDisk, 'utf8') !== LEGACY_SCRIPT, 20_000, 'the saved file changes');
        assert.equal(readFileSync(onDisk, 'utf8'), expected);
    });

    step('torchlint: Fix All applies the safe fixes in the editor', async () => {
        await workbench.openFile(FILES.fixAll);
        await until(async () => (await workbench.squiggles().count()) > 0, 30_000, 'the file is checked');
        await workbench.command('torchlint: Fix All');
        await until(async () => !(await workbench.editorText()).includes('Variable('), 15_000, 'Variable(...) is gone');
        assert.match(await workbench.editorText(), /pin_memory=True/);
    });

    step('a notebook cell gets squiggles, a quick fix and fix-all', async () => {
        await workbench.openFile(NOTEBOOK.name);
        const cells = workbench.notebookCells();
        await until(async () => (await cells.count()) === NOTEBOOK.cells.length, 30_000, 'both cells are shown');
        const squiggles = (cell: number) => cells.nth(cell).locator('.squiggly-error, .squiggly-warning, .squiggly-info');
        await until(async () => (await squiggles(0).count()) > 0 && (await squiggles(1).count()) > 0, 60_000, 'torchlint squiggles appear in both cells');
        await workbench.screenshot(join(artifacts, 'notebook-cell-diagnostics.png'));

        // The cell's one squiggle is TL103's, under torch.optim.Adam: a click on it puts the cursor in
        // its range (forced: the text above the decoration takes the click, as it should).
        await squiggles(0).first().click({ force: true });
        await workbench.page.keyboard.press('Control+Period');
        const fix = workbench.page.locator('.action-widget', { hasText: QUICK_FIX }).locator('.monaco-list-row', { hasText: QUICK_FIX });
        await fix.first().click();
        await until(async () => (await cells.nth(0).innerText()).includes('AdamW'), 15_000, 'Adam becomes AdamW in the cell');

        await cells.nth(1).locator('.view-line').first().click();
        await workbench.command('torchlint: Fix All');
        await until(async () => !(await cells.nth(1).innerText()).includes('Variable('), 15_000, 'Variable(...) is gone from the second cell');
        assert.match((await cells.nth(1).innerText()).replace(/\u00a0/g, ' '), /x = torch\.ones\(1\)/);
    });

    step('a snippet is inserted by its prefix', async () => {
        await workbench.openFile(FILES.snippet);
        await workbench.page.keyboard.press('Control+End');
        await workbench.page.keyboard.type('tl-seed-everything', { delay: 20 });
        const item = workbench.page.locator('.suggest-widget .monaco-list-row', { hasText: 'tl-seed-everything' });
        await until(async () => (await item.count()) > 0 || (await workbench.page.keyboard.press('Control+Space'), false), 15_000, 'the snippet is suggested');
        await item.first().click();
        await until(async () => (await workbench.editorText()).includes('def seed_everything(seed: int) -> None:'), 10_000, 'the snippet body is in the editor');
        assert.match(await workbench.editorText(), /torch\.cuda\.manual_seed_all\(seed\)/);
        await workbench.page.keyboard.press('Escape');
    });

    step('the language status shows the server, its interpreter and the rules', async () => {
        await workbench.openFile(FILES.legacy);
        await workbench.page.locator('#status\\.languageStatus').click();
        const status = workbench.page.locator('.monaco-hover:visible', { hasText: 'torchlint running' });
        await status.waitFor({ timeout: 10_000 });
        const text = await status.innerText();
        assert.match(text, /torchlint running, \d+ rules/);
        assert.ok(text.includes(`${python} (from setting)`), text);
        await workbench.page.keyboard.press('Escape');
    });

    step('torchlint: Show Effective Settings shows what the server applies', async () => {
        await workbench.openFile(FILES.legacy);
        await workbench.command('torchlint: Show Effective Settings');
        await workbench.page.locator('.tab.active[data-resource-name="effective settings.json"]').waitFor({ timeout: 15_000 });
        await until(async () => /"editorSettings"/.test(await workbench.editorText()), 10_000, 'the settings are shown');
        assert.match((await workbench.editorText()).replace(/\s+/g, ' '), /"ignore": \[ "TL105" \]/);
        await workbench.closeEditor();
    });

    step('the code lens "Smoke-run (5 steps)" runs the script and shows its report', async () => {
        await workbench.openFile(FILES.smoke);
        const lens = workbench.codeLens('Smoke-run (5 steps)');
        await lens.first().waitFor({ timeout: 30_000 });
        await lens.first().click();
        const report = await workbench.webviewText(/torchlint smoke run: passed/, 120_000);
        assertSmokeReport(report);
        await workbench.page.locator('.notifications-toasts', { hasText: 'torchlint: smoke run passed: 5 of 5 steps ran' }).waitFor({ timeout: 10_000 });
        await workbench.screenshot(join(artifacts, 'smoke-run-report.png'));
        await workbench.closeEditor();
    });

    step('torchlint: Smoke-Run This File runs the active script', async () => {
        await workbench.openFile(FILES.smoke);
        await workbench.command('torchlint: Smoke-Run This File');
        assertSmokeReport(await workbench.webviewText(/torchlint smoke run: passed/, 120_000));
        await workbench.closeEditor();
    });

    step('torchlint: Run GPU Check shows the report the server renders as a preview', async () => {
        await workbench.command('torchlint: Run GPU Check');
        const report = await workbench.webviewText(/GPU check passed on cpu/, 150_000);
        assert.match(report, /Versions/);
        assert.match(report, /torch\s+2\.13\.0/);
        assert.match(report, /Training steps/);
        assert.equal(report.match(/^\d+\s+[\d.]+\s+[\d.e+-]+\s+[\d.]+ ms\s+pass$/gm)?.length, 5, report);
        assert.doesNotMatch(report, /\|/, 'the Markdown is rendered, not shown as source');
        const summary = workbench.page.locator('.notifications-toasts', { hasText: 'torchlint: GPU check passed on cpu' });
        await summary.waitFor({ timeout: 10_000 });
        await workbench.screenshot(join(artifacts, 'gpu-check-report.png'));
        await workbench.closeEditor();
    });

    step('the GPU check can be cancelled from its progress notification', async () => {
        // Enough steps to be still running when Cancel is clicked.
        const changes = settingsChanges(dirs.userData);
        writeWorkspaceSettings(dirs, { 'torchlint.gpuCheck.steps': 5000 });
        await until(async () => settingsChanges(dirs.userData) > changes, 15_000, 'the extension sees the new setting');
        await workbench.command('torchlint: Run GPU Check');
        const cancel = workbench.page.getByRole('button', { name: 'Cancel' });
        const progress = workbench.page.locator('.notifications-toasts .notification-toast', { hasText: 'torchlint GPU check' }).filter({ has: cancel });
        await progress.waitFor({ timeout: 15_000 });
        await progress.hover();
        await progress.locator(cancel).click();
        await workbench.page.locator('.notifications-toasts', { hasText: 'torchlint: GPU check cancelled.' }).waitFor({ timeout: 15_000 });
    });

    step('torchlint: Restart Server starts a server that checks edits', async () => {
        await workbench.openFile(FILES.legacy);
        await workbench.command('torchlint: Restart Server');
        await until(() => restartLogged(dirs.userData), 20_000, 'the log shows the restart and the new server');
        // By now the session has had restarts and many requests VS Code cancelled: the log stays quiet.
        await until(async () => /\[info\] Server process exited with code 0/.test(torchlintLog(dirs.userData)), 10_000, "the stopped server's exit is logged as info");
        const log = torchlintLog(dirs.userData);
        assert.doesNotMatch(log, /unknown setting/);
        assert.doesNotMatch(log, /Cancel notification for unknown message id/);
        assert.doesNotMatch(log, /\[error\][^\n]*Server process exited/);
        assert.doesNotMatch(log, /Traceback|Exception in thread/);
        const before = await steadyProblems(workbench);
        // Undo the quick fix: the new server must report Adam again.
        await workbench.page.keyboard.press('Control+Z');
        await until(async () => (await workbench.editorText()).includes('torch.optim.Adam(model.parameters()'), 10_000, 'the quick fix is undone');
        await until(async () => {
            const shown = problemCounts(await workbench.problems());
            return shown.warning === before.warning + 1 && shown.error === before.error;
        }, 30_000, `the restarted server reports the undone Adam (one more warning than ${JSON.stringify(before)})`);
    });

    step('a new interpreter restarts the server; without torch the GPU check says how to install it', async (t) => {
        const bare = process.env.PYTHON_WITHOUT_TORCH ?? '/usr/bin/python3';
        if (!existsSync(bare) || spawnSync(bare, ['-c', 'import torch']).status === 0) {
            t.skip(`${bare} is missing or has torch`);
            return;
        }
        writeWorkspaceSettings(dirs, { 'torchlint.interpreter': bare });
        await until(async () => torchlintLog(dirs.userData).includes(`server: ${bare} -m torchlint server`), 20_000, 'the server restarts with the new interpreter');
        await until(async () => /torchlint\.interpreter changed[\s\S]*server running/.test(torchlintLog(dirs.userData)), 20_000, 'the new server runs');
        await workbench.command('torchlint: Run GPU Check');
        const message = workbench.page.locator('.notifications-toasts .notification-toast', { hasText: `torch is not installed in ${bare}` });
        await message.waitFor({ timeout: 60_000 });
        assert.match(await message.innerText(), new RegExp(`${bare} -m pip install torch`));
        await message.hover();
        await message.getByRole('button', { name: 'Copy Install Command' }).waitFor({ timeout: 5_000 });
        const select = message.getByRole('button', { name: 'Select Interpreter' });
        await workbench.screenshot(join(artifacts, 'gpu-check-without-torch.png'));
        // torchlint.interpreter names the interpreter here, so the button opens that setting.
        await select.click();
        await workbench.page.locator('.settings-editor').waitFor({ timeout: 15_000 });
        await until(async () => (await workbench.page.locator('.settings-editor .setting-item-contents', { hasText: 'torchlint' }).count()) > 0, 10_000, 'the settings editor shows torchlint.interpreter');
    });
});

/** The smoke run's report of the fixture script, as its rendered preview reads. */
function assertSmokeReport(report: string): void {
    assert.match(report, /train_smoke\.py · 5 of 5 steps ran · cpu/);
    assert.match(report, /Steps/);
    const steps = report.split('\n').filter((line) => /^(1 \(warmup\)|[2-5])\t/.test(line));
    assert.equal(steps.length, 5, report);
    assert.match(report, /TL101: autocast was off in every step/);
}

/** Settings of the project folder: VS Code sees changes to them (it does not watch the user settings file). */
function writeWorkspaceSettings(dirs: Folders, settings: Record<string, unknown>): void {
    mkdirSync(join(dirs.project, '.vscode'), { recursive: true });
    writeFileSync(join(dirs.project, '.vscode', 'settings.json'), JSON.stringify(settings));
}

/** The Problems count once it has not changed for a second (and is not empty). */
async function steadyProblems(workbench: Workbench): Promise<Record<string, number>> {
    let last = '';
    let since = Date.now();
    const label = await until(async () => {
        const current = await workbench.problems();
        if (current !== last) {
            [last, since] = [current, Date.now()];
        }
        return Date.now() - since > 1000 && problemCounts(current).warning > 0 && current;
    }, 30_000, 'the Problems count settles');
    return problemCounts(label);
}

/** The torchlint log of the extension host (VS Code writes it under the user data folder). */
function torchlintLog(userData: string): string {
    const logs = join(userData, 'logs');
    const files = existsSync(logs) ? findFiles(logs, join('torchlint.torchlint', 'torchlint.log')) : [];
    return files.map((file) => readFileSync(file, 'utf8')).join('\n');
}

/** The log after each restart for a new diagnosticsScope. */
function scopeRestarts(userData: string): string[] {
    return torchlintLog(userData).split('torchlint.diagnosticsScope changed').slice(1);
}

function settingsChanges(userData: string): number {
    return torchlintLog(userData).split('torchlint settings changed').length - 1;
}

/** The log shows a restart followed by a running server. */
async function restartLogged(userData: string): Promise<boolean> {
    return /restarting the server[\s\S]*server running/.test(torchlintLog(userData));
}
