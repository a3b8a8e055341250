/**
 * Read-only documents the extension shows: the GPU check and smoke run reports (Markdown the
 * server renders, shown as previews) and the effective settings.
 */

import * as vscode from 'vscode';

export const SCHEME = 'torchlint';

export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly contents = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? '';
    }

    /** Shows `content` as the document `name` (its extension picks the language). */
    async show(name: string, content: string): Promise<vscode.TextEditor> {
        const document = await vscode.workspace.openTextDocument(this.set(name, content));
        return vscode.window.showTextDocument(document, { preview: false });
    }

    /** Shows the Markdown `content` as the rendered preview of the document `name` (`.md`). */
    async preview(name: string, content: string): Promise<void> {
        await vscode.commands.executeCommand('markdown.showPreviewToSide', this.set(name, content));
    }

    private set(name: string, content: string): vscode.Uri {
        const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${name}` });
        this.contents.set(uri.toString(), content);
        this.changed.fire(uri);
        return uri;
    }

    dispose(): void {
        this.changed.dispose();
    }
}
