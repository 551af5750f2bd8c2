'use strict';

/**
 * One started n8n per major, shared by the scenario files of a jest run.
 *
 * Starting n8n costs 7–14 s and every `n8n execute` or CLI import is a new process of 3–5 s;
 * most scenarios only need a running n8n to import a workflow into and run it. So the
 * `e2e` project's globalSetup starts one `n8n start` per selected runtime (in the
 * background: the first files run meanwhile) and its globalTeardown stops it. A scenario
 * file calls `sharedN8n(runtimeKey)` and gets a `SharedN8n`: the driver's methods, done
 * through n8n's REST API against that server, as the editor does them.
 *
 * Isolation comes from distinct credentials, workflows and sandboxes: each file creates its
 * own (n8n gives them new ids; the file keeps using the ids it chose), and each file's
 * sandbox is its own server on its own port. What a file published is unpublished when it
 * ends, so webhook paths and triggers do not outlive it.
 *
 * Scenarios where a new process is the point (restarts, queue-mode workers, the demo's
 * stop signals, `n8n execute` as CLI users run it, a process killed mid-import) keep their
 * own `N8n.create()`.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { N8n } = require('./n8n');
const { selectedRuntimes } = require('./install');
const { waitFor } = require('./wait');

const STATE_ENV = 'TRACX_E2E_SHARED_STATE';
const PACKAGE_DIR = path.resolve(__dirname, '../../..');
const WAIT_POLL_MS = 200;
const EXECUTION_POLL_MS = 50;
/** How long a manual run may take before the scenario is told what it waited for. */
const EXECUTION_TIMEOUT_MS = 4 * 60_000;
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

/** Whether stored run data is the finished run's (see SharedN8n.finishedExecution). */
function finalRunData(data, status) {
	if (data?.resultData?.error) return true;
	// A stopped or crashed run may end with work left on its stack.
	if (status === 'canceled' || status === 'crashed') return true;
	const { lastNodeExecuted, runData } = data?.resultData ?? {};
	return (
		data?.executionData?.nodeExecutionStack?.length === 0 &&
		runData?.[lastNodeExecuted] !== undefined
	);
}

/** The jest parent process's handles on the servers (globalSetup and globalTeardown share it). */
const HANDLES = Symbol.for('tracx.e2e.shared');

function readState(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return {};
	}
}

function writeState(file, state) {
	const scratch = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(scratch, JSON.stringify(state, null, 2));
	fs.renameSync(scratch, file);
}

/**
 * globalSetup: starts one n8n per selected runtime without waiting for them. Their state
 * (url, owner cookie, user folder; or the error) lands in the state file as each is ready.
 */
function startSharedInBackground() {
	const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tracx-e2e-shared-')), 'state.json');
	process.env[STATE_ENV] = file;
	writeState(file, {});
	const handles = { file, instances: [], starting: [] };
	globalThis[HANDLES] = handles;
	for (const runtimeKey of selectedRuntimes()) {
		const starting = (async () => {
			const started = Date.now();
			try {
				const n8n = await N8n.create({
					runtimeKey,
					packageDir: PACKAGE_DIR,
					// Debug logs: the secret scans read everything the node and n8n print.
					logLevel: 'debug',
				});
				handles.instances.push(n8n);
				await n8n.start();
				await n8n.ownerSetup();
				const ready = {
					runtimeKey,
					userFolder: n8n.userFolder,
					port: n8n.port,
					cookie: n8n.cookie,
					owner: n8n.owner,
					ms: Date.now() - started,
				};
				writeState(file, { ...readState(file), [runtimeKey]: ready });
			} catch (error) {
				writeState(file, {
					...readState(file),
					[runtimeKey]: { runtimeKey, error: String(error?.stack ?? error) },
				});
			}
		})();
		handles.starting.push(starting);
	}
}

/** globalTeardown: stops the shared servers (their process groups, task runners included). */
async function stopShared() {
	const handles = globalThis[HANDLES];
	if (!handles) return;
	await Promise.all(handles.starting);
	await Promise.all(handles.instances.map((n8n) => n8n.cleanup()));
	fs.rmSync(path.dirname(handles.file), { recursive: true, force: true });
}

/** Waits for the shared n8n of a runtime and attaches to it. */
async function sharedN8n(runtimeKey, { timeoutMs = 180_000 } = {}) {
	const file = process.env[STATE_ENV];
	if (!file) {
		throw new Error(
			`${STATE_ENV} is not set: the shared n8n is started by the e2e project's globalSetup ` +
				'(run the file with `npx jest <file> --selectProjects e2e`)',
		);
	}
	const state = await waitFor(
		`the shared n8n (${runtimeKey}) to be ready`,
		() => {
			const entry = readState(file)[runtimeKey];
			if (entry?.error) {
				throw new Error(`The shared n8n (${runtimeKey}) did not start: ${entry.error}`);
			}
			return entry;
		},
		{ ms: timeoutMs, everyMs: WAIT_POLL_MS },
	);
	return await SharedN8n.attach(state);
}

/**
 * The driver against the shared server. Same method names as `N8n`; ids the file chose for
 * credentials and workflows are translated to the ones n8n created.
 */
class SharedN8n extends N8n {
	static async attach(state) {
		const { ensureRuntime } = require('./install');
		const runtime = await ensureRuntime(state.runtimeKey);
		const n8n = new SharedN8n(runtime, state.userFolder, 'debug', {});
		n8n.port = state.port;
		n8n.url = `http://127.0.0.1:${state.port}`;
		n8n.cookie = state.cookie;
		n8n.owner = state.owner;
		// Each file's CLI runs log to files of their own: names never repeat another file's.
		n8n.filePrefix = `${path.basename(globalThis.expect?.getState?.().testPath ?? 'attached', '.test.js')}-${process.pid}-${Date.now()}-`;
		n8n.logOffsets = n8n.logSizes();
		// n8n stores run data in the `flatted` format; read it with the copy n8n itself uses.
		n8n.flatted = require(path.join(runtime.dir, 'node_modules', 'flatted'));
		return n8n;
	}

	/** The server is shared: it is started by globalSetup and stopped by globalTeardown. */
	async start() {
		throw new Error(
			'The shared n8n is started once for the whole run; use N8n.create() for your own',
		);
	}

	async stop() {
		throw new Error(
			'The shared n8n is stopped once at the end of the run; use N8n.create() for your own',
		);
	}

	/** n8n's id for a credential this file created, by the id the file gave it. */
	credentialId(id) {
		const real = this.credentialIds.get(id);
		if (!real) throw new Error(`No credential "${id}" was imported by this file`);
		return real;
	}

	/** n8n's id for a workflow this file imported, by the id the file gave it. */
	workflowId(id) {
		const real = this.workflowIds.get(id)?.id;
		if (!real) throw new Error(`No workflow "${id}" was imported by this file`);
		return real;
	}

	/** Through the REST API, as the editor saves them (see N8n.importCredentialsViaRest). */
	async importCredentials(credentials) {
		await this.importCredentialsViaRest(credentials);
	}

	/** Through the REST API, as the editor saves them (see N8n.importWorkflowsViaRest). */
	async importWorkflows(workflows) {
		await this.importWorkflowsViaRest(workflows);
	}

	/**
	 * Runs a workflow from its Manual Trigger as the editor's "Execute workflow" does, and
	 * waits for the stored execution: `{ code, result, stdout, stderr, ms, executionId }`
	 * shaped like `N8n.execute()` (code 0 when the run succeeded, 1 otherwise; `result.data`
	 * is the run data).
	 */
	async execute(workflowId) {
		const started = Date.now();
		const workflow = this.workflowIds.get(workflowId);
		if (!workflow) throw new Error(`No workflow "${workflowId}" was imported by this file`);
		const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
		if (!trigger) throw new Error(`Workflow "${workflowId}" has no Manual Trigger to run from`);
		// 2.x reads the workflow from the database and takes the trigger by name; 1.x takes
		// the workflow from the request as well.
		const run = await this.restData('POST', `/rest/workflows/${workflow.id}/run`, {
			workflowData: workflow,
			triggerToStartFrom: { name: trigger.name },
		});
		if (!run?.executionId) {
			throw new Error(`n8n did not start workflow "${workflowId}": ${JSON.stringify(run)}`);
		}
		const execution = await this.finishedExecution(run.executionId, {
			what: `the run of workflow "${workflowId}"`,
		});
		const result = {
			status: execution.status,
			mode: execution.mode,
			finished: execution.finished,
			data: execution.runData,
		};
		return {
			code: execution.status === 'success' ? 0 : 1,
			result,
			stdout: '',
			stderr: '',
			ms: Date.now() - started,
			executionId: String(run.executionId),
		};
	}

	/**
	 * Waits for an execution to finish and returns it as stored, with its run data parsed
	 * (`runData`). n8n 1.x on SQLite writes a finished execution's status and its run data in
	 * two statements, so the status can say "success" while the data read with it is still the
	 * data stored before: an execution counts as finished once its data is final too (a failed
	 * run carries its error; any other has nothing left to run and holds its last node's run).
	 */
	async finishedExecution(
		executionId,
		{ what = `execution ${executionId}`, timeoutMs = EXECUTION_TIMEOUT_MS } = {},
	) {
		let last;
		return waitFor(
			() => `${what} to finish (its last status: ${last})`,
			async () => {
				const { status, body } = await this.rest('GET', `/rest/executions/${executionId}`);
				last = status === 200 ? body.data?.status : `HTTP ${status}`;
				if (status !== 200 || !FINISHED.has(body.data?.status)) return null;
				const runData = this.flatted.parse(body.data.data);
				if (finalRunData(runData, body.data.status)) return { ...body.data, runData };
				last = `${body.data.status}, its run data not yet stored`;
				return null;
			},
			{ ms: timeoutMs, everyMs: EXECUTION_POLL_MS },
		);
	}

	/** Publishes a workflow through the REST API, as the editor's toggle does, and waits for its webhooks. */
	async publishWorkflow(id) {
		const workflow = this.workflowIds.get(id);
		if (!workflow) throw new Error(`No workflow "${id}" was imported by this file`);
		await this.restData('POST', `/rest/workflows/${workflow.id}/activate`, {
			versionId: workflow.versionId,
		});
		this.published.add(id);
		await this.waitForWebhooks(Date.now() + 60_000, [id]);
	}

	/** Unpublishes what this file published, so that its webhooks and triggers end with it. */
	async cleanup() {
		for (const id of this.published) {
			await this.rest('POST', `/rest/workflows/${this.workflowId(id)}/deactivate`, {});
		}
		this.published.clear();
	}

	logSizes() {
		if (!fs.existsSync(this.logDir)) return new Map();
		return new Map(
			fs
				.readdirSync(this.logDir)
				.map((file) => [file, fs.statSync(path.join(this.logDir, file)).size]),
		);
	}

	/** What the n8n processes printed since this file attached (the server's log and any CLI runs). */
	logText() {
		if (!fs.existsSync(this.logDir)) return '';
		return fs
			.readdirSync(this.logDir)
			.sort()
			.map((file) => {
				const text = fs.readFileSync(path.join(this.logDir, file));
				return text.subarray(this.logOffsets.get(file) ?? 0).toString('utf8');
			})
			.join('\n');
	}
}

module.exports = { sharedN8n, startSharedInBackground, stopShared, SharedN8n, STATE_ENV };
