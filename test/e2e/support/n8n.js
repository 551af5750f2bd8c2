'use strict';

/**
 * Drives one real n8n installation headless, in a throwaway user folder, for the e2e suite.
 * Everything that differs between n8n 1.x and 2.x is handled here, so tests stay the same
 * for both runtimes.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { ensureRuntime } = require('./install');
const { delay, waitFor } = require('./wait');

/** Fixed, so that imports, executions and the server of one instance can all decrypt. */
const ENCRYPTION_KEY = 'tracx-e2e-encryption-key-not-a-secret';
const OWNER = {
	email: 'owner@tracx-e2e.test',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-owner-passw0rd',
};
/** n8n ties a session to the browser-id header it was issued with; one constant id suffices. */
const BROWSER_ID = 'tracx-e2e';
/** Logged by `n8n start` once everything, the REST API included, is mounted (1.x and 2.x). */
const SERVING_MARKER = 'Editor is now accessible via';
const GUARD = path.join(__dirname, 'guard.js');
const COMMAND_TIMEOUT_MS = 180_000;
// A busy machine can take longer: TRACX_N8N_READY_TIMEOUT_MS raises it.
const READY_TIMEOUT_MS = Number(process.env.TRACX_N8N_READY_TIMEOUT_MS) || 120_000;
const STOP_GRACE_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** How long a request n8n did not take (see request()) is sent again. */
const UNANSWERED_RETRY_MS = 30_000;
const POLL_MS = 200;

const ENV = {
	// One JSON object per log line: the execute result can be told from log lines, the
	// metadata of every entry is kept for secret scans, and no colours get in the way.
	N8N_LOG_FORMAT: 'json',
	// Keep n8n on loopback and stop it from calling home (telemetry, banners, templates, …).
	N8N_LISTEN_ADDRESS: '127.0.0.1',
	N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	// 2.x's default; 1.x warns on every command without it.
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
};

/** The differences between the n8n major versions the suite runs against. */
const BY_MAJOR = {
	1: {
		// 1.x has no publish:workflow; update:workflow sets the active flag.
		publishArgs: (id) => ['update:workflow', `--id=${id}`, '--active=true'],
		// 1.x does not know the mcp-registry module and refuses to start when it is named.
		env: {},
	},
	2: {
		publishArgs: (id) => ['publish:workflow', `--id=${id}`],
		// Without this, `n8n start` of 2.x reaches out to n8n's MCP registry.
		env: { N8N_DISABLED_MODULES: 'mcp-registry' },
	},
};

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function groupAlive(pgid) {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

function signalGroup(pgid, signal) {
	try {
		process.kill(-pgid, signal);
	} catch {
		// Already gone.
	}
}

/**
 * Every n8n process the suite starts is counted (TRACX_E2E_STATS names the file, one JSON
 * line per start): the suite's time table says how many each file made.
 */
function countStart(runtimeKey, command) {
	const statsFile = process.env.TRACX_E2E_STATS;
	if (!statsFile) return;
	// Inside a test file jest knows which file runs; a process a test starts (the demo) is
	// labelled by it, and globalSetup's shared servers are 'shared'.
	const testPath = globalThis.expect?.getState?.().testPath;
	const file = testPath ? path.basename(testPath) : process.env.TRACX_E2E_STATS_LABEL || 'shared';
	const entry = { runtimeKey, command, file };
	fs.appendFileSync(statsFile, `${JSON.stringify(entry)}\n`);
}

function logTail(child, lines = 40) {
	return fs.readFileSync(child.logFile, 'utf8').split('\n').slice(-lines).join('\n');
}

function isConnectionReset(error) {
	const code = error?.cause?.code;
	return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
}

function parseJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * `n8n execute --rawOutput` logs the run as one JSON string at info level: on success as
 * the result, on failure as part of the error report. With N8N_LOG_FORMAT=json every log
 * entry is one line. Returns the last logged run, or null.
 */
function parseRawOutput(stdout) {
	let result = null;
	for (const line of stdout.split('\n')) {
		const message = parseJson(line)?.message;
		if (typeof message !== 'string' || !message.startsWith('{')) continue;
		const run = parseJson(message);
		if (run?.data?.resultData) result = run;
	}
	return result;
}

/**
 * The production webhooks a workflow registers once active, as `{ path, method }` under
 * /webhook/. A path with `:parameters` is registered under the node's webhookId.
 */
function webhooksOf(workflow) {
	return workflow.nodes
		.filter((node) => node.type === 'n8n-nodes-base.webhook' && !node.disabled)
		.map((node) => {
			const declared = String(node.parameters.path ?? '').replace(/^\/+/, '');
			const webhookPath = declared.includes(':')
				? `${node.webhookId}/${declared.replace(/:[^/]+/g, 'x')}`
				: declared;
			return { path: webhookPath, method: String(node.parameters.httpMethod ?? 'GET') };
		});
}

/**
 * Lays the package out in the user folder the way n8n installs a community package: the
 * published files (`npm pack`) unpacked into `.n8n/nodes/node_modules/<name>`, the manifest
 * without dev and peer dependencies, and the package recorded in `.n8n/nodes/package.json`.
 * n8n finds it by the `n8n-nodes-*` folder name and reads the `n8n` section of its manifest.
 * A symlink to the checkout would make the node resolve the checkout's own n8n-workflow
 * (a dev dependency) instead of the copy of the n8n that runs it, as users' installs do.
 */
function installPackage(packageDir, userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const scratch = fs.mkdtempSync(path.join(userFolder, 'pack-'));
	const packOutput = execFileSync(
		'npm',
		['pack', packageDir, '--json', '--ignore-scripts', '--pack-destination', scratch],
		{ cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const [{ name, version, filename }] = JSON.parse(packOutput);
	const target = path.join(nodesDir, 'node_modules', name);
	fs.mkdirSync(target, { recursive: true });
	execFileSync('tar', ['-xzf', path.join(scratch, filename), '-C', target, '--strip-components=1']);
	fs.rmSync(scratch, { recursive: true, force: true });

	const manifestPath = path.join(target, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	for (const key of ['devDependencies', 'peerDependencies', 'optionalDependencies'])
		delete manifest[key];
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	const nodesManifest = {
		name: 'installed-nodes',
		private: true,
		dependencies: { [name]: version },
	};
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify(nodesManifest, null, 2));
}

class N8n {
	/**
	 * @param {object} options
	 * @param {string} options.runtimeKey  a key of versions.json (`n8n1`, `n8n2`)
	 * @param {string} [options.packageDir]  a package root to install as a community package
	 * @param {'info'|'debug'} [options.logLevel]  N8N_LOG_LEVEL; n8n prints execute results at
	 *   info level, so quieter levels would hide them
	 * @param {object} [options.env]  extra environment for every n8n process of this instance
	 */
	static async create({ runtimeKey, packageDir, logLevel = 'info', env = {} }) {
		if (!['info', 'debug'].includes(logLevel)) throw new Error('logLevel must be info or debug');
		const runtime = await ensureRuntime(runtimeKey);
		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `tracx-e2e-${runtimeKey}-`));
		if (packageDir) installPackage(packageDir, userFolder);
		return new N8n(runtime, userFolder, logLevel, env);
	}

	constructor(runtime, userFolder, logLevel, env) {
		this.runtime = runtime;
		this.major = Number(runtime.n8nVersion.split('.')[0]);
		this.differences = BY_MAJOR[this.major];
		this.userFolder = userFolder;
		/** One file per n8n process: lines of concurrent processes never interleave. */
		this.logDir = path.join(userFolder, 'logs');
		// Only what n8n needs from the outside: a developer's own N8N_* variables stay out.
		this.baseEnv = {
			PATH: `${path.dirname(runtime.nodeBin)}${path.delimiter}${process.env.PATH}`,
			HOME: userFolder,
			TMPDIR: os.tmpdir(),
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_LOG_LEVEL: logLevel,
			...ENV,
			...this.differences.env,
			...env,
		};
		this.groups = new Set();
		/** Queue-mode workers started by startWorker(), in start order. */
		this.workers = [];
		this.workflows = new Map();
		/** Ids n8n gave what was saved through the REST API, by the caller's ids. */
		this.credentialIds = new Map();
		this.workflowIds = new Map();
		this.published = new Set();
		this.server = null;
		this.port = null;
		this.url = null;
		this.cookie = null;
		this.owner = null;
		this.sequence = 0;
		/** Names the files of this driver apart from another's on the same user folder. */
		this.filePrefix = '';
	}

	/**
	 * Starts `n8n <args>` under the guard, as the leader of a new process group. PATH starts
	 * with the runtime's Node because n8n starts its JS task runner as plain `node`.
	 */
	spawn(args, extraEnv) {
		const child = spawn(
			this.runtime.nodeBin,
			[GUARD, this.runtime.nodeBin, this.runtime.n8nBin, ...args],
			{ cwd: this.userFolder, env: { ...this.baseEnv, ...extraEnv }, detached: true },
		);
		const pgid = child.pid;
		this.groups.add(pgid);
		countStart(this.runtime.key, args[0]);
		fs.mkdirSync(this.logDir, { recursive: true });
		const command = args[0].replace(/\W+/g, '-');
		child.logFile = path.join(
			this.logDir,
			`${this.filePrefix}${String(++this.sequence).padStart(3, '0')}-${command}.log`,
		);
		fs.writeFileSync(child.logFile, `=== n8n ${args.join(' ')} (pgid ${pgid})\n`);
		const log = fs.createWriteStream(child.logFile, { flags: 'a' });
		child.stdout.setEncoding('utf8').pipe(log, { end: false });
		child.stderr.setEncoding('utf8').pipe(log, { end: false });
		child.exited = new Promise((resolve) => {
			child.on('close', (code) => {
				child.stdin.destroy();
				// Anything the guard did not take down with it (it only asks politely).
				signalGroup(pgid, 'SIGKILL');
				// Resolve once the log is on disk, so that logText() right after has it all.
				log.end(() => resolve(code));
			});
		});
		return child;
	}

	/** Runs an n8n CLI command to completion: `{ code, stdout, stderr, ms }`. */
	async run(args, { timeoutMs = COMMAND_TIMEOUT_MS } = {}) {
		const started = Date.now();
		// Each process hosts its own task broker; a fixed port would clash with a running server.
		const child = this.spawn(args, { N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			signalGroup(child.pid, 'SIGKILL');
		}, timeoutMs);
		const code = await child.exited;
		clearTimeout(timer);
		if (timedOut)
			throw new Error(`n8n ${args.join(' ')} killed after ${timeoutMs} ms\n${stdout}${stderr}`);
		return { code, stdout, stderr, ms: Date.now() - started };
	}

	/** Like run(), but a non-zero exit code is an error. */
	async runOk(args) {
		const outcome = await this.run(args);
		if (outcome.code !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} exited ${outcome.code}\n${outcome.stdout}${outcome.stderr}`,
			);
		}
		return outcome;
	}

	scratchFile(kind) {
		const dir = path.join(this.userFolder, 'io');
		fs.mkdirSync(dir, { recursive: true });
		return path.join(dir, `${this.filePrefix}${kind}-${++this.sequence}.json`);
	}

	/**
	 * `credentials`: `[{ id, name, type, data }]` with plain data; n8n encrypts it. Before n8n
	 * starts, through the CLI (the ids are kept); on a running n8n whose owner is set up,
	 * through the REST API (no n8n process of its own).
	 */
	async importCredentials(credentials) {
		if (this.server && this.cookie) return await this.importCredentialsViaRest(credentials);
		const file = this.scratchFile('credentials');
		fs.writeFileSync(file, JSON.stringify(credentials, null, 2));
		try {
			await this.runOk(['import:credentials', `--input=${file}`]);
		} finally {
			// Plain secrets stay on disk no longer than n8n needs them.
			fs.rmSync(file);
		}
	}

	/** Imports one workflow (always inactive). n8n keeps only ids of at most 21 characters. */
	async importWorkflow(workflow) {
		await this.importWorkflows([workflow]);
	}

	/**
	 * Like importWorkflow, for several workflows in one n8n command (each costs seconds); on a
	 * running n8n whose owner is set up, through the REST API instead.
	 */
	async importWorkflows(workflows) {
		if (this.server && this.cookie) return await this.importWorkflowsViaRest(workflows);
		for (const workflow of workflows) {
			if (typeof workflow.id !== 'string' || workflow.id.length === 0 || workflow.id.length > 21) {
				throw new Error(
					`A workflow needs an id of 1 to 21 characters, got ${JSON.stringify(workflow.id)}`,
				);
			}
		}
		const file = this.scratchFile('workflows');
		fs.writeFileSync(file, JSON.stringify(workflows, null, 2));
		await this.runOk(['import:workflow', `--input=${file}`]);
		for (const workflow of workflows) this.workflows.set(workflow.id, workflow);
	}

	/**
	 * Saves each credential as the editor does (n8n encrypts the data). n8n gives it a new id;
	 * the caller keeps using its own (`credentialId()` translates, workflows imported through
	 * the REST API get it translated).
	 */
	async importCredentialsViaRest(credentials) {
		for (const { id, name, type, data } of credentials) {
			const created = await this.restData('POST', '/rest/credentials', { name, type, data });
			this.credentialIds.set(id ?? created.id, created.id);
		}
	}

	/** A workflow as the file wrote it, with its credential ids translated to n8n's. */
	translated(workflow) {
		const nodes = workflow.nodes.map((node) => {
			if (!node.credentials) return node;
			const credentials = Object.fromEntries(
				Object.entries(node.credentials).map(([type, reference]) => [
					type,
					this.credentialIds.has(reference.id)
						? { ...reference, id: this.credentialIds.get(reference.id) }
						: reference,
				]),
			);
			return { ...node, credentials };
		});
		return { ...workflow, nodes };
	}

	/**
	 * Saves each workflow as the editor does (inactive); `workflow.id` stays the caller's name
	 * for it (`workflowId()` translates).
	 */
	async importWorkflowsViaRest(workflows) {
		for (const workflow of workflows) {
			if (this.workflowIds.has(workflow.id)) {
				throw new Error(`This driver already imported a workflow "${workflow.id}"`);
			}
			const { nodes, connections, settings, name, pinData, staticData } = this.translated(workflow);
			const created = await this.restData('POST', '/rest/workflows', {
				name: `${name ?? workflow.id}`,
				nodes,
				connections,
				settings: settings ?? {},
				pinData,
				staticData,
				active: false,
			});
			this.workflowIds.set(workflow.id, created);
			this.workflows.set(workflow.id, workflow);
		}
	}

	/** n8n's id for a credential: the one it gave a credential saved through the REST API. */
	credentialId(id) {
		return this.credentialIds.get(id) ?? id;
	}

	/** n8n's id for a workflow: the one it gave a workflow saved through the REST API. */
	workflowId(id) {
		return this.workflowIds.get(id)?.id ?? id;
	}

	/**
	 * Runs a workflow that starts with a Manual Trigger: `{ code, result, stdout, stderr, ms }`.
	 * `result` is the run (`result.data.resultData.runData[nodeName]`), also when it failed,
	 * or null when n8n stopped before running it (an unknown node type, for instance); the
	 * reason is then in stdout.
	 */
	async execute(workflowId) {
		const outcome = await this.run([
			'execute',
			`--id=${this.workflowId(workflowId)}`,
			'--rawOutput',
		]);
		return { ...outcome, result: parseRawOutput(outcome.stdout) };
	}

	/** The stored credential's `data`, decrypted by n8n's export. */
	async exportCredential(id) {
		const file = this.scratchFile('export');
		await this.runOk([
			'export:credentials',
			`--id=${this.credentialId(id)}`,
			'--decrypted',
			`--output=${file}`,
		]);
		const [credential] = JSON.parse(fs.readFileSync(file, 'utf8'));
		fs.rmSync(file);
		return credential.data;
	}

	/**
	 * Activates a workflow so that its trigger (a Webhook, say) listens. Before n8n starts,
	 * through the CLI (which only writes the database; n8n reads it at start). On a running
	 * n8n whose owner is set up, through the REST API, as the editor's toggle does: no restart.
	 */
	async publishWorkflow(id) {
		if (this.server && this.cookie) {
			const workflowId = this.workflowId(id);
			const { versionId } = await this.restData('GET', `/rest/workflows/${workflowId}`);
			await this.restData('POST', `/rest/workflows/${workflowId}/activate`, { versionId });
			this.published.add(id);
			await this.waitForWebhooks(Date.now() + READY_TIMEOUT_MS, [id]);
			return;
		}
		await this.runOk(this.differences.publishArgs(id));
		this.published.add(id);
		if (this.server) {
			await this.stop();
			await this.start();
		}
	}

	/**
	 * `n8n start` on a free loopback port (the same one again after a restart). Resolves with
	 * `{ url, ms }` once n8n serves its REST API, /healthz/readiness answers 200 and the
	 * webhooks of the workflows published through this driver are registered.
	 */
	async start() {
		if (this.server) throw new Error('n8n is already running');
		this.port = this.port ?? (await freePort());
		this.url = `http://127.0.0.1:${this.port}`;
		const server = this.spawn(['start'], {
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		this.server = server;
		const started = Date.now();
		const deadline = started + READY_TIMEOUT_MS;
		try {
			await this.waitUntilServing(server, deadline);
			await this.waitForWebhooks(deadline);
		} catch (error) {
			await this.stop();
			throw error;
		}
		return { url: this.url, ms: Date.now() - started };
	}

	/**
	 * /healthz/readiness alone is not enough: n8n answers it as soon as the database is
	 * migrated, while 1.x still answers 404 on /rest for a few seconds after that.
	 */
	async waitUntilServing(server, deadline) {
		let tail = '';
		let serving = false;
		const watch = (chunk) => {
			tail = (tail + chunk).slice(-500);
			if (tail.includes(SERVING_MARKER)) {
				serving = true;
				server.stdout.off('data', watch);
			}
		};
		server.stdout.on('data', watch);
		let exited = false;
		server.exited.then(() => (exited = true));
		while (Date.now() < deadline) {
			if (exited) throw new Error(`n8n start exited before it was ready\n${logTail(server)}`);
			if (serving) {
				const response = await fetch(`${this.url}/healthz/readiness`, {
					signal: AbortSignal.timeout(5000),
				});
				if (response.status === 200) return;
			}
			await delay(POLL_MS);
		}
		throw new Error(`n8n start was not ready after ${READY_TIMEOUT_MS} ms\n${logTail(server)}`);
	}

	/**
	 * n8n activates workflows after it reports ready (2.x even in the background). A CORS
	 * preflight lists the methods registered for a webhook path without running the workflow.
	 */
	async waitForWebhooks(deadline, ids = [...this.published]) {
		const pending = ids.flatMap((id) => webhooksOf(this.workflows.get(id)));
		for (const { path: webhookPath, method } of pending) {
			await waitFor(
				`n8n to register the webhook ${method} /webhook/${webhookPath}`,
				async () => {
					const response = await fetch(`${this.url}/webhook/${webhookPath}`, {
						method: 'OPTIONS',
						headers: { origin: this.url },
						signal: AbortSignal.timeout(5000),
					});
					const allowed = response.headers.get('access-control-allow-methods') ?? '';
					return allowed.split(/,\s*/).includes(method);
				},
				{
					ms: Math.max(0, deadline - Date.now()),
					everyMs: POLL_MS,
					explain: this.server ? () => logTail(this.server) : undefined,
				},
			);
		}
	}

	/** SIGTERM to the server's process group, SIGKILL when it has not exited in time. */
	async stop() {
		const server = this.server;
		if (!server) return;
		this.server = null;
		signalGroup(server.pid, 'SIGTERM');
		const timer = setTimeout(() => signalGroup(server.pid, 'SIGKILL'), STOP_GRACE_MS);
		await server.exited;
		clearTimeout(timer);
	}

	/**
	 * Starts `n8n worker`, which runs the executions that main puts on the queue. The instance
	 * must have been created with queue-mode env (EXECUTIONS_MODE=queue, Redis, Postgres: see
	 * services.js). Each worker gets its own health-check port (how readiness is known: database
	 * and Redis connected, queue consumer set up, in 1.x and 2.x alike) and task-broker port, so
	 * several run beside main. Resolves with `{ name, port, logFile, ms }`.
	 */
	async startWorker({ concurrency = 10 } = {}) {
		const port = await freePort();
		const child = this.spawn(['worker', `--concurrency=${concurrency}`], {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		const worker = {
			name: `worker${this.workers.length + 1}`,
			port,
			logFile: child.logFile,
			child,
		};
		this.workers.push(worker);
		const started = Date.now();
		const deadline = started + READY_TIMEOUT_MS;
		let exited = false;
		child.exited.then(() => (exited = true));
		for (;;) {
			if (exited) throw new Error(`n8n worker exited before it was ready\n${logTail(child)}`);
			const status = await fetch(`http://127.0.0.1:${port}/healthz/readiness`, {
				signal: AbortSignal.timeout(5000),
			}).then(
				(response) => response.status,
				() => null,
			);
			if (status === 200) break;
			if (Date.now() > deadline) {
				await this.stopWorkers();
				throw new Error(`n8n worker was not ready after ${READY_TIMEOUT_MS} ms\n${logTail(child)}`);
			}
			await delay(POLL_MS);
		}
		worker.ms = Date.now() - started;
		return worker;
	}

	/**
	 * The ids of the executions a worker has started so far, from its log: "Worker started
	 * execution <id> (job <n>)" is logged at info level by 1.x and 2.x.
	 */
	workerExecutions(worker) {
		const text = fs.readFileSync(worker.logFile, 'utf8');
		return [...text.matchAll(/Worker started execution (\d+) \(job /g)].map((match) => match[1]);
	}

	/** Stops every worker like the server: SIGTERM, SIGKILL when it has not exited in time. */
	async stopWorkers() {
		const running = this.workers.filter((worker) => worker.child.exitCode === null);
		for (const worker of running) signalGroup(worker.child.pid, 'SIGTERM');
		await Promise.all(
			running.map(async ({ child }) => {
				const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS);
				await child.exited;
				clearTimeout(timer);
			}),
		);
	}

	/** Process groups of this instance that still have a member (expected: none once stopped). */
	liveProcessGroups() {
		return [...this.groups].filter(groupAlive);
	}

	/**
	 * Creates the instance owner and keeps its session cookie for rest(); later calls return
	 * the same owner. The cookie outlives restarts: n8n derives its signing secret from the
	 * encryption key.
	 */
	async ownerSetup() {
		if (this.owner) return this.owner;
		const response = await this.request('POST', '/rest/owner/setup', OWNER);
		if (response.status !== 200) {
			throw new Error(`Owner setup answered ${response.status}: ${JSON.stringify(response.body)}`);
		}
		const cookie = response.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
		if (!cookie) throw new Error('Owner setup set no n8n-auth cookie');
		this.cookie = cookie.split(';')[0];
		this.owner = response.body.data;
		return this.owner;
	}

	async request(method, urlPath, body) {
		if (!this.url) throw new Error('n8n is not running: call start() first');
		const headers = { 'browser-id': BROWSER_ID };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const send = () =>
			fetch(`${this.url}${urlPath}`, {
				method,
				headers,
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
			});
		// Two answers that come before n8n handles the request, so sending it again is safe:
		// a kept-alive connection that n8n closed while it or this process was busy (1.x runs
		// Code nodes on its main thread; a 10,000-item run holds it for seconds) resets the next
		// read sent on it; and once its database ping (every 2 s, given up after 5 s) timed out,
		// n8n answers every request 503 "Database is not ready!" until a ping succeeds again.
		const deadline = Date.now() + UNANSWERED_RETRY_MS;
		let response;
		for (;;) {
			let reason;
			try {
				response = await send();
				if (response.status !== 503) break;
				const text = await response.clone().text();
				if (!text.includes('Database is not ready')) break;
				reason = 'answered 503 "Database is not ready!"';
			} catch (error) {
				if (method !== 'GET' || !isConnectionReset(error)) throw error;
				reason = 'reset the connection';
			}
			if (Date.now() > deadline) {
				throw new Error(`${method} ${urlPath}: n8n ${reason} for ${UNANSWERED_RETRY_MS / 1000} s`);
			}
			await delay(POLL_MS);
		}
		const text = await response.text();
		return { status: response.status, headers: response.headers, body: parseJson(text) ?? text };
	}

	/** A call to n8n's internal REST API as the owner: `{ status, body }` (body parsed if JSON). */
	async rest(method, urlPath, body) {
		if (!this.cookie) throw new Error('No session: call ownerSetup() first');
		const { status, body: parsed } = await this.request(method, urlPath, body);
		return { status, body: parsed };
	}

	/** rest() for calls that must succeed: the `data` n8n wraps its answers in. */
	async restData(method, urlPath, body) {
		const { status, body: parsed } = await this.rest(method, urlPath, body);
		if (status < 200 || status > 299) {
			throw new Error(`${method} ${urlPath} answered ${status}: ${JSON.stringify(parsed)}`);
		}
		return parsed.data;
	}

	/**
	 * A workflow's executions as n8n lists them (`GET /rest/executions`), each once, oldest
	 * first; `id` is the file's workflow id. n8n answers that list from two queries run at once
	 * (running, and finished) and joins them, so an execution ending between the two is named
	 * twice, once running and once finished: the finished entry is kept. Pages through lists
	 * longer than one answer (n8n gives 20 by default, 100 at most).
	 */
	async executionsOf(id) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: this.workflowId(id) }));
		const byId = new Map();
		let range = '';
		for (;;) {
			const page = await this.restData(
				'GET',
				`/rest/executions?filter=${filter}&limit=100${range}`,
			);
			for (const execution of page.results) {
				const known = byId.get(String(execution.id));
				if (!known || ['new', 'running'].includes(known.status)) {
					byId.set(String(execution.id), execution);
				}
			}
			if (page.results.length < 100) break;
			range = `&lastId=${Math.min(...page.results.map((execution) => Number(execution.id)))}`;
		}
		return [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id));
	}

	/** Saves a credential through the REST API, as the editor does; returns its id. */
	async createCredentialViaRest({ name, type, data }) {
		const created = await this.restData('POST', '/rest/credentials', { name, type, data });
		return created.id;
	}

	/**
	 * The editor's "Test" button: `{ status: 'OK' | 'Error', message }`. Both major versions
	 * take `{ credentials: { id, name, type, data } }` and test only stored credentials, with
	 * the given data merged over the stored data; a credential without an id is saved first,
	 * as the editor saves before it tests.
	 */
	async testCredential({ id, name = 'Tracx e2e', type, data }) {
		const credentialId = id ?? (await this.createCredentialViaRest({ name, type, data }));
		return await this.restData('POST', '/rest/credentials/test', {
			credentials: { id: credentialId, name, type, data },
		});
	}

	/**
	 * What the editor asks for to fill a picker or a field mapper:
	 * POST /rest/dynamic-node-parameters/<kind> (e.g. `resource-locator-results`,
	 * `resource-mapper-fields`) in the owner's personal project. Returns the `data`.
	 */
	async dynamicParameters(kind, body) {
		const project = await this.restData('GET', '/rest/projects/personal');
		return await this.restData('POST', `/rest/dynamic-node-parameters/${kind}`, {
			...body,
			projectId: project.id,
		});
	}

	/** The stored credential with its data as the editor sees it (password fields redacted). */
	async getCredentialViaRest(id) {
		return await this.restData('GET', `/rest/credentials/${id}?includeData=true`);
	}

	/** All that this instance's n8n processes printed so far (JSON log lines, mostly), in order. */
	logText() {
		if (!fs.existsSync(this.logDir)) return '';
		const files = fs.readdirSync(this.logDir).sort();
		return files.map((file) => fs.readFileSync(path.join(this.logDir, file), 'utf8')).join('\n');
	}

	/** Stops n8n and removes the user folder (kept when TRACX_E2E_KEEP=1, for debugging). */
	async cleanup() {
		await this.stop();
		await this.stopWorkers();
		for (const pgid of this.liveProcessGroups()) signalGroup(pgid, 'SIGKILL');
		// A killed process still counts until its new parent (init, once the guard is gone) reaps it.
		const reaped = Date.now() + STOP_GRACE_MS;
		while (this.liveProcessGroups().length > 0 && Date.now() < reaped) await delay(POLL_MS);
		if (process.env.TRACX_E2E_KEEP === '1') {
			process.stderr.write(`[e2e] kept ${this.userFolder}\n`);
			return;
		}
		fs.rmSync(this.userFolder, { recursive: true, force: true });
	}
}

module.exports = { N8n, ENCRYPTION_KEY, OWNER, freePort, groupAlive, signalGroup };
