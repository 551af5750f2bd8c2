'use strict';

/**
 * Development tasks. The build itself is `n8n-node build` (npm run build); these tasks
 * only put the project's real steps in order and start the local Tracx sandbox.
 *
 *   gulp test     lint, type-check the tests, build, unit tests, end-to-end suite in real n8n
 *   gulp unit     unit tests only (nock, no network)
 *   gulp check    everything but the end-to-end suite (what a release runs)
 *   gulp quick    the inner loop: lint, type-check, build, unit tests, and a smoke set of
 *                 end-to-end scenarios on n8n 2.x (npm run test:quick, under 3 minutes)
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
			else
				reject(
					new Error(
						`${path.basename(command)} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`,
					),
				);
		});
	});
}

const lint = () => run('npm', ['run', '--silent', 'lint']);
lint.description = 'n8n-node lint (strict)';

const typecheck = () => run(bin('tsc'), ['--noEmit', '-p', 'test/tsconfig.json']);
typecheck.description = 'type-check the tests together with the sources';

const build = () => run('npm', ['run', '--silent', 'build']);
build.description = 'n8n-node build';

/** What the build reads: a change to any of these (a file added, edited or removed) needs a build. */
const BUILD_INPUTS = ['credentials', 'nodes', 'icons', 'package.json', 'tsconfig.json'];

function newestChange(file) {
	const fs = require('fs');
	const stat = fs.statSync(file);
	if (!stat.isDirectory()) return stat.mtimeMs;
	// A folder's own time changes when an entry is added, removed or renamed.
	return fs
		.readdirSync(file)
		.reduce(
			(newest, entry) => Math.max(newest, newestChange(path.join(file, entry))),
			stat.mtimeMs,
		);
}

/**
 * The demo builds only when a build input changed after the last build (n8n-node build
 * empties dist/ and writes every file, so the oldest built file dates the build).
 */
function buildIfChanged() {
	const fs = require('fs');
	const { n8n } = require('./package.json');
	const outputs = [...n8n.nodes, ...n8n.credentials].map((file) => path.join(root, file));
	if (outputs.every((file) => fs.existsSync(file))) {
		const built = Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs));
		const changed = Math.max(...BUILD_INPUTS.map((file) => newestChange(path.join(root, file))));
		if (changed < built) {
			console.log('dist/ is up to date with the sources: no build needed');
			return Promise.resolve();
		}
	}
	return build();
}
buildIfChanged.description = 'n8n-node build, unless dist/ is newer than every source';

const unit = () => run(bin('jest'), ['--selectProjects', 'unit']);
unit.description = 'unit tests (jest + nock)';

/**
 * What the end-to-end suite needs from the machine besides npm, checked before anything runs:
 * Redis and Postgres for the queue-mode tests, or the means to install them (apt-get, root).
 */
function prerequisites() {
	const { missingPrerequisites } = require('./test/e2e/support/services');
	const reason = missingPrerequisites();
	if (!reason) return Promise.resolve();
	const error = new Error(reason);
	// gulp prints the message alone, without a stack trace.
	error.showStack = false;
	return Promise.reject(error);
}
prerequisites.description = 'Redis and Postgres for the queue-mode tests, or apt-get as root';

/** Runs a command with each line of its output prefixed (two jest processes share the terminal). */
function runPrefixed(prefix, command, args, env) {
	const readline = require('readline');
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: root,
			env: { ...process.env, ...env },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		for (const [stream, target] of [
			[child.stdout, process.stdout],
			[child.stderr, process.stderr],
		]) {
			readline
				.createInterface({ input: stream })
				.on('line', (line) => target.write(`${prefix} ${line}\n`));
		}
		child.on('error', reject);
		child.on('close', (code, signal) => resolve(signal ? 128 : code));
	});
}

/**
 * The end-to-end suite: one jest process per major, side by side (the machine's two cores
 * share them: much of a major's time is n8n waiting on polls, latency and timers), each with
 * its own shared n8n (test/e2e/support/shared.js). TRACX_E2E_SERIAL=1 runs one process for
 * all selected majors instead. At the end: seconds per file and major, the n8n processes
 * each file started, and the scenarios checked against test/e2e/support/scenarios.txt.
 */
async function endToEnd() {
	const fs = require('fs');
	const os = require('os');
	const { ensureRuntimes, selectedRuntimes } = require('./test/e2e/support/install');
	const {
		checkScenarios,
		checkStarts,
		formatTable,
		readStarts,
	} = require('./test/e2e/support/suite-table');
	const started = Date.now();
	// Installed one after the other before the jest processes start (each install is heavy),
	// and Redis and Postgres before two processes would both ask apt for them.
	await ensureRuntimes();
	require('./test/e2e/support/services').ensureServicePackages({
		log: (line) => console.log(`[e2e] ${line}`),
	});
	const keys = selectedRuntimes();
	const groups = process.env.TRACX_E2E_SERIAL === '1' ? [keys] : keys.map((key) => [key]);
	// The demo runs n8n 2.x whatever is selected: it runs once, in the process of that major.
	const demoRuntime = keys.includes('n8n2') ? 'n8n2' : keys[0];
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-e2e-report-'));
	const stats = path.join(dir, 'starts.jsonl');
	const codes = await Promise.all(
		groups.map((group) => {
			const name = group.join('+');
			return runPrefixed(
				`[${name}]`,
				process.execPath,
				[
					bin('jest'),
					'--selectProjects',
					'e2e',
					'--runInBand',
					// Each process keeps its own cache: two processes never write the same files.
					`--cacheDirectory=${path.join(os.tmpdir(), `jest-tracx-e2e-${name}`)}`,
					...(group.includes(demoRuntime) ? [] : ['--testPathIgnorePatterns=demo\\.test\\.js$']),
				],
				{
					TRACX_E2E_RUNTIMES: group.join(','),
					TRACX_E2E_REPORT: path.join(dir, `${name}.json`),
					TRACX_E2E_STATS: stats,
				},
			);
		}),
	);
	const reports = groups
		.map((group) => path.join(dir, `${group.join('+')}.json`))
		.filter((file) => fs.existsSync(file))
		.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
	const wallSeconds = (Date.now() - started) / 1000;
	const starts = readStarts(stats);
	console.log(`\n${formatTable(reports, starts, { wallSeconds })}`);
	fs.rmSync(dir, { recursive: true, force: true });
	const problems = checkStarts(starts, keys);
	codes.forEach((code, i) => {
		if (code !== 0) problems.push(`jest for ${groups[i].join('+')} exited ${code}`);
	});
	if (reports.length === groups.length) {
		const scenarios = checkScenarios(reports);
		console.log(
			`scenarios: ${scenarios.ran} ran, ${scenarios.listed} listed in test/e2e/support/scenarios.txt`,
		);
		if (keys.length === Object.keys(require('./test/e2e/support/versions.json')).length) {
			for (const name of scenarios.missing) problems.push(`listed scenario did not run: ${name}`);
			for (const name of scenarios.unlisted) problems.push(`scenario not in the list: ${name}`);
		}
	} else {
		problems.push('a jest process wrote no report');
	}
	if (problems.length) {
		const error = new Error(`the end-to-end suite failed:\n  ${problems.join('\n  ')}`);
		error.showStack = false;
		throw error;
	}
}
endToEnd.description = 'the built package inside real n8n 1.x and 2.x against the sandbox';

/**
 * The inner loop's end-to-end part: on n8n 2.x only, the scenarios of the token's life cycle,
 * a bulk import and the error output, against the shared n8n.
 */
const SMOKE = {
	runtime: 'n8n2',
	file: 'test/e2e/tracx.test.js',
	scenarios: [
		'three executions share one session-token exchange',
		'after the token expired: one 401, one new exchange',
		'creates or updates participants one by one and in bulk',
		'takes the Error output under "Continue \\(using error output\\)"',
	],
};

const smoke = () =>
	run(
		bin('jest'),
		[SMOKE.file, '--selectProjects', 'e2e', '--testNamePattern', SMOKE.scenarios.join('|')],
		{ env: { ...process.env, TRACX_E2E_RUNTIMES: SMOKE.runtime } },
	);
smoke.description =
	'a smoke set of end-to-end scenarios on n8n 2.x (token life cycle, bulk import, error output)';

/**
 * Writes test/e2e/support/scenarios.txt, the list of end-to-end scenarios a whole run must
 * match, from a run that only lists them (no scenario runs, no n8n starts).
 */
async function scenarios() {
	const fs = require('fs');
	const os = require('os');
	const { SCENARIO_LIST } = require('./test/e2e/support/suite-table');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-scenarios-'));
	const output = path.join(dir, 'listing.json');
	await run(
		bin('jest'),
		['--selectProjects', 'e2e', '--testNamePattern', '^$', '--json', `--outputFile=${output}`],
		{ env: { ...process.env, TRACX_E2E_LIST_ONLY: '1' }, stdio: ['ignore', 'ignore', 'inherit'] },
	);
	const listing = JSON.parse(fs.readFileSync(output, 'utf8'));
	fs.rmSync(dir, { recursive: true, force: true });
	const names = listing.testResults
		.flatMap((file) =>
			file.assertionResults.map((a) => `${path.basename(file.name)} :: ${a.fullName}`),
		)
		.sort();
	const header = [
		'# The end-to-end scenarios, one per line: <file> :: <full name> (both majors).',
		'# A whole run (gulp e2e, npm test) fails when a scenario listed here did not run or one',
		'# ran that is not listed. Change a scenario and this list together: gulp scenarios.',
	];
	fs.writeFileSync(SCENARIO_LIST, `${[...header, ...names].join('\n')}\n`);
	console.log(`${names.length} scenarios written to ${path.relative(root, SCENARIO_LIST)}`);
}
scenarios.description = 'rewrite test/e2e/support/scenarios.txt from the scenario files';

function sandbox() {
	return run(process.execPath, [path.join(root, 'test/sandbox/cli.js'), ...process.argv.slice(3)]);
}
sandbox.description =
	'start the Tracx sandbox (flags: --port, --lifetime, --latency, --bulk-delay)';

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
 *
 * It stops on Ctrl-C, SIGTERM and SIGHUP, and when npm or the shell that started it ends
 * (test/tools/stop-request.js). n8n runs under the e2e guard, which ends n8n and its task
 * runner when this process ends in any way, even killed outright; the sandbox runs in this
 * process.
 */
async function runDemo() {
	const { stopRequest } = require('./test/tools/stop-request');
	const { startSandbox } = require('./test/sandbox/server');
	const { N8n, OWNER } = require('./test/e2e/support/n8n');
	const fs = require('fs');
	const stop = stopRequest();
	let ready = false;
	let stopping;
	let n8n;
	// Output may go to a terminal that has just closed: nothing must fail on the way out.
	const quietly = () => {
		process.stdout.on('error', () => {});
		process.stderr.on('error', () => {});
	};
	stop.reason.then((reason) => {
		stopping = reason;
		quietly();
		if (ready) return;
		// Still starting (installing n8n, say): whatever runs runs under the guard, which ends it
		// when this process exits; the sandbox ends with this process.
		console.error(`\n[demo] stopping (${reason}) before n8n was ready`);
		if (n8n) fs.rmSync(n8n.userFolder, { recursive: true, force: true });
		process.exit(1);
	});

	const sandbox = await startSandbox({});
	try {
		n8n = await N8n.create({
			runtimeKey: process.env.TRACX_DEMO_RUNTIME || 'n8n2',
			packageDir: root,
		});
		if (await isPortFree(5678)) n8n.port = 5678;
		const { url } = await n8n.start();
		await n8n.ownerSetup();
		// Saved through n8n's REST API, as the editor saves them: no n8n process besides the
		// server (each CLI import is one of several seconds).
		await n8n.importCredentials([
			{
				id: 'tracxSandbox',
				name: 'Tracx (sandbox)',
				type: 'tracxConnectApi',
				data: { connectToken: 'fake-connect-token-all', baseUrl: sandbox.baseUrl },
			},
		]);
		const examples = path.join(root, 'examples');
		const workflows = fs
			.readdirSync(examples)
			.filter((name) => name.endsWith('.json'))
			.sort()
			.map((file) => JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8')));
		await n8n.importWorkflows(workflows);
		// The webhook example listens from the start, so the curl line below works at once.
		await n8n.publishWorkflow('tracxRegistrationHook');
		ready = true;
		if (!stopping) {
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
		}
		const reason = await stop.reason;
		console.log(`[demo] stopping (${reason})`);
	} finally {
		await n8n?.cleanup();
		await sandbox.close();
		stop.dispose();
	}
	console.log('[demo] stopped: n8n and the sandbox have ended');
}

const benchmarks = () => run(process.execPath, [path.join(root, 'test/bench/run.js')]);
benchmarks.description = 'benchmarks (test/bench/run.js), about 8 minutes';

exports.lint = lint;
exports.typecheck = typecheck;
exports.build = build;
exports.unit = unit;
exports.prerequisites = prerequisites;
exports.check = series(lint, typecheck, build, unit);
exports.quick = series(lint, typecheck, build, unit, smoke);
exports.smoke = series(buildIfChanged, smoke);
exports.e2e = series(prerequisites, build, endToEnd);
exports.test = series(prerequisites, lint, typecheck, build, unit, endToEnd);
exports.sandbox = sandbox;
exports.scenarios = scenarios;
exports.demo = series(buildIfChanged, runDemo);
exports.bench = series(build, benchmarks);
