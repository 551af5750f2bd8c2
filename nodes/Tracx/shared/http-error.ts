/**
 * n8n's request helpers throw differently shaped errors depending on the helper
 * (httpRequest, the legacy request, the *WithAuthentication variants wrapping either
 * in a NodeApiError) and on the n8n major version. These readers find the HTTP status,
 * headers, body and network error code wherever they are, so callers never need to care.
 * They return plain values only: the original error carries request headers (tokens)
 * and must never be passed on.
 */

type Loose = Record<string, unknown> | undefined;

function asObject(value: unknown): Loose {
	return value !== null && typeof value === 'object'
		? (value as Record<string, unknown>)
		: undefined;
}

/** The error itself, its cause, and the responses they carry, nearest first. */
function layers(error: unknown): Array<Record<string, unknown>> {
	const found: Array<Record<string, unknown>> = [];
	let current = asObject(error);
	for (let depth = 0; current && depth < 4; depth++) {
		found.push(current);
		current = asObject(current.cause);
	}
	return found;
}

export function httpStatusOf(error: unknown): number | undefined {
	for (const layer of layers(error)) {
		const response = asObject(layer.response);
		const candidates = [response?.status, response?.statusCode, layer.statusCode, layer.httpCode];
		for (const candidate of candidates) {
			const status = Number(candidate);
			if (Number.isInteger(status) && status >= 100 && status <= 599) return status;
		}
	}
	return undefined;
}

export function responseHeaderOf(error: unknown, name: string): string | undefined {
	for (const layer of layers(error)) {
		const headers = asObject(asObject(layer.response)?.headers);
		if (!headers) continue;
		const getter = headers.get;
		const value =
			typeof getter === 'function'
				? (getter as (key: string) => unknown).call(headers, name)
				: (headers[name] ?? headers[name.toLowerCase()]);
		if (value !== undefined && value !== null) return String(value);
	}
	return undefined;
}

/** The parsed response body, when the server sent JSON (or text that parses as JSON). */
export function responseBodyOf(error: unknown): unknown {
	for (const layer of layers(error)) {
		const response = asObject(layer.response);
		const body = response?.data ?? response?.body;
		if (body === undefined || body === null || body === '') continue;
		if (typeof body === 'string') {
			try {
				return JSON.parse(body);
			} catch {
				return body;
			}
		}
		return body;
	}
	return undefined;
}

/** Node's network error code (ECONNRESET, ENOTFOUND, ...) when no response arrived. */
export function networkCodeOf(error: unknown): string | undefined {
	for (const layer of layers(error)) {
		if (typeof layer.code === 'string' && /^[A-Z_]+$/.test(layer.code)) return layer.code;
	}
	return undefined;
}
