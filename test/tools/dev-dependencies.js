'use strict';

/**
 * Makes `npm test` and `npm run demo` work as the first command on a fresh clone: when the
 * installed dev dependencies are missing or differ from package-lock.json, `npm ci` runs
 * before the task. npm's `pre…` hooks cannot do this here, because the project's .npmrc turns
 * scripts off (ignore-scripts=true), so the package.json scripts call this file first.
 *
 *   node test/tools/dev-dependencies.js   # exit 0 when node_modules matches the lockfile
 *
 * The check is cheap (two JSON files, no npm): npm records what it installed in
 * node_modules/.package-lock.json, and every package the lockfile names must be there with
 * the same version and integrity. Packages the lockfile marks optional may be missing (npm
 * leaves out the ones built for other platforms) and extraneous ones are not installed.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (error) {
		if (error.code === 'ENOENT') return undefined;
		throw new Error(`${file} is not readable JSON: ${error.message}`);
	}
}

/**
 * Why the installed dev dependencies do not match the lockfile, or null when they do.
 * `lock` is package-lock.json, `installed` node_modules/.package-lock.json (undefined when
 * absent).
 */
function mismatch(lock, installed) {
	if (!installed?.packages) return 'no dev dependencies installed (node_modules is missing)';
	const wanted = Object.entries(lock.packages ?? {}).filter(
		([key, entry]) => key !== '' && !entry.extraneous && !entry.link,
	);
	for (const [key, entry] of wanted) {
		const present = installed.packages[key];
		if (!present) {
			if (entry.optional) continue;
			return `${key.replace(/^.*node_modules\//, '')} ${entry.version} is not installed`;
		}
		const name = key.replace(/^.*node_modules\//, '');
		if (present.version !== entry.version)
			return `${name} is ${present.version}, package-lock.json wants ${entry.version}`;
		if (present.integrity !== entry.integrity)
			return `${name} ${entry.version} is not the build package-lock.json names (integrity)`;
	}
	const known = new Set(wanted.map(([key]) => key));
	const extra = Object.keys(installed.packages).find((key) => !known.has(key));
	if (extra)
		return `${extra.replace(/^.*node_modules\//, '')} is installed but not in package-lock.json`;
	return null;
}

/** Reads both files of the project at `root`: see mismatch(). */
function checkInstalled(root = ROOT) {
	const lock = readJson(path.join(root, 'package-lock.json'));
	if (!lock) throw new Error(`${root} has no package-lock.json`);
	return mismatch(lock, readJson(path.join(root, 'node_modules', '.package-lock.json')));
}

module.exports = { mismatch, checkInstalled };

if (require.main === module) {
	const reason = checkInstalled();
	if (reason) {
		process.stderr.write(`[setup] ${reason}: installing the dev dependencies (npm ci)\n`);
		const started = Date.now();
		const outcome = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
			cwd: ROOT,
			stdio: 'inherit',
		});
		if (outcome.error) throw outcome.error;
		if (outcome.status !== 0) {
			process.stderr.write(
				`[setup] npm ci failed (${outcome.signal ?? `exit ${outcome.status}`})\n`,
			);
			process.exit(outcome.status ?? 1);
		}
		process.stderr.write(
			`[setup] dev dependencies installed in ${Math.round((Date.now() - started) / 1000)} s\n`,
		);
	}
}
