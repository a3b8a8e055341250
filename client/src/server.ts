/** The language client: finds the interpreter, starts `python -m torchlint server`, restarts it. */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
    CancellationToken,
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    State,
    WorkDoneProgress,
    WorkDoneProgressBegin,
    WorkDoneProgressEnd,
    WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import { errorText, findOnPath, Interpreter, resolveInterpreter } from './interpreter';
import { serverLaunch } from './launch';
import { isDeliberateExit, LeveledChannel } from './log';
import { activeEnvironment } from './pythonExtension';
import { clientSettings, contributedKeys, expandPath, SECTION, serverSettings } from './settings';
import { lensUri, SMOKE_RUN, SMOKE_RUN_FILE } from './smoke';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface ServerStatus {
    state: ServerState;
    interpreter?: Interpreter;
    detail?: string;
}

export class Server implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private current: ServerStatus = { state: 'stopped' };
    private queue: Promise<void> = Promise.resolve();
    private readonly changed = new vscode.EventEmitter<ServerStatus>();
    readonly onDidChangeStatus = this.changed.event;

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly log: vscode.LogOutputChannel,
    ) {}

    get status(): ServerStatus {
        return this.current;
    }

    get interpreter(): Interpreter | undefined {
        return this.current.interpreter;
    }

    /** Starts the server, or stops and starts it again; calls never overlap. */
    restart(reason: string): Promise<void> {
        // Retired at once: the change that caused the restart must not reach the old server.
        const old = this.client;
        this.client = undefined;
        this.queue = this.queue.then(async () => {
            this.log.info(`${old ? 'restarting' : 'starting'} the server: ${reason}`);
            await this.stopClient(old);
            await this.startClient();
        });
        return this.queue;
    }

    /** Runs a command of the server (`workspace/executeCommand`), if it has that command. */
    async execute<T>(command: string, args: unknown[], token?: CancellationToken, workDoneToken?: string): Promise<T> {
        const client = this.client;
        if (!client || this.current.state !== 'running') {
            throw new Error('the torchlint server is not running (see torchlint: Show Logs)');
        }
        if (!this.supports(command)) {
            throw new Error(`this torchlint server has no ${command} command; update torchlint`);
        }
        return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args, workDoneToken }, token) as Promise<T>;
    }

    /** Follows the `$/progress` reports of a request made with `workDoneToken: token`. */
    onProgress(token: string, handler: (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => void): vscode.Disposable {
        return this.client?.onProgress(WorkDoneProgress.type, token, handler) ?? new vscode.Disposable(() => undefined);
    }

    supports(command: string): boolean {
        return this.client?.initializeResult?.capabilities.executeCommandProvider?.commands.includes(command) ?? false;
    }

    async dispose(): Promise<void> {
        await this.queue;
        const client = this.client;
        this.client = undefined;
        await this.stopClient(client);
        this.changed.dispose();
    }

    private setStatus(status: ServerStatus): void {
        this.current = status;
        this.changed.fire(status);
    }

    private async startClient(): Promise<void> {
        const folder = vscode.workspace.workspaceFolders?.[0];
        const settings = clientSettings(vscode.workspace.getConfiguration(SECTION, folder));
        const interpreter = await resolveInterpreter(
            {
                setting: () => (settings.interpreter ? expandPath(settings.interpreter, folder?.uri.fsPath, os.homedir()) : ''),
                pythonExtension: () => activeEnvironment(folder?.uri),
                onPath: (name) => findOnPath(name, process.env.PATH),
                trusted: vscode.workspace.isTrusted,
            },
            (message) => this.log.info(message),
        );
        if (!interpreter) {
            this.setStatus({ state: 'failed', detail: 'no Python interpreter found' });
            void vscode.window.showErrorMessage('torchlint: no Python interpreter found. Set torchlint.interpreter or install the Python extension.');
            return;
        }
        this.setStatus({ state: 'starting', interpreter });
        const launch = serverLaunch(
            interpreter.path,
            this.context.extension.packageJSON.serverInfo.module,
            settings.importStrategy,
            this.bundledLibs(),
            process.env,
            (message) => this.log.warn(message),
        );
        this.log.info(`server: ${launch.command} ${launch.args.join(' ')} (${launch.strategy === 'useBundled' ? 'bundled torchlint' : "the interpreter's torchlint"})`);
        const serverOptions: ServerOptions = {
            command: launch.command,
            args: launch.args,
            options: { env: launch.env, cwd: folder?.uri.fsPath },
        };
        const client: LanguageClient = new TorchlintClient(SECTION, 'torchlint', serverOptions, this.clientOptions(settings.run, () => this.client === client));
        client.onDidChangeState((event) => {
            if (client === this.client && event.newState === State.Stopped) {
                this.setStatus({ state: 'stopped', interpreter, detail: 'the server stopped' });
            }
        });
        this.client = client;
        try {
            await client.start();
            this.setStatus({ state: 'running', interpreter });
            this.log.info(`server running (${client.initializeResult?.serverInfo?.name ?? 'torchlint'} ${client.initializeResult?.serverInfo?.version ?? ''})`);
        } catch (error) {
            this.setStatus({ state: 'failed', interpreter, detail: errorText(error) });
            this.log.error(`the server did not start with ${interpreter.path}: ${errorText(error)}`);
            void vscode.window.showErrorMessage(`torchlint: the server did not start with ${interpreter.path}. See torchlint: Show Logs.`);
        }
    }

    /** `current`: whether the client is still the one in use (a client being replaced sends nothing). */
    private clientOptions(run: 'onType' | 'onSave', current: () => boolean): LanguageClientOptions {
        const keys = contributedKeys(this.context.extension.packageJSON);
        const settingsFor = (scope?: vscode.Uri) => serverSettings(vscode.workspace.getConfiguration(SECTION, scope), keys);
        return {
            documentSelector: [
                { scheme: 'file', language: 'python' },
                { scheme: 'untitled', language: 'python' },
                // The Python cells of notebooks (.ipynb), which the server checks as one module.
                { notebook: '*', language: 'python' },
            ],
            outputChannel: new LeveledChannel(this.log),
            traceOutputChannel: this.log,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            initializationOptions: settingsFor(),
            diagnosticPullOptions: { onChange: run === 'onType', onSave: true },
            middleware: {
                // The server completes the snippets of snippets/ for editors without snippet files;
                // VS Code has them from the extension's contributes.snippets, so each would show twice.
                provideCompletionItem: () => undefined,
                // The smoke run executes the user's script: no lens in an untrusted workspace, and a
                // click runs the client's command, which shows progress and the report.
                provideCodeLenses: (document, token, next) => (vscode.workspace.isTrusted ? next(document, token) : []),
                executeCommand: (command, args, next) => {
                    const uri = command === SMOKE_RUN ? lensUri(args) : undefined;
                    return uri ? vscode.commands.executeCommand(SMOKE_RUN_FILE, vscode.Uri.parse(uri)) : next(command, args);
                },
                workspace: {
                    didChangeConfiguration: (sections, next) => (current() ? next(sections) : Promise.resolve()),
                    // The section as in initializationOptions, for the folder asked about.
                    configuration: async (params, token, next) => {
                        const answers = await next(params, token);
                        if (!Array.isArray(answers)) {
                            return answers;
                        }
                        return params.items.map((item, index) =>
                            item.section === SECTION ? settingsFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined) : answers[index],
                        );
                    },
                },
            },
        };
    }

    private bundledLibs(): string | undefined {
        const libs = path.join(this.context.extensionPath, 'bundled', 'libs');
        return fs.existsSync(path.join(libs, 'torchlint')) ? libs : undefined;
    }

    private async stopClient(client: LanguageClient | undefined): Promise<void> {
        if (client) {
            try {
                // dispose, not stop: a stopped client starts again on the next settings change.
                await client.dispose(5000);
            } catch (error) {
                this.log.warn(`the server did not stop cleanly: ${errorText(error)}`);
            }
            this.setStatus({ state: 'stopped', interpreter: this.current.interpreter });
        }
    }
}

/**
 * The language client, quiet about a server that exits with 0 once it is told to stop: that is
 * the server obeying `shutdown` and `exit` (on every restart), which the client logs as an error.
 */
class TorchlintClient extends LanguageClient {
    override error(message: string, data?: unknown, showNotification?: boolean | 'force'): void {
        if (isDeliberateExit(message, this.isRunning())) {
            this.info(message, data, false);
        } else {
            super.error(message, data, showNotification);
        }
    }
}
