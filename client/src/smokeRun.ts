/**
 * `torchlint: Smoke-Run This File` (and the code lens "Smoke-run (5 steps)"): the server's
 * `torchlint.smokeRun` on the saved file, with a cancellable progress notification and the
 * report the server renders shown as a Markdown preview. It runs the user's code: trusted
 * workspaces only.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VirtualDocuments } from './documents';
import { errorText } from './interpreter';
import { executeWithProgress } from './progressRequest';
import type { Server } from './server';
import { previewName, SMOKE_RUN, smokeArgument, SmokeResult, smokeSummary } from './smoke';

export async function runSmokeRun(server: Server, documents: VirtualDocuments, log: vscode.LogOutputChannel, target?: vscode.Uri): Promise<void> {
    if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('torchlint: the smoke run runs your script, so it needs a trusted workspace.');
        return;
    }
    const uri = target ?? vscode.window.activeTextEditor?.document.uri;
    const document = uri && vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString());
    if (!uri || uri.scheme !== 'file' || (document && document.languageId !== 'python')) {
        void vscode.window.showInformationMessage('torchlint: open a Python script saved on disk to smoke-run it.');
        return;
    }
    const python = server.interpreter?.path;
    if (!python || server.status.state !== 'running') {
        void vscode.window.showErrorMessage('torchlint: the server is not running, so the smoke run cannot start. See torchlint: Show Logs.');
        return;
    }
    if (document?.isDirty) {
        await document.save();  // the script runs from disk
    }
    const argument = smokeArgument(uri.toString(), python, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
    log.info(`smoke run: ${JSON.stringify(argument)}`);
    let result: SmokeResult | undefined;
    try {
        result = await executeWithProgress<SmokeResult>(server, SMOKE_RUN, argument, `torchlint: smoke-running ${path.basename(uri.fsPath)}`);
    } catch (error) {
        void vscode.window.showErrorMessage(`torchlint: the smoke run failed: ${errorText(error)}`);
        return;
    }
    if (result === undefined) {
        log.info('smoke run cancelled');
        void vscode.window.showInformationMessage('torchlint: smoke run cancelled.');
        return;
    }
    log.info(`smoke run: ${result.report.summary}`);
    await documents.preview(previewName(uri.fsPath), result.markdown);
    if (result.report.ok) {
        void vscode.window.showInformationMessage(smokeSummary(result));
    } else {
        void vscode.window.showErrorMessage(smokeSummary(result));
    }
}
