import nock from 'nock';

import {
	credentialStore,
	credentialStoreWithToken,
	fakeSessionToken,
	locator,
} from './support/fake-n8n';
import { PATH, expectNoSecrets, nowSeconds, runNode, tracx, useNock } from './support/tracx-mock';

jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: jest.fn(async () => {}),
}));

/**
 * Tokens go to the credential's own origin only: no request that carries one follows a
 * redirect (n8n's helpers would put the Authorization header back on the next hop).
 */

const FOREIGN = 'https://collector.example.test';
const listEvents = { resource: 'event', operation: 'getAll', returnAll: true };
const upsert = {
	resource: 'participant',
	operation: 'upsert',
	race: locator('11'),
	participant: { mappingMode: 'autoMapInputData', value: null },
};
const participant = {
	unique_id: 'P-1',
	first_name: 'Anna',
	last_name: 'Jansen',
	date_of_birth: '1990-01-01',
	start_number: '7',
	chip_code: '1234567',
};

/** Another host that answers whatever reaches it, and remembers the Authorization headers. */
function foreignHost(origin = FOREIGN) {
	const seen: Array<string | undefined> = [];
	for (const method of ['GET', 'POST']) {
		nock(origin)
			.persist()
			.intercept(/.*/, method)
			.reply(function () {
				seen.push(this.req.headers.authorization as string | undefined);
				return [
					200,
					{ data: { token: 'fake-foreign-token', expires_at: nowSeconds() + 3600, items: [] } },
				];
			});
	}
	return seen;
}

async function failure(run: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await run;
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('the run was expected to fail');
}

useNock();

describe.each([301, 302, 307, 308])('a redirect (%i) from Tracx', (status) => {
	it.each([
		['another host', FOREIGN],
		['plain http', 'http://api.tracx.test'],
	])(
		'on an API call, to %s: not followed, and the error names only the origin',
		async (_, origin) => {
			const seen = foreignHost(origin);
			tracx()
				.get(`${PATH}/events`)
				.reply(status, '', { Location: `${origin}/steal?token=${fakeSessionToken(1)}` });
			const error = await failure(
				runNode({ parameters: listEvents, store: credentialStoreWithToken() }),
			);
			expect(error.message).toBe(
				`Tracx answered with a redirect (HTTP ${status}) to ${origin}, which is not followed — check the Base URL of the Tracx credential`,
			);
			expect(error.description).toContain(
				`GET /events answered HTTP ${status} pointing to ${origin}.`,
			);
			expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain('steal');
			expect(seen).toEqual([]);
			expectNoSecrets(error);
		},
	);

	it('on a participant upsert: the participant is not sent elsewhere', async () => {
		const seen = foreignHost();
		tracx()
			.post(`${PATH}/participant`)
			.reply(status, '', { Location: `${FOREIGN}/v1/connect/participant` });
		const error = await failure(
			runNode({ parameters: upsert, items: [participant], store: credentialStoreWithToken() }),
		);
		expect(error.message).toContain(`redirect (HTTP ${status}) to ${FOREIGN},`);
		expect(seen).toEqual([]);
	});

	it('on the exchange: the connect token stays home and no session token is stored', async () => {
		const seen = foreignHost();
		tracx()
			.post(`${PATH}/session-token`)
			.reply(status, '', { Location: `${FOREIGN}/v1/connect/session-token` });
		const store = credentialStore({ connectToken: `fake-connect-token-redirect-${status}` });
		const error = await failure(runNode({ parameters: listEvents, store }));
		expect(error.message).toBe(
			`Tracx answered with a redirect (HTTP ${status}) to ${FOREIGN}, which is not followed — check the Base URL of the Tracx credential`,
		);
		expect(seen).toEqual([]);
		expect(store.data.sessionToken).toBe('');
		expect(store.writes).toBe(0);
	});
});

it('a redirect without a Location says so', async () => {
	tracx().get(`${PATH}/events`).reply(302, '');
	const error = await failure(
		runNode({ parameters: listEvents, store: credentialStoreWithToken() }),
	);
	expect(error.message).toContain('redirect (HTTP 302) to no location,');
});
