/** How the server process is started: `python -m torchlint server`, with the bundled libraries or not. */

import * as path from 'node:path';
import type { ImportStrategy } from './settings';

export interface Launch {
    command: string;
    args: string[];
    env: Record<string, string | undefined>;
    strategy: ImportStrategy;
}

/**
 * `bundledLibs` is the extension's `bundled/libs` folder, or `undefined` when this build has none
 * (then the interpreter's own torchlint runs, and the fallback is logged).
 */
export function serverLaunch(
    python: string,
    module: string,
    requested: ImportStrategy,
    bundledLibs: string | undefined,
    env: Record<string, string | undefined>,
    log: (message: string) => void,
): Launch {
    let strategy = requested;
    if (strategy === 'useBundled' && bundledLibs === undefined) {
        log('this build of the extension has no bundled server (bundled/libs); falling back to the torchlint installed in the interpreter');
        strategy = 'fromEnvironment';
    }
    const launchEnv = { ...env };
    if (strategy === 'useBundled') {
        launchEnv.PYTHONPATH = [bundledLibs, env.PYTHONPATH].filter(Boolean).join(path.delimiter);
    }
    return { command: python, args: ['-m', module, 'server'], env: launchEnv, strategy };
}
