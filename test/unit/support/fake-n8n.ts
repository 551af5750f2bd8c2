/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- a test double of n8n's HTTP helpers, not node code */
import http from 'http';
import https from 'https';
import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	INodeExecutionData,
} from 'n8n-workflow';

import { TracxConnectApi } from '../../../credentials/TracxConnectApi.credentials';
import { fingerprintOf } from '../../../nodes/Tracx/shared/session';

/**
 * A stand-in for the parts of n8n the node touches, reproducing what n8n's source does
 * (packages/core .../request-helpers/authentication.ts and cli credentials-helper.ts):
 * - preAuthentication runs when the expirable field is '' and after a 401, and its
 *   output is merged into the stored credential;
 * - authenticate runs before every send; after a 401 n8n refreshes and resends once.
 * Requests go out through Node's http module, so nock sees exactly what would go on the wire.
 * The end-to-end suite checks the same behaviour in real n8n.
 */

export const CONNECT_TOKEN = 'fake-connect-token-all';

/** Obviously fake session tokens, numbered in the order a fake Tracx issues them. */
export function fakeSessionToken(n: number): string {
	return `fake-session-token-${n}`;
}
export const BASE_URL = 'https://api.tracx.test/v1/connect';

export interface CredentialStore {
	data: ICredentialDataDecryptedObject;
	exchanges: number;
	writes: number;
	/** Reads by the node itself (n8n's own reads while authenticating are not counted). */
	nodeReads: number;
	/** The node's next reads that fail, as a database or external-secrets outage would. */
	failingReads: number;
}

export function credentialStore(overrides: IDataObject = {}): CredentialStore {
	return {
		data: {
			connectToken: CONNECT_TOKEN,
			baseUrl: BASE_URL,
			authorizationHeaderFormat: 'bare',
			sessionToken: '',
			sessionExpiresAt: 0,
			sessionIssuedAt: 0,
			sessionFingerprint: '',
			...overrides,
		} as ICredentialDataDecryptedObject,
		exchanges: 0,
		writes: 0,
		nodeReads: 0,
		failingReads: 0,
	};
}

/** A credential that already holds a session token valid for the next hour. */
export function credentialStoreWithToken(token = fakeSessionToken(1)): CredentialStore {
	const now = Math.floor(Date.now() / 1000);
	return credentialStore({
		sessionToken: token,
		sessionExpiresAt: now + 3600,
		sessionIssuedAt: now,
		sessionFingerprint: fingerprintOf(CONNECT_TOKEN, BASE_URL),
	});
}

/** Shaped like the errors n8n's HTTP helpers throw. */
class HttpError extends Error {
	constructor(
		readonly response: { status: number; headers: Record<string, string>; data: unknown },
	) {
		super(`Request failed with status code ${response.status}`);
	}
}

class NetworkError extends Error {
	constructor(readonly code: string) {
		super(code);
	}
}

/** One HTTP exchange over Node's http(s) module, as n8n's axios-based helpers do. */
function roundTrip(
	url: URL,
	method: string,
	headers: Record<string, string>,
	body: string | undefined,
): Promise<{ status: number; headers: Record<string, string>; text: string }> {
	return new Promise((resolve, reject) => {
		const request = (url.protocol === 'https:' ? https : http).request(
			url,
			{ method, headers },
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						headers: response.headers as Record<string, string>,
						text: Buffer.concat(chunks).toString('utf8'),
					}),
				);
				response.on('error', reject);
			},
		);
		request.on('error', reject);
		request.end(body);
	});
}

/** follow-redirects' limit, which n8n keeps. */
const MAX_REDIRECTS = 21;

/**
 * Sends like n8n's helpers, redirects included: they are followed unless
 * `disableFollowRedirect` is set, and n8n puts the Authorization header back on the
 * redirected request, even to another origin, unless `sendCredentialsOnCrossOriginRedirect`
 * is false (packages/core .../request-helpers/axios-utils.ts, getBeforeRedirectFn).
 */
export async function send(options: IHttpRequestOptions): Promise<unknown> {
	const first = new URL(options.url);
	for (const [key, value] of Object.entries(options.qs ?? {}))
		first.searchParams.set(key, String(value));
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(options.headers ?? {})) headers[key] = String(value);
	let body: string | undefined;
	if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers['Content-Type'] = 'application/json';
	}
	let url = first;
	let method = options.method ?? 'GET';
	let response: Awaited<ReturnType<typeof roundTrip>>;
	for (let hops = 0; ; hops++) {
		try {
			response = await roundTrip(url, method, headers, body);
		} catch (error) {
			throw new NetworkError((error as { code?: string }).code ?? 'ECONNRESET');
		}
		const location = response.headers.location;
		const redirected = response.status >= 300 && response.status <= 399 && location;
		if (!redirected || options.disableFollowRedirect === true || hops >= MAX_REDIRECTS) break;
		const next = new URL(location, url);
		if (next.origin !== first.origin && options.sendCredentialsOnCrossOriginRedirect === false) {
			delete headers.Authorization;
		}
		if (response.status === 303 || ([301, 302].includes(response.status) && method === 'POST')) {
			method = 'GET';
			body = undefined;
			delete headers['Content-Type'];
		}
		url = next;
	}
	let data: unknown = response.text;
	try {
		data = response.text === '' ? '' : JSON.parse(response.text);
	} catch {
		// n8n hands over unparseable bodies as text; so do we
	}
	if (response.status >= 300 && !options.ignoreHttpStatusErrors) {
		throw new HttpError({ status: response.status, headers: response.headers, data });
	}
	return options.returnFullResponse
		? { statusCode: response.status, headers: response.headers, body: data }
		: data;
}

const credentialType = new TracxConnectApi();

/**
 * What preAuthentication gets as `this`: n8n 1.x passes `{ helpers }` of the node's own
 * context, n8n 2.x a new object whose httpRequest calls the context's (it limits the
 * domains a credential may reach).
 */
let preAuthenticationThis: 'n8n1' | 'n8n2' = 'n8n1';
export function passHelpersToPreAuthenticationAs(major: 'n8n1' | 'n8n2'): void {
	preAuthenticationThis = major;
}

async function preAuthenticate(
	store: CredentialStore,
	data: ICredentialDataDecryptedObject,
	helpers: { httpRequest: typeof send },
): Promise<void> {
	store.exchanges++;
	const that =
		preAuthenticationThis === 'n8n1'
			? { helpers }
			: {
					helpers: { httpRequest: async (o: IHttpRequestOptions) => await helpers.httpRequest(o) },
				};
	const output = await credentialType.preAuthentication.call(that as never, data);
	if (output.sessionToken === undefined) return;
	Object.assign(data, output);
	store.data = { ...store.data, ...output } as ICredentialDataDecryptedObject;
	store.writes++;
}

/** n8n's httpRequestWithAuthentication, reduced to what decides tokens and resends. */
async function httpRequestWithAuthentication(
	store: CredentialStore,
	helpers: { httpRequest: typeof send },
	options: IHttpRequestOptions,
	additional?: IAdditionalCredentialOptions,
): Promise<unknown> {
	const data = additional?.credentialsDecrypted?.data ?? { ...store.data };
	try {
		if (data.sessionToken === '') await preAuthenticate(store, data, helpers);
		const authenticated = await credentialType.authenticate(
			{ ...data },
			{ ...options, headers: { ...options.headers } },
		);
		return await send(authenticated);
	} catch (error) {
		if ((error as { response?: { status?: number } }).response?.status === 401) {
			try {
				await preAuthenticate(store, data, helpers);
				const authenticated = await credentialType.authenticate(
					{ ...data },
					{ ...options, headers: { ...options.headers } },
				);
				return await send(authenticated);
			} catch (retryError) {
				throw wrap(retryError);
			}
		}
		throw wrap(error);
	}
}

/**
 * n8n wraps what the helper threw in a NodeApiError; n8n 1.x loses the original error
 * on the way and keeps only its message, description and code (as httpCode).
 */
function wrap(error: unknown): Error {
	const { message, description, code } = error as {
		message: string;
		description?: string;
		code?: string;
	};
	return Object.assign(new Error(message), {
		description,
		httpCode: code ?? (error as HttpError).response?.status,
	});
}

export type ParameterValue = unknown | ((itemIndex: number, item: INodeExecutionData) => unknown);

export interface RunOptions {
	parameters: Record<string, ParameterValue>;
	items?: IDataObject[];
	store?: CredentialStore;
	continueOnFail?: boolean;
	/**
	 * Run as an AI agent's tool, the way each major tells it: 2.x by isToolExecution(), 1.x
	 * only by the tool variant's type name ("…Tool").
	 */
	asTool?: 'n8n1' | 'n8n2';
	/** What n8n's getExecutionCancelSignal returns: aborted when the user stops the run. */
	cancelSignal?: AbortSignal;
}

/** The Tracx node as a workflow stores it. */
export const NODE: INode = {
	id: 'node-1',
	name: 'Tracx',
	type: 'n8n-nodes-tracx.tracx',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
	credentials: { tracxConnectApi: { id: 'credential-1', name: 'Tracx' } },
};

/** Resolves "a.b" paths; a function stands for an expression, evaluated per item. */
function lookup(
	parameters: Record<string, ParameterValue>,
	path: string,
	itemIndex: number,
	item: INodeExecutionData,
): unknown {
	const evaluate = (value: unknown) =>
		typeof value === 'function'
			? (value as (i: number, it: INodeExecutionData) => unknown)(itemIndex, item)
			: value;
	if (path in parameters) return evaluate(parameters[path]);
	const [head, ...rest] = path.split('.');
	let value: unknown = evaluate(parameters[head]);
	for (const key of rest) value = evaluate((value as IDataObject | undefined)?.[key]);
	return value;
}

/**
 * Stands for an expression that is not a plain reference to the item: what the node sees,
 * with rawExpressions, of a parameter given here as a function.
 */
export const OPAQUE_EXPRESSION = '={{ $evaluatedPerItem() }}';

/** The stored value at "a.b", as rawExpressions gives it; a function met on the way is an expression. */
function unevaluated(parameters: Record<string, ParameterValue>, path: string): unknown {
	if (path in parameters) {
		const value = parameters[path];
		return typeof value === 'function' ? OPAQUE_EXPRESSION : value;
	}
	let value: unknown = parameters;
	for (const key of path.split('.')) {
		if (typeof value === 'function') return OPAQUE_EXPRESSION;
		value = (value as IDataObject | undefined)?.[key];
	}
	return asStored(value);
}

/** A value as stored: each function in it (an expression) as its unevaluated text. */
function asStored(value: unknown): unknown {
	if (typeof value === 'function') return OPAQUE_EXPRESSION;
	if (Array.isArray(value)) return value.map(asStored);
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, asStored(v)]));
	}
	return value;
}

/** A resource locator's ID when asked for it, as n8n's extractValue does. */
function extracted(value: unknown, extra?: { extractValue?: boolean }): unknown {
	if (extra?.extractValue && value && typeof value === 'object' && '__rl' in value) {
		return (value as { value?: unknown }).value;
	}
	return value;
}

/**
 * What every n8n function context offers the node: its identity, credentials and HTTP.
 * Its requests ignore `abortSignal`: what a Stop achieves here is the node's own doing.
 */
function baseContext(store: CredentialStore) {
	const helpers = {
		httpRequest: send,
		httpRequestWithAuthentication: async (
			_type: string,
			requestOptions: IHttpRequestOptions,
			additional?: IAdditionalCredentialOptions,
		) => await httpRequestWithAuthentication(store, helpers, requestOptions, additional),
	};
	return {
		getNode: () => NODE,
		getCredentials: async () => {
			store.nodeReads++;
			if (store.failingReads > 0) {
				store.failingReads--;
				throw new Error('Could not read the credential from the database');
			}
			return { ...store.data };
		},
		helpers,
	};
}

export function executeContext(options: RunOptions): IExecuteFunctions {
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const base = baseContext(options.store ?? credentialStore());
	const context = {
		...base,
		...(options.asTool === 'n8n1' && { getNode: () => ({ ...NODE, type: `${NODE.type}Tool` }) }),
		...(options.asTool === 'n8n2' && { isToolExecution: () => true }),
		getInputData: () => items,
		continueOnFail: () => options.continueOnFail ?? false,
		getExecutionCancelSignal: () => options.cancelSignal,
		getNodeParameter(
			name: string,
			itemIndex: number,
			fallback?: unknown,
			extra?: { extractValue?: boolean; rawExpressions?: boolean },
		) {
			if (extra?.rawExpressions) {
				const raw = unevaluated(options.parameters, name);
				return raw === undefined ? fallback : raw;
			}
			const value = lookup(options.parameters, name, itemIndex, items[itemIndex]);
			if (value !== undefined) return extracted(value, extra);
			if (arguments.length < 3) throw new Error(`Could not get parameter "${name}"`);
			return fallback;
		},
	};
	return context as unknown as IExecuteFunctions;
}

export function loadOptionsContext(
	currentParameters: Record<string, unknown>,
	store: CredentialStore = credentialStore(),
): ILoadOptionsFunctions {
	const context = {
		...baseContext(store),
		getCurrentNodeParameter: (name: string, extra?: { extractValue?: boolean }) =>
			extracted(currentParameters[name], extra),
	};
	return context as unknown as ILoadOptionsFunctions;
}

export function locator(value: string | number, mode = 'id'): IDataObject {
	return { __rl: true, mode, value };
}
