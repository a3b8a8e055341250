/**
 * The `torchlint.*` settings. package.json contributes them with their defaults and descriptions;
 * the server validates the ones it reads (a bad value is logged and replaced by its default). The
 * client sends every contributed setting as VS Code has it, as `initializationOptions` and as the
 * answer to `workspace/configuration`, and reads only the few it uses itself.
 */

export const SECTION = 'torchlint';

/** Reads one key of the `torchlint` section, as `WorkspaceConfiguration.get` does. */
export interface SettingsReader {
    get<T>(key: string): T | undefined;
}

/** The part of package.json that lists the settings. */
export interface Contributions {
    contributes?: { configuration?: { properties?: Record<string, unknown> } };
}

export type ImportStrategy = 'useBundled' | 'fromEnvironment';
export type RunMode = 'onType' | 'onSave';

/** What the client itself uses. */
export interface ClientSettings {
    interpreter: string;
    importStrategy: ImportStrategy;
    run: RunMode;
    /** The `torchlint.gpuCheck.*` settings, passed to the server's `torchlint.gpuCheck`, which validates them. */
    gpuCheck: Record<string, unknown>;
}

/** Settings whose change needs a new server process (the others reach the running one). */
export const RESTART_SETTINGS = ['interpreter', 'importStrategy', 'run', 'diagnosticsScope'].map((key) => `${SECTION}.${key}`);

/** The keys package.json contributes to the section, without its prefix (`gpuCheck.device`). */
export function contributedKeys(packageJson: Contributions): string[] {
    const prefix = `${SECTION}.`;
    return Object.keys(packageJson.contributes?.configuration?.properties ?? {})
        .filter((key) => key.startsWith(prefix))
        .map((key) => key.slice(prefix.length));
}

/**
 * The settings `keys` as the server takes them: `gpuCheck.device` becomes `{gpuCheck: {device}}`.
 * Values go as they are (VS Code puts the user's over package.json's defaults).
 */
export function serverSettings(settings: SettingsReader, keys: string[]): Record<string, unknown> {
    const sent: Record<string, unknown> = {};
    for (const key of keys) {
        const parts = key.split('.');
        let target = sent;
        for (const part of parts.slice(0, -1)) {
            target = (target[part] ??= {}) as Record<string, unknown>;
        }
        target[parts.at(-1)!] = settings.get(key);
    }
    return sent;
}

export function clientSettings(settings: SettingsReader): ClientSettings {
    const interpreter = settings.get<unknown>('interpreter');
    const gpuCheck = settings.get<unknown>('gpuCheck');
    return {
        interpreter: typeof interpreter === 'string' ? interpreter.trim() : '',
        importStrategy: settings.get('importStrategy') === 'fromEnvironment' ? 'fromEnvironment' : 'useBundled',
        run: settings.get('run') === 'onSave' ? 'onSave' : 'onType',
        gpuCheck: typeof gpuCheck === 'object' && gpuCheck !== null ? { ...gpuCheck } : {},
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
