import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { borrowCancelSignal } from '../nodes/Tracx/shared/cancel';
import { exchangeConnectToken } from '../nodes/Tracx/shared/exchange';
import type { FullResponse } from '../nodes/Tracx/shared/http-response';
import { NO_REDIRECTS } from '../nodes/Tracx/shared/redirect';
import {
	DEFAULT_BASE_URL,
	REFUSAL_PREFIXES,
	STALE_SESSION_MESSAGES,
	authorizationValue,
	nowInSeconds,
	readCredentials,
	sessionState,
	type SessionState,
} from '../nodes/Tracx/shared/session';

/**
 * Thrown by `authenticate` instead of sending a session token that is known to be
 * expired, about to expire, or issued for another connect token or base URL.
 * It carries a 401 status so that n8n's own refresh path runs preAuthentication and
 * resends, exactly as it would after a real 401, but without a wasted round trip.
 */
export class StaleSessionTokenError extends Error {
	readonly response = { status: 401 };
	constructor(readonly state: Exclude<SessionState, 'usable'>) {
		super(state === 'foreign' ? STALE_SESSION_MESSAGES.foreign : STALE_SESSION_MESSAGES.outdated);
		this.name = 'StaleSessionTokenError';
	}
}

/** No status on purpose: n8n would swap the message for its generic one for that status. */
export class ForeignHostError extends Error {
	constructor(origin: string) {
		super(`${REFUSAL_PREFIXES.foreignHost}${origin}`);
		this.name = 'ForeignHostError';
	}
}

/**
 * Where the requests this credential authenticates may not be redirected. Both kinds of
 * request n8n sends through `authenticate` are covered: its own helpers
 * (`disableFollowRedirect`, `sendCredentialsOnCrossOriginRedirect`) and the older request
 * options the HTTP Request node uses (`followRedirect`, `followAllRedirects`), on which n8n
 * also honours `sendCredentialsOnCrossOriginRedirect`.
 */
const REDIRECTS_NOT_FOLLOWED = {
	...NO_REDIRECTS,
	followRedirect: false,
	followAllRedirects: false,
	maxRedirects: 0,
};

type AuthenticatedOptions = IHttpRequestOptions & { uri?: string };

/** A path such as `/events` with no base: resolved against the credential's Base URL. */
function rebaseBarePath(options: AuthenticatedOptions, baseUrl: string): void {
	const target = options.url ?? options.uri;
	if (options.baseURL || typeof target !== 'string' || !target.startsWith('/')) return;
	if (target.startsWith('//')) return;
	options.baseURL = baseUrl;
}

/** The headers with Authorization set, and Accept only where the request named none. */
function withAuthorization(headers: IDataObject | undefined, authorization: string): IDataObject {
	const named = Object.keys(headers ?? {}).some((key) => key.toLowerCase() === 'accept');
	return {
		...headers,
		...(named ? {} : { Accept: 'application/json' }),
		Authorization: authorization,
	};
}

/** The URL a request will go to, joining baseURL and url the way n8n's HTTP client does. */
function requestTarget(options: AuthenticatedOptions): URL | undefined {
	const target = options.url ?? options.uri;
	if (typeof target !== 'string') return undefined;
	const joined =
		options.baseURL && !/^[a-z][a-z\d+.-]*:/i.test(target)
			? `${options.baseURL.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}`
			: target;
	try {
		return new URL(joined);
	} catch {
		return undefined;
	}
}

export class TracxConnectApi implements ICredentialType {
	name = 'tracxConnectApi';

	displayName = 'Tracx Connect API';

	icon: Icon = { light: 'file:../icons/tracx.svg', dark: 'file:../icons/tracx.dark.svg' };

	documentationUrl = 'https://github.com/tracx-events/n8n-nodes-tracx#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Connect Token',
			name: 'connectToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The long-lived connect token from the Tracx Dashboard. It is only ever sent to obtain short-lived session tokens; its permissions decide what this credential can do.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			placeholder: DEFAULT_BASE_URL,
			description:
				'Where the Tracx Connect API lives. Must start with https://; plain http:// is accepted only for 127.0.0.1, localhost and ::1 (local testing).',
		},
		{
			displayName: 'Session Token Header Format',
			name: 'authorizationHeaderFormat',
			type: 'options',
			options: [
				{
					name: 'Bare Token (as Documented)',
					value: 'bare',
					description: 'Authorization: &lt;session token&gt;',
				},
				{
					name: 'Bearer Token',
					value: 'bearer',
					description: 'Authorization: Bearer &lt;session token&gt;',
				},
			],
			default: 'bare',
			description:
				'Advanced. How the session token is sent. Tracx documents the bare token; change this only if Tracx asks you to.',
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Session Expires At',
			name: 'sessionExpiresAt',
			type: 'hidden',
			default: 0,
		},
		{
			displayName: 'Session Issued At',
			name: 'sessionIssuedAt',
			type: 'hidden',
			default: 0,
		},
		{
			displayName: 'Session Fingerprint',
			name: 'sessionFingerprint',
			type: 'hidden',

			default: '',
		},
	];

	/**
	 * n8n calls this when the stored session token is empty, after a 401 (real, or the
	 * StaleSessionTokenError below), and persists what it returns in the encrypted
	 * credential, so every execution and every worker reuses one session token. When the
	 * Tracx node caused the exchange, it lent its execution's cancel signal to the data (and
	 * the helpers) n8n passes here: a stopped execution then sends no further exchange request.
	 */
	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		const { connectToken, baseUrl } = readCredentials(credentials);
		const session = await exchangeConnectToken(
			async (url, headers, abortSignal) =>
				(await this.helpers.httpRequest({
					method: 'POST',
					url,
					headers,
					json: true,
					timeout: 15_000,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					...(abortSignal ? { abortSignal } : {}),
					...NO_REDIRECTS,
				})) as FullResponse,
			connectToken,
			baseUrl,
			borrowCancelSignal(credentials) ?? borrowCancelSignal(this.helpers),
		);
		return { ...session };
	}

	/**
	 * Attaches the session token, but only to requests for the credential's own origin,
	 * and only while it is fresh and was issued for the current connect token and base
	 * URL. The request is made not to follow redirects, so the token cannot be carried to
	 * another origin or down to http. A request to the exchange endpoint itself carries
	 * the connect token instead, exactly as the API documents. A bare path (`/events`) is
	 * resolved against the Base URL, with the same rules as everywhere else (the
	 * credential test relies on it). An Accept header the request already has is kept.
	 */
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const stored = readCredentials(credentials);
		const options: AuthenticatedOptions = requestOptions;
		rebaseBarePath(options, stored.baseUrl);
		const target = requestTarget(options);
		const allowedOrigin = new URL(stored.baseUrl).origin;
		if (target?.origin !== allowedOrigin) throw new ForeignHostError(allowedOrigin);
		Object.assign(options, REDIRECTS_NOT_FOLLOWED);
		if (`${target.origin}${target.pathname}` === `${stored.baseUrl}/session-token`) {
			options.headers = withAuthorization(options.headers, stored.connectToken);
			return options;
		}
		const state = sessionState(stored, nowInSeconds());
		if (state !== 'usable') throw new StaleSessionTokenError(state);
		options.headers = withAuthorization(options.headers, authorizationValue(stored));
		return options;
	};

	/**
	 * The Test button. n8n always runs preAuthentication during a test, so that is the one
	 * exchange: a rejected token, an unreachable host, a redirect or an answer that is not
	 * a session token fail there with our messages. The request below then only proves
	 * the session token is sent: any answer passes, because a valid connect token may lack
	 * the permission to list events. Its bare path goes to the Base URL as the node would
	 * resolve it (an empty Base URL means the production one).
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			url: '/events',
			ignoreHttpStatusErrors: true,
		},
	};
}
