import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { listEvents, listRaces } from '../transport/api';

/** Pickers for the Event and Race resource locators. The API has no search: filter here. */

function matches(filter: string | undefined, name: string, id: number): boolean {
	if (!filter) return true;
	const needle = filter.trim().toLowerCase();
	return name.toLowerCase().includes(needle) || String(id) === needle;
}

function byName(a: INodeListSearchItems, b: INodeListSearchItems): number {
	return a.name.localeCompare(b.name);
}

export async function searchEvents(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const events = await listEvents(this);
	return {
		results: events
			.filter((event) => matches(filter, String(event.name), event.id))
			.map((event) => ({ name: String(event.name), value: String(event.id) }))
			.sort(byName),
	};
}

/** The chosen event, when it is a plain ID rather than an expression or nothing. */
function chosenEventId(ctx: ILoadOptionsFunctions): number | undefined {
	let value: unknown;
	try {
		value = ctx.getCurrentNodeParameter('event', { extractValue: true });
	} catch {
		return undefined; // the operation has no Event parameter
	}
	const text =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	return /^\d+$/.test(text) ? Number(text) : undefined;
}

export async function searchRaces(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const eventId = chosenEventId(this);
	const races = await listRaces(this, eventId);
	return {
		results: races
			.filter((race) => matches(filter, String(race.name), race.id))
			.map((race) => ({
				name:
					eventId === undefined
						? `${String(race.name)} (event ${race.event_id})`
						: String(race.name),
				value: String(race.id),
			}))
			.sort(byName),
	};
}
