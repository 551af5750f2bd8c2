/**
 * Reading what n8n's request helpers hand back. Requests are made with
 * `returnFullResponse` and `ignoreHttpStatusErrors`, so every HTTP answer arrives as a
 * plain `{ statusCode, headers, body }` in both n8n 1.x and 2.x; only failures without an
 * answer (a refused or dropped connection, a timeout) are thrown, and n8n may wrap those
 * in a NodeApiError (which in 1.x drops the original error but keeps its code).
 */

export interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

export function headerValue(headers: unknown, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const getter = (headers as { get?: unknown }).get;
	const value =
		typeof getter === 'function'
			? (getter as (key: string) => unknown).call(headers, name)
			: (headers as Record<string, unknown>)[name.toLowerCase()];
	return value === undefined || value === null ? undefined : String(value);
}

/** The body as JSON when it is text that parses, otherwise as it came. */
export function parsedBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/** Node's and undici's connection error codes, and the TLS ones (CERT_HAS_EXPIRED, ...). */
const NETWORK_CODE =
	/^E[A-Z_]+$|^UND_ERR_[A-Z_]+$|^(?:CERT|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO|HOSTNAME_MISMATCH)[A-Z_]*$/;

/** Node's network error code (ECONNRESET, ENOTFOUND, ...) of a request that got no answer. */
export function networkCodeOf(error: unknown): string | undefined {
	let layer = error as Record<string, unknown> | undefined;
	for (let depth = 0; layer && typeof layer === 'object' && depth < 4; depth++) {
		for (const candidate of [layer.code, layer.httpCode]) {
			if (typeof candidate === 'string' && NETWORK_CODE.test(candidate)) return candidate;
		}
		layer = layer.cause as Record<string, unknown> | undefined;
	}
	return undefined;
}

const CAUSES: Array<[RegExp, string]> = [
	[/^ECONNREFUSED$/, 'connection refused'],
	[/^(ENOTFOUND|EAI_NONAME|EAI_NODATA)$/, 'host not found'],
	[/^EAI_AGAIN$/, 'host name lookup failed (DNS not answering)'],
	[/^(ETIMEDOUT|ESOCKETTIMEDOUT|ECONNABORTED|UND_ERR_\w*TIMEOUT)$/, 'timed out'],
	[/^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/, 'connection dropped'],
	[/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/, 'host unreachable'],
	[/^CERT_HAS_EXPIRED$/, 'TLS certificate expired'],
	[/^CERT_NOT_YET_VALID$/, 'TLS certificate not yet valid'],
	[/^(ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)$/, 'TLS certificate is for another host'],
	[/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/, 'TLS certificate is self-signed'],
	[/^(CERT_|UNABLE_TO_)/, 'TLS certificate not trusted'],
	[/^(EPROTO|ERR_SSL_|ERR_TLS_)/, 'TLS handshake failed'],
];

/**
 * What went wrong with a request that got no answer, in words: "connection refused".
 * Without Node's code, on purpose: n8n replaces an error message that contains a common
 * code (ECONNREFUSED, ENOTFOUND, ...) with its own generic text, which names no host.
 */
export function networkCause(code: string | undefined): string {
	if (code === undefined) return 'no response';
	return CAUSES.find(([pattern]) => pattern.test(code))?.[1] ?? 'network error';
}
