/** The Python extension's active environment, through its public API package. */

import { PythonExtension } from '@vscode/python-extension';
import type { Disposable, Uri } from 'vscode';

/** The executable of the active environment for `resource`; throws when the extension is not installed. */
export async function activeEnvironment(resource: Uri | undefined): Promise<string | undefined> {
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath;
}

/** Calls `listener` when the user picks another environment; nothing when the extension is absent. */
export async function onActiveEnvironmentChange(listener: () => void): Promise<Disposable | undefined> {
    try {
        const api = await PythonExtension.api();
        return api.environments.onDidChangeActiveEnvironmentPath(listener);
    } catch {
        return undefined;
    }
}
