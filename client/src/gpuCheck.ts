/**
 * `torchlint: Run GPU Check`: the server's `torchlint.gpuCheck` in the user's interpreter, with a
 * cancellable progress notification, the report the server renders shown as a Markdown preview,
 * and its one-line summary.
 */

import * as vscode from 'vscode';
import type { VirtualDocuments } from './documents';
import { errorText } from './interpreter';
import { executeWithProgress } from './progressRequest';
import { GpuCheckResult, torchInstallCommand, wasCancelled } from './report';
import type { Server } from './server';
import { clientSettings, SECTION } from './settings';

export const GPU_CHECK = 'torchlint.gpuCheck';
export const REPORT_NAME = 'GPU check report.md';
const COPY_INSTALL = 'Copy Install Command';
const SELECT_INTERPRETER = 'Select Interpreter';

export async function runGpuCheck(server: Server, documents: VirtualDocuments, log: vscode.LogOutputChannel): Promise<void> {
    if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('torchlint: the GPU check runs code in your interpreter, so it needs a trusted workspace.');
        return;
    }
    const python = server.interpreter?.path;
    if (!python || server.status.state !== 'running') {
        void vscode.window.showErrorMessage('torchlint: the server is not running, so the GPU check cannot start. See torchlint: Show Logs.');
        return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    // The server validates the settings (a bad value falls back to its default).
    const argument = { ...clientSettings(vscode.workspace.getConfiguration(SECTION, folder)).gpuCheck, python };
    log.info(`GPU check: ${JSON.stringify(argument)}`);
    let result: GpuCheckResult | undefined;
    try {
        result = await executeWithProgress<GpuCheckResult>(server, GPU_CHECK, argument, 'torchlint GPU check');
    } catch (error) {
        void vscode.window.showErrorMessage(`torchlint: the GPU check failed: ${errorText(error)}`);
        return;
    }
    if (result === undefined || wasCancelled(result.report)) {
        log.info('GPU check cancelled');
        void vscode.window.showInformationMessage('torchlint: GPU check cancelled.');
        return;
    }
    log.info(`GPU check report: ${JSON.stringify(result.report)}`);
    const install = torchInstallCommand(result.report, python);
    if (install) {
        await offerTorch(install, python, server.interpreter?.source === 'setting');
        return;
    }
    await documents.preview(REPORT_NAME, result.markdown);
    if (result.report.ok) {
        void vscode.window.showInformationMessage(`torchlint: ${result.summary}`);
    } else {
        void vscode.window.showErrorMessage(`torchlint: ${result.summary}`);
    }
}

/** torch is missing from `python`: copy the command that installs it, or pick another interpreter. */
async function offerTorch(install: string, python: string, fromSetting: boolean): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
        `torchlint: torch is not installed in ${python}. Install it with: ${install}`,
        COPY_INSTALL,
        SELECT_INTERPRETER,
    );
    if (choice === COPY_INSTALL) {
        await vscode.env.clipboard.writeText(install);
    } else if (choice === SELECT_INTERPRETER) {
        await selectInterpreter(fromSetting);
    }
}

/**
 * The Python extension's interpreter picker, which torchlint follows while `torchlint.interpreter`
 * is empty; the setting itself when it names the interpreter or the Python extension is absent.
 */
async function selectInterpreter(fromSetting: boolean): Promise<void> {
    const commands = await vscode.commands.getCommands(true);
    if (!fromSetting && commands.includes('python.setInterpreter')) {
        await vscode.commands.executeCommand('python.setInterpreter');
    } else {
        await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.interpreter`);
    }
}
