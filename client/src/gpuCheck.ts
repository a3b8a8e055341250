/**
 * `torchlint: Run GPU Check`: the server's `torchlint.gpuCheck` in the user's interpreter, with a
 * cancellable progress notification, the report in a read-only document and a one-line summary.
 */

import * as vscode from 'vscode';
import type { VirtualDocuments } from './documents';
import { errorText } from './interpreter';
import { executeWithProgress } from './progressRequest';
import { GpuCheckReport, renderReport, summarize, torchInstallCommand, wasCancelled } from './report';
import type { Server } from './server';
import { clientSettings, GpuCheckSettings, SECTION } from './settings';

export const GPU_CHECK = 'torchlint.gpuCheck';
export const REPORT_NAME = 'GPU check report.md';

/** The argument of `torchlint.gpuCheck` (`executeWithProgress` adds the `workDoneToken`). */
interface CheckOptions extends GpuCheckSettings {
    python: string;
}

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
    const options: CheckOptions = { python, ...clientSettings(vscode.workspace.getConfiguration(SECTION, folder)).gpuCheck };
    log.info(`GPU check: ${JSON.stringify(options)}`);
    const report = await executeWithProgress<GpuCheckReport>(server, GPU_CHECK, options, 'torchlint GPU check').then(
        undefined,
        (error: unknown): GpuCheckReport => ({ ok: false, error: errorText(error), python_executable: python, device: options.device, dtype: options.dtype }),
    );
    if (report === undefined || wasCancelled(report)) {
        log.info('GPU check cancelled');
        void vscode.window.showInformationMessage('torchlint: GPU check cancelled.');
        return;
    }
    log.info(`GPU check report: ${JSON.stringify(report)}`);
    await show(report, python, documents);
}

async function show(report: GpuCheckReport, python: string, documents: VirtualDocuments): Promise<void> {
    const install = torchInstallCommand(report, python);
    if (install) {
        const copy = 'Copy Install Command';
        const choice = await vscode.window.showErrorMessage(`torchlint: torch is not installed in ${python}. Install it with: ${install}`, copy);
        if (choice === copy) {
            await vscode.env.clipboard.writeText(install);
        }
        return;
    }
    await documents.show(REPORT_NAME, renderReport(report));
    const summary = summarize(report);
    if (report.ok) {
        void vscode.window.showInformationMessage(summary);
    } else {
        void vscode.window.showErrorMessage(summary);
    }
}
