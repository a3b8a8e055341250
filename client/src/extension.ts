/** Entry point: wires the server, the status item, the commands and the settings together. */

import * as vscode from 'vscode';
import { SCHEME, VirtualDocuments } from './documents';
import { fixAll } from './fixAll';
import { runGpuCheck } from './gpuCheck';
import { errorText } from './interpreter';
import { onActiveEnvironmentChange } from './pythonExtension';
import { Server } from './server';
import { clientSettings, RESTART_SETTINGS, SECTION } from './settings';
import { SMOKE_RUN_FILE } from './smoke';
import { runSmokeRun } from './smokeRun';
import { SHOW_SETTINGS, StatusItem } from './status';

let running: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const log = vscode.window.createOutputChannel('torchlint', { log: true });
    const server = new Server(context, log);
    running = server;
    const status = new StatusItem();
    const documents = new VirtualDocuments();
    const refreshRules = () => void status.refreshRules(server);

    context.subscriptions.push(
        log,
        status,
        documents,
        vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
        server.onDidChangeStatus((current) => {
            status.setStatus(current);
            refreshRules();
        }),
        vscode.commands.registerCommand('torchlint.runGpuCheck', () => runGpuCheck(server, documents, log)),
        vscode.commands.registerCommand(SMOKE_RUN_FILE, (uri?: vscode.Uri) => runSmokeRun(server, documents, log, uri)),
        vscode.commands.registerCommand('torchlint.restart', () => server.restart('torchlint: Restart Server')),
        vscode.commands.registerCommand('torchlint.fixAll', () => fixAll(vscode.window.activeTextEditor)),
        vscode.commands.registerCommand('torchlint.showLogs', () => log.show()),
        vscode.commands.registerCommand('torchlint.showSettings', () => showEffectiveSettings(server, documents)),
        vscode.workspace.onDidChangeConfiguration((event) => {
            const changed = RESTART_SETTINGS.find((key) => event.affectsConfiguration(key));
            if (changed) {
                void server.restart(`${changed} changed`);
            } else if (event.affectsConfiguration(SECTION)) {
                log.info('torchlint settings changed');
                refreshRules();
            }
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => server.restart('the workspace is trusted now')),
        vscode.window.onDidChangeActiveTextEditor(refreshRules),
    );
    const environmentChanges = await onActiveEnvironmentChange(() => {
        if (!clientSettings(vscode.workspace.getConfiguration(SECTION)).interpreter) {
            void server.restart("the Python extension's active environment changed");
        }
    });
    if (environmentChanges) {
        context.subscriptions.push(environmentChanges);
    }
    void server.restart('activation');
}

/** Stops the server; everything else is disposed of through the extension context. */
export function deactivate(): Promise<void> | undefined {
    return running?.dispose();
}

async function showEffectiveSettings(server: Server, documents: VirtualDocuments): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.languageId !== 'python') {
        void vscode.window.showInformationMessage('torchlint: open a Python file to see the settings that apply to it.');
        return;
    }
    try {
        const settings = await server.execute(SHOW_SETTINGS, [document.uri.toString()]);
        await documents.show('effective settings.json', `${JSON.stringify(settings, null, 2)}\n`);
    } catch (error) {
        void vscode.window.showErrorMessage(`torchlint: ${errorText(error)}`);
    }
}
