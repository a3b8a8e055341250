/**
 * The smoke run's request and result: what `torchlint.smokeRun` is sent and answers. The server
 * renders the report's Markdown; the client only shows it.
 */

export const SMOKE_RUN = 'torchlint.smokeRun';
/** The client's command: the active file, or the `uri` of a code lens. */
export const SMOKE_RUN_FILE = 'torchlint.smokeRunFile';

/** The argument of `torchlint.smokeRun` (`executeWithProgress` adds the `workDoneToken`). */
export interface SmokeArgument {
    uri: string;
    python: string;
    cwd?: string;
}

export interface SmokeResult {
    report: { ok: boolean; outcome: string; summary: string; script: string };
    markdown: string;
}

/** The run of the script at `uri`, in `python`, from the workspace folder that holds it. */
export function smokeArgument(uri: string, python: string, folder: string | undefined): SmokeArgument {
    return folder ? { uri, python, cwd: folder } : { uri, python };
}

/** The `uri` in the arguments of the server's code lens (`[{uri}]`), if any. */
export function lensUri(args: unknown[]): string | undefined {
    const first = args[0];
    const uri = typeof first === 'object' && first !== null ? (first as { uri?: unknown }).uri : undefined;
    return typeof uri === 'string' ? uri : undefined;
}

/** The name of the preview: one per script, so runs of two scripts stay side by side. */
export function previewName(script: string): string {
    const base = script.split(/[\\/]/).pop() || 'script';
    return `smoke run of ${base}.md`;
}

/** The notification after a run. */
export function smokeSummary(result: SmokeResult): string {
    return `torchlint: ${result.report.summary}`;
}
