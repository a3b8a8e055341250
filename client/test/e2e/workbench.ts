/**
 * A real VS Code for the end-to-end test: code-server from npm, driven through Debian's chromium
 * with playwright-core. The workbench selectors are VS Code internals: re-check them when
 * code-server is updated.
 */

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';

export interface Folders {
    root: string;
    userData: string;
    extensions: string;
    project: string;
    xdg: string;
}

export function folders(root: string): Folders {
    return {
        root,
        userData: join(root, 'user-data'),
        extensions: join(root, 'extensions'),
        project: join(root, 'project'),
        xdg: join(root, 'xdg'),
    };
}

function environment(dirs: Folders): NodeJS.ProcessEnv {
    return { ...process.env, XDG_CONFIG_HOME: join(dirs.xdg, 'config'), XDG_DATA_HOME: join(dirs.xdg, 'data') };
}

export function writeUserSettings(dirs: Folders, settings: Record<string, unknown>): void {
    mkdirSync(join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

export function installExtension(codeServer: string, dirs: Folders, vsix: string): void {
    execFileSync(codeServer, ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], {
        env: environment(dirs),
        stdio: 'pipe',
    });
}

/** code-server in a process group of its own, so stopping it also stops the extension host and the server. */
export class CodeServer {
    private constructor(
        private readonly process: ChildProcess,
        readonly url: string,
    ) {}

    static async start(codeServer: string, dirs: Folders): Promise<CodeServer> {
        const port = await freePort();
        const log = openSync(join(dirs.root, 'code-server.log'), 'a');
        const child = spawn(
            codeServer,
            [
                '--bind-addr', `127.0.0.1:${port}`,
                '--auth', 'none',
                '--disable-telemetry',
                '--disable-update-check',
                '--disable-workspace-trust',
                '--reconnection-grace-time', '30',
                '--user-data-dir', dirs.userData,
                '--extensions-dir', dirs.extensions,
                dirs.project,
            ],
            { detached: true, stdio: ['ignore', log, log], env: environment(dirs) },
        );
        const url = `http://127.0.0.1:${port}`;
        await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true, 30_000, 'code-server answers /healthz');
        return new CodeServer(child, url);
    }

    async stop(): Promise<void> {
        const group = -this.process.pid!;
        const exited = new Promise((resolve) => this.process.once('exit', resolve));
        try {
            process.kill(group, 'SIGTERM');
        } catch {
            return;
        }
        const timeout = new Promise((resolve) => setTimeout(resolve, 5000));
        if ((await Promise.race([exited.then(() => 'exited'), timeout])) !== 'exited') {
            try {
                process.kill(group, 'SIGKILL');
            } catch {
                // Already gone.
            }
        }
    }
}

export async function launchBrowser(executablePath: string): Promise<Browser> {
    return chromium.launch({
        executablePath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
}

/** The workbench of one browser page. */
export class Workbench {
    constructor(readonly page: Page) {}

    async open(url: string, folder: string): Promise<void> {
        await this.page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
        await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await this.page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
    }

    /** Runs a command from the command palette by its title. */
    async command(title: string): Promise<void> {
        await this.page.keyboard.press('F1');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(`>${title}`);
        await this.pick(title);
    }

    async openFile(name: string): Promise<void> {
        await this.page.keyboard.press('Control+P');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(name);
        await this.pick(name);
        await this.page.locator(`.tab.active[data-resource-name="${name}"]`).first().waitFor();
        if (name.endsWith('.ipynb')) {
            await this.notebookCells().first().locator('.view-lines').waitFor();
        } else {
            await this.activeEditor().locator('.view-lines').waitFor();
        }
    }

    /** The cell editors of the active notebook, in order. */
    notebookCells(): Locator {
        // The notebook editor is an overlay outside the editor group's element.
        return this.page.locator('.notebook-editor .cell-editor-container .monaco-editor');
    }

    /** The code lens of the active editor whose title is `title`. */
    codeLens(title: string): Locator {
        return this.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: title });
    }

    /**
     * The text of the webview (a Markdown preview) whose text matches `pattern`, once one does. A
     * webview is a frame of its own, so its text is read from the frames of the page.
     */
    async webviewText(pattern: RegExp, timeoutMs: number): Promise<string> {
        return until(async () => {
            for (const frame of this.page.frames().filter((frame) => frame !== this.page.mainFrame())) {
                const text = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
                if (pattern.test(text)) {
                    return text;
                }
            }
            return undefined;
        }, timeoutMs, `a webview shows ${pattern}`);
    }

    /** Picks the row of the quick input whose label is exactly `label`. */
    private async pick(label: string): Promise<void> {
        const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
        const name = this.page.locator('.label-name', { hasText: exact });
        await this.page.locator('.quick-input-list .monaco-list-row').filter({ has: name }).first().click();
        await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    }

    /** Closes the active editor (View: Close Editor). */
    async closeEditor(): Promise<void> {
        const tabs = this.page.locator('.tab');
        const open = await tabs.count();
        await this.command('View: Close Editor');
        await until(async () => (await tabs.count()) < open, 5_000, 'the editor is closed');
    }

    /** Places the cursor with Go to Line (1-based line and column). */
    async goTo(line: number, column: number): Promise<void> {
        await this.page.keyboard.press('Control+G');
        const input = this.page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(`:${line}:${column}`);
        await this.page.keyboard.press('Enter');
        await input.waitFor({ state: 'hidden' });
    }

    activeEditor(): Locator {
        return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
    }

    /** The text of the active editor, as far as it is rendered (the test files fit the window). */
    async editorText(): Promise<string> {
        const lines = this.activeEditor().locator('.view-lines .view-line');
        const rendered = await lines.evaluateAll((nodes) =>
            nodes.map((node) => ({ top: parseFloat(/top:\s*(-?[\d.]+)px/.exec(node.getAttribute('style') ?? '')?.[1] ?? '0'), text: node.textContent ?? '' })),
        );
        return rendered
            .sort((a, b) => a.top - b.top)
            .map((line) => line.text.replace(/\u00a0/g, ' '))
            .join('\n');
    }

    squiggles(): Locator {
        return this.activeEditor().locator('.squiggly-error, .squiggly-warning, .squiggly-info');
    }

    /** The Problems item of the status bar, like "Errors: 1, Warnings: 8, Infos: 3". */
    async problems(): Promise<string> {
        const item = this.page.locator('#status\\.problems');
        return (await item.getAttribute('aria-label')) ?? (await item.innerText());
    }

    async screenshot(file: string): Promise<void> {
        await this.page.screenshot({ path: file });
    }
}

export async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value) {
                return value;
            }
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${last ? ` (${String(last)})` : ''}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
}

/** Copies code-server's logs (extension host and torchlint's log included) to `target`. */
export function keepLogs(dirs: Folders, target: string): void {
    mkdirSync(target, { recursive: true });
    cpSync(join(dirs.userData, 'logs'), join(target, 'logs'), { recursive: true });
    cpSync(join(dirs.root, 'code-server.log'), join(target, 'code-server.log'));
}

/** Every file under `folder` whose path contains `part`. */
export function findFiles(folder: string, part: string): string[] {
    const found: string[] = [];
    for (const name of readdirSync(folder)) {
        const file = join(folder, name);
        if (statSync(file).isDirectory()) {
            found.push(...findFiles(file, part));
        } else if (file.includes(part)) {
            found.push(file);
        }
    }
    return found;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
        });
    });
}
