/**
 * The language client writes plain lines like `[Warn  - 10:02:03] message`; this channel passes
 * each to the log output channel at its level, so the torchlint log follows VS Code's log level.
 */

import type { LogOutputChannel, OutputChannel, ViewColumn } from 'vscode';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const HEADER = /^\[(Trace|Debug|Info|Warn|Error)\s*-\s*[^\]]*\]\s?(.*)$/s;

/** The level and text of a client line; `undefined` level for a continuation line. */
export function parseLine(line: string): { level: Level | undefined; text: string } {
    const match = HEADER.exec(line);
    return match ? { level: match[1].toLowerCase() as Level, text: match[2] } : { level: undefined, text: line };
}

/** The client's line about a server process that exited with 0 while the client was stopping it. */
export function isDeliberateExit(message: string, running: boolean): boolean {
    return !running && message === 'Server process exited with code 0.';
}

export class LeveledChannel implements OutputChannel {
    private level: Level = 'info';

    constructor(private readonly log: LogOutputChannel) {}

    get name(): string {
        return this.log.name;
    }

    append(value: string): void {
        this.appendLine(value);
    }

    appendLine(value: string): void {
        const { level, text } = parseLine(value.trimEnd());
        this.level = level ?? this.level;
        if (text) {
            this.log[this.level](text);
        }
    }

    replace(value: string): void {
        this.appendLine(value);
    }

    clear(): void {
        this.log.clear();
    }

    show(columnOrPreserveFocus?: ViewColumn | boolean, preserveFocus?: boolean): void {
        this.log.show(typeof columnOrPreserveFocus === 'boolean' ? columnOrPreserveFocus : preserveFocus);
    }

    hide(): void {
        this.log.hide();
    }

    dispose(): void {
        // The log channel outlives every client: the extension disposes of it.
    }
}
