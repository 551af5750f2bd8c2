import { sleep } from 'n8n-workflow';

/**
 * When to try a Tracx request again. Tracx documents no rate limits; 429 and 5xx are
 * treated as transient and retried a bounded number of times, honouring Retry-After.
 */

export const MAX_ATTEMPTS = 4;

/** Longest Retry-After we are willing to wait for inside one execution. */
export const MAX_RETRY_AFTER_SECONDS = 60;

const BACKOFF_SECONDS = [1, 2, 4];

export interface RetryLimits {
	maxAttempts: number;
	maxRetryAfterSeconds: number;
}

const API_RETRIES: RetryLimits = {
	maxAttempts: MAX_ATTEMPTS,
	maxRetryAfterSeconds: MAX_RETRY_AFTER_SECONDS,
};

/**
 * The session-token exchange retries less: every execution that needs a token waits for
 * it, so it gives up after about 3 s of waiting (10 s when Tracx asks for more) and the
 * waiters learn of the failure at once.
 */
export const EXCHANGE_RETRIES: RetryLimits = { maxAttempts: 3, maxRetryAfterSeconds: 5 };

/** Connection faults after which the same request can safely be sent again. */
const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
]);

export function isTransientStatus(status: number | undefined): boolean {
	return status === 429 || (status !== undefined && status >= 500 && status <= 599);
}

export function isTransientNetworkCode(code: string | undefined): boolean {
	return code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
}

/** Retry-After as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(
	header: string | undefined,
	nowMs = Date.now(),
): number | undefined {
	if (header === undefined || header.trim() === '') return undefined;
	const trimmed = header.trim();
	if (/^\d+$/.test(trimmed)) return Number(trimmed);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

export type RetryDecision =
	| { retry: true; waitSeconds: number }
	| {
			retry: false;
			reason: 'not-transient' | 'attempts-exhausted' | 'retry-after-too-long';
			retryAfterSeconds?: number;
	  };

/** `attempt` counts from 1 (the request that just failed). */
export function decideRetry(
	attempt: number,
	transient: boolean,
	retryAfterHeader: string | undefined,
	limits: RetryLimits = API_RETRIES,
): RetryDecision {
	if (!transient) return { retry: false, reason: 'not-transient' };
	const retryAfter = parseRetryAfter(retryAfterHeader);
	if (retryAfter !== undefined && retryAfter > limits.maxRetryAfterSeconds) {
		return { retry: false, reason: 'retry-after-too-long', retryAfterSeconds: retryAfter };
	}
	if (attempt >= limits.maxAttempts) return { retry: false, reason: 'attempts-exhausted' };
	const backoff = BACKOFF_SECONDS[Math.min(attempt - 1, BACKOFF_SECONDS.length - 1)];
	return { retry: true, waitSeconds: retryAfter ?? backoff };
}

/**
 * Waits before a retry; resolves false at once when the execution is stopped (or already
 * was), so a user who presses Stop is not kept waiting and no further attempt is made.
 */
export async function waitToRetry(seconds: number, signal?: AbortSignal): Promise<boolean> {
	if (!signal) {
		await sleep(seconds * 1000);
		return true;
	}
	if (signal.aborted) return false;
	let onAbort = () => {};
	const stopped = new Promise<false>((resolve) => {
		onAbort = () => resolve(false);
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([sleep(seconds * 1000).then(() => true), stopped]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
