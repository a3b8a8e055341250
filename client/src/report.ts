/**
 * What the client reads of `torchlint.gpuCheck`'s answer. The server renders the report (its
 * Markdown and one-line summary); the client shows them, and reads the report only to tell a
 * cancelled check and a missing torch from the others.
 */

export interface GpuCheckReport {
    ok: boolean;
    error?: string;
    training?: unknown;
}

export interface GpuCheckResult {
    report: GpuCheckReport;
    markdown: string;
    summary: string;
}

const MISSING_TORCH = /torch is not installed/i;
const CANCELLED = /was cancelled/i;

/** The report of a check the user cancelled (from the server's progress notification). */
export function wasCancelled(report: GpuCheckReport): boolean {
    return !report.ok && !report.training && CANCELLED.test(report.error ?? '');
}

/** The command that installs torch into `python`, when the report says it is missing. */
export function torchInstallCommand(report: GpuCheckReport, python: string): string | undefined {
    return !report.ok && MISSING_TORCH.test(report.error ?? '') ? `${quote(python)} -m pip install torch` : undefined;
}

function quote(file: string): string {
    return /^[\w@%+=:,./-]+$/.test(file) ? file : `"${file}"`;
}
