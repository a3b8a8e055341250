/** The language status item of Python files: server state, interpreter, rules enabled. */

import * as vscode from 'vscode';
import type { Server, ServerStatus } from './server';

export const SHOW_SETTINGS = 'torchlint.showEffectiveSettings';

/** What `torchlint.showEffectiveSettings` answers, as far as the client reads it. */
export interface EffectiveSettings {
    enabledRules: string[];
}

const STATE_TEXT = {
    starting: 'starting',
    running: 'running',
    stopped: 'stopped',
    failed: 'failed to start',
} as const;

export class StatusItem implements vscode.Disposable {
    private readonly item = vscode.languages.createLanguageStatusItem('torchlint.status', { language: 'python' });
    private status: ServerStatus = { state: 'stopped' };
    private rules: number | undefined;

    constructor() {
        this.item.name = 'torchlint';
        this.item.command = { title: 'Show Logs', command: 'torchlint.showLogs' };
        this.render();
    }

    setStatus(status: ServerStatus): void {
        this.status = status;
        if (status.state !== 'running') {
            this.rules = undefined;
        }
        this.render();
    }

    /** The number of rules enabled for the active document, when known. */
    setRules(rules: number | undefined): void {
        this.rules = rules;
        this.render();
    }

    /** Asks the server how many rules apply to the active Python document. */
    async refreshRules(server: Server): Promise<void> {
        const document = vscode.window.activeTextEditor?.document;
        if (!document || document.languageId !== 'python' || server.status.state !== 'running') {
            return;
        }
        try {
            const settings = await server.execute<EffectiveSettings>(SHOW_SETTINGS, [document.uri.toString()]);
            this.setRules(settings.enabledRules.length);
        } catch {
            this.setRules(undefined);
        }
    }

    dispose(): void {
        this.item.dispose();
    }

    private render(): void {
        const { state, interpreter, detail } = this.status;
        const rules = this.rules === undefined ? '' : `, ${this.rules} rules`;
        this.item.text = `torchlint ${STATE_TEXT[state]}${rules}`;
        this.item.busy = state === 'starting';
        this.item.severity = state === 'running' || state === 'starting' ? vscode.LanguageStatusSeverity.Information : vscode.LanguageStatusSeverity.Error;
        const where = interpreter ? `${interpreter.path} (from ${interpreter.source})` : 'no interpreter';
        this.item.detail = detail ? `${where}: ${detail}` : where;
    }
}
