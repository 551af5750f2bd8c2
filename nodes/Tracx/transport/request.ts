import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type ILoadOptionsFunctions,
	type JsonObject,
} from 'n8n-workflow';

import {
	httpStatusOf,
	networkCodeOf,
	responseBodyOf,
	responseHeaderOf,
} from '../shared/http-error';
import {
	decideRetry,
	isTransientNetworkCode,
	isTransientStatus,
	parseRetryAfter,
} from '../shared/retry';
import { InvalidBaseUrlError, checkBaseUrl } from '../shared/session';
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

/**
 * Errors raised before any Tracx endpoint answered (a failed token exchange, a refused
 * base URL) already carry a fixed, token-free message: pass it on with the item index.
 */
function credentialFailure(
	ctx: TracxContext,
	error: unknown,
	itemIndex?: number,
): NodeApiError | undefined {
	const cause = (error as { cause?: unknown }).cause ?? error;
	const known = cause as {
		isTracxSessionExchangeError?: boolean;
		name?: string;
		message?: string;
		description?: string;
		exchangeStatus?: number;
	};
	const isOurs =
		known.isTracxSessionExchangeError === true ||
		known.name === 'InvalidBaseUrlError' ||
		known.name === 'StaleSessionTokenError';
	if (!isOurs || typeof known.message !== 'string') return undefined;
	const plain: JsonObject = { message: known.message, description: known.description ?? null };
	return new NodeApiError(ctx.getNode(), plain, {
		message: known.message,
		description: known.description,
		httpCode: known.exchangeStatus === undefined ? undefined : String(known.exchangeStatus),
		itemIndex,
	});
}

export async function tracxRequest(ctx: TracxContext, call: TracxCall): Promise<unknown> {
	const baseUrl = await baseUrlOf(ctx, call.itemIndex);
	for (let attempt = 1; ; attempt++) {
		try {
			return await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
				method: call.method,
				url: `${baseUrl}${call.path}`,
				qs: call.qs,
				body: call.body,
				json: true,
				headers: { Accept: 'application/json' },
				timeout: REQUEST_TIMEOUT_MS,
			});
		} catch (error) {
			const fromCredential = credentialFailure(ctx, error, call.itemIndex);
			if (fromCredential) throw fromCredential;

			const status = httpStatusOf(error);
			const networkCode = status === undefined ? networkCodeOf(error) : undefined;
			const retryAfterHeader = responseHeaderOf(error, 'retry-after');
			const transient =
				status === undefined ? isTransientNetworkCode(networkCode) : isTransientStatus(status);
			const decision = decideRetry(attempt, transient, retryAfterHeader);
			if (decision.retry) {
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
					body: responseBodyOf(error),
					attempts: attempt,
					retryAfterSeconds: parseRetryAfter(retryAfterHeader),
					describeFieldKey: call.describeFieldKey,
				},
				call.itemIndex,
			);
		}
	}
}
