/**
 * `torchlint: Fix All`: the server's `source.fixAll.torchlint` action, which VS Code also runs on
 * save with `"editor.codeActionsOnSave": {"source.fixAll.torchlint": "explicit"}`.
 */

import * as vscode from 'vscode';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('torchlint');

/** The edit of the fix-all action for `document`; `undefined` when there is nothing to fix. */
export async function fixAllEdit(document: vscode.TextDocument): Promise<vscode.WorkspaceEdit | undefined> {
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        document.uri,
        whole,
        FIX_ALL_KIND.value,
        1,
    );
    return actions?.find((action) => action.kind && FIX_ALL_KIND.contains(action.kind) && action.edit)?.edit;
}

export async function fixAll(editor: vscode.TextEditor | undefined): Promise<void> {
    if (!editor || editor.document.languageId !== 'python') {
        void vscode.window.showInformationMessage('torchlint: open a Python file to fix.');
        return;
    }
    const edit = await fixAllEdit(editor.document);
    if (!edit || !(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showInformationMessage('torchlint: nothing to fix.');
    }
}
