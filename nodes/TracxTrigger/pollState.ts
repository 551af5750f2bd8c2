import type { IDataObject } from 'n8n-workflow';

/**
 * What the Tracx Trigger remembers between polls, and how a new answer is compared with
 * it. Pure functions over plain JSON, so n8n can store the state as node static data and
 * the tests can drive every case without n8n.
 *
 * Tracx answers GET /events and GET /races with the whole list every time (it documents no
 * paging and no "changed since" filter), so each poll sees every record. The state is
 * therefore a seen-set: every record's id with the `updated_at` it had at the last poll.
 * - Created: an id never seen before.
 * - Updated: a seen id whose `updated_at` differs from the remembered one.
 * Comparing for equality rather than "later than a watermark" means that records sharing
 * a second are told apart by id, and that a timestamp which goes backwards (a clock corrected
 * on the Tracx side) still counts as a change.
 *
 * A record the state does not know is judged by its own timestamps against `since`, the
 * time of the baseline poll (see baselineSince: the newest time in the baseline's answer, on
 * Tracx's own clock and in its own zone, or n8n's clock when the answer is empty):
 * - created before `since`, it existed when the trigger took note and was missing from that
 *   answer (an empty or short answer at activation, a token whose scope grew later): it is
 *   taken note of silently, and counts as updated only if its `updated_at` is not before
 *   `since` (changed after the trigger started);
 * - otherwise it is new: created, and also updated if its `updated_at` differs from its
 *   `created_at` (changed since it was created).
 * This makes a poll that reports nothing leave the state equivalent to the one before it, as
 * far as every later report of the same trigger goes.
 * That matters because n8n saves a trigger's static data only when a poll starts an
 * execution (or at activation): after a restart the trigger resumes from the last saved
 * state, and the polls since then, which started nothing, must not have held knowledge that
 * the comparison needs. test/unit/trigger.restart.test.ts checks it over seeded random histories.
 *
 * Records missing from an answer move to a list of vanished ones, so that one coming back
 * unchanged is not announced as created. One answer can drop almost everything at once: a
 * record deleted in bulk, a token's scope narrowed, or Tracx answering an empty or short list
 * for a moment. For "each change once" to hold then too, the list keeps as many vanished
 * records as the largest answer so far held (at least MIN_GONE): whatever one answer drops
 * fits, however many answers in a row drop it. Memory stays bounded by the size of Tracx's
 * data (at most twice the largest answer), not by how long the trigger runs.
 */

export const STATE_VERSION = 1;

/**
 * `since` lies this far before the baseline poll, so that a record created just after it on
 * a Tracx clock running up to a minute behind n8n's still counts as new.
 */
export const CLOCK_MARGIN_SECONDS = 60;

/** Vanished records kept at least, however small the answers (newest last, oldest dropped). */
export const MIN_GONE = 1000;

export interface PollState {
	version: typeof STATE_VERSION;
	/** What was polled (resource and event filter); another scope starts a new baseline. */
	scope: string;
	/** id → `updated_at` of every record in the last answer. */
	seen: Record<string, string>;
	/** [id, last `updated_at`] of records that vanished, oldest first. */
	gone: Array<[string, string]>;
	/**
	 * The most records one answer has held since the baseline: how many vanished ones are
	 * kept. Missing in a state saved before it existed; the seen-set's size stands in then.
	 */
	mostSeen?: number;
	/**
	 * The baseline poll's time less CLOCK_MARGIN_SECONDS, as Tracx writes times
	 * (`YYYY-MM-DD HH:MM:SS`, UTC). Missing in a state saved before it existed: every unknown
	 * record then counts as new.
	 */
	since?: string;
}

export interface PollChanges {
	created: IDataObject[];
	updated: IDataObject[];
}

export interface PollResult extends PollChanges {
	/** True when there was no usable state: everything is taken as known, nothing emitted. */
	baseline: boolean;
	next: PollState;
}

/** A record's identity as a string key, or undefined for a record that cannot be tracked. */
function keyOf(record: IDataObject): string | undefined {
	const id = record.id;
	if (typeof id === 'number' && Number.isFinite(id)) return String(id);
	if (typeof id === 'string' && id.trim() !== '') return id.trim();
	return undefined;
}

/** `updated_at` as compared between polls; any value, even a malformed one, is compared as is. */
function stampOf(record: IDataObject): string {
	const value = record.updated_at;
	return value === undefined || value === null ? '' : String(value);
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** A time as Tracx writes it: `YYYY-MM-DD HH:MM:SS`, UTC, to the second. */
export function tracxTime(epochMs: number): string {
	return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The time a baseline stands for. Tracx writes its times without a zone, so where the answer
 * holds records, their newest `created_at`/`updated_at` is used: anything created after it is
 * new on Tracx's own clock, whatever zone Tracx writes in. n8n's clock (UTC, less
 * CLOCK_MARGIN_SECONDS) serves for an empty answer, and caps the newest time when that lies
 * ahead of n8n (a Tracx zone east of UTC), so a record missing from the answer is never judged
 * by a time still to come.
 */
function baselineSince(present: Array<{ record: IDataObject }>, polledAt: number): string {
	const clock = tracxTime(polledAt - CLOCK_MARGIN_SECONDS * 1000);
	let newest = '';
	for (const { record } of present) {
		for (const field of ['created_at', 'updated_at'] as const) {
			const time = timeOf(record, field);
			if (time > newest) newest = time;
		}
	}
	return newest !== '' && newest < clock ? newest : clock;
}

/** Reads stored static data back, or undefined when it is missing or from another version. */
export function readState(stored: IDataObject | undefined): PollState | undefined {
	const state = stored?.state as Partial<PollState> | undefined;
	if (
		!state ||
		state.version !== STATE_VERSION ||
		typeof state.scope !== 'string' ||
		!state.seen ||
		typeof state.seen !== 'object' ||
		!Array.isArray(state.gone)
	) {
		return undefined;
	}
	if (
		state.since !== undefined &&
		!(typeof state.since === 'string' && TIMESTAMP.test(state.since))
	) {
		// a garbled time cannot tell old from new: judge every unknown record as new
		const rest = { ...state };
		delete rest.since;
		return rest as PollState;
	}
	return state as PollState;
}

/** The stored high-water mark, never below the seen-set's size (a garbled one counts as 0). */
function mostSeenOf(state: PollState): number {
	const stored = Number.isSafeInteger(state.mostSeen) ? (state.mostSeen as number) : 0;
	return Math.max(stored, Object.keys(state.seen).length);
}

/**
 * Whether a record the state does not know counts as created and as updated (see the module
 * comment); `stamp` is its `updated_at` as compared.
 */
function judgeUnknown(
	record: IDataObject,
	stamp: string,
	since: string | undefined,
): { created: boolean; updated: boolean } {
	const created = timeOf(record, 'created_at');
	if (since !== undefined && created !== '' && created < since) {
		return { created: false, updated: TIMESTAMP.test(stamp) && stamp >= since };
	}
	// without a readable created_at there is nothing to tell an update by: created only
	return { created: true, updated: created !== '' && stamp !== created };
}

/**
 * Compares a complete answer of Tracx with the state of the previous poll. Without a
 * state for this scope (first poll after activation, trigger or event filter changed) the
 * answer becomes the baseline and nothing is reported. `polledAt` is when the request was
 * sent (epoch ms, n8n's clock); only a baseline uses it.
 */
export function comparePoll(
	previous: PollState | undefined,
	scope: string,
	records: IDataObject[],
	polledAt: number,
): PollResult {
	const seen: Record<string, string> = {};
	const present: Array<{ key: string; record: IDataObject }> = [];
	for (const record of records) {
		const key = keyOf(record);
		// a repeated id in one answer is reported once, like the first copy
		if (key === undefined || key in seen) continue;
		seen[key] = stampOf(record);
		present.push({ key, record });
	}

	if (!previous || previous.scope !== scope) {
		return {
			baseline: true,
			created: [],
			updated: [],
			next: {
				version: STATE_VERSION,
				scope,
				seen,
				gone: [],
				mostSeen: present.length,
				since: baselineSince(present, polledAt),
			},
		};
	}

	const gone = new Map(previous.gone);
	const created: IDataObject[] = [];
	const updated: IDataObject[] = [];
	for (const { key, record } of present) {
		const before = key in previous.seen ? previous.seen[key] : gone.get(key);
		gone.delete(key);
		if (before === undefined) {
			const judged = judgeUnknown(record, seen[key], previous.since);
			if (judged.created) created.push(record);
			if (judged.updated) updated.push(record);
		} else if (before !== seen[key]) updated.push(record);
	}
	for (const [key, stamp] of Object.entries(previous.seen)) {
		if (!(key in seen)) gone.set(key, stamp);
	}
	const mostSeen = Math.max(mostSeenOf(previous), present.length);
	const keptGone = [...gone.entries()].slice(-Math.max(MIN_GONE, mostSeen));
	return {
		baseline: false,
		created: sortByTime(created, 'created_at'),
		updated: sortByTime(updated, 'updated_at'),
		next: {
			version: STATE_VERSION,
			scope,
			seen,
			gone: keptGone,
			mostSeen,
			...(previous.since === undefined ? {} : { since: previous.since }),
		},
	};
}

/**
 * Sort key: Tracx's `YYYY-MM-DD HH:MM:SS` sorts as text in time order (all in one zone,
 * assumed UTC); a missing or malformed value sorts first.
 */
function timeOf(record: IDataObject, field: 'created_at' | 'updated_at'): string {
	const value = record[field];
	return typeof value === 'string' && TIMESTAMP.test(value) ? value : '';
}

function numericId(record: IDataObject): number {
	const id = Number(record.id);
	return Number.isFinite(id) ? id : 0;
}

function compareByTime(field: 'created_at' | 'updated_at') {
	return (a: IDataObject, b: IDataObject): number => {
		const ta = timeOf(a, field);
		const tb = timeOf(b, field);
		if (ta !== tb) return ta < tb ? -1 : 1;
		return numericId(a) - numericId(b);
	};
}

/** Oldest first, ties (records of the same second) by id, so executions run in that order. */
export function sortByTime(records: IDataObject[], field: 'created_at' | 'updated_at') {
	return [...records].sort(compareByTime(field));
}

/** The newest record by `field` (ties: the highest id), for a manual test run. */
export function mostRecent(
	records: IDataObject[],
	field: 'created_at' | 'updated_at',
): IDataObject | undefined {
	const sorted = sortByTime(records, field);
	return sorted[sorted.length - 1];
}
