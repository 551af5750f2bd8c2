import {
	headerValue,
	networkCause,
	networkCodeOf,
	parsedBody,
	type FullResponse,
} from './http-response';
import { redirectDescription, redirectMessage, redirectTarget, isRedirect } from './redirect';
import {
	EXCHANGE_RETRIES,
	decideRetry,
	isTransientNetworkCode,
	isTransientStatus,
	waitToRetry,
} from './retry';
import { fingerprintOf, nowInSeconds } from './session';

/**
 * The one place that trades a connect token for a session token
 * (POST {baseUrl}/session-token). Used by the credential's preAuthentication and by the
 * credential test, each with its own n8n request helper.
 */

/**
 * Sends one POST; resolves with whatever HTTP answer came, throws only without one. The
 * signal, when there is one, must abort the request.
 */
export type PostJson = (
	url: string,
	headers: Record<string, string>,
	signal?: AbortSignal,
) => Promise<FullResponse>;

export interface IssuedSession {
	sessionToken: string;
	sessionExpiresAt: number;
	sessionIssuedAt: number;
	sessionFingerprint: string;
}

/**
 * A failed exchange, with a fixed message that never contains a token. It deliberately
 * has no `response`, `status` or `httpCode`: with any of them n8n would mistake it for a
 * 401 and exchange the same rejected token again, or replace our message with its
 * generic one for that status when it wraps the error. The status is in `exchangeStatus`.
 */
export class SessionExchangeError extends Error {
	readonly isTracxSessionExchangeError = true;
	constructor(
		message: string,
		readonly description: string,
		readonly exchangeStatus?: number,
	) {
		super(message);
		this.name = 'SessionExchangeError';
	}
}

export const MESSAGES = {
	noConnectToken: 'The Tracx credential has no connect token',
	rejected: 'Tracx did not accept the connect token — check it in the Tracx Dashboard',
	notFound:
		'No Tracx Connect API answered at this Base URL — check the Base URL of the Tracx credential',
	unavailable: 'Tracx could not issue a session token right now — try again later',
	/** Followed by the host and the cause: "…: api.tracx.events, connection refused (ECONNREFUSED)". */
	unreachable: 'Could not reach Tracx to exchange the connect token',
	notASessionToken:
		'Tracx answered without a session token — check that the Base URL points to the Tracx Connect API',
	alreadyExpired:
		"Tracx issued a session token that had already expired — check this machine's clock",
	stopped: 'The execution was stopped while the connect token was being exchanged',
} as const;

function stopped(baseUrl: string, attempts: number): SessionExchangeError {
	return new SessionExchangeError(
		MESSAGES.stopped,
		`POST /session-token on ${new URL(baseUrl).host}: no further attempt was made after the stop (${attempts} sent).`,
	);
}

function describeStatus(status: number, baseUrl: string): SessionExchangeError {
	const host = new URL(baseUrl).host;
	if (status === 401 || status === 403) {
		return new SessionExchangeError(
			MESSAGES.rejected,
			`POST /session-token on ${host} answered HTTP ${status}. The connect token may be mistyped, revoked or issued for another environment. Connect tokens are issued by Tracx (team@tracx.events).`,
			status,
		);
	}
	if (status === 404 || status === 405) {
		return new SessionExchangeError(
			MESSAGES.notFound,
			`POST ${baseUrl}/session-token answered HTTP ${status}. The production Base URL is https://api.tracx.events/v1/connect.`,
			status,
		);
	}
	return new SessionExchangeError(
		MESSAGES.unavailable,
		`POST /session-token on ${host} answered HTTP ${status}.`,
		status,
	);
}

function describeNoAnswer(code: string | undefined, baseUrl: string): SessionExchangeError {
	const host = new URL(baseUrl).host;
	return new SessionExchangeError(
		`${MESSAGES.unreachable} at ${host}: ${networkCause(code)}`,
		`POST /session-token got no response (${code ?? 'no error code'}). Check the Base URL of the credential and that this machine can reach it.`,
	);
}

function parseSession(body: unknown, connectToken: string, baseUrl: string): IssuedSession {
	const data = (
		parsedBody(body) as { data?: { token?: unknown; expires_at?: unknown } } | undefined
	)?.data;
	const token = data?.token;
	const expiresAt = Number(data?.expires_at);
	const missing = [
		typeof token === 'string' && token.length > 0 ? undefined : 'data.token',
		data?.expires_at !== undefined && data?.expires_at !== null && Number.isFinite(expiresAt)
			? undefined
			: 'data.expires_at',
	].filter(Boolean);
	if (missing.length > 0) {
		throw new SessionExchangeError(
			MESSAGES.notASessionToken,
			`The response to POST /session-token has no ${missing.join(' and ')}.`,
		);
	}
	const issuedAt = nowInSeconds();
	if (expiresAt <= issuedAt) {
		throw new SessionExchangeError(
			MESSAGES.alreadyExpired,
			`expires_at is ${new Date(expiresAt * 1000).toISOString()}, this machine's time is ${new Date(issuedAt * 1000).toISOString()}.`,
		);
	}
	return {
		sessionToken: token as string,
		sessionExpiresAt: expiresAt,
		sessionIssuedAt: issuedAt,
		sessionFingerprint: fingerprintOf(connectToken, baseUrl),
	};
}

function describeRedirect(response: FullResponse, url: string): SessionExchangeError {
	const target = redirectTarget(response, url);
	return new SessionExchangeError(
		redirectMessage(response.statusCode, target),
		redirectDescription(`POST /session-token on ${new URL(url).host}`, response.statusCode, target),
		response.statusCode,
	);
}

/**
 * Exchanges the connect token, retrying transient failures (429, 5xx, dropped
 * connections) briefly: other executions may be waiting for this exchange, so it gives
 * up within seconds rather than minutes. `post` must not follow redirects (the connect
 * token would go along); a redirect fails the exchange. `baseUrl` must already be
 * normalized. Once `signal` (the execution's cancel signal) is aborted, nothing more is
 * sent and no retry wait is kept: the exchange fails with MESSAGES.stopped.
 */
export async function exchangeConnectToken(
	post: PostJson,
	connectToken: string,
	baseUrl: string,
	signal?: AbortSignal,
): Promise<IssuedSession> {
	if (!connectToken) {
		throw new SessionExchangeError(
			MESSAGES.noConnectToken,
			'Enter the connect token from the Tracx Dashboard in the credential.',
		);
	}
	for (let attempt = 1; ; attempt++) {
		let response: FullResponse | undefined;
		let code: string | undefined;
		const url = `${baseUrl}/session-token`;
		if (signal?.aborted) throw stopped(baseUrl, attempt - 1);
		try {
			response = await post(
				url,
				{
					Authorization: connectToken,
					Accept: 'application/json',
				},
				signal,
			);
		} catch (error) {
			if (signal?.aborted) throw stopped(baseUrl, attempt);
			code = networkCodeOf(error);
		}
		if (response && response.statusCode >= 200 && response.statusCode < 300) {
			return parseSession(response.body, connectToken, baseUrl);
		}
		if (response && isRedirect(response.statusCode)) throw describeRedirect(response, url);
		const transient = response
			? isTransientStatus(response.statusCode)
			: isTransientNetworkCode(code);
		const decision = decideRetry(
			attempt,
			transient,
			headerValue(response?.headers, 'retry-after'),
			EXCHANGE_RETRIES,
		);
		if (!decision.retry) {
			throw response
				? describeStatus(response.statusCode, baseUrl)
				: describeNoAnswer(code, baseUrl);
		}
		if (!(await waitToRetry(decision.waitSeconds, signal))) throw stopped(baseUrl, attempt);
	}
}
