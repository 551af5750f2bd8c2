import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { networkCause } from '../shared/http-response';
import { isRedirect, redirectDescription, redirectMessage } from '../shared/redirect';
import { MAX_ATTEMPTS, MAX_RETRY_AFTER_SECONDS } from '../shared/retry';

/**
 * Turns what Tracx answered into an error a user can act on. Only plain values reach
 * these functions (status, parsed body, Retry-After), never the request, so no token
 * can end up in a message, a description or the stored error.
 */

export interface FailedCall {
	method: string;
	path: string;
	/** The permission the endpoint needs, named in 403 messages. */
	permission: string;
	status?: number;
	body?: unknown;
	networkCode?: string;
	/** The host of the credential's Base URL, named when no answer came. */
	host?: string;
	attempts: number;
	retryAfterSeconds?: number;
	/** For a 3xx answer: the origin its Location points to (never its path or query). */
	redirectTo?: string;
	/** Rewrites Laravel's array keys (`3.chip_code`) into item references, for bulk calls. */
	describeFieldKey?: (key: string) => string;
	/** For a call about one event or race: whether the token may see it, when that is known. */
	scope?: ScopeFinding;
}

/**
 * What a 403 on a call about one event or race can mean: Tracx answers 403 both when the
 * token lacks the endpoint's permission and when the event is outside the token's scope.
 * `visible` says whether that event (or race) is among those the token may list;
 * undefined when the token may not list them, so the node cannot tell.
 */
export interface ScopeFinding {
	kind: 'event' | 'race';
	id: number;
	visible?: boolean;
}

const LIST_PERMISSION = { event: 'permissions.events.list', race: 'permissions.races.list' };

function explainForbidden(
	call: FailedCall,
	where: string,
): { message: string; description: string } {
	const { permission, scope } = call;
	const grant = `Ask Tracx (team@tracx.events) to grant ${permission} to this connect token, or use a credential whose token has it. After a change of permissions, the next call uses them.`;
	if (!scope || scope.visible === true) {
		const seen = scope
			? ` The token may see ${scope.kind} ${scope.id}, so what it lacks is the permission.`
			: '';
		return {
			message: `The Tracx connect token lacks the permission ${permission}`,
			description: `${where} answered HTTP 403.${seen} ${grant}`,
		};
	}
	const subject = `${scope.kind} ${scope.id}`;
	const access = `Check the ${scope.kind} ID, or ask Tracx (team@tracx.events) to give this connect token access to ${subject}, or use a credential whose token has it.`;
	if (scope.visible === false) {
		return {
			message: `Tracx ${subject} is outside the connect token's scope`,
			description: `${where} answered HTTP 403, and ${subject} is not among the ${scope.kind}s this connect token may see. ${access}`,
		};
	}
	return {
		message: `The Tracx connect token lacks the permission ${permission}, or ${subject} is outside its scope`,
		description: `${where} answered HTTP 403. Tracx answers 403 for both causes, and the node could not list the ${scope.kind}s this token may see (that needs ${LIST_PERMISSION[scope.kind]}), so it cannot tell which. Either ask Tracx (team@tracx.events) to grant ${permission} to this connect token, or to give it access to ${subject}; or check the ${scope.kind} ID, or use a credential whose token has both.`,
	};
}

/** The `{message, errors:{field:[...]}}` body Laravel sends with 422, if that is what came. */
export function fieldMessages(
	body: unknown,
	describeKey: (key: string) => string = (k) => k,
): string[] {
	const errors = (body as { errors?: unknown } | undefined)?.errors;
	if (!errors || typeof errors !== 'object' || Array.isArray(errors)) return [];
	return Object.entries(errors as Record<string, unknown>).map(([key, value]) => {
		const texts = Array.isArray(value) ? value.map(String) : [String(value)];
		return `${describeKey(key)}: ${texts.join(' ')}`;
	});
}

function serverMessage(body: unknown): string | undefined {
	const message = (body as { message?: unknown } | undefined)?.message;
	return typeof message === 'string' && message.trim() ? message.trim() : undefined;
}

function eventIdInPath(path: string): string | undefined {
	return /^\/events\/([^/]+)\//.exec(path)?.[1];
}

function explain(call: FailedCall): { message: string; description: string } {
	const { status, method, path } = call;
	const where = `${method} ${path}`;
	const tries = call.attempts > 1 ? ` after ${call.attempts} attempts` : '';
	if (status === undefined) {
		const host = call.host ?? 'the Base URL';
		const timedOut = /TIMEOUT|TIMEDOUT|ECONNABORTED/.test(call.networkCode ?? '');
		return {
			message: timedOut
				? `Tracx at ${host} did not answer in time${tries}`
				: `Could not reach Tracx at ${host}: ${networkCause(call.networkCode)}${tries}`,
			description: `${where} got no response (${call.networkCode ?? 'no error code'}). Check the Base URL of the credential and that this machine can reach it; the request is safe to run again.`,
		};
	}
	if (isRedirect(status)) {
		const target = call.redirectTo ?? 'no location';
		return {
			message: redirectMessage(status, target),
			description: redirectDescription(where, status, target),
		};
	}
	if (status === 401) {
		return {
			message:
				'Tracx rejected the session token even after renewing it — the connect token may have been revoked',
			description: `${where} answered HTTP 401 with a freshly issued session token. Check the connect token in the Tracx Dashboard.`,
		};
	}
	if (status === 403) return explainForbidden(call, where);
	if (status === 404) {
		const eventId = eventIdInPath(path);
		return eventId !== undefined
			? {
					message: `Tracx event ${decodeURIComponent(eventId)} not found`,
					description: `${where} answered HTTP 404. Check the event ID, or pick the event from the list.`,
				}
			: {
					message: 'Tracx endpoint not found — check the Base URL of the credential',
					description: `${where} answered HTTP 404.`,
				};
	}
	if (status === 422) {
		const fields = fieldMessages(call.body, call.describeFieldKey);
		return {
			message:
				fields.length > 0
					? `Tracx rejected the data: ${fields.join('; ')}`
					: `Tracx rejected the data: ${serverMessage(call.body) ?? 'no reason given'}`,
			description: `${where} answered HTTP 422. Correct the data Tracx named and run again.`,
		};
	}
	if (
		status === 429 &&
		call.retryAfterSeconds !== undefined &&
		call.retryAfterSeconds > MAX_RETRY_AFTER_SECONDS
	) {
		return {
			message: `Tracx asked to wait ${call.retryAfterSeconds} s before retrying, longer than this node waits (${MAX_RETRY_AFTER_SECONDS} s)`,
			description: `${where} answered HTTP 429 (rate limited). Run the workflow again later, or send fewer requests (Create or Update Many sends one request per batch).`,
		};
	}
	if (status === 429) {
		return {
			message: `Tracx is rate limiting requests (HTTP 429)${tries}`,
			description: `${where} was still rate limited after ${MAX_ATTEMPTS} attempts. Run the workflow again later.`,
		};
	}
	if (status >= 500) {
		return {
			message: `Tracx failed to process the request (HTTP ${status})${tries}`,
			description: `${where} kept failing on the Tracx side. Try again later; the request is safe to repeat.`,
		};
	}
	return {
		message: `Tracx answered HTTP ${status}${serverMessage(call.body) ? `: ${serverMessage(call.body)}` : ''}`,
		description: `${where} answered HTTP ${status}.`,
	};
}

export function tracxApiError(node: INode, call: FailedCall, itemIndex?: number): NodeApiError {
	const { message, description } = explain(call);
	const httpCode = call.status === undefined ? undefined : String(call.status);
	const plain: JsonObject = { message, description, ...(httpCode ? { httpCode } : {}) };
	return new NodeApiError(node, plain, { message, description, httpCode, itemIndex });
}

/** A response that arrived but is not what the documentation promises. */
export function unexpectedResponseError(
	node: INode,
	where: string,
	itemIndex?: number,
): NodeApiError {
	const message = 'Tracx answered with a response this node does not understand';
	const description = `${where} did not return the documented JSON shape. Check that the Base URL points to the Tracx Connect API.`;
	return new NodeApiError(node, { message, description }, { message, description, itemIndex });
}

/**
 * Where a call was when the execution was stopped: not sent yet, under way (cut off: Tracx
 * may have received it), or waiting to retry after a failed attempt.
 */
export type StopPoint = 'not sent' | 'under way' | 'waiting to retry';

export const STOPPED_MESSAGE = 'The execution was stopped';

const STOPPED = Symbol('tracx-execution-stopped');

/** An error that reports a stop, with where the call was; recognised by `stopPointOf`. */
export function stoppedError(
	node: INode,
	call: { method: string; path: string; attempts: number; status?: number },
	point: StopPoint,
	itemIndex?: number,
): NodeOperationError {
	const where = `${call.method} ${call.path}`;
	const last = call.status === undefined ? '' : ` (its last attempt answered HTTP ${call.status})`;
	const description =
		point === 'not sent'
			? `${where} was not sent: nothing is sent after a stop.`
			: point === 'under way'
				? `${where} was under way and was cut off; Tracx may still have applied it. Running the workflow again is safe.`
				: `${where} failed${last} and was waiting to be tried again; no further attempt was made after ${call.attempts} attempt${call.attempts === 1 ? '' : 's'}.`;
	const error = new NodeOperationError(node, STOPPED_MESSAGE, { description, itemIndex });
	Object.defineProperty(error, STOPPED, { value: point });
	return error;
}

export function stopPointOf(error: unknown): StopPoint | undefined {
	return error !== null && typeof error === 'object'
		? ((error as { [STOPPED]?: StopPoint })[STOPPED] ?? undefined)
		: undefined;
}
