'use strict';

/**
 * One `n8n start` instance with the bench workflows published, and a way to run one of them
 * through its webhook and collect what happened: the wall time the caller saw, what the
 * sandbox received, n8n's own timing per node and the peak RSS of the n8n processes.
 */
const path = require('node:path');

const { N8n } = require('../e2e/support/n8n');
const { n8nProcesses, peakMb, resetPeak, rssMb } = require('./memory');

/** Counters of the sandbox's stats that a run changes, as differences. */
function apiDelta(before, after) {
	const byRoute = {};
	for (const [route, n] of Object.entries(after.requests.byRoute)) {
		const d = n - (before.requests.byRoute[route] ?? 0);
		if (d) byRoute[route] = d;
	}
	return {
		requests: after.requests.total - before.requests.total,
		exchanges: after.exchanges.total - before.exchanges.total,
		ok: (after.status['200'] ?? 0) - (before.status['200'] ?? 0),
		byRoute,
	};
}

class BenchN8n {
	/**
	 * Installs the package into a throwaway n8n user folder, imports the credentials and the
	 * workflows, publishes them and starts n8n once (publishing first avoids restarts).
	 */
	static async start({ runtimeKey, packageDir, sandbox, credentials, workflows }) {
		const n8n = await N8n.create({ runtimeKey, packageDir });
		try {
			await n8n.importCredentials(credentials);
			for (const workflow of workflows) await n8n.importWorkflow(workflow);
			for (const workflow of workflows) await n8n.publishWorkflow(workflow.id);
			await n8n.start();
			await n8n.ownerSetup();
		} catch (error) {
			await n8n.cleanup();
			throw error;
		}
		return new BenchN8n(n8n, sandbox);
	}

	constructor(n8n, sandbox) {
		this.n8n = n8n;
		this.sandbox = sandbox;
		// n8n's execution data is stored with flatted; use n8n's own copy to read it.
		this.flatted = require(path.resolve(n8n.runtime.n8nBin, '../../../flatted'));
	}

	get versions() {
		return { n8n: this.n8n.runtime.n8nVersion, node: this.n8n.runtime.nodeVersion };
	}

	/**
	 * GET /webhook/<id>?<query> and wait for the response (sent once the last node has run).
	 * With `details`, also the peak RSS of n8n and of its task runner during the call, and the
	 * execution's own timing per node (unless the workflow does not save its executions).
	 */
	async call(workflowId, query = {}, { details = false, saved = true } = {}) {
		const processes = details ? n8nProcesses(this.n8n.server.pid) : null;
		const rssBefore = processes ? rssMb(processes.main) : null;
		if (processes) for (const pid of Object.values(processes)) if (pid) resetPeak(pid);
		const before = this.sandbox.stats();
		const started = performance.now();
		const response = await fetch(
			`${this.n8n.url}/webhook/${workflowId}?${new URLSearchParams(query)}`,
			// Runs of 10,000 single requests take minutes: no client-side timeout.
			{ signal: AbortSignal.timeout(30 * 60_000) },
		);
		const body = await response.text();
		const ms = performance.now() - started;
		if (response.status !== 200) {
			throw new Error(`webhook ${workflowId} answered ${response.status}: ${body.slice(0, 500)}`);
		}
		const api = apiDelta(before, this.sandbox.stats());
		if (!details) return { ms, api };
		return {
			ms,
			api,
			peakRssMb: {
				n8n: peakMb(processes.main),
				n8nBefore: rssBefore,
				taskRunner: processes.runner ? peakMb(processes.runner) : null,
			},
			execution: saved ? await this.lastExecution(workflowId) : { ms: null, nodes: {} },
		};
	}

	/** n8n's record of the latest execution of a workflow: its duration and each node's. */
	async lastExecution(workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = await this.n8n.restData('GET', `/rest/executions?filter=${filter}&limit=1`);
		const id = list.results[0].id;
		const execution = await this.n8n.restData('GET', `/rest/executions/${id}`);
		const run = this.flatted.parse(execution.data);
		const nodes = Object.fromEntries(
			Object.entries(run.resultData.runData).map(([name, runs]) => [name, runs[0].executionTime]),
		);
		return {
			status: execution.status,
			ms: new Date(execution.stoppedAt) - new Date(execution.startedAt),
			nodes,
		};
	}

	async stop() {
		await this.n8n.cleanup();
	}
}

module.exports = { BenchN8n };
