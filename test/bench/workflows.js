'use strict';

/**
 * The workflows the bench runs inside n8n, each behind a Webhook trigger (how a user runs a
 * workflow many times; it avoids a cold `n8n execute` process per run). Our node's variants
 * and what a user would build instead with the HTTP Request node and no credential.
 */
const crypto = require('node:crypto');

const { chain, node, rl, tracx } = require('../e2e/support/workflows');
const {
	makeOwnColumnRows,
	makeParticipants,
	ownColumnMapping,
	ownColumnRenames,
} = require('./participants');

/** Fake, like every token the sandbox seeds. */
const CONNECT_TOKEN = 'fake-connect-token-all';

/** Responds with the last node's first item once the whole workflow has run. */
function webhook(path) {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		2,
		{ httpMethod: 'GET', path, responseMode: 'lastNode', options: {} },
		// Every webhook node carries an id; one derived from the path keeps imports reproducible.
		{ webhookId: crypto.createHash('sha256').update(path).digest('hex').slice(0, 32) },
	);
}

/**
 * A Code node that outputs `?count=` records from a shared generator: the participants, or
 * (`makeOwnColumnRows`) the same start list with a registration export's own column names.
 */
function startList(generate = makeParticipants) {
	return node('Start list', 'n8n-nodes-base.code', 2, {
		jsCode: [
			`const generate = ${generate.toString()};`,
			"const count = Number($('Webhook').first().json.query.count);",
			'return generate(count).map((json) => ({ json }));',
		].join('\n'),
	});
}

function httpRequest(name, parameters) {
	return node(name, 'n8n-nodes-base.httpRequest', 4.2, { options: {}, ...parameters });
}

/** POST /session-token with the connect token typed into the node, as a user would. */
function sessionTokenRequest(baseUrl) {
	return httpRequest('Get session token', {
		method: 'POST',
		url: `${baseUrl}/session-token`,
		sendHeaders: true,
		headerParameters: {
			parameters: [
				{ name: 'Authorization', value: CONNECT_TOKEN },
				{ name: 'Accept', value: 'application/json' },
			],
		},
	});
}

const sessionHeaders = (tokenExpression) => ({
	sendHeaders: true,
	headerParameters: {
		parameters: [
			{ name: 'Authorization', value: tokenExpression },
			{ name: 'Accept', value: 'application/json' },
		],
	},
});

const autoMap = { mappingMode: 'autoMapInputData', value: null, matchingColumns: [], schema: [] };

/** Item 1, our node: one API call per execution, the session token kept in the credential. */
function tokenOurs(id, credential) {
	return chain(id, [
		webhook(id),
		tracx('List events', credential, { resource: 'event', operation: 'getAll', returnAll: true }),
	]);
}

/** Item 1, without our node: a session token fetched in every execution, then the call. */
function tokenHttp(id, baseUrl) {
	return chain(id, [
		webhook(id),
		sessionTokenRequest(baseUrl),
		httpRequest('List events', {
			url: `${baseUrl}/events`,
			...sessionHeaders('={{ $json.data.token }}'),
		}),
	]);
}

/** n8n's own share of 2a: the same webhook and Code node, no Tracx node. */
function sourceOnly(id) {
	return chain(id, [webhook(id), startList()]);
}

/**
 * 2a: Create or Update Many; `?batchSize=` and `?inFlight=` set the Batch Size and Batches
 * in Parallel options. Race is left empty,
 * so each item's race_id column is used (the advice for mapped imports in docs/operations.md), or, with
 * `raceExpression`, mapped per item with `{{ $json.race_id }}`, which costs n8n one
 * expression evaluation per item.
 */
function bulkMany(id, credential, eventId, raceExpression = false) {
	return chain(id, [
		webhook(id),
		startList(),
		tracx('Tracx', credential, {
			resource: 'participant',
			operation: 'upsertMany',
			event: rl(String(eventId)),
			race: raceExpression ? rl('={{ $json.race_id }}') : { __rl: true, mode: 'list', value: '' },
			participant: autoMap,
			options: {
				batchSize: "={{ Number($('Webhook').first().json.query.batchSize) }}",
				inFlight: "={{ Number($('Webhook').first().json.query.inFlight) }}",
			},
		}),
	]);
}

const NUMBER_FIELDS = new Set(['race_id', 'start_number', 'chip_code']);

/**
 * 4: own column names at bulk size. `mapping` is how the user maps them: 'fields' (Map Each
 * Field Below with plain references), 'editFields' (n8n's Edit Fields renames the columns,
 * then Map Automatically) or 'validateOnly' (the field-by-field mapping, Validate Only).
 */
function ownColumns(id, credential, eventId, mapping) {
	const many = {
		resource: 'participant',
		operation: 'upsertMany',
		event: rl(String(eventId)),
		options: mapping === 'validateOnly' ? { validateOnly: true } : {},
	};
	const renamed = node('Edit Fields', 'n8n-nodes-base.set', 3.4, {
		mode: 'manual',
		assignments: {
			assignments: Object.entries(ownColumnRenames).map(([name, value]) => ({
				id: `rename-${name}`,
				name,
				value,
				type: NUMBER_FIELDS.has(name) ? 'number' : 'string',
			})),
		},
		includeOtherFields: false,
		options: {},
	});
	const parameters =
		mapping === 'editFields'
			? { ...many, race: { __rl: true, mode: 'list', value: '' }, participant: autoMap }
			: { ...many, ...ownColumnMapping };
	return chain(id, [
		webhook(id),
		startList(makeOwnColumnRows),
		...(mapping === 'editFields' ? [renamed] : []),
		tracx('Tracx', credential, parameters),
	]);
}

/**
 * 2a″: the same workflow set not to save successful executions (Workflow Settings), as n8n
 * advises for workflows that move a lot of data.
 */
function unsaved(workflow) {
	return { ...workflow, settings: { ...workflow.settings, saveDataSuccessExecution: 'none' } };
}

/** 2b: Create or Update, one request per item. */
function bulkEach(id, credential) {
	return chain(id, [
		webhook(id),
		startList(),
		tracx('Tracx', credential, {
			resource: 'participant',
			operation: 'upsert',
			race: { __rl: true, mode: 'list', value: '' },
			participant: autoMap,
		}),
	]);
}

/** 2c: the HTTP Request node, one POST /participant per item, the token fetched once by hand. */
function bulkHttp(id, baseUrl) {
	return chain(id, [
		webhook(id),
		sessionTokenRequest(baseUrl),
		startList(),
		httpRequest('Tracx', {
			method: 'POST',
			url: `${baseUrl}/participant`,
			...sessionHeaders("={{ $('Get session token').first().json.data.token }}"),
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify($json) }}',
		}),
	]);
}

module.exports = {
	CONNECT_TOKEN,
	tokenOurs,
	tokenHttp,
	sourceOnly,
	bulkMany,
	unsaved,
	bulkEach,
	bulkHttp,
	ownColumns,
};
