'use strict';

/**
 * What the editor gets from real n8n (1.x and 2.x) for the Tracx node, and what happens to
 * the choices it offers: the node types as the editor loads them (action texts, the tool
 * variant's Tool Description, the Custom API Call n8n adds), a run with Custom API Call
 * picked, the Race picker with an event ID beyond 2^53 − 1, and the credential's Test
 * button with a Base URL that lacks its scheme.
 *
 * Runs on the shared n8n of each major (support/shared.js): the credential and the workflow
 * are this file's own (ids translated by the driver), its webhook path and webhookId are
 * prefixed `tracx-editor-`/its own, and the run is found by filtering on its workflow id.
 */
const { startSandbox } = require('../sandbox/server');
const { selectedRuntimes } = require('./support/install');
const { waitFor } = require('./support/wait');
const { sharedN8n } = require('./support/shared');
const { node, rl, tracx } = require('./support/workflows');

jest.setTimeout(5 * 60_000);

const TOKEN = 'fake-connect-token-all';
const CREDENTIAL = { id: 'tracxEditor', name: 'Tracx (editor)' };
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

/** A webhook that runs a Tracx node with Custom API Call picked in it. */
function customApiCallWorkflow() {
	const hook = node('Webhook', 'n8n-nodes-base.webhook', 2, {
		httpMethod: 'POST',
		path: 'tracx-editor-custom-call',
		responseMode: 'lastNode',
		options: {},
	});
	hook.webhookId = 'c2b0f1a4-6c55-4b7e-9a52-0a1d7e0c0e01';
	const call = tracx('Tracx', CREDENTIAL, { resource: 'participant', operation: CUSTOM_API_CALL });
	return {
		id: 'tracxEditorCustomCall',
		name: 'Tracx editor: Custom API Call',
		active: false,
		nodes: [
			{ ...hook, position: [0, 0] },
			{ ...call, position: [220, 0] },
		],
		connections: { Webhook: { main: [[{ node: 'Tracx', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

describe.each(selectedRuntimes())('the Tracx node in the editor of real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;
	let types;

	const logged = () => sandbox.control.requests({}).items;

	beforeAll(async () => {
		sandbox = await startSandbox({ bulkDelayMs: 50 });
		n8n = await sharedN8n(runtimeKey);
		await n8n.importCredentials([
			{
				...CREDENTIAL,
				type: 'tracxConnectApi',
				data: { connectToken: TOKEN, baseUrl: sandbox.baseUrl },
			},
		]);
		const workflow = customApiCallWorkflow();
		await n8n.importWorkflow(workflow);
		await n8n.publishWorkflow(workflow.id);
		// the node types as the editor loads them
		const response = await n8n.rest('GET', '/types/nodes.json');
		expect(response.status).toBe(200);
		types = response.body;
	});

	afterAll(async () => {
		await n8n?.cleanup();
		await sandbox?.close();
	});

	const typeNamed = (name) => types.find((type) => type.name === name);
	const operationLists = (type) =>
		type.properties.filter((p) => p.name === 'resource' || p.name === 'operation');

	test("actions as short as n8n's own; the tool variant says more in its own Tool Description", () => {
		const node = typeNamed('n8n-nodes-tracx.tracx');
		const actions = node.properties
			.filter((p) => p.name === 'operation')
			.flatMap((p) => p.options.filter((o) => o.value !== CUSTOM_API_CALL).map((o) => o.action));
		expect(actions).toEqual([
			'Get many events',
			'Get many races',
			'Create or update a participant',
			'Create or update many participants',
		]);

		const tool = typeNamed('n8n-nodes-tracx.tracxTool');
		const descriptions = tool.properties.filter((p) => p.name === 'toolDescription');
		expect(descriptions.map((p) => p.displayOptions.show.operation[0])).toEqual([
			'getAll',
			'getAll',
			'upsert',
			'upsertMany',
		]);
		expect(descriptions[0].default).toContain('Event IDs are whole numbers');
		expect(descriptions[2].default).toContain('Participants are matched by unique_id');
		// n8n adds its own Set Automatically / Set Manually only to nodes that bring none
		expect(tool.properties.some((p) => p.name === 'descriptionType')).toBe(false);
	});

	test('n8n lists Custom API Call; run, it points to the HTTP Request node and sends nothing', async () => {
		for (const list of operationLists(typeNamed('n8n-nodes-tracx.tracx'))) {
			expect(list.options.at(-1)).toEqual({ name: 'Custom API Call', value: CUSTOM_API_CALL });
		}
		const before = logged().length;
		const response = await fetch(`${n8n.url}/webhook/tracx-editor-custom-call`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		expect(response.status).toBe(500);
		// the webhook answers once the node failed; the execution is stored right after
		const run = await waitFor(
			'the stored run of tracxEditorCustomCall',
			async () => (await n8n.executionsOf('tracxEditorCustomCall'))[0],
		);
		const execution = await n8n.finishedExecution(run.id, {
			what: 'the run of tracxEditorCustomCall',
		});
		expect(execution.status).toBe('error');
		// the run data as n8n stores it (serialized): the node's message and where to go
		expect(execution.data).toContain(
			"Custom API Call is made with n8n's HTTP Request node, not with the Tracx node",
		);
		expect(execution.data).toContain('Predefined Credential Type');
		expect(logged().slice(before)).toEqual([]);
	});

	test('the Race picker refuses an event ID beyond 2^53 − 1 instead of rounding it', async () => {
		const before = logged().length;
		const ask = (eventId) =>
			n8n.dynamicParameters('resource-locator-results', {
				methodName: 'searchRaces',
				path: 'parameters.race',
				nodeTypeAndVersion: { name: 'n8n-nodes-tracx.tracx', version: 1 },
				currentNodeParameters: {
					resource: 'participant',
					operation: 'upsertMany',
					event: rl(eventId),
				},
				credentials: {
					tracxConnectApi: { ...CREDENTIAL, id: n8n.credentialId(CREDENTIAL.id) },
				},
			});
		await expect(ask('9007199254740993')).rejects.toThrow(
			'\\"Event\\" must be a Tracx event ID (a whole number from 1 to 9007199254740991), got \\"9007199254740993\\"',
		);
		expect(
			logged()
				.slice(before)
				.filter((r) => r.route === 'GET /races'),
		).toEqual([]);
		const races = await ask('1');
		expect(races.results.map((r) => r.value)).toEqual(['1', '2']);
	});

	test('the Test button says a Base URL without a scheme must start with https://', async () => {
		const result = await n8n.testCredential({
			type: 'tracxConnectApi',
			data: { connectToken: TOKEN, baseUrl: sandbox.baseUrl.replace(/^https?:\/\//, '') },
		});
		expect(result.status).toBe('Error');
		expect(result.message).toContain(
			'The Base URL of the Tracx credential must start with https:// (for example https://api.tracx.events/v1/connect)',
		);
	});
});
