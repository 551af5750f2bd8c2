import type {
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';

import { unexpectedResponseError } from './errors';
import { tracxRequest } from './request';

/**
 * One function per documented endpoint: path, permission and response shape together,
 * so an operation reads like the API documentation.
 */

type TracxContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export const PERMISSIONS = {
	listEvents: 'permissions.events.list',
	listRaces: 'permissions.races.list',
	storeParticipant: 'permissions.participants.store',
	storeParticipants: 'permissions.participants.store-multiple',
} as const;

export interface TracxEvent extends IDataObject {
	id: number;
	name: string;
}

export interface TracxRace extends IDataObject {
	id: number;
	event_id: number;
	name: string;
}

function dataOf(
	ctx: TracxContext,
	response: unknown,
	where: string,
	itemIndex?: number,
): IDataObject {
	const data = (response as { data?: unknown } | null | undefined)?.data;
	if (!data || typeof data !== 'object' || Array.isArray(data)) {
		throw unexpectedResponseError(ctx.getNode(), where, itemIndex);
	}
	return data as IDataObject;
}

function itemsOf<T>(ctx: TracxContext, response: unknown, where: string, itemIndex?: number): T[] {
	const items = dataOf(ctx, response, where, itemIndex).items;
	if (!Array.isArray(items)) throw unexpectedResponseError(ctx.getNode(), where, itemIndex);
	return items as T[];
}

export async function listEvents(ctx: TracxContext, itemIndex?: number): Promise<TracxEvent[]> {
	const response = await tracxRequest(ctx, {
		method: 'GET',
		path: '/events',
		permission: PERMISSIONS.listEvents,
		itemIndex,
	});
	return itemsOf<TracxEvent>(ctx, response, 'GET /events', itemIndex);
}

export async function listRaces(
	ctx: TracxContext,
	eventId: number | undefined,
	itemIndex?: number,
): Promise<TracxRace[]> {
	const response = await tracxRequest(ctx, {
		method: 'GET',
		path: '/races',
		qs: eventId === undefined ? undefined : { event_id: eventId },
		permission: PERMISSIONS.listRaces,
		itemIndex,
	});
	return itemsOf<TracxRace>(ctx, response, 'GET /races', itemIndex);
}

/**
 * The event and race IDs the token may see, listed once per node run and only after a 403
 * (undefined when the token may not list them). Lists are filtered by the token's scope, so
 * an ID missing from them is outside it.
 */
const visibleIds = new WeakMap<object, Map<'event' | 'race', Promise<Set<number> | undefined>>>();

function visibility(ctx: TracxContext, kind: 'event' | 'race', id: number, itemIndex: number) {
	return {
		kind,
		id,
		visible: async () => {
			let lists = visibleIds.get(ctx);
			if (!lists) visibleIds.set(ctx, (lists = new Map()));
			let ids = lists.get(kind);
			if (!ids) {
				const list =
					kind === 'event' ? listEvents(ctx, itemIndex) : listRaces(ctx, undefined, itemIndex);
				ids = list.then(
					(records) => new Set(records.map((record) => Number(record.id))),
					() => undefined,
				);
				lists.set(kind, ids);
			}
			const known = await ids;
			return known ? known.has(id) : undefined;
		},
	};
}

export async function upsertParticipant(
	ctx: IExecuteFunctions,
	participant: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	// the participant was validated: its race_id is already a safe whole number
	const raceId = typeof participant.race_id === 'number' ? participant.race_id : undefined;
	const response = await tracxRequest(ctx, {
		method: 'POST',
		path: '/participant',
		body: participant,
		permission: PERMISSIONS.storeParticipant,
		itemIndex,
		scope: raceId === undefined ? undefined : visibility(ctx, 'race', raceId, itemIndex),
	});
	return dataOf(ctx, response, 'POST /participant', itemIndex);
}

/**
 * Queues a bulk upsert. Tracx processes it asynchronously and documents no response
 * body, so whatever JSON it returns is passed through untouched.
 */
export async function queueParticipants(
	ctx: IExecuteFunctions,
	eventId: number,
	participants: IDataObject[],
	itemIndex: number,
	describeFieldKey: (key: string) => string,
): Promise<IDataObject> {
	const response = await tracxRequest(ctx, {
		method: 'POST',
		path: `/events/${eventId}/participants`,
		body: participants,
		permission: PERMISSIONS.storeParticipants,
		itemIndex,
		describeFieldKey,
		scope: visibility(ctx, 'event', eventId, itemIndex),
	});
	return response !== null && typeof response === 'object' && !Array.isArray(response)
		? (response as IDataObject)
		: {};
}
