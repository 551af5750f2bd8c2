/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- test reads the repository and runs npm */
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';

/** What users install: checked on the real `npm pack` file list (run after the build). */

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function packedFiles(): string[] {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: root,
		encoding: 'utf8',
	});
	return (JSON.parse(out)[0].files as Array<{ path: string }>).map((f) => f.path).sort();
}

describe('published package', () => {
	const files = packedFiles();

	it('holds the built code and the docs, nothing else', () => {
		const outside = files.filter((f) => !f.startsWith('dist/'));
		expect(outside.sort()).toEqual([
			'CHANGELOG.md',
			'LICENSE',
			'README.md',
			'index.js',
			'package.json',
		]);
		expect(files.some((f) => f.startsWith('test/') || /\.test\./.test(f))).toBe(false);
		expect(files.some((f) => f.endsWith('.tsbuildinfo'))).toBe(false);
		expect(files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
	});

	it('contains every file the n8n section names, and the icons and codex', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(entry);
		expect(files).toEqual(
			expect.arrayContaining([
				'dist/icons/tracx.svg',
				'dist/icons/tracx.dark.svg',
				'dist/nodes/Tracx/Tracx.node.json',
			]),
		);
	});

	it('declares what n8n requires of a community package', () => {
		expect(pkg.name).toBe('n8n-nodes-tracx');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.n8n.strict).toBe(true);
	});

	it('exports the node and the credential from its main entry', () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const entry = require(path.join(root, pkg.main));
		expect(new entry.Tracx().description.name).toBe('tracx');
		expect(new entry.TracxConnectApi().name).toBe('tracxConnectApi');
	});
});
