// Bundles the extension into client/out/extension.js; with --tests, also every test file.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

await build({
    ...common,
    entryPoints: ['client/src/extension.ts'],
    outfile: 'client/out/extension.js',
    external: ['vscode'],
    minify: true,
    sourcemap: false,
});

if (process.argv.includes('--tests')) {
    const tests = ['unit', 'e2e'].flatMap((kind) =>
        readdirSync(join('client/test', kind))
            .filter((name) => name.endsWith('.test.ts'))
            .map((name) => join('client/test', kind, name)),
    );
    await build({
        ...common,
        entryPoints: tests,
        outdir: 'client/out/test',
        outbase: 'client/test',
        external: ['vscode', 'playwright-core'],
        sourcemap: 'inline',
    });
}
