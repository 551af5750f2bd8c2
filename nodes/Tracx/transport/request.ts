import {
	NodeApiError,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { cancelSignalOf, lendCancelSignal } from '../shared/cancel';
import { MESSAGES } from '../shared/exchange';
import { headerValue, networkCodeOf, parsedBody, type FullResponse } from '../shared/http-response';
import {
	decideRetry,
	isTransientNetworkCode,
	isTransientStatus,
	parseRetryAfter,
	waitToRetry,
} from '../shared/retry';
import { NO_REDIRECTS, isRedirectMessage, redirectTarget } from '../shared/redirect';
import {
	InvalidBaseUrlError,
	REFUSAL_PREFIXES,
	STALE_SESSION_MESSAGES,
	checkBaseUrl,
} from '../shared/session';
import { stoppedError, tracxApiError, type ScopeFinding } from './errors';
import { StoppedWaitingError, renewOnce, storedSession } from './renewal';

/**
 * The single door to the Tracx Connect API for the node: builds the URL from the
 * credential, lets n8n attach (and renew) the session token, retries transient
 * failures, and maps every failure to a NodeApiError.
 */

export const CREDENTIAL_TYPE = 'tracxConnectApi';

const REQUEST_TIMEOUT_MS = 30_000;

/** Operations, list searches and the trigger's polls all call Tracx through here. */
type TracxContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface TracxCall {
	method: IHttpRequestMethods;
	/** Path below the base URL, starting with a slash. */
	path: string;
	permission: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	itemIndex?: number;
	describeFieldKey?: (key: string) => string;
	/**
	 * For a call about one event or race: asked after a 403 whether the token may see it,
	 * so the error names the right cause (undefined: cannot tell).
	 */
	scope?: { kind: ScopeFinding['kind']; id: number; visible: () => Promise<boolean | undefined> };
}

function baseUrlOf(
	ctx: TracxContext,
	credentials: ICredentialDataDecryptedObject,
	itemIndex: number | undefined,
): string {
	const check = checkBaseUrl(credentials.baseUrl);
	if (!check.ok) {
		throw new NodeOperationError(ctx.getNode(), new InvalidBaseUrlError(check.reason).message, {
			itemIndex,
		});
	}
	return check.url;
}

/** Messages the credential raises before any Tracx endpoint answered. */
const CREDENTIAL_MESSAGES = new Set<string>([
	...Object.values(MESSAGES),
	...Object.values(STALE_SESSION_MESSAGES),
]);

/**
 * A failed exchange, or a refusal of the credential to send anything, reaches us wrapped
 * by n8n (which in 1.x drops the original error but keeps its message and description):
 * pass it on with the item index, never as "could not reach Tracx".
 */
function credentialFailure(
	ctx: TracxContext,
	error: unknown,
	call: TracxCall,
	requestOrigin: string,
): NodeApiError | undefined {
	const { message, description } = error as { message?: unknown; description?: unknown };
	if (typeof message !== 'string') return undefined;
	const explained = explainCredentialFailure(message, description, call, requestOrigin);
	if (!explained) return undefined;
	const plain: JsonObject = { ...explained, description: explained.description ?? null };
	return new NodeApiError(ctx.getNode(), plain, { ...explained, itemIndex: call.itemIndex });
}

function explainCredentialFailure(
	message: string,
	description: unknown,
	call: TracxCall,
	requestOrigin: string,
): { message: string; description?: string } | undefined {
	if (
		CREDENTIAL_MESSAGES.has(message) ||
		message.startsWith(MESSAGES.unreachable) ||
		isRedirectMessage(message)
	) {
		return { message, description: typeof description === 'string' ? description : undefined };
	}
	if (message.startsWith(REFUSAL_PREFIXES.baseUrl)) {
		return {
			message,
			description: `${call.method} ${call.path} was not sent: the credential was changed while the node ran. Correct the Base URL in the Tracx credential.`,
		};
	}
	if (message.startsWith(REFUSAL_PREFIXES.foreignHost)) {
		const allowed = message.slice(REFUSAL_PREFIXES.foreignHost.length);
		return {
			message: 'The Base URL of the Tracx credential changed while the node ran — run it again',
			description: `${call.method} ${call.path} was addressed to ${requestOrigin}, but the credential now sends its session token only to ${allowed}, so nothing was sent.`,
		};
	}
	return undefined;
}

/**
 * One send. With `renew`, the stored session token is treated as empty, which makes n8n
 * run the credential's preAuthentication and store the new token before sending: that
 * is how a 401 from Tracx (a token revoked or expired early), or a token about to expire,
 * gets a renewal. n8n hands preAuthentication this very data object (n8n 2.x wraps the
 * helpers it passes, 1.x passes the context's own), so the execution's cancel signal is
 * lent to both: the exchange ends on Stop in either major.
 */
async function send(
	ctx: TracxContext,
	options: IHttpRequestOptions,
	renew: boolean,
	itemIndex?: number,
): Promise<FullResponse> {
	if (!renew) {
		return (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			options,
		)) as FullResponse;
	}
	const reference = ctx.getNode().credentials?.[CREDENTIAL_TYPE];
	const data = { ...(await ctx.getCredentials(CREDENTIAL_TYPE, itemIndex)), sessionToken: '' };
	lendCancelSignal(data, cancelSignalOf(ctx));
	return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options, {
		credentialsDecrypted: {
			id: reference?.id ?? '',
			name: reference?.name ?? '',
			type: CREDENTIAL_TYPE,
			data,
		},
	})) as FullResponse;
}

/**
 * After a 401 a call is resent with a newer token another execution stored (at most
 * twice), or renews the token itself (at most once): bounded, whatever Tracx answers.
 */
const MAX_ADOPTIONS = 2;
const MAX_FORCED_RENEWALS = 1;

/** Times a call may wait for another execution's renewal before renewing by itself. */
const MAX_RENEWAL_WAITS = 3;

/**
 * The credential as last read by this node run. n8n reads and decrypts it again for every
 * request it authenticates; reading it once more per request here would double that cost
 * for thousands of items. It is read afresh whenever the session token may have changed,
 * and a failed read is never kept: the next call reads again.
 */
const lastRead = new WeakMap<object, Promise<ICredentialDataDecryptedObject>>();

/**
 * Starts a new run on a context that n8n reuses: n8n hands every poll of an activated
 * trigger the same context, so without this one poll would use the credential as an
 * earlier poll read it (an edited Base URL would never be seen).
 */
export function startRun(ctx: TracxContext): void {
	lastRead.delete(ctx);
}

/**
 * Sends one call, with its retries and renewals. Stop is the node's own rule here, whether
 * or not n8n's helpers honour the signal: nothing is sent once the execution's cancel
 * signal is aborted (checked before every attempt, renewal and retry), every request
 * carries the signal, a retry wait ends at once, and the failure says the execution was
 * stopped rather than what the cut-off request looked like.
 */
export async function tracxRequest(ctx: TracxContext, call: TracxCall): Promise<unknown> {
	const signal = cancelSignalOf(ctx);
	const stopped = (point: Parameters<typeof stoppedError>[2], attempts: number, status?: number) =>
		stoppedError(ctx.getNode(), { ...call, attempts, status }, point, call.itemIndex);
	if (signal?.aborted) throw stopped('not sent', 0);
	// a session-token exchange this call causes runs in the credential: it gets the signal too
	lendCancelSignal(ctx.helpers, signal);
	const readStored = async () => {
		const fresh = ctx.getCredentials(CREDENTIAL_TYPE, call.itemIndex);
		lastRead.set(ctx, fresh);
		void fresh.catch(() => {
			if (lastRead.get(ctx) === fresh) lastRead.delete(ctx);
		});
		return await fresh;
	};
	const cached = lastRead.get(ctx);
	const credentials = cached ? await cached : await readStored();
	const baseUrl = baseUrlOf(ctx, credentials, call.itemIndex);
	const { origin, host } = new URL(baseUrl);
	const options: IHttpRequestOptions = {
		method: call.method,
		url: `${baseUrl}${call.path}`,
		qs: call.qs,
		body: call.body,
		json: true,
		headers: { Accept: 'application/json' },
		timeout: REQUEST_TIMEOUT_MS,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		...(signal ? { abortSignal: signal } : {}),
		...NO_REDIRECTS,
	};
	let stored = storedSession(credentials);
	let attempt = 1;
	let forceRenewal = false;
	let adoptions = 0;
	let forcedRenewals = 0;
	let renewalWaits = 0;
	let lastStatus: number | undefined;
	for (;;) {
		if (signal?.aborted) throw stopped('not sent', attempt - 1, lastStatus);
		let response: FullResponse | undefined;
		let networkCode: string | undefined;
		const renewing = forceRenewal || !stored.usable;
		try {
			if (renewing && renewalWaits < MAX_RENEWAL_WAITS) {
				// renewed through the node's own path, where the exchange gets the cancel signal
				const outcome = await renewOnce(
					stored.key,
					async () => await send(ctx, options, true, call.itemIndex),
					// a renewal cut off by this execution's stop is no failure for the others
					(error) => !signal?.aborted && credentialFailure(ctx, error, call, origin) !== undefined,
					signal,
				);
				if (!outcome.ranHere) {
					// another execution renewed meanwhile: send with the token it stored
					renewalWaits++;
					forceRenewal = false;
					stored = storedSession(await readStored());
					continue;
				}
				response = outcome.result;
			} else {
				response = await send(ctx, options, forceRenewal, call.itemIndex);
			}
		} catch (error) {
			if (signal?.aborted) {
				// cut off while waiting for, or during, a session-token exchange: nothing went to the endpoint
				const beforeSending =
					error instanceof StoppedWaitingError ||
					(error as { message?: unknown } | null)?.message === MESSAGES.stopped;
				throw stopped(beforeSending ? 'not sent' : 'under way', attempt, lastStatus);
			}
			const fromCredential = credentialFailure(ctx, error, call, origin);
			if (fromCredential) throw fromCredential;
			networkCode = networkCodeOf(error);
		}
		// after a renewal, the stored token is the one this call just used
		if (renewing) stored = storedSession(await readStored());
		forceRenewal = false;
		const status = response?.statusCode;
		if (status !== undefined && status >= 200 && status < 300) return response?.body;
		lastStatus = status;
		if (status === 401) {
			// a token stored since we last looked is newer than the one that failed: try it;
			// otherwise the stored token itself was refused and must be renewed
			const latest = storedSession(await readStored());
			const newer = latest.token !== stored.token;
			stored = latest;
			if (newer && adoptions < MAX_ADOPTIONS) {
				adoptions++;
				continue;
			}
			if (!newer && forcedRenewals < MAX_FORCED_RENEWALS) {
				forcedRenewals++;
				forceRenewal = true;
				continue;
			}
		}
		const retryAfterHeader = headerValue(response?.headers, 'retry-after');
		const transient = response ? isTransientStatus(status) : isTransientNetworkCode(networkCode);
		const decision = decideRetry(attempt, transient, retryAfterHeader);
		if (decision.retry) {
			if (!(await waitToRetry(decision.waitSeconds, signal))) {
				throw stopped('waiting to retry', attempt, status);
			}
			attempt++;
			continue;
		}
		const scope =
			status === 403 && call.scope && !signal?.aborted
				? {
						kind: call.scope.kind,
						id: call.scope.id,
						visible: await call.scope.visible().catch(() => undefined),
					}
				: undefined;
		throw tracxApiError(
			ctx.getNode(),
			{
				method: call.method,
				path: call.path,
				permission: call.permission,
				status,
				networkCode,
				host,
				body: parsedBody(response?.body),
				attempts: attempt,
				retryAfterSeconds: parseRetryAfter(retryAfterHeader),
				redirectTo: redirectTarget(response, options.url),
				describeFieldKey: call.describeFieldKey,
				scope,
			},
			call.itemIndex,
		);
	}
}
