import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { fingerprintOf, nowInSeconds, readCredentials, sessionState } from '../shared/session';

/**
 * Keeps parallel executions in one n8n process from all exchanging the connect token at
 * once. n8n has no lock around preAuthentication: 50 webhook runs that find the session
 * token expired would make 50 exchanges, and where Tracx revokes a token when it issues
 * the next one, all but the last would fail. Here the first renewal of a credential runs,
 * the others wait for it and then use the token it stored.
 */

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

const inFlight = new Map<string, Promise<void>>();

export type RenewalOutcome<T> = { ranHere: true; result: T } | { ranHere: false };

/**
 * Runs `send` (a request that will renew the session token) unless a renewal of the same
 * credential is already under way in this process; then it only waits for that one.
 */
export async function renewOnce<T>(
	key: string,
	send: () => Promise<T>,
): Promise<RenewalOutcome<T>> {
	const pending = inFlight.get(key);
	if (pending) {
		await pending;
		return { ranHere: false };
	}
	const running = send();
	const settled = running.then(
		() => undefined,
		() => undefined,
	);
	inFlight.set(key, settled);
	try {
		return { ranHere: true, result: await running };
	} finally {
		if (inFlight.get(key) === settled) inFlight.delete(key);
	}
}
