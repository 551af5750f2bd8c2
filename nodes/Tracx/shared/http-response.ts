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

const NETWORK_CODE = /^E[A-Z_]+$|^UND_ERR_[A-Z_]+$/;

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
