import nock from 'nock';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { idReader } from '../../nodes/Tracx/actions/tracx-ids';
import { participantReader } from '../../nodes/Tracx/actions/participant/input';
import { Tracx } from '../../nodes/Tracx/Tracx.node';
import { credentialStore, locator } from './support/fake-n8n';
import { realParameterContext } from './support/real-n8n-parameters';
import { PATH, runNode, sessionIssuer, tracx, useNock } from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));

useNock();

const row = (n: number, overrides: IDataObject = {}): IDataObject => ({
	unique_id: `P-${n}`,
	first_name: `First${n}`,
	last_name: `Last${n}`,
	date_of_birth: '1988-07-14',
	start_number: String(100 + n),
	chip_code: String(1000000 + n),
	...overrides,
});

/** Field by field, every field a plain reference to the column of the same name. */
const byReference = (extra: IDataObject = {}): IDataObject => ({
	mappingMode: 'defineBelow',
	value: {
		unique_id: '={{ $json.unique_id }}',
		first_name: '={{ $json.first_name }}',
		last_name: '={{ $json.last_name }}',
		date_of_birth: '={{ $json.date_of_birth }}',
		start_number: '={{ $json.start_number }}',
		chip_code: '={{ $json.chip_code }}',
		country_code: '={{ $json.country_code }}',
		team_name: '={{ $json.team_name }}',
		gender: '={{ $json.gender }}',
		state: '={{ $json.state }}',
		...extra,
	},
	matchingColumns: ['unique_id'],
	schema: [],
});

/** Field by field in the fake context: a function stands for an expression n8n evaluates. */
const column = (id: string) => (_i: number, item: INodeExecutionData) => item.json[id];
const byExpression = (extra: IDataObject = {}): IDataObject => ({
	mappingMode: 'defineBelow',
	value: {
		unique_id: column('unique_id'),
		first_name: column('first_name'),
		last_name: column('last_name'),
		date_of_birth: column('date_of_birth'),
		start_number: column('start_number'),
		chip_code: column('chip_code'),
		country_code: column('country_code'),
		team_name: column('team_name'),
		gender: column('gender'),
		state: column('state'),
		...extra,
	},
});
const autoMap = { mappingMode: 'autoMapInputData', value: null };

describe('as an AI tool, mapped fields are what n8n evaluates, not the tool arguments', () => {
	const parameters: INodeParameters = {
		resource: 'participant',
		operation: 'upsertMany',
		event: { __rl: true, mode: 'id', value: '={{ $json.event }}' },
		race: { __rl: true, mode: 'id', value: '={{ $json.race }}' },
		participant: byReference({
			last_name: '={{ $json.method }}',
			team_name: "={{ $json.method + '' }}",
		}) as INodeParameters,
	};
	// what the MCP Server Trigger passes on ($json) and what the model sent (getInputData)
	const request = { ...row(1), method: 'tools/call', event: 3, race: 13 };
	const toolArguments = { ...row(2), method: 'FromToolArguments', event: 9, race: 19 };

	it.each(['n8n1', 'n8n2'] as const)('%s', (asTool) => {
		const { ctx } = realParameterContext(parameters, [request], {
			asTool,
			toolArguments: [toolArguments],
		});
		const [item] = ctx.getInputData();
		expect(item.json).toEqual(toolArguments);
		const participant = participantReader(ctx)(item, 0);
		expect(participant).toMatchObject({
			unique_id: ctx.getNodeParameter('participant.value.unique_id', 0),
			last_name: ctx.getNodeParameter('participant.value.last_name', 0),
			team_name: ctx.getNodeParameter('participant.value.team_name', 0),
			race_id: 13,
		});
		expect(participant.last_name).toBe('tools/call');
		expect(idReader(ctx, 'event')(item, 0)).toBe(3);
	});

	it('outside tool mode, the same references are read from the items (no evaluation)', () => {
		const { ctx, evaluations } = realParameterContext(parameters, [request]);
		const [item] = ctx.getInputData();
		const participant = participantReader(ctx)(item, 0);
		expect(participant.last_name).toBe('tools/call');
		expect(idReader(ctx, 'event')(item, 0)).toBe(3);
		// only team_name (not a plain reference) was evaluated
		expect(evaluations()).toBe(1);
	});
});

describe('an empty optional field is not sent: Tracx keeps what it holds', () => {
	const EMPTY = [null, '', '   ', undefined];
	const emptyRows = () =>
		EMPTY.map((empty, n) =>
			row(n, { team_name: empty, country_code: empty, gender: empty, state: empty }),
		);
	const optional = ['team_name', 'country_code', 'gender', 'state'];

	const captureSingle = () => {
		const bodies: IDataObject[] = [];
		sessionIssuer();
		tracx()
			.persist()
			.post(`${PATH}/participant`)
			.reply((_uri, body) => {
				bodies.push(body as IDataObject);
				return [200, { data: { id: 1, ...(body as IDataObject) } }];
			});
		return bodies;
	};
	const captureMany = () => {
		const bodies: IDataObject[] = [];
		sessionIssuer();
		tracx()
			.persist()
			.post(`${PATH}/events/1/participants`)
			.reply((_uri, body) => {
				bodies.push(...(body as IDataObject[]));
				return [200, { data: { queued: 1 } }];
			});
		return bodies;
	};

	it.each([
		['Map Automatically', autoMap],
		['field by field', byExpression()],
	])('Create or Update, %s', async (_mode, participant) => {
		const bodies = captureSingle();
		await runNode({
			parameters: {
				resource: 'participant',
				operation: 'upsert',
				race: locator('11'),
				participant,
			},
			items: emptyRows(),
		});
		expect(bodies).toHaveLength(EMPTY.length);
		for (const body of bodies) for (const field of optional) expect(body).not.toHaveProperty(field);
	});

	it.each([
		['Map Automatically', autoMap],
		['field by field', byExpression()],
	])('Create or Update Many, %s', async (_mode, participant) => {
		const bodies = captureMany();
		await runNode({
			parameters: {
				resource: 'participant',
				operation: 'upsertMany',
				event: locator('1'),
				race: locator('11'),
				participant,
			},
			items: emptyRows(),
		});
		expect(bodies).toHaveLength(EMPTY.length);
		for (const body of bodies) for (const field of optional) expect(body).not.toHaveProperty(field);
	});

	it.each([
		['Map Automatically', autoMap],
		['field by field', byExpression()],
	])('Validate Only, %s', async (_mode, participant) => {
		const output = await runNode({
			parameters: {
				resource: 'participant',
				operation: 'upsertMany',
				event: locator('1'),
				race: locator('11'),
				participant,
				options: { validateOnly: true },
			},
			items: emptyRows(),
		});
		expect(output[0]).toHaveLength(EMPTY.length);
		for (const { json } of output[0]) {
			expect(json.error).toBeUndefined();
			for (const field of optional) expect(json).not.toHaveProperty(field);
		}
	});

	it('field by field with plain references, read from the items', () => {
		const { ctx } = realParameterContext(
			{
				resource: 'participant',
				operation: 'upsert',
				race: locator('11'),
				participant: byReference(),
			} as INodeParameters,
			emptyRows(),
		);
		const read = participantReader(ctx);
		ctx.getInputData().forEach((item, i) => {
			const participant = read(item, i);
			for (const field of optional) expect(participant).not.toHaveProperty(field);
		});
	});

	it('a required field left empty still names what to fill', async () => {
		await expect(
			runNode({
				parameters: {
					resource: 'participant',
					operation: 'upsert',
					race: locator('11'),
					participant: byExpression(),
				},
				items: [row(0, { first_name: null })],
			}),
		).rejects.toThrow(
			'Invalid participant in item 0: "first_name" is required: set First Name under "Values to Send"',
		);
	});
});

describe('a Fixed value holding {{ … }} is refused before anything is sent', () => {
	const fixedLastName = byExpression({ last_name: '{{ $json.surname }}' });
	const message =
		'"Last Name" is a Fixed value containing {{ … }} ("{{ $json.surname }}"), which would be sent as written: switch "Last Name" to Expression';

	it('Create or Update', async () => {
		const store = credentialStore();
		await expect(
			runNode({
				parameters: {
					resource: 'participant',
					operation: 'upsert',
					race: locator('11'),
					participant: fixedLastName,
				},
				items: [row(0, { surname: 'Noor' })],
				store,
			}),
		).rejects.toThrow(`Invalid participant in item 0: ${message}`);
		expect(store.exchanges).toBe(0);
	});

	it('Create or Update, with Continue On Fail: every item an error item, nothing sent', async () => {
		const store = credentialStore();
		const output = await runNode({
			parameters: {
				resource: 'participant',
				operation: 'upsert',
				race: locator('11'),
				participant: fixedLastName,
			},
			items: [row(0), row(1)],
			store,
			continueOnFail: true,
		});
		expect(output[0].map((o) => (o.json.error as IDataObject).message)).toEqual([
			`Invalid participant in item 0: ${message}`,
			`Invalid participant in item 1: ${message}`,
		]);
		expect(store.exchanges).toBe(0);
	});

	it('Create or Update Many, and Validate Only', async () => {
		const store = credentialStore();
		const parameters = {
			resource: 'participant',
			operation: 'upsertMany',
			event: locator('1'),
			race: locator('11'),
			participant: fixedLastName,
		};
		await expect(runNode({ parameters, items: [row(0)], store })).rejects.toThrow(message);
		const output = await runNode({
			parameters: { ...parameters, options: { validateOnly: true } },
			items: [row(0), row(1)],
			store,
		});
		expect(output[0].map((o) => (o.json.error as IDataObject).message)).toEqual([
			`Invalid participant in item 0: ${message}`,
			`Invalid participant in item 1: ${message}`,
		]);
		expect(store.exchanges).toBe(0);
	});

	it.each([
		['Event', { event: locator('{{ $json.event }}') }],
		['Race', { race: locator('{{ $json.race }}') }],
	])('%s By ID', async (label, overrides) => {
		const store = credentialStore();
		const parameters = {
			resource: 'participant',
			operation: 'upsertMany',
			event: locator('1'),
			race: locator('11'),
			participant: autoMap,
			...overrides,
		};
		const expected = `"${label}" is a Fixed value containing {{ … }} ("{{ $json.${label.toLowerCase()} }}"), which would be sent as written: switch "${label}" to Expression`;
		await expect(runNode({ parameters, items: [row(0)], store })).rejects.toThrow(expected);
		const output = await runNode({
			parameters: { ...parameters, options: { validateOnly: true } },
			items: [row(0)],
			store,
		});
		expect((output[0][0].json.error as IDataObject).message).toContain(expected);
		if (label === 'Race') {
			await expect(
				runNode({
					parameters: { ...parameters, operation: 'upsert' },
					items: [row(0)],
					store,
				}),
			).rejects.toThrow(expected);
		}
		expect(store.exchanges).toBe(0);
	});

	it('text with braces that is not {{ … }} is sent as written', async () => {
		const output = await runNode({
			parameters: {
				resource: 'participant',
				operation: 'upsertMany',
				event: locator('1'),
				race: locator('11'),
				participant: byExpression({ team_name: 'Team {curly} {{' }),
				options: { validateOnly: true },
			},
			items: [row(0)],
		});
		expect(output[0][0].json.team_name).toBe('Team {curly} {{');
	});
});

describe('the whole participant as one expression (participant.value = {{ $json.p }})', () => {
	const parameters = (value: string): INodeParameters => ({
		resource: 'participant',
		operation: 'upsert',
		race: locator('11') as INodeParameters,
		participant: { mappingMode: 'defineBelow', value },
	});

	it.each([
		['a plain reference', '={{ $json.p }}'],
		['an expression n8n evaluates', '={{ Object.assign({}, $json.p) }}'],
	])('%s', (_kind, value) => {
		const { ctx } = realParameterContext(parameters(value), [
			{ p: row(0, { gender: 'Female' }) },
			{ p: row(1, { team_name: null }) },
		]);
		const read = participantReader(ctx);
		const [first, second] = ctx.getInputData().map((item, i) => read(item, i));
		expect(first).toEqual({ ...row(0), gender: 'female', race_id: 11 });
		expect(second).toEqual({ ...row(1), race_id: 11 });
	});

	it('anything but an object is refused, naming the mapper', () => {
		const { ctx } = realParameterContext(parameters('={{ $json.p }}'), [{ p: 'Noor' }]);
		const [item] = ctx.getInputData();
		expect(() => participantReader(ctx)(item, 0)).toThrow(
			'Invalid participant in item 0: "Values to Send" is one expression, which must give an object of participant fields (unique_id, first_name, …), not a string',
		);
	});

	it('runs through the node', async () => {
		nock.cleanAll();
		const output = await new Tracx().execute.call(
			realParameterContext(
				{
					...parameters('={{ $json.p }}'),
					operation: 'upsertMany',
					event: locator('1'),
					options: { validateOnly: true },
				} as INodeParameters,
				[{ p: row(0) }],
			).ctx,
		);
		expect(output[0]).toEqual([{ json: { ...row(0), race_id: 11 }, pairedItem: { item: 0 } }]);
	});
});

describe('Validate Only under Stop Workflow: error items first, then the valid ones in sending order', () => {
	it('as a real run with Continue On Fail orders them', async () => {
		const output = await runNode({
			parameters: {
				resource: 'participant',
				operation: 'upsertMany',
				event: (_i: number, item: INodeExecutionData) => locator(String(item.json.ev)),
				race: locator('11'),
				participant: autoMap,
				options: { validateOnly: true },
			},
			items: [
				row(0, { ev: 2 }),
				row(1, { ev: 1, chip_code: 'x' }),
				row(2, { ev: 1 }),
				row(3, { ev: 2 }),
			],
		});
		expect(output[0].map((o) => [o.json.error ? 'error' : o.json.unique_id, o.pairedItem])).toEqual(
			[
				['error', [{ item: 1 }]],
				['P-0', { item: 0 }],
				['P-3', { item: 3 }],
				['P-2', { item: 2 }],
			],
		);
	});
});

describe('quoted keys holding a line break are left to n8n, which refuses them', () => {
	it.each(['line\rbreak', 'line\u2028separator', 'paragraph\u2029separator'])('%j', (key) => {
		const { ctx } = realParameterContext(
			{
				resource: 'participant',
				operation: 'upsert',
				race: locator('11'),
				participant: byReference({ team_name: `={{ $json["${key}"] }}` }),
			} as INodeParameters,
			[row(0, { [key]: 'Read anyway' })],
		);
		const [item] = ctx.getInputData();
		let n8nError = '';
		try {
			ctx.getNodeParameter('participant.value.team_name', 0);
		} catch (error) {
			n8nError = (error as Error).message;
		}
		expect(n8nError).not.toBe('');
		expect(() => participantReader(ctx)(item, 0)).toThrow(n8nError);
	});
});

describe('the editor tells which columns Map Automatically reads', () => {
	it.each(['upsert', 'upsertMany'])('%s', (operation) => {
		const notices = new Tracx().description.properties.filter(
			(p) =>
				p.type === 'notice' &&
				(p.displayOptions?.show?.operation as string[] | undefined)?.includes(operation),
		);
		expect(notices.map((n) => n.displayName).join(' ')).toContain(
			'Map Automatically reads the input columns unique_id, first_name, last_name, date_of_birth, start_number, chip_code, country_code, team_name, gender, state, and race_id when Race is empty',
		);
	});
});
