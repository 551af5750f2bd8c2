import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { fingerprintOf, nowInSeconds, readCredentials, sessionState } from '../shared/session';

/**
 * Keeps parallel executions in one n8n process from all exchanging the connect token at
 * once. n8n has no lock around preAuthentication: 50 webhook runs that find the session
 * token expired would make 50 exchanges, and where Tracx revokes a token when it issues
 * the next one, all but the last would fail. Here the first renewal of a credential runs,
 * the others wait for it and then use the token it stored.
 *
 * A renewal that fails (connect token rejected, /session-token unavailable) is shared
 * the same way: its waiters, and renewals of the same credential asked for within
 * FAILED_RENEWAL_WINDOW_MS after it, fail with it instead of each trying again. Without
 * this, 50 parallel executions against a failing exchange make 50 exchanges, each with
 * its own retries.
 */

export const FAILED_RENEWAL_WINDOW_MS = 10_000;

export interface StoredSession {
	/** Identifies the credential's connect token and base URL, never the token itself. */
	key: string;
	token: string;
	usable: boolean;
}

export function storedSession(data: ICredentialDataDecryptedObject): StoredSession {
	const credentials = readCredentials(data);
	return {
		key: fingerprintOf(credentials.connectToken, credentials.baseUrl),
		token: credentials.sessionToken,
		usable: sessionState(credentials, nowInSeconds()) === 'usable',
	};
}

/** Settles with the renewal's failure, or with undefined when it did not fail. */
const inFlight = new Map<string, Promise<{ error: unknown } | undefined>>();

const recentFailures = new Map<string, { error: unknown; at: number }>();

export type RenewalOutcome<T> = { ranHere: true; result: T } | { ranHere: false };

function recentFailure(key: string, now: number): { error: unknown } | undefined {
	const failure = recentFailures.get(key);
	if (failure && now - failure.at < FAILED_RENEWAL_WINDOW_MS && now >= failure.at) return failure;
	recentFailures.delete(key);
	return undefined;
}

/**
 * Runs `send` (a request that will renew the session token) unless a renewal of the same
 * credential is already under way in this process; then it only waits for that one.
 * `isRenewalFailure` tells a failed renewal from a failure of the request sent after it
 * (a dropped connection, say), which concerns that request alone.
 */
export async function renewOnce<T>(
	key: string,
	send: () => Promise<T>,
	isRenewalFailure: (error: unknown) => boolean = () => true,
	signal?: AbortSignal,
): Promise<RenewalOutcome<T>> {
	const failed = recentFailure(key, Date.now());
	if (failed) throw failed.error;
	const pending = inFlight.get(key);
	if (pending) {
		const outcome = await untilStopped(pending, signal);
		if (outcome) throw outcome.error;
		return { ranHere: false };
	}
	const running = send();
	const settled = running.then(
		() => undefined,
		(error: unknown) => {
			if (!isRenewalFailure(error)) return undefined;
			recentFailures.set(key, { error, at: Date.now() });
			return { error };
		},
	);
	inFlight.set(key, settled);
	try {
		return { ranHere: true, result: await running };
	} finally {
		await settled;
		if (inFlight.get(key) === settled) inFlight.delete(key);
	}
}

/** Thrown to a waiter whose execution was stopped while another one renewed. */
export class StoppedWaitingError extends Error {
	constructor() {
		super('Stopped while waiting for a session token');
		this.name = 'StoppedWaitingError';
	}
}

/** Waits for `pending`, but no longer than until `signal` is aborted. */
async function untilStopped<T>(pending: Promise<T>, signal?: AbortSignal): Promise<T> {
	if (!signal) return await pending;
	if (signal.aborted) throw new StoppedWaitingError();
	let onAbort = () => {};
	const stopped = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new StoppedWaitingError());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([pending, stopped]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * Forgets the failed renewals remembered in this process. Unit tests run many independent
 * scenarios with one credential in one process; a process of n8n has no use for it.
 */
export function forgetFailedRenewals(): void {
	recentFailures.clear();
}
