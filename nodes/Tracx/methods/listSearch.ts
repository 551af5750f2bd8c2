import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { parseTracxId } from '../actions/tracx-ids';
import { listEvents, listRaces, type TracxEvent } from '../transport/api';

/** Pickers for the Event and Race resource locators. The API has no search: filter here. */

function matches(filter: string | undefined, name: string, id: number): boolean {
	if (!filter) return true;
	const needle = filter.trim().toLowerCase();
	return name.toLowerCase().includes(needle) || String(id) === needle;
}

/** Numbers in names in numeric order, case ignored: "5 km, 10 km, 21 km trail, 120 km". */
const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function naturalOrder(a: string, b: string): number {
	return natural.compare(a, b);
}

function byName(a: INodeListSearchItems, b: INodeListSearchItems): number {
	return naturalOrder(a.name, b.name);
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

/**
 * The chosen event, when it is an ID rather than an expression or nothing. An ID beyond
 * 2^53 − 1 is refused with the node's own message: as a number it would name another
 * event (9007199254740993 reads as …992), and the list would show that event's races.
 */
function chosenEventId(ctx: ILoadOptionsFunctions): number | undefined {
	let value: unknown;
	try {
		value = ctx.getCurrentNodeParameter('event', { extractValue: true });
	} catch {
		return undefined; // the operation has no Event parameter
	}
	const text =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	return /^\d+$/.test(text) ? parseTracxId(text, 'Event') : undefined;
}

/**
 * Event names by ID, to tell races of different events apart. The names only label the
 * list: a connect token that may list races but not events still gets its races.
 */
async function eventNames(ctx: ILoadOptionsFunctions): Promise<Map<number, string>> {
	let events: TracxEvent[];
	try {
		events = await listEvents(ctx);
	} catch {
		events = [];
	}
	return new Map(events.map((event) => [event.id, String(event.name)]));
}

/**
 * Races of the chosen event by name; with no event chosen, every race labelled with its
 * event's name and grouped by event ("City Run – 10 km"), each group in natural order.
 */
export async function searchRaces(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const eventId = chosenEventId(this);
	const [races, events] = await Promise.all([
		listRaces(this, eventId),
		eventId === undefined ? eventNames(this) : Promise.resolve(undefined),
	]);
	const labelled = races.map((race) => {
		const event = events && (events.get(race.event_id) ?? `Event ${race.event_id}`);
		return { race, event, name: event ? `${event} – ${String(race.name)}` : String(race.name) };
	});
	return {
		results: labelled
			.filter(({ race, name }) => matches(filter, name, race.id))
			.sort(
				(a, b) =>
					naturalOrder(a.event ?? '', b.event ?? '') ||
					a.race.event_id - b.race.event_id ||
					naturalOrder(String(a.race.name), String(b.race.name)) ||
					a.race.id - b.race.id,
			)
			.map(({ race, name }) => ({ name, value: String(race.id) })),
	};
}
