'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { markdownFiles, anchorsOf, linksOf, slug, brokenLinks } = require('./links');

const root = path.resolve(__dirname, '../..');

describe("the repository's Markdown links", () => {
	const files = markdownFiles(root);

	it('covers the README, the docs, the changelog and the test READMEs', () => {
		expect(files).toEqual(
			expect.arrayContaining([
				'README.md',
				'CHANGELOG.md',
				'docs/operations.md',
				'test/e2e/support/README.md',
				'test/sandbox/README.md',
				'test/sandbox/TRACX-CONNECT-API.md',
			]),
		);
		expect(files.some((file) => file.startsWith('node_modules'))).toBe(false);
	});

	it('all resolve: files exist, anchors name headings, images have alt text', () => {
		expect(brokenLinks(root, files)).toEqual([]);
	});

	it('every docs page has a title and a one-line purpose under it', () => {
		for (const file of files.filter((name) => name.startsWith('docs/'))) {
			const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
			expect({ file, title: /^# \S/.test(lines[0]) }).toEqual({ file, title: true });
			expect({ file, purpose: lines[1] === '' && /^[A-Z]/.test(lines[2] ?? '') }).toEqual({
				file,
				purpose: true,
			});
		}
	});

	it("the node's and the credential's documentation links name README headings", () => {
		const readme = anchorsOf(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
		const sources = [
			'package.json',
			'credentials/TracxConnectApi.credentials.ts',
			'nodes/Tracx/Tracx.node.json',
			'nodes/TracxTrigger/TracxTrigger.node.json',
		];
		const anchors = sources.flatMap((file) =>
			[
				...fs
					.readFileSync(path.join(root, file), 'utf8')
					.matchAll(/github\.com\/tracx-events\/n8n-nodes-tracx#([\w-]+)/g),
			].map((match) => ({ file, anchor: match[1] })),
		);
		expect(anchors.length).toBeGreaterThanOrEqual(5);
		// #readme is GitHub's own anchor for the README shown under the file list.
		const missing = anchors.filter(({ anchor }) => anchor !== 'readme' && !readme.has(anchor));
		expect(missing).toEqual([]);
	});
});

describe('the link checker', () => {
	it('slugs headings as GitHub does', () => {
		expect(slug('Participant → Create or Update')).toBe('participant--create-or-update');
		expect(slug('Let the agent fill in the fields: `$fromAI`')).toBe(
			'let-the-agent-fill-in-the-fields-fromai',
		);
		expect(slug('Expressions in the credential on n8n 1.x')).toBe(
			'expressions-in-the-credential-on-n8n-1x',
		);
		expect(slug('Race day: DNS, DNF and DSQ from a sheet')).toBe(
			'race-day-dns-dnf-and-dsq-from-a-sheet',
		);
		expect(slug('Bad input, and [Continue On Fail](x.md)')).toBe('bad-input-and-continue-on-fail');
		expect(slug('Équipe_2 *names*')).toBe('équipe_2-names');
	});

	it('numbers repeated headings and ignores headings in code blocks', () => {
		const anchors = anchorsOf('# A\n\n## Setup\n\n```sh\n# not a heading\n```\n\n### Setup\n');
		expect([...anchors]).toEqual(['a', 'setup', 'setup-1']);
	});

	it('finds links and images outside code, not inside it', () => {
		const links = linksOf(
			'See [a](a.md#x) and ![pic](p.webp "t").\n`[no](code.md)`\n```\n[no](fence.md)\n```\n',
		);
		expect(links.map(({ target, image }) => ({ target, image }))).toEqual([
			{ target: 'a.md#x', image: false },
			{ target: 'p.webp', image: true },
		]);
	});

	it('reports a missing file, a missing anchor, an image without alt text and a link out of the repository', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-links-'));
		try {
			fs.mkdirSync(path.join(dir, 'docs'));
			fs.writeFileSync(path.join(dir, 'pic.webp'), '');
			fs.writeFileSync(
				path.join(dir, 'README.md'),
				[
					'# Title',
					'## Install',
					'[ok](#install) [ok](docs/page.md#details) [ok](docs/) [web](https://example.com/#x)',
					'[gone](docs/missing.md) [bad anchor](docs/page.md#nothing) [self](#nope)',
					'![](pic.webp) [out](../elsewhere.md)',
				].join('\n'),
			);
			fs.writeFileSync(
				path.join(dir, 'docs/page.md'),
				'# Page\n\n## Details\n\n[back](../README.md#install)\n',
			);
			expect(brokenLinks(dir, markdownFiles(dir))).toEqual([
				'README.md:4: docs/missing.md: no such file',
				'README.md:4: docs/page.md#nothing: no heading with the anchor #nothing in docs/page.md',
				'README.md:4: #nope: no heading with the anchor #nope in README.md',
				'README.md:5: pic.webp: image without alt text',
				'README.md:5: ../elsewhere.md: points outside the repository',
			]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
