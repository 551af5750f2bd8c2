import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { MESSAGES } from '../shared/exchange';
import { headerValue, networkCodeOf, parsedBody, type FullResponse } from '../shared/http-error';
import {
	decideRetry,
	isTransientNetworkCode,
	isTransientStatus,
	parseRetryAfter,
} from '../shared/retry';
import { InvalidBaseUrlError, STALE_SESSION_MESSAGES, checkBaseUrl } from '../shared/session';
import { tracxApiError } from './errors';

/**
 * The single door to the Tracx Connect API for the node: builds the URL from the
 * credential, lets n8n attach (and renew) the session token, retries transient
 * failures, and maps every failure to a NodeApiError.
 */

export const CREDENTIAL_TYPE = 'tracxConnectApi';

const REQUEST_TIMEOUT_MS = 30_000;

type TracxContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface TracxCall {
	method: IHttpRequestMethods;
	/** Path below the base URL, starting with a slash. */
	path: string;
	permission: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	itemIndex?: number;
	describeFieldKey?: (key: string) => string;
}

async function baseUrlOf(ctx: TracxContext, itemIndex: number | undefined): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE, itemIndex);
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
 * A failed exchange reaches us wrapped by n8n (which in 1.x drops the original error but
 * keeps its message and description): pass it on unchanged, with the item index.
 */
function credentialFailure(
	ctx: TracxContext,
	error: unknown,
	itemIndex?: number,
): NodeApiError | undefined {
	const { message, description } = error as { message?: unknown; description?: unknown };
	if (typeof message !== 'string' || !CREDENTIAL_MESSAGES.has(message)) return undefined;
	const text = typeof description === 'string' ? description : undefined;
	const plain: JsonObject = { message, description: text ?? null };
	return new NodeApiError(ctx.getNode(), plain, { message, description: text, itemIndex });
}

/**
 * One send. With `renew`, the stored session token is treated as empty, which makes n8n
 * run the credential's preAuthentication and store the new token before sending: that
 * is how a 401 from Tracx (a token revoked or expired early) gets exactly one renewal.
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
	const data = await ctx.getCredentials(CREDENTIAL_TYPE, itemIndex);
	return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options, {
		credentialsDecrypted: {
			id: reference?.id ?? '',
			name: reference?.name ?? '',
			type: CREDENTIAL_TYPE,
			data: { ...data, sessionToken: '' },
		},
	})) as FullResponse;
}

export async function tracxRequest(ctx: TracxContext, call: TracxCall): Promise<unknown> {
	const baseUrl = await baseUrlOf(ctx, call.itemIndex);
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
	};
	let attempt = 1;
	let renew = false;
	let renewed = false;
	for (;;) {
		let response: FullResponse | undefined;
		let networkCode: string | undefined;
		try {
			response = await send(ctx, options, renew, call.itemIndex);
		} catch (error) {
			const fromCredential = credentialFailure(ctx, error, call.itemIndex);
			if (fromCredential) throw fromCredential;
			networkCode = networkCodeOf(error);
		}
		renew = false;
		const status = response?.statusCode;
		if (status !== undefined && status >= 200 && status < 300) return response?.body;
		if (status === 401 && !renewed) {
			renew = renewed = true;
			continue;
		}
		const retryAfterHeader = headerValue(response?.headers, 'retry-after');
		const transient = response ? isTransientStatus(status) : isTransientNetworkCode(networkCode);
		const decision = decideRetry(attempt, transient, retryAfterHeader);
		if (decision.retry) {
			attempt++;
			await sleep(decision.waitSeconds * 1000);
			continue;
		}
		throw tracxApiError(
			ctx.getNode(),
			{
				method: call.method,
				path: call.path,
				permission: call.permission,
				status,
				networkCode,
				body: parsedBody(response?.body),
				attempts: attempt,
				retryAfterSeconds: parseRetryAfter(retryAfterHeader),
				describeFieldKey: call.describeFieldKey,
			},
			call.itemIndex,
		);
	}
}
