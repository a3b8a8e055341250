/**
 * The `torchlint.*` settings: those the server reads (sent as `initializationOptions` and as the
 * answer to `workspace/configuration`) and those only the client uses.
 */

export const SECTION = 'torchlint';

/** Reads one key of the `torchlint` section, as `WorkspaceConfiguration.get` does. */
export interface SettingsReader {
    get<T>(key: string): T | undefined;
}

/** What the server knows (see `server/torchlint/lsp/settings.py`). */
export interface ServerSettings {
    select?: string[];
    ignore: string[];
    severity: Record<string, string>;
    targetTorch?: string;
    debounce: number;
    showSyntaxErrors: boolean;
    diagnosticsScope?: string;
}

export type ImportStrategy = 'useBundled' | 'fromEnvironment';
export type RunMode = 'onType' | 'onSave';

export interface GpuCheckSettings {
    device: string;
    dtype: string;
    steps: number;
    timeout: number;
}

/** What the client itself uses. */
export interface ClientSettings {
    interpreter: string;
    importStrategy: ImportStrategy;
    run: RunMode;
    fixAllOnSave: boolean;
    gpuCheck: GpuCheckSettings;
}

/** Settings whose change needs a new server process (the others reach the running one). */
export const RESTART_SETTINGS = ['interpreter', 'importStrategy', 'run', 'diagnosticsScope'].map((key) => `${SECTION}.${key}`);

export const DEFAULT_DEBOUNCE_MS = 150;

export function serverSettings(settings: SettingsReader): ServerSettings {
    const select = strings(settings.get('select'));
    const targetTorch = settings.get<unknown>('targetTorch');
    return {
        // An empty selection keeps the one of pyproject.toml.
        ...(select.length > 0 ? { select } : {}),
        ignore: strings(settings.get('ignore')),
        severity: severities(settings.get('severity')),
        // Empty: the server takes it from pyproject.toml or the project's torch requirement.
        ...(typeof targetTorch === 'string' && targetTorch.trim() !== '' ? { targetTorch: targetTorch.trim() } : {}),
        debounce: numberOr(settings.get('debounce'), DEFAULT_DEBOUNCE_MS),
        showSyntaxErrors: settings.get<boolean>('showSyntaxErrors') ?? true,
        // The server validates it, and reads it at initialize only (it decides the capabilities).
        ...(typeof settings.get('diagnosticsScope') === 'string' ? { diagnosticsScope: settings.get<string>('diagnosticsScope') } : {}),
    };
}

export function clientSettings(settings: SettingsReader): ClientSettings {
    return {
        interpreter: (settings.get<string>('interpreter') ?? '').trim(),
        importStrategy: settings.get('importStrategy') === 'fromEnvironment' ? 'fromEnvironment' : 'useBundled',
        run: settings.get('run') === 'onSave' ? 'onSave' : 'onType',
        fixAllOnSave: settings.get<boolean>('fixAllOnSave') ?? false,
        gpuCheck: {
            device: settings.get<string>('gpuCheck.device') || 'auto',
            dtype: settings.get<string>('gpuCheck.dtype') || 'auto',
            steps: numberOr(settings.get('gpuCheck.steps'), 5),
            timeout: numberOr(settings.get('gpuCheck.timeout'), 180),
        },
    };
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` in a path setting. */
export function expandPath(value: string, workspaceFolder: string | undefined, home: string): string {
    let path = value.replace(/^~(?=$|[\\/])/, home).replaceAll('${userHome}', home);
    if (workspaceFolder !== undefined) {
        path = path.replaceAll('${workspaceFolder}', workspaceFolder);
    }
    return path;
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim()) : [];
}

function severities(value: unknown): Record<string, string> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return {};
    }
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function numberOr(value: unknown, fallback: number): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
