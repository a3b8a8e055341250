/**
 * The GPU check's JSON report (`server/torchlint/gpu_check/smoke.py`, or the runner's failure
 * object) rendered as Markdown for the report view, and as a one-line summary.
 */

export interface StepRecord {
    step: number;
    loss: number;
    lr: number;
    seconds: number;
    passed: boolean;
}

export interface DeviceInfo {
    index: number;
    name: string;
    capability: string;
    memory_gib: number;
    bf16: boolean;
    fp16: boolean;
    tf32: boolean;
}

export interface GpuCheckReport {
    ok: boolean;
    error?: string;
    log?: string;
    python_executable?: string;
    device?: string;
    dtype?: string;
    notes?: string[];
    environment?: {
        python: string;
        platform?: string;
        torch: string;
        cuda_runtime: string | null;
        cudnn: number | string | null;
        nvidia_driver: string | null;
        accelerate?: string | null;
        accelerate_config?: { mixed_precision?: string; num_processes?: number } | null;
    };
    devices?: DeviceInfo[];
    training?: {
        steps: StepRecord[];
        step_time_ms: number;
        peak_memory_mib: number | null;
        loss_finite: boolean;
    };
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

export function summarize(report: GpuCheckReport): string {
    const training = report.training;
    if (!training) {
        return `torchlint GPU check failed: ${report.error ?? 'unknown error'}`;
    }
    const passed = training.steps.filter((step) => step.passed).length;
    const verdict = report.ok ? 'passed' : 'FAILED';
    return `torchlint GPU check ${verdict} on ${report.device} with ${report.dtype}: ${passed}/${training.steps.length} steps, ${ms(training.step_time_ms)} per step`;
}

export function renderReport(report: GpuCheckReport): string {
    return (report.training && report.environment ? passedOrFailedRun(report) : failure(report)).join('\n') + '\n';
}

function failure(report: GpuCheckReport): string[] {
    const lines = ['# torchlint GPU check: failed', '', report.error ?? 'unknown error', ''];
    lines.push(...table(['setting', 'value'], [
        ['interpreter', report.python_executable ?? 'unknown'],
        ['device', report.device ?? 'auto'],
        ['dtype', report.dtype ?? 'auto'],
    ]));
    if (report.log) {
        lines.push('', '## Log', '', '```', report.log, '```');
    }
    return lines;
}

function passedOrFailedRun(report: GpuCheckReport): string[] {
    const env = report.environment!;
    const training = report.training!;
    const passed = training.steps.filter((step) => step.passed).length;
    const lines = [
        `# torchlint GPU check: ${report.ok ? 'passed' : 'FAILED'}`,
        '',
        `${report.device} · ${report.dtype} · ${ms(training.step_time_ms)} per step (median) · ${passed} of ${training.steps.length} steps passed`,
        '',
        '## Versions',
        '',
        ...table(['component', 'version'], [
            ['Python', `${env.python} (${report.python_executable ?? 'unknown'})`],
            ['torch', env.torch],
            ['CUDA runtime', env.cuda_runtime ?? 'not available'],
            ['cuDNN', env.cudnn === null ? 'not available' : String(env.cudnn)],
            ['NVIDIA driver', env.nvidia_driver ?? 'n/a'],
            ['accelerate', accelerate(env)],
            ...(env.platform ? [['platform', env.platform]] : []),
        ]),
        '',
        '## Devices and dtype support',
        '',
        ...devices(report.devices ?? []),
        '',
        '## Training steps',
        '',
        ...table(['step', 'loss', 'learning rate', 'time', 'result'], training.steps.map((step) => [
            String(step.step),
            step.loss.toFixed(4),
            step.lr.toExponential(2),
            ms(step.seconds * 1000),
            step.passed ? 'pass' : 'FAIL',
        ])),
        '',
        `Step time ${ms(training.step_time_ms)} (median) · peak memory ${training.peak_memory_mib === null ? 'n/a (CPU)' : `${training.peak_memory_mib} MiB`} · loss finite: ${training.loss_finite ? 'yes' : 'NO'}`,
    ];
    const notes = report.notes ?? [];
    if (notes.length > 0) {
        lines.push('', '## Notes', '', ...notes.map((note) => `- ${note}`));
    }
    return lines;
}

function devices(found: DeviceInfo[]): string[] {
    if (found.length === 0) {
        return ['No CUDA device is visible to torch.'];
    }
    const yesNo = (value: boolean) => (value ? 'yes' : 'no');
    return table(['device', 'name', 'capability', 'memory', 'bf16', 'fp16', 'tf32'], found.map((device) => [
        `cuda:${device.index}`,
        device.name,
        device.capability,
        `${device.memory_gib} GiB`,
        yesNo(device.bf16),
        yesNo(device.fp16),
        yesNo(device.tf32),
    ]));
}

function accelerate(env: NonNullable<GpuCheckReport['environment']>): string {
    if (!env.accelerate) {
        return 'not installed';
    }
    const config = env.accelerate_config;
    return config ? `${env.accelerate} (mixed precision ${config.mixed_precision ?? 'unset'}, ${config.num_processes ?? 1} processes)` : `${env.accelerate} (no accelerate config)`;
}

/** A Markdown table whose columns are padded, so it reads as well in the editor as in a preview. */
export function table(header: string[], rows: string[][]): string[] {
    const escape = (cell: string) => cell.replaceAll('|', '\\|');
    const cells = [header, ...rows].map((row) => row.map(escape));
    const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => row[column].length)));
    const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
    return [line(cells[0]), line(widths.map((width) => '-'.repeat(width))), ...cells.slice(1).map(line)];
}

function ms(value: number): string {
    return `${value.toFixed(1)} ms`;
}

function quote(file: string): string {
    return /^[\w@%+=:,./-]+$/.test(file) ? file : `"${file}"`;
}
