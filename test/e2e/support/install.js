'use strict';

/**
 * Installs the n8n runtimes the end-to-end suite runs against, each on the Node it needs,
 * into a cache outside the checkout (CI clones afresh, the machine's disk stays).
 *
 *   node test/e2e/support/install.js [n8n1|n8n2|all]
 *
 * Only the npm registry is used: Node itself comes from the registry's `node-<os>-<arch>`
 * package (the one `npm install node@<v>` fetches in its install script), and n8n is installed
 * with scripts off, because several native dependencies would download prebuilt binaries
 * from elsewhere. The one native module n8n needs by default, sqlite3, is then compiled
 * from source with the Node that will run n8n.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const versions = require('./versions.json');

const GUARD = path.join(__dirname, 'guard.js');
/** Written last: a folder without it is never used. */
const MARKER = '.install-complete';

function cacheRoot() {
	if (process.env.TRACX_E2E_CACHE) return path.resolve(process.env.TRACX_E2E_CACHE);
	const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(xdg, 'n8n-nodes-tracx');
}

function log(message) {
	process.stderr.write(`[e2e-install] ${message}\n`);
}

function seconds(since) {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function clock(ms) {
	const total = Math.round(ms / 1000);
	return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * Says what a long step is doing while it runs: `describe()` tells how far it is, with the
 * elapsed time added. On a terminal one line is rewritten every second; otherwise (CI, a log
 * file) a line is added every 15 seconds. Returns the function that ends the reports.
 */
function reportProgress(label, describe = () => 'working') {
	const started = Date.now();
	const tty = Boolean(process.stderr.isTTY);
	const line = () =>
		`[e2e-install] ${label}: ${describe()}, ${clock(Date.now() - started)} elapsed`;
	const timer = setInterval(
		() => process.stderr.write(tty ? `\r\x1b[K${line()}` : `${line()}\n`),
		tty ? 1000 : 15000,
	);
	return () => {
		clearInterval(timer);
		if (tty) process.stderr.write('\r\x1b[K');
	};
}

/**
 * How far an `npm install --loglevel=http` is, from its log: first npm reads the manifests of
 * the packages (resolving the tree), then it fetches each package's tarball, from its cache
 * or the registry, and unpacks it. `expected` is about how many packages the install has.
 */
function npmInstallProgress(expected) {
	const manifests = new Set();
	const tarballs = new Set();
	let partial = '';
	return {
		feed(chunk) {
			const lines = (partial + chunk).split('\n');
			partial = lines.pop();
			for (const line of lines) {
				const url = line.match(/^npm http (?:fetch GET \d+|cache \S+@)\s*(\S+)/)?.[1];
				if (!url) continue;
				if (url.endsWith('.tgz')) tarballs.add(url);
				else manifests.add(url);
			}
		},
		describe() {
			if (tarballs.size === 0)
				return `resolving the dependency tree (${manifests.size} package manifests read)`;
			const of = expected ? ` of about ${expected}` : '';
			const percent = expected
				? ` (${Math.min(99, Math.floor((100 * tarballs.size) / expected))} %)`
				: '';
			return `downloading and unpacking packages: ${tarballs.size}${of}${percent}`;
		},
	};
}

/**
 * Runs a command, keeping its output for the error message and showing nothing otherwise.
 * Under the guard, so that npm and the compilers it starts stop when this process is killed,
 * instead of writing on into a folder the next run deletes.
 */
function run(command, args, { cwd, env = process.env, onOutput = () => {} }) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [GUARD, command, ...args], { cwd, env, detached: true });
		let output = '';
		const collect = (chunk) => {
			output += chunk;
			onOutput(String(chunk));
		};
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		child.on('error', reject);
		child.on('close', (code) => {
			child.stdin.destroy();
			if (code === 0) resolve(output);
			else reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${output.slice(-4000)}`));
		});
	});
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/**
 * Builds `name` in a private scratch folder and renames it into place only once `build`
 * succeeded and the marker is written, so an interrupted install leaves nothing that looks
 * complete. Scratch folders of installs whose process is gone are removed (they are large).
 */
async function ensureFolder(name, label, build) {
	const root = cacheRoot();
	const dir = path.join(root, name);
	if (fs.existsSync(path.join(dir, MARKER))) return dir;
	// Installs appear by renaming a finished folder, marker included: this one was made by hand.
	if (fs.existsSync(dir)) throw new Error(`${dir} is not a complete install: remove it`);
	fs.mkdirSync(root, { recursive: true });
	for (const entry of fs.readdirSync(root)) {
		const match = entry.match(/^\.partial-(.+)-(\d+)$/);
		if (match && match[1] === name && !isAlive(Number(match[2]))) {
			fs.rmSync(path.join(root, entry), { recursive: true, force: true });
		}
	}
	const scratch = path.join(root, `.partial-${name}-${process.pid}`);
	fs.rmSync(scratch, { recursive: true, force: true });
	fs.mkdirSync(scratch);
	const started = Date.now();
	log(`${label}: installing into ${dir}`);
	try {
		await build(scratch);
		fs.writeFileSync(path.join(scratch, MARKER), `${new Date().toISOString()}\n`);
		fs.renameSync(scratch, dir);
	} catch (error) {
		fs.rmSync(scratch, { recursive: true, force: true });
		// Another process may have finished the same install first: use its result.
		if (fs.existsSync(path.join(dir, MARKER))) return dir;
		throw error;
	}
	log(`${label}: installed in ${seconds(started)}`);
	return dir;
}

function writeManifest(dir, dependencies, extra = {}) {
	const manifest = { name: 'tracx-e2e-runtime', private: true, dependencies, ...extra };
	fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Same naming as the `node` package's own install script. */
function nodePackageName() {
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	const prefix = platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
	return `${prefix}-${platform}-${process.arch}`;
}

// --prefer-offline: what npm's cache already holds is used without asking the registry again.
const npmInstall = [
	'install',
	'--ignore-scripts',
	'--no-audit',
	'--no-fund',
	'--no-package-lock',
	'--prefer-offline',
];

/** Node from the registry; the package also ships include/node, the headers node-gyp needs. */
async function ensureNode(nodeVersion) {
	const pkg = nodePackageName();
	const dir = await ensureFolder(`node-${nodeVersion}`, `node ${nodeVersion}`, async (scratch) => {
		writeManifest(scratch, { [pkg]: nodeVersion });
		const done = reportProgress(`node ${nodeVersion} (step 1 of 3, npm install of ${pkg})`);
		try {
			await run('npm', npmInstall, { cwd: scratch });
		} finally {
			done();
		}
		const nodeBin = path.join(scratch, 'node_modules', pkg, 'bin', 'node');
		const reported = (await run(nodeBin, ['--version'], { cwd: scratch })).trim();
		if (reported !== `v${nodeVersion}`) throw new Error(`${nodeBin} reports ${reported}`);
	});
	const home = path.join(dir, 'node_modules', pkg);
	return { nodeBin: path.join(home, 'bin', 'node'), nodeHome: home, version: nodeVersion };
}

async function installN8n(scratch, runtime, node) {
	const label = `n8n ${runtime.n8n}`;
	writeManifest(
		scratch,
		{ n8n: runtime.n8n },
		runtime.overrides ? { overrides: runtime.overrides } : {},
	);
	let step = Date.now();
	const progress = npmInstallProgress(runtime.packages);
	let done = reportProgress(`${label} (step 2 of 3, npm install)`, () => progress.describe());
	try {
		await run('npm', [...npmInstall, '--loglevel=http'], {
			cwd: scratch,
			onOutput: (chunk) => progress.feed(chunk),
		});
	} finally {
		done();
	}
	log(`${label}: npm install done in ${seconds(step)}`);

	// npm is a `#!/usr/bin/env node` script: with the target Node first on PATH, npm and the
	// node-gyp it starts run on that Node, and npm_config_nodedir replaces the machine's
	// `nodedir` (the system Node's headers) with the headers shipped beside that binary.
	// build_from_source stops sqlite3's prebuild-install from trying to download a binary.
	// Scripts are switched on explicitly: under `npm run`, the project's ignore-scripts=true
	// reaches child processes as npm_config_ignore_scripts.
	step = Date.now();
	const env = {
		...process.env,
		PATH: `${path.dirname(node.nodeBin)}${path.delimiter}${process.env.PATH}`,
		npm_config_nodedir: node.nodeHome,
		npm_config_build_from_source: 'true',
		// node-gyp compiles with as many jobs as there are cores.
		JOBS: 'max',
	};
	done = reportProgress(
		`${label} (step 3 of 3, compiling sqlite3 for Node ${node.version}, about a minute)`,
		() => 'compiling',
	);
	try {
		await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'], {
			cwd: scratch,
			env,
		});
	} finally {
		done();
	}
	const check =
		"const s=require('sqlite3');new s.Database(':memory:').close();process.stdout.write(process.version)";
	const loadedOn = await run(node.nodeBin, ['-e', check], { cwd: scratch });
	log(`${label}: sqlite3 built and loads on ${loadedOn} (${seconds(step)})`);
}

/**
 * Makes sure runtime `key` of versions.json is installed and returns how to run it:
 * `${nodeBin} ${n8nBin} <command>`.
 */
async function ensureRuntime(key) {
	const runtime = versions[key];
	if (!runtime)
		throw new Error(`Unknown runtime "${key}"; known: ${Object.keys(versions).join(', ')}`);
	const major = runtime.node.split('.')[0];
	const name = `n8n-${runtime.n8n}-node${major}`;
	if (!fs.existsSync(path.join(cacheRoot(), name, MARKER))) {
		log(
			`n8n ${runtime.n8n} on Node ${runtime.node} is not in ${cacheRoot()} yet: installing it, ` +
				`once (about ${runtime.installSize} of disk and 4 to 9 minutes; later starts reuse it)`,
		);
	}
	const node = await ensureNode(runtime.node);
	const dir = await ensureFolder(name, `n8n ${runtime.n8n}`, (scratch) =>
		installN8n(scratch, runtime, node),
	);
	return {
		key,
		n8nVersion: runtime.n8n,
		nodeVersion: runtime.node,
		nodeBin: node.nodeBin,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		dir,
	};
}

/**
 * The runtimes the suite runs against: all of versions.json, or those named in
 * TRACX_E2E_RUNTIMES (comma-separated keys), to work on one version at a time.
 */
function selectedRuntimes() {
	const keys = (process.env.TRACX_E2E_RUNTIMES || Object.keys(versions).join(','))
		.split(',')
		.map((key) => key.trim())
		.filter(Boolean);
	const unknown = keys.filter((key) => !versions[key]);
	if (unknown.length)
		throw new Error(`TRACX_E2E_RUNTIMES names unknown runtimes: ${unknown.join(', ')}`);
	return keys;
}

/** One at a time: each install is CPU- and disk-heavy, and the machine has two cores. */
async function ensureRuntimes(keys = selectedRuntimes()) {
	const runtimes = [];
	for (const key of keys) runtimes.push(await ensureRuntime(key));
	return runtimes;
}

module.exports = {
	ensureRuntime,
	ensureRuntimes,
	selectedRuntimes,
	cacheRoot,
	npmInstallProgress,
};

if (require.main === module) {
	const arg = process.argv[2] || 'all';
	const keys = arg === 'all' ? Object.keys(versions) : [arg];
	const started = Date.now();
	ensureRuntimes(keys).then(
		(runtimes) => {
			for (const r of runtimes)
				log(`${r.key}: n8n ${r.n8nVersion} on node ${r.nodeVersion} in ${r.dir}`);
			log(`ready in ${seconds(started)}`);
		},
		(error) => {
			log(error.stack || String(error));
			process.exitCode = 1;
		},
	);
}
