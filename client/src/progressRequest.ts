/**
 * A server command run under a cancellable progress notification: the server reports `$/progress`
 * on the argument's `workDoneToken`, and cancelling sends `$/cancelRequest`, which stops the run.
 */

import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { Server } from './server';

/** The command's result, or `undefined` when the user cancelled; errors of the request are thrown. */
export function executeWithProgress<T>(server: Server, command: string, argument: object, title: string): Thenable<T | undefined> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, cancel) => {
        const token = randomUUID();
        let done = 0;
        const following = server.onProgress(token, (value) => {
            if (value.kind === 'end') {
                return;
            }
            const percentage = value.percentage ?? done;
            progress.report({ message: value.message, increment: Math.max(0, percentage - done) });
            done = Math.max(done, percentage);
        });
        const cancelled = new Promise<undefined>((resolve) => cancel.onCancellationRequested(() => resolve(undefined)));
        try {
            return await Promise.race([server.execute<T>(command, [{ ...argument, workDoneToken: token }], cancel, token), cancelled]);
        } catch (error) {
            if (cancel.isCancellationRequested) {
                return undefined;
            }
            throw error;
        } finally {
            following.dispose();
        }
    });
}
