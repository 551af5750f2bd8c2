'use strict';

/**
 * Jest globalSetup of the `e2e` project: the n8n runtimes are installed (or found in the
 * cache) once, before any test file starts, and the package must already be built, since the
 * tests install its published files into n8n. It then starts the shared n8n of each
 * selected runtime (support/shared.js) without waiting for it.
 */
const fs = require('node:fs');
const path = require('node:path');

const { ensureRuntimes } = require('./install');
const { startSharedInBackground } = require('./shared');

function assertBuilt(rootDir) {
	const manifest = JSON.parse(fs.readFileSync(path.join(rootDir, 'package.json'), 'utf8'));
	const declared = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
	const missing = declared.filter((file) => !fs.existsSync(path.join(rootDir, file)));
	if (missing.length) {
		throw new Error(
			`The e2e tests load the built package, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing. ` +
				'Build first (npm run build); `npm run test:e2e` does that for you.',
		);
	}
}

module.exports = async function globalSetup(globalConfig, projectConfig) {
	assertBuilt(projectConfig.rootDir);
	const started = Date.now();
	const runtimes = await ensureRuntimes();
	const summary = runtimes
		.map((r) => `${r.key}: n8n ${r.n8nVersion} on node ${r.nodeVersion}`)
		.join('; ');
	process.stderr.write(
		`\n[e2e] runtimes ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${summary})\n`,
	);
	// The scenario files that need a running n8n wait for it; the others run meanwhile.
	// A run that only lists the scenarios (gulp scenarios) needs none.
	if (process.env.TRACX_E2E_LIST_ONLY !== '1') startSharedInBackground();
};
