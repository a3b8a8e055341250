/**
 * Which Python runs the server and the GPU check: the `torchlint.interpreter` setting, else the
 * Python extension's active environment, else `python3` on PATH. Every fallback is logged.
 * In an untrusted workspace the Python extension is not asked: its environment may be one the
 * workspace brought (a `.venv` whose start-up files run code).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

export type InterpreterSource = 'setting' | 'python extension' | 'PATH';

export interface Interpreter {
    path: string;
    source: InterpreterSource;
}

/** The places an interpreter can come from, in the order they are asked. */
export interface InterpreterLookup {
    /** The `torchlint.interpreter` setting, expanded; empty when not set. */
    setting(): string;
    /** The Python extension's active environment; throws when that extension is not installed. */
    pythonExtension(): Promise<string | undefined>;
    /** The first `name` on PATH. */
    onPath(name: string): string | undefined;
    /** Whether the workspace is trusted. */
    trusted: boolean;
}

export const PATH_PYTHON = process.platform === 'win32' ? 'python' : 'python3';

export async function resolveInterpreter(lookup: InterpreterLookup, log: (message: string) => void): Promise<Interpreter | undefined> {
    const configured = lookup.setting();
    if (configured) {
        return { path: configured, source: 'setting' };
    }
    if (!lookup.trusted) {
        log(`torchlint.interpreter is not set and the workspace is not trusted; looking for ${PATH_PYTHON} on PATH`);
        return onPath(lookup, log);
    }
    try {
        const active = await lookup.pythonExtension();
        if (active) {
            log(`torchlint.interpreter is not set; using the Python extension's active environment: ${active}`);
            return { path: active, source: 'python extension' };
        }
        log(`torchlint.interpreter is not set and the Python extension has no active environment; looking for ${PATH_PYTHON} on PATH`);
    } catch (error) {
        log(`torchlint.interpreter is not set and the Python extension is not available (${errorText(error)}); looking for ${PATH_PYTHON} on PATH`);
    }
    return onPath(lookup, log);
}

function onPath(lookup: InterpreterLookup, log: (message: string) => void): Interpreter | undefined {
    const found = lookup.onPath(PATH_PYTHON);
    if (found) {
        log(`using ${found} from PATH`);
        return { path: found, source: 'PATH' };
    }
    log(`no ${PATH_PYTHON} on PATH: set torchlint.interpreter to a Python 3.10+ interpreter`);
    return undefined;
}

/** The first executable file called `name` in the folders of `searchPath`. */
export function findOnPath(name: string, searchPath: string | undefined, isExecutable: (file: string) => boolean = executable): string | undefined {
    const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
    for (const folder of (searchPath ?? '').split(path.delimiter).filter(Boolean)) {
        for (const candidate of names) {
            const file = path.join(folder, candidate);
            if (isExecutable(file)) {
                return file;
            }
        }
    }
    return undefined;
}

function executable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

export function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
