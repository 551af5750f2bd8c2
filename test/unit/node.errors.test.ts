import nock from 'nock';
import { NodeApiError, sleep } from 'n8n-workflow';

import { Tracx } from '../../nodes/Tracx/Tracx.node';
import { fingerprintOf } from '../../nodes/Tracx/shared/session';
import {
	BASE_URL,
	CONNECT_TOKEN,
	credentialStore,
	executeContext,
	fakeSessionToken,
	locator,
} from './support/fake-n8n';
import {
	PATH,
	expectNoSecrets,
	nowSeconds,
	runNode,
	sessionIssuer,
	tracx,
	useNock,
} from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));
const waits = sleep as jest.MockedFunction<typeof sleep>;

const participantInput = {
	unique_id: 'P-1',
	first_name: 'Anna',
	last_name: 'Jansen',
	date_of_birth: '1990-01-01',
	start_number: '7',
	chip_code: '1234567',
};
const autoMap = { mappingMode: 'autoMapInputData', value: null };

const OPERATIONS = {
	'event getAll': {
		parameters: { resource: 'event', operation: 'getAll', returnAll: true },
		route: () => tracx().get(`${PATH}/events`),
		permission: 'permissions.events.list',
	},
	'race getAll': {
		parameters: { resource: 'race', operation: 'getAll', returnAll: true, event: locator('') },
		route: () => tracx().get(`${PATH}/races`),
		permission: 'permissions.races.list',
	},
	'participant upsert': {
		parameters: {
			resource: 'participant',
			operation: 'upsert',
			race: locator('11'),
			participant: autoMap,
		},
		route: () => tracx().post(`${PATH}/participant`),
		permission: 'permissions.participants.store',
		/** After a 403 the node asks whether the token may see the race: here it may. */
		visible: () =>
			tracx()
				.get(`${PATH}/races`)
				.reply(200, { data: { items: [{ id: 11, event_id: 1, name: 'R' }] } }),
	},
	'participant upsertMany': {
		parameters: {
			resource: 'participant',
			operation: 'upsertMany',
			event: locator('1'),
			race: locator('11'),
			participant: autoMap,
		},
		route: () => tracx().post(`${PATH}/events/1/participants`),
		permission: 'permissions.participants.store-multiple',
		visible: () =>
			tracx()
				.get(`${PATH}/events`)
				.reply(200, { data: { items: [{ id: 1, name: 'E' }] } }),
	},
};

async function failure(parameters: object, continueOnFail = false) {
	try {
		return {
			output: await runNode({
				parameters: parameters as never,
				items: [participantInput],
				continueOnFail,
			}),
		};
	} catch (error) {
		return { error: error as NodeApiError };
	}
}

useNock();
beforeEach(() => {
	sessionIssuer();
	waits.mockClear();
});

describe.each(Object.entries(OPERATIONS))('%s', (_name, op) => {
	it('names the missing permission on 403, with the item index', async () => {
		op.route().reply(403, { message: 'This action is unauthorized.' });
		if ('visible' in op) op.visible();
		const { error } = await failure(op.parameters);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error?.message).toBe(`The Tracx connect token lacks the permission ${op.permission}`);
		expect(error?.description).toContain('team@tracx.events');
		expect(error?.httpCode).toBe('403');
		expect(error?.context.itemIndex).toBe(0);
		expectNoSecrets(error);
	});

	it('retries 429 honouring Retry-After, then succeeds', async () => {
		op.route().reply(429, { message: 'Too Many Attempts.' }, { 'Retry-After': '7' });
		op.route().reply(200, { data: { items: [], id: 1 } });
		const { output, error } = await failure(op.parameters);
		expect(error).toBeUndefined();
		expect(output).toBeDefined();
		expect(waits.mock.calls).toEqual([[7000]]);
	});

	it('retries 5xx with growing waits and stops after 4 attempts', async () => {
		const calls = op.route().times(4).reply(503, '<html><body>Service Unavailable</body></html>');
		const { error } = await failure(op.parameters);
		expect(calls.isDone()).toBe(true);
		expect(waits.mock.calls).toEqual([[1000], [2000], [4000]]);
		expect(error?.message).toBe('Tracx failed to process the request (HTTP 503) after 4 attempts');
	});

	it('turns the failure into an error item with Continue On Fail', async () => {
		op.route().reply(403, { message: 'This action is unauthorized.' });
		if ('visible' in op) op.visible();
		const { output } = await failure(op.parameters, true);
		expect(output?.[0]).toHaveLength(1);
		expect((output?.[0][0].json.error as { message: string }).message).toBe(
			`The Tracx connect token lacks the permission ${op.permission}`,
		);
		expect(output?.[0][0].pairedItem).toEqual([{ item: 0 }]);
		expectNoSecrets(output);
	});
});

describe('other failures', () => {
	const upsert = OPERATIONS['participant upsert'];

	it('refuses to wait longer than 60 s for Retry-After', async () => {
		const calls = upsert.route().reply(429, {}, { 'Retry-After': '120' });
		const { error } = await failure(upsert.parameters);
		expect(calls.isDone()).toBe(true);
		expect(waits).not.toHaveBeenCalled();
		expect(error?.message).toBe(
			'Tracx asked to wait 120 s before retrying, longer than this node waits (60 s)',
		);
	});

	it('reports 429 without Retry-After after the retry budget', async () => {
		upsert.route().times(4).reply(429, {});
		const { error } = await failure(upsert.parameters);
		expect(error?.message).toBe('Tracx is rate limiting requests (HTTP 429) after 4 attempts');
	});

	it('retries a dropped connection', async () => {
		upsert
			.route()
			.replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
		upsert.route().reply(200, { data: { id: 5 } });
		const { output } = await failure(upsert.parameters);
		expect(output?.[0][0].json).toEqual({ id: 5 });
		expect(waits.mock.calls).toEqual([[1000]]);
	});

	it('lists the field messages of a 422', async () => {
		upsert.route().reply(422, {
			message: 'The chip code field must be 7 characters. (and 1 more error)',
			errors: {
				chip_code: ['The chip code field must be 7 characters.'],
				race_id: ['The selected race id is invalid.'],
			},
		});
		const { error } = await failure(upsert.parameters);
		expect(error?.message).toBe(
			'Tracx rejected the data: chip_code: The chip code field must be 7 characters.; race_id: The selected race id is invalid.',
		);
		expect(error?.httpCode).toBe('422');
	});

	it('falls back to the message of a 422 without field errors', async () => {
		upsert.route().reply(422, { message: 'The given data was invalid.' });
		const { error } = await failure(upsert.parameters);
		expect(error?.message).toBe('Tracx rejected the data: The given data was invalid.');
	});

	it('explains a 200 that is not the documented JSON', async () => {
		OPERATIONS['event getAll']
			.route()
			.reply(200, '{"data": {"items": [', { 'Content-Type': 'application/json' });
		const { error } = await failure(OPERATIONS['event getAll'].parameters);
		expect(error?.message).toBe('Tracx answered with a response this node does not understand');
	});

	it('passes a failed exchange on with its own message, without tokens', async () => {
		nock.cleanAll(); // drop the working issuer from beforeEach
		tracx()
			.post(`${PATH}/session-token`)
			.reply(200, { data: { token: '' } });
		const { error } = await failure(upsert.parameters);
		expect(error?.message).toBe(
			'Tracx answered without a session token — check that the Base URL points to the Tracx Connect API',
		);
		expectNoSecrets(error);
	});
});

describe('a credential edited while the node runs', () => {
	/**
	 * The node reads the credential once per run; n8n reads it again for each request. An
	 * edit in between meets the credential's refusal to send anything, which the node names
	 * instead of reporting that Tracx could not be reached.
	 */
	async function runWhileEditing(baseUrl: string) {
		const store = credentialStore({
			sessionToken: fakeSessionToken(1),
			sessionExpiresAt: nowSeconds() + 3600,
			sessionIssuedAt: nowSeconds(),
			sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
		});
		const context = executeContext({
			parameters: OPERATIONS['event getAll'].parameters,
			store,
		});
		const read = context.getCredentials.bind(context);
		context.getCredentials = (async (...args: Parameters<typeof read>) => {
			const data = await read(...args);
			store.data = { ...store.data, baseUrl };
			return data;
		}) as typeof context.getCredentials;
		return (await new Tracx().execute.call(context).catch((e: unknown) => e)) as NodeApiError;
	}

	it.each([
		[
			'moved to another host',
			'https://api2.tracx.test/v1/connect',
			'The Base URL of the Tracx credential changed while the node ran — run it again',
			'GET /events was addressed to https://api.tracx.test, but the credential now sends its session token only to https://api2.tracx.test, so nothing was sent.',
		],
		[
			'made invalid',
			'http://tracx.example/v1/connect',
			'The Base URL of the Tracx credential must use https (plain http is accepted only for 127.0.0.1, localhost and ::1)',
			'GET /events was not sent: the credential was changed while the node ran. Correct the Base URL in the Tracx credential.',
		],
	])('names a Base URL %s, and sends nothing', async (_case, baseUrl, message, description) => {
		const error = await runWhileEditing(baseUrl);
		expect(error).toBeInstanceOf(NodeApiError);
		expect([error.message, error.description]).toEqual([message, description]);
		expect(waits).not.toHaveBeenCalled();
		expectNoSecrets(error);
	});
});

describe('no answer from Tracx', () => {
	const upsert = OPERATIONS['participant upsert'];
	const refused = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

	it.each([
		['ECONNREFUSED', 'connection refused'],
		['ENOTFOUND', 'host not found'],
		['CERT_HAS_EXPIRED', 'TLS certificate expired'],
		['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS certificate is self-signed'],
		['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS certificate is for another host'],
	])('names the host and the cause of %s, at once', async (code, cause) => {
		const calls = upsert.route().replyWithError(refused(code));
		const { error } = await failure(upsert.parameters);
		expect(calls.isDone()).toBe(true);
		expect(error?.message).toBe(`Could not reach Tracx at api.tracx.test: ${cause}`);
		expect(error?.description).toContain(`(${code})`);
		expect(error?.context.itemIndex).toBe(0);
		expect(waits).not.toHaveBeenCalled();
		expectNoSecrets(error);
	});

	it('says a connection that timed out at every attempt timed out', async () => {
		upsert.route().times(4).replyWithError(refused('ETIMEDOUT'));
		const { error } = await failure(upsert.parameters);
		expect(error?.message).toBe('Tracx at api.tracx.test did not answer in time after 4 attempts');
	});

	it('names the host and the cause when the connect token cannot be exchanged', async () => {
		nock.cleanAll(); // drop the working issuer from beforeEach
		tracx().post(`${PATH}/session-token`).replyWithError(refused('ECONNREFUSED'));
		const { error } = await failure(upsert.parameters);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error?.message).toBe(
			'Could not reach Tracx to exchange the connect token at api.tracx.test: connection refused',
		);
		expectNoSecrets(error);
	});
});

/** Whether the description says again what the message says: the whole or one of its lines. */
function repeats(message: string, description: string | null | undefined): boolean {
	if (!description) return false;
	if (description.includes(message)) return true;
	return description
		.split(/\n|(?<=\.) /)
		.map((line) => line.trim().replace(/\.$/, ''))
		.some((line) => line.length >= 12 && message.includes(line));
}

describe('error descriptions add to the message, never repeat it', () => {
	const upsert = OPERATIONS['participant upsert'];
	const many = OPERATIONS['participant upsertMany'];
	const fieldErrors = {
		message: 'The chip code field must be 7 characters.',
		errors: { chip_code: ['The chip code field must be 7 characters.'] },
	};
	const scenarios: Array<[string, () => Promise<{ error?: NodeApiError }>]> = [
		['403', async () => (upsert.route().reply(403, {}), await failure(upsert.parameters))],
		['404 on an event', async () => (many.route().reply(404, {}), await failure(many.parameters))],
		[
			'404 elsewhere',
			async () => (upsert.route().reply(404, {}), await failure(upsert.parameters)),
		],
		[
			'422 with fields',
			async () => (upsert.route().reply(422, fieldErrors), await failure(upsert.parameters)),
		],
		[
			'422 on a batch',
			async () => (
				many.route().reply(422, { errors: { '0.chip_code': ['Too long.'] } }),
				await failure(many.parameters)
			),
		],
		[
			'422 without fields',
			async () => (
				upsert.route().reply(422, { message: 'The given data was invalid.' }),
				await failure(upsert.parameters)
			),
		],
		[
			'429 too long',
			async () => (
				upsert.route().reply(429, {}, { 'Retry-After': '120' }),
				await failure(upsert.parameters)
			),
		],
		['503', async () => (upsert.route().times(4).reply(503, ''), await failure(upsert.parameters))],
		[
			'418',
			async () => (
				upsert.route().reply(418, { message: 'Teapot.' }),
				await failure(upsert.parameters)
			),
		],
		[
			'no answer',
			async () => (
				upsert.route().replyWithError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })),
				await failure(upsert.parameters)
			),
		],
		['not JSON', async () => (upsert.route().reply(200, 'nope'), await failure(upsert.parameters))],
		[
			'invalid participant',
			async () =>
				await failure({
					...upsert.parameters,
					race: locator(''),
					participant: { mappingMode: 'defineBelow', value: {} },
				}),
		],
		[
			'invalid participant, automatic mapping',
			async () => await failure({ ...upsert.parameters, race: locator('') }),
		],
		[
			'event not an ID',
			async () => await failure({ ...many.parameters, event: locator('abc', 'id') }),
		],
	];

	it.each(scenarios)('%s', async (_name, scenario) => {
		const { error } = await scenario();
		expect(error).toBeDefined();
		expect(error?.message).toBeTruthy();
		expect(repeats(String(error?.message), error?.description)).toBe(false);
	});

	it('would notice a repeat', () => {
		expect(
			repeats(
				'Tracx rejected the data: chip_code: Too long.',
				'POST /participant answered HTTP 422.\nchip_code: Too long.',
			),
		).toBe(true);
		expect(repeats('Bad: "race_id" is required', 'Bad: "race_id" is required')).toBe(true);
		expect(repeats('Tracx event 3 not found', 'Check the event ID.')).toBe(false);
	});
});
