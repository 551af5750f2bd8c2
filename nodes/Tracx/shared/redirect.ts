import { headerValue, type FullResponse } from './http-response';

/**
 * Tokens go to the credential's own origin and nowhere else. n8n's request helpers follow
 * redirects and put the Authorization header back on the redirected request, even to
 * another host or down to plain http, so no request that carries a token follows one:
 * a 3xx answer is reported as an error instead.
 */

/** Request options for n8n's helpers: do not follow, and never resend credentials elsewhere. */
export const NO_REDIRECTS = {
	disableFollowRedirect: true,
	sendCredentialsOnCrossOriginRedirect: false,
} as const;

export function isRedirect(status: number | undefined): boolean {
	return status !== undefined && status >= 300 && status <= 399;
}

/**
 * Where a redirect points, as an origin only: its path and query may hold anything
 * (a token echoed back, say) and are never shown.
 */
export function redirectTarget(response: FullResponse | undefined, requestUrl: string): string {
	const location = headerValue(response?.headers, 'location');
	if (!location) return 'no location';
	try {
		const url = new URL(location, requestUrl);
		return url.protocol === 'http:' || url.protocol === 'https:'
			? url.origin
			: `a ${url.protocol} address`;
	} catch {
		return 'an invalid location';
	}
}

const REDIRECT_MESSAGE = /^Tracx answered with a redirect \(HTTP \d{3}\) to /;

export function redirectMessage(status: number, target: string): string {
	return `Tracx answered with a redirect (HTTP ${status}) to ${target}, which is not followed — check the Base URL of the Tracx credential`;
}

export function isRedirectMessage(message: string): boolean {
	return REDIRECT_MESSAGE.test(message);
}

export function redirectDescription(where: string, status: number, target: string): string {
	return `${where} answered HTTP ${status} pointing to ${target}. Requests that carry a Tracx token never follow redirects, so no token was sent there. If Tracx has moved, enter its new address as the Base URL of the credential.`;
}
