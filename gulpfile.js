'use strict';

/**
 * Development tasks. The build itself is `n8n-node build` (npm run build); these tasks
 * only put the project's real steps in order and start the local Tracx sandbox.
 *
 *   gulp test     lint, type-check the tests, build, unit tests, end-to-end suite in real n8n
 *   gulp unit     unit tests only (nock, no network)
 *   gulp check    everything but the end-to-end suite (what a release runs)
 *   gulp e2e      build, then the end-to-end suite (installs n8n into the cache on first use)
 *   gulp sandbox  the local Tracx sandbox on 127.0.0.1 until Ctrl-C
 *   gulp demo     build, then the sandbox and n8n with the package, a ready credential and
 *                 the example workflows, until Ctrl-C (npm run demo)
 *   gulp bench    build, then the benchmarks in real n8n against the sandbox: token reuse,
 *                 bulk import, node overhead; a table on stdout, JSON in bench-results/
 *                 (npm run bench)
 */

const { spawn } = require('child_process');
const path = require('path');
const { series } = require('gulp');

const root = __dirname;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(command, args, options = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			if (code === 0) resolve();
			else reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
		});
	});
}

const lint = () => run('npm', ['run', '--silent', 'lint']);
lint.description = 'n8n-node lint (strict)';

const typecheck = () => run(bin('tsc'), ['--noEmit', '-p', 'test/tsconfig.json']);
typecheck.description = 'type-check the tests together with the sources';

const build = () => run('npm', ['run', '--silent', 'build']);
build.description = 'n8n-node build';

const unit = () => run(bin('jest'), ['--selectProjects', 'unit']);
unit.description = 'unit tests (jest + nock)';

const endToEnd = () => run(bin('jest'), ['--selectProjects', 'e2e', '--runInBand']);
endToEnd.description = 'the built package inside real n8n 1.x and 2.x against the sandbox';

function sandbox() {
	return run(process.execPath, [path.join(root, 'test/sandbox/cli.js'), ...process.argv.slice(3)]);
}
sandbox.description = 'start the Tracx sandbox (flags: --port, --lifetime, --latency, --bulk-delay)';

/** Waits for Ctrl-C (or a TERM from a process manager). */
function interrupted() {
	return new Promise((resolve) => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
	});
}

async function isPortFree(port) {
	const net = require('net');
	return await new Promise((resolve) => {
		const probe = net.createServer().once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

/**
 * The demo: the Tracx sandbox, and n8n (from the e2e cache; installed on first use) on
 * 127.0.0.1 with the built package, a "Tracx (sandbox)" credential and the workflows of
 * examples/. TRACX_DEMO_RUNTIME=n8n1 runs n8n 1.x instead of 2.x.
 */
async function runDemo() {
	const { startSandbox } = require('./test/sandbox/server');
	const { N8n, OWNER } = require('./test/e2e/support/n8n');
	const fs = require('fs');

	const sandbox = await startSandbox({});
	let n8n;
	try {
		n8n = await N8n.create({ runtimeKey: process.env.TRACX_DEMO_RUNTIME || 'n8n2', packageDir: root });
		await n8n.importCredentials([
			{
				id: 'tracxSandbox',
				name: 'Tracx (sandbox)',
				type: 'tracxConnectApi',
				data: { connectToken: 'fake-connect-token-all', baseUrl: sandbox.baseUrl },
			},
		]);
		const examples = path.join(root, 'examples');
		for (const file of fs.readdirSync(examples).filter((name) => name.endsWith('.json')).sort()) {
			await n8n.importWorkflow(JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8')));
		}
		// The webhook example listens from the start, so the curl line below works at once.
		await n8n.publishWorkflow('tracxRegistrationHook');
		if (await isPortFree(5678)) n8n.port = 5678;
		const { url } = await n8n.start();
		await n8n.ownerSetup();
		console.log(
			[
				'',
				`n8n ${n8n.runtime.n8nVersion} is running at ${url}`,
				`  log in as ${OWNER.email} / ${OWNER.password}`,
				'  credential "Tracx (sandbox)" and the example workflows are ready: open one and run it',
				`  post a registration to the webhook example: curl -X POST ${url}/webhook/tracx-registration -H 'content-type: application/json' --data @examples/payloads/new-registration.json`,
				`Tracx sandbox: ${sandbox.baseUrl} (state: ${sandbox.origin}/__sandbox/participants, /__sandbox/stats)`,
				'Press Ctrl-C to stop.',
				'',
			].join('\n'),
		);
		await interrupted();
	} finally {
		await n8n?.cleanup();
		await sandbox.close();
	}
}

const benchmarks = () => run(process.execPath, [path.join(root, 'test/bench/run.js')]);
benchmarks.description = 'benchmarks (test/bench/run.js), about 8 minutes';

exports.lint = lint;
exports.typecheck = typecheck;
exports.build = build;
exports.unit = unit;
exports.check = series(lint, typecheck, build, unit);
exports.e2e = series(build, endToEnd);
exports.test = series(lint, typecheck, build, unit, endToEnd);
exports.sandbox = sandbox;
exports.demo = series(build, runDemo);
exports.bench = series(build, benchmarks);
