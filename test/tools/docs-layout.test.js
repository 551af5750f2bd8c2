'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');

/** Every file under the given folders, relative to the repository. */
function filesUnder(...folders) {
	const walk = (dir) =>
		fs
			.readdirSync(path.join(root, dir), { withFileTypes: true })
			.flatMap((entry) =>
				entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
			);
	return folders.flatMap(walk).sort();
}

/**
 * The paths the code layout table of docs/development.md names in its first column, as
 * patterns: `<resource>` stands for one folder or name part, and a bare file name after a
 * path is in that path's folder (`Tracx.node.ts`, `Tracx.node.json`).
 */
function layoutPatterns(markdown) {
	const section = markdown.split(/^## Code layout$/m)[1];
	if (!section) throw new Error('docs/development.md has no "## Code layout" section');
	// The first table of the section: the code. What follows it (tests, examples) is not checked.
	const lines = section.split('\n');
	const start = lines.findIndex((line) => line.startsWith('|'));
	const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
	const patterns = [];
	for (const row of lines
		.slice(start, end === -1 ? undefined : end)
		.filter((line) => /^\| `/.test(line))) {
		const cell = row.split('|')[1];
		let folder = '';
		for (const [, name] of cell.matchAll(/`([^`]+)`/g)) {
			const full = name.includes('/') ? name : `${folder}/${name}`;
			folder = path.posix.dirname(full);
			const source = full
				.split(/(<[a-z]+>)/)
				.map((part) =>
					/^<[a-z]+>$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
				)
				.join('');
			patterns.push({ name: full, regex: new RegExp(`^${source}$`) });
		}
	}
	return patterns;
}

describe('the code layout in docs/development.md', () => {
	const patterns = layoutPatterns(fs.readFileSync(path.join(root, 'docs/development.md'), 'utf8'));
	const files = filesUnder('nodes', 'credentials');

	it('names every file under nodes/ and credentials/', () => {
		const unnamed = files.filter((file) => !patterns.some(({ regex }) => regex.test(file)));
		expect(unnamed).toEqual([]);
	});

	it('names no file that does not exist', () => {
		const stale = patterns.filter(({ regex }) => !files.some((file) => regex.test(file)));
		expect(stale.map(({ name }) => name)).toEqual([]);
	});

	it('reads patterns and bare names the way the table writes them', () => {
		const sample = [
			'## Code layout',
			'',
			'| Path | What it holds |',
			'|---|---|',
			'| `nodes/X/a.node.ts`, `a.node.json` | the node |',
			'| `nodes/X/actions/<resource>/index.ts` | selectors |',
			'',
			'| `test/` | not code |',
		].join('\n');
		const regexes = layoutPatterns(sample).map(({ regex }) => regex);
		expect(regexes).toHaveLength(3);
		expect(regexes.map((regex) => regex.test('nodes/X/a.node.json'))).toEqual([false, true, false]);
		expect(regexes[2].test('nodes/X/actions/race/index.ts')).toBe(true);
		expect(regexes[2].test('nodes/X/actions/race/deeper/index.ts')).toBe(false);
	});
});
