'use strict';

const { npmInstallProgress } = require('../e2e/support/install');

/** Lines as `npm install --loglevel=http` writes them (npm 11), cache hits and misses. */
const MANIFESTS = [
	'npm http fetch GET 200 https://registry.npmjs.org/n8n 908ms (cache updated)',
	'npm http fetch GET 200 https://registry.npmjs.org/@n8n%2fconfig 226ms (cache miss)',
	'npm http fetch GET 200 https://registry.npmjs.org/n8n 12ms (cache hit)',
];
const TARBALLS = [
	'npm http cache ms@https://registry.npmjs.org/ms/-/ms-2.1.3.tgz 1ms (cache hit)',
	'npm http fetch GET 200 https://registry.npmjs.org/debug/-/debug-4.3.4.tgz 642ms (cache miss)',
	'npm http fetch GET 200 https://registry.npmjs.org/ms/-/ms-2.1.3.tgz 5ms (cache hit)',
];

describe('progress of an npm install, read from its log', () => {
	it('first counts the package manifests read while the tree is resolved', () => {
		const progress = npmInstallProgress(4);
		expect(progress.describe()).toBe('resolving the dependency tree (0 package manifests read)');
		progress.feed(`${MANIFESTS.join('\n')}\nnpm warn deprecated something\n`);
		expect(progress.describe()).toBe('resolving the dependency tree (2 package manifests read)');
	});

	it('then counts each package fetched once, against about how many there are', () => {
		const progress = npmInstallProgress(4);
		progress.feed(`${[...MANIFESTS, ...TARBALLS].join('\n')}\n`);
		expect(progress.describe()).toBe('downloading and unpacking packages: 2 of about 4 (50 %)');
	});

	it('reads lines split across chunks', () => {
		const progress = npmInstallProgress(4);
		const text = `${TARBALLS.join('\n')}\n`;
		progress.feed(text.slice(0, 30));
		progress.feed(text.slice(30, 100));
		progress.feed(text.slice(100));
		expect(progress.describe()).toBe('downloading and unpacking packages: 2 of about 4 (50 %)');
	});

	it('never claims to be done before npm is, and leaves out the total when it is unknown', () => {
		const few = npmInstallProgress(1);
		few.feed(`${TARBALLS.join('\n')}\n`);
		expect(few.describe()).toBe('downloading and unpacking packages: 2 of about 1 (99 %)');
		const unknown = npmInstallProgress(undefined);
		unknown.feed(`${TARBALLS.join('\n')}\n`);
		expect(unknown.describe()).toBe('downloading and unpacking packages: 2');
	});
});
