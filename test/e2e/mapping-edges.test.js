'use strict';

/**
 * Participant mapping off the happy path, in real n8n (1.x and 2.x), on the shared n8n of
 * each major (support/shared.js), every scenario through a webhook or an MCP tool call:
 *
 * - as an MCP tool, a field mapped from `$json` stores what n8n's own evaluation gives (the
 *   MCP Server Trigger's JSON-RPC request), not the tool call's arguments;
 * - an empty optional cell (null, empty text, missing) leaves what Tracx holds untouched, in
 *   both operations and both mapping modes;
 * - a Fixed mapper value holding `{{ … }}` is refused before anything is sent, in both
 *   operations and Validate Only.
 *
 * The credential and workflows are this file's own (ids translated by the driver); webhook
 * paths start with `edges-` and the webhookIds are this file's.
 */

const { startSandbox } = require('../sandbox/server');
const { selectedRuntimes } = require('./support/install');
const { connectMcp } = require('./support/mcp-client');
const { sharedN8n } = require('./support/shared');
const { node, chain, rl, tracx, autoMap } = require('./support/workflows');

jest.setTimeout(5 * 60_000);

const CREDENTIAL = { id: 'tracxEdges', name: 'Tracx (edges)' };
const MCP_PATH = 'edges-tracx-mapping';
/** Webhook paths (the workflow ids, prefixed). */
const HOOK = { edgesEmptyCells: 'edges-empty-cells', edgesFixedBraces: 'edges-fixed-braces' };

/** Field by field: every column by a plain reference (read from the item), state left to n8n. */
const byColumn = {
	mappingMode: 'defineBelow',
	value: {
		unique_id: '={{ $json.unique_id }}',
		first_name: '={{ $json.first_name }}',
		last_name: '={{ $json.last_name }}',
		date_of_birth: '={{ $json.date_of_birth }}',
		start_number: '={{ $json.start_number }}',
		chip_code: '={{ $json.chip_code }}',
		country_code: '={{ $json.country_code }}',
		team_name: '={{ $json["team_name"] }}',
		gender: '={{ $json.gender }}',
		state: '={{ $json.state === undefined ? null : $json.state }}',
	},
	matchingColumns: ['unique_id'],
	schema: [],
};

let webhookCount = 0;

/**
 * Webhook → Split Out (body.rows, one item per row) → Switch on each row's `route` → one
 * Tracx node per route; n8n answers with every item of the Tracx node that ran. One
 * workflow for several scenarios.
 */
function routedFlow(id, routes) {
	const webhook = node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{
			httpMethod: 'POST',
			path: HOOK[id],
			responseMode: 'lastNode',
			responseData: 'allEntries',
			options: {},
		},
		{ webhookId: `5e1f0c7e-0000-4d55-9c8a-${String(++webhookCount).padStart(12, '0')}` },
	);
	const rows = node('Rows', 'n8n-nodes-base.splitOut', 1, {
		fieldToSplitOut: 'body.rows',
		options: {},
	});
	const route = node('Route', 'n8n-nodes-base.switch', 3, {
		mode: 'expression',
		numberOutputs: routes.length,
		output: '={{ $json.route }}',
	});
	const targets = routes.map(({ name, parameters, extra }) =>
		tracx(name, CREDENTIAL, parameters, extra),
	);
	[webhook, rows, route].forEach((n, i) => (n.position = [i * 220, 0]));
	targets.forEach((n, i) => (n.position = [660, i * 200]));
	return {
		id,
		name: id,
		active: false,
		nodes: [webhook, rows, route, ...targets],
		connections: {
			[webhook.name]: { main: [[{ node: rows.name, type: 'main', index: 0 }]] },
			[rows.name]: { main: [[{ node: route.name, type: 'main', index: 0 }]] },
			[route.name]: { main: targets.map((t) => [{ node: t.name, type: 'main', index: 0 }]) },
		},
		settings: { executionOrder: 'v1' },
	};
}

const upsert = (participant, extra = {}) => ({
	resource: 'participant',
	operation: 'upsert',
	race: rl('1'),
	participant,
	...extra,
});
const upsertMany = (participant, options = {}) => ({
	resource: 'participant',
	operation: 'upsertMany',
	event: rl('1'),
	race: rl('1'),
	participant,
	options,
});

/** [operation, mode, route (Switch output), Tracx parameters] */
const MODES = [
	['Create or Update', 'Map Automatically', 0, upsert(autoMap)],
	['Create or Update', 'field by field', 1, upsert(byColumn)],
	['Create or Update Many', 'Map Automatically', 2, upsertMany(autoMap)],
	['Create or Update Many', 'field by field', 3, upsertMany(byColumn)],
];

const fixedLastName = {
	...byColumn,
	value: { ...byColumn.value, last_name: '{{ $json.surname }}' },
};
/** [scenario, route (Switch output), Tracx parameters, node settings] */
const FIXED = [
	['Create or Update', 0, upsert(fixedLastName), { onError: 'continueRegularOutput' }],
	['Create or Update Many', 1, upsertMany(fixedLastName), { onError: 'continueRegularOutput' }],
	['Validate Only', 2, upsertMany(fixedLastName, { validateOnly: true }), {}],
];

/** The MCP Server Trigger (v2: `$json` is the JSON-RPC request) with one Tracx tool. */
function toolWorkflow() {
	const trigger = node(
		'MCP Server Trigger',
		'@n8n/n8n-nodes-langchain.mcpTrigger',
		2,
		{ path: MCP_PATH },
		{
			webhookId: '5e1f0c7e-0000-4d55-9c8a-0000000000e1',
		},
	);
	const tool = node(
		'save_mapped',
		'n8n-nodes-tracx.tracxTool',
		1,
		{
			resource: 'participant',
			operation: 'upsert',
			race: rl("={{ $fromAI('race_id', 'The Tracx race ID', 'number') }}"),
			participant: {
				mappingMode: 'defineBelow',
				value: {
					unique_id: "={{ $fromAI('unique_id', 'The participant ID', 'string') }}",
					first_name: 'Noor',
					// a plain reference to $json: the node's fast path, outside tool mode
					last_name: '={{ $json.method }}',
					// the same value, left to n8n's evaluation; also makes `method` a tool argument
					team_name: "={{ $fromAI('method', 'Any word', 'string') ? $json.method + '' : '' }}",
					date_of_birth: '1990-05-17',
					start_number: "={{ $fromAI('start_number', 'The bib', 'string') }}",
					chip_code: '1234567',
				},
				matchingColumns: [],
				schema: [],
			},
		},
		{ credentials: { tracxConnectApi: CREDENTIAL } },
	);
	trigger.position = [200, 0];
	tool.position = [0, 200];
	return {
		id: 'edgesTool',
		name: 'edgesTool',
		active: false,
		nodes: [trigger, tool],
		connections: {
			save_mapped: { ai_tool: [[{ node: trigger.name, type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

const full = (uniqueId) => ({
	unique_id: uniqueId,
	first_name: 'Ada',
	last_name: 'Lovelace',
	date_of_birth: '1990-12-10',
	start_number: `${uniqueId}-B`,
	chip_code: '7654321',
	country_code: 'NL',
	team_name: 'Analytical Engines',
	gender: 'female',
	state: 'before',
});

describe.each(selectedRuntimes())('participant mapping edges in real n8n (%s)', (runtimeKey) => {
	let sandbox;
	let n8n;

	const stored = (uniqueId) =>
		sandbox.control.participants({ event_id: 1 }).items.find((p) => p.unique_id === uniqueId);
	const writes = () =>
		sandbox.control
			.requests({})
			.items.filter((r) => r.method === 'POST' && /participant/.test(r.path)).length;

	async function post(workflowId, route, rows) {
		rows = rows.map((row) => ({ ...row, route }));
		const response = await fetch(`${n8n.url}/webhook/${HOOK[workflowId]}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ rows }),
		});
		const text = await response.text();
		let body;
		try {
			body = JSON.parse(text);
		} catch {
			body = text;
		}
		return { status: response.status, body };
	}

	beforeAll(async () => {
		sandbox = await startSandbox({ bulkDelayMs: 0 });
		n8n = await sharedN8n(runtimeKey);
		await n8n.importCredentials([
			{
				...CREDENTIAL,
				type: 'tracxConnectApi',
				data: { connectToken: 'fake-connect-token-all', baseUrl: sandbox.baseUrl },
			},
		]);
		const workflows = [
			toolWorkflow(),
			routedFlow(
				'edgesEmptyCells',
				MODES.map(([op, mode, , parameters]) => ({ name: `${op}, ${mode}`, parameters })),
			),
			routedFlow(
				'edgesFixedBraces',
				FIXED.map(([label, , parameters, extra]) => ({ name: label, parameters, extra })),
			),
		];
		await n8n.importWorkflows(workflows);
		for (const workflow of workflows) await n8n.publishWorkflow(workflow.id);
	});

	afterAll(async () => {
		await n8n?.cleanup();
		await sandbox?.close();
	});

	test("as an MCP tool, a field mapped from $json stores what n8n's evaluation gives, not the tool argument", async () => {
		const mcp = await connectMcp(n8n.url, MCP_PATH, 'tracx-mapping-edges');
		try {
			const result = await mcp.callTool({
				name: 'save_mapped',
				arguments: {
					unique_id: 'MCP-1',
					start_number: 'M1',
					race_id: 1,
					method: 'FromToolArguments',
				},
			});
			expect(result.isError).not.toBe(true);
		} finally {
			await mcp.close();
		}
		const participant = stored('MCP-1');
		// team_name is left to n8n: it is what n8n's evaluation of $json.method gives
		expect(participant.team_name).toBe('tools/call');
		expect(participant.last_name).toBe(participant.team_name);
		expect(participant.start_number).toBe('M1');
	});

	describe.each(MODES)(
		'%s, %s: an empty optional cell leaves the stored value',
		(op, _mode, route) => {
			test('null, empty text and a missing column are not sent', async () => {
				const rows = ['null', 'empty', 'missing'].map((kind) => full(`E${route}-${kind}`));
				let response = await post('edgesEmptyCells', route, rows);
				expect(response.status).toBe(200);
				// the row went to this operation's node: one stored participant per row, or a batch
				expect(response.body[0]).toHaveProperty(op === 'Create or Update' ? 'full_name' : 'batch');
				sandbox.control.flushImports();
				for (const row of rows) expect(stored(row.unique_id)).toMatchObject(row);

				const emptied = rows.map((row, i) => {
					const next = { ...row, first_name: 'Grace' };
					for (const field of ['country_code', 'team_name', 'gender', 'state']) {
						if (i === 0) next[field] = null;
						else if (i === 1) next[field] = '';
						else delete next[field];
					}
					return next;
				});
				response = await post('edgesEmptyCells', route, emptied);
				expect(response.status).toBe(200);
				sandbox.control.flushImports();
				for (const row of rows) {
					// the update arrived (first_name), the optional fields kept what Tracx held
					expect(stored(row.unique_id)).toMatchObject({ ...row, first_name: 'Grace' });
				}
			});
		},
	);

	test.each(FIXED)(
		'%s: a Fixed value holding {{ }} is refused, naming the field, with nothing sent',
		async (_label, route) => {
			const before = writes();
			const response = await post('edgesFixedBraces', route, [
				{ ...full(`F${route}-1`), surname: 'Noor' },
				{ ...full(`F${route}-2`), surname: 'Noor' },
			]);
			expect(response.status).toBe(200);
			const messages = response.body.map((item) => item.error?.message ?? item.error);
			expect(messages).toHaveLength(2);
			messages.forEach((message, i) =>
				expect(message).toBe(
					`Invalid participant in item ${i}: "Last Name" is a Fixed value containing {{ … }} ("{{ $json.surname }}"), which would be sent as written: switch "Last Name" to Expression`,
				),
			);
			expect(writes()).toBe(before);
			expect(stored(`F${route}-1`)).toBeUndefined();
		},
	);
});
