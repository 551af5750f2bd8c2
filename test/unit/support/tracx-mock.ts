import nock from 'nock';

import { Tracx } from '../../../nodes/Tracx/Tracx.node';
import { CONNECT_TOKEN, executeContext, fakeSessionToken, type RunOptions } from './fake-n8n';
import { forgetFailedRenewals } from '../../../nodes/Tracx/transport/renewal';

/** nock scopes for a fake Tracx at https://api.tracx.test/v1/connect. */

export const ORIGIN = 'https://api.tracx.test';
export const PATH = '/v1/connect';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function tracx(): nock.Scope {
	return nock(ORIGIN);
}

/**
 * Answers every exchange with the next numbered fake session token, and records the
 * Authorization header of every API call so tests can assert which token went out.
 */
export function sessionIssuer(lifetimeSeconds = 3600, connectToken = CONNECT_TOKEN) {
	let issued = 0;
	const scope = tracx()
		.persist()
		.post(`${PATH}/session-token`)
		.matchHeader('authorization', connectToken)
		.reply(() => {
			issued++;
			return [
				200,
				{ data: { token: fakeSessionToken(issued), expires_at: nowSeconds() + lifetimeSeconds } },
			];
		});
	return {
		scope,
		get exchanges() {
			return issued;
		},
	};
}

export async function runNode(options: RunOptions) {
	return await new Tracx().execute.call(executeContext(options));
}

/** Every string a test ever used as a token, for leak checks. */
export const SECRETS = [
	CONNECT_TOKEN,
	'fake-connect-token-edited',
	...Array.from({ length: 20 }, (_, i) => fakeSessionToken(i + 1)),
];

export function expectNoSecrets(value: unknown): void {
	const seen = new WeakSet<object>();
	const text = JSON.stringify(value, (_key, v: unknown) => {
		if (v instanceof Error) {
			return { ...v, message: v.message, stack: v.stack, cause: (v as { cause?: unknown }).cause };
		}
		if (v && typeof v === 'object') {
			if (seen.has(v)) return undefined;
			seen.add(v);
		}
		return v;
	});
	for (const secret of SECRETS) expect(text).not.toContain(secret);
}

/**
 * nock patches Node's shared http module; test files that run in one worker must hand
 * it back, or the next file's requests hit a stale interceptor.
 */
export function useNock(): void {
	beforeAll(() => {
		if (!nock.isActive()) nock.activate();
		nock.disableNetConnect();
	});
	afterEach(() => {
		nock.cleanAll();
		// each test stands for a fresh n8n process: no failed renewal carried over
		forgetFailedRenewals();
	});
	afterAll(() => {
		nock.enableNetConnect();
		nock.restore();
	});
}
