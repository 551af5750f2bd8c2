import type { IDataObject } from 'n8n-workflow';

import {
	MIN_GONE,
	STATE_VERSION,
	comparePoll,
	mostRecent,
	readState,
	sortByTime,
	type PollState,
} from '../../nodes/TracxTrigger/pollState';

/** The poll-state rules on their own: one answer of Tracx in, what changed and the next state out. */

function race(id: number, updatedAt: string, createdAt = updatedAt): IDataObject {
	return { id, event_id: 1, name: `Race ${id}`, created_at: createdAt, updated_at: updatedAt };
}

const T0 = '2026-01-10 08:00:00';
const T1 = '2026-01-10 08:00:01';
/** n8n's clock at every poll here: an hour before the records' times, so all of them are new. */
const CLOCK = Date.parse('2026-01-10T07:00:00Z');
const SINCE = '2026-01-10 06:59:00';

/** Polls a sequence of answers, as n8n would, with a JSON round trip of the state between polls. */
function pollSequence(scope: string, answers: IDataObject[][]) {
	let stored: IDataObject = {};
	return answers.map((records) => {
		const result = comparePoll(readState(stored), scope, records, CLOCK);
		stored = JSON.parse(JSON.stringify({ state: result.next })) as IDataObject;
		const ids = (list: IDataObject[]) => list.map((r) => r.id);
		return {
			baseline: result.baseline,
			created: ids(result.created),
			updated: ids(result.updated),
		};
	});
}

describe('comparePoll', () => {
	it('takes the first answer as the baseline and reports nothing from it', () => {
		const result = comparePoll(undefined, 'race', [race(1, T0), race(2, T0)], CLOCK);
		expect(result).toEqual({
			baseline: true,
			created: [],
			updated: [],
			next: {
				version: STATE_VERSION,
				scope: 'race',
				seen: { 1: T0, 2: T0 },
				gone: [],
				mostSeen: 2,
				since: SINCE,
			},
		});
	});

	it('reports a new id as created and a changed updated_at as updated, each exactly once', () => {
		expect(
			pollSequence('race', [
				[race(1, T0), race(2, T0)],
				[race(1, T0), race(2, T1), race(3, T1)],
				[race(1, T0), race(2, T1), race(3, T1)],
			]),
		).toEqual([
			{ baseline: true, created: [], updated: [] },
			{ baseline: false, created: [3], updated: [2] },
			{ baseline: false, created: [], updated: [] },
		]);
	});

	it('misses none of several records that share a second, across polls', () => {
		// 4 arrives in the same second as 3, but one poll later: a "newer than the last
		// timestamp" watermark would skip it; the seen-set does not
		expect(
			pollSequence('race', [
				[race(1, T0)],
				[race(1, T0), race(3, T1, T1)],
				[race(1, T0), race(3, T1, T1), race(4, T1, T1)],
			]).map((poll) => poll.created),
		).toEqual([[], [3], [4]]);
	});

	it('counts an updated_at that goes backwards as an update', () => {
		expect(
			pollSequence('race', [
				[race(1, T1)],
				[race(1, '2026-01-10 07:59:00')],
				[race(1, '2026-01-10 07:59:00')],
			]).map((poll) => poll.updated),
		).toEqual([[], [1], []]);
	});

	it('does not announce a record that vanished and came back as created', () => {
		expect(
			pollSequence('race', [
				[race(1, T0), race(2, T0)],
				[race(1, T0)], // 2 deleted or out of the token's scope
				[race(1, T0), race(2, T0)], // back, unchanged
				[race(1, T0)],
				[race(1, T0), race(2, T1)], // back, changed while away
			]),
		).toEqual([
			{ baseline: true, created: [], updated: [] },
			{ baseline: false, created: [], updated: [] },
			{ baseline: false, created: [], updated: [] },
			{ baseline: false, created: [], updated: [] },
			{ baseline: false, created: [], updated: [2] },
		]);
	});

	it('starts a new baseline when the scope (trigger resource or event filter) changes', () => {
		const first = comparePoll(undefined, 'race:1', [race(1, T0)], CLOCK);
		const other = comparePoll(first.next, 'race:2', [race(7, T0)], CLOCK);
		expect(other.baseline).toBe(true);
		expect(other.created).toEqual([]);
		expect(other.next.scope).toBe('race:2');
	});

	it('skips records without a usable id and reports a repeated id once', () => {
		const base = comparePoll(undefined, 'event', [{ id: 1, updated_at: T0 }], CLOCK);
		const result = comparePoll(
			base.next,
			'event',
			[
				{ id: 1, updated_at: T0 },
				{ name: 'no id', updated_at: T1 },
				{ id: null, updated_at: T1 },
				{ id: 5, updated_at: T1, name: 'first copy' },
				{ id: 5, updated_at: T1, name: 'second copy' },
			],
			CLOCK,
		);
		expect(result.created).toEqual([{ id: 5, updated_at: T1, name: 'first copy' }]);
		expect(Object.keys(result.next.seen)).toEqual(['1', '5']);
	});

	it('treats a missing or malformed updated_at as a value like any other', () => {
		expect(
			pollSequence('event', [
				[{ id: 1, updated_at: null }],
				[{ id: 1, updated_at: null }],
				[{ id: 1, updated_at: 'garbled' }],
			]).map((poll) => poll.updated),
		).toEqual([[], [], [1]]);
	});

	it('keeps at least MIN_GONE vanished ids, dropping the oldest', () => {
		const gone: Array<[string, string]> = Array.from({ length: MIN_GONE }, (_, i) => [`g${i}`, T0]);
		const previous: PollState = {
			version: STATE_VERSION,
			scope: 'race',
			seen: { 1: T0, 2: T0, 3: T0 },
			gone,
		};
		const result = comparePoll(previous, 'race', [], CLOCK);
		expect(result.next.gone).toHaveLength(MIN_GONE);
		expect(result.next.gone.slice(-3)).toEqual([
			['1', T0],
			['2', T0],
			['3', T0],
		]);
		expect(result.next.gone[0]).toEqual(['g3', T0]);
		expect(result.next.seen).toEqual({});
	});
});

describe('an answer that drops most known records at once', () => {
	const RACES = 1500;
	const all = Array.from({ length: RACES }, (_, i) => race(i + 1, T0));
	const quiet = { created: [], updated: [] };

	it('fires nothing when 1,500 races come back after an empty answer', () => {
		const polls = pollSequence('race', [all, [], all, all]);
		expect(polls.map(({ created, updated }) => ({ created, updated }))).toEqual([
			quiet,
			quiet,
			quiet,
			quiet,
		]);
	});

	it('fires nothing after several empty or short answers in a row', () => {
		const short = all.slice(0, 10);
		const polls = pollSequence('race', [all, [], short, [], [], all]);
		expect(polls.slice(1).map(({ created, updated }) => ({ created, updated }))).toEqual(
			Array.from({ length: 5 }, () => quiet),
		);
	});

	it('still reports each real change once: a new race and one changed while away', () => {
		const back = [...all.slice(0, 99), race(100, T1), ...all.slice(100), race(RACES + 1, T0)];
		expect(pollSequence('race', [all, [], back, back]).slice(1)).toEqual([
			{ baseline: false, created: [], updated: [] },
			{ baseline: false, created: [RACES + 1], updated: [100] },
			{ baseline: false, created: [], updated: [] },
		]);
	});

	it('remembers as many vanished records as the largest answer held, and no more', () => {
		let state = comparePoll(undefined, 'race', all, CLOCK).next;
		expect(state.mostSeen).toBe(RACES);
		state = comparePoll(state, 'race', [], CLOCK).next;
		expect([state.gone.length, state.mostSeen]).toEqual([RACES, RACES]);
		// churn: 2,000 more races come and go one answer at a time; the list stays bounded
		for (let id = RACES + 1; id <= RACES + 2000; id++) {
			state = comparePoll(state, 'race', [race(id, T0)], CLOCK).next;
			state = JSON.parse(JSON.stringify(state)) as PollState;
		}
		expect(state.gone).toHaveLength(RACES);
		expect(state.gone[state.gone.length - 1]).toEqual([String(RACES + 1999), T0]);
		expect(Object.keys(state.seen)).toEqual([String(RACES + 2000)]);
	});

	it('reads a state saved without the high-water mark by the size of its seen-set', () => {
		const seen = Object.fromEntries(all.map((r) => [String(r.id), T0]));
		const saved: PollState = { version: STATE_VERSION, scope: 'race', seen, gone: [] };
		const afterBlip = comparePoll(readState({ state: saved } as IDataObject), 'race', [], CLOCK);
		expect(afterBlip.next.gone).toHaveLength(RACES);
		expect(comparePoll(afterBlip.next, 'race', all, CLOCK).created).toEqual([]);
	});
});

describe('readState', () => {
	const good: PollState = { version: STATE_VERSION, scope: 'event', seen: { 1: T0 }, gone: [] };

	it('reads back what was stored', () => {
		expect(readState(JSON.parse(JSON.stringify({ state: good })) as IDataObject)).toEqual(good);
	});

	it.each([
		['nothing stored', undefined],
		['no state', {}],
		['another version', { state: { ...good, version: 99 } }],
		['no scope', { state: { ...good, scope: undefined } }],
		['no seen-set', { state: { ...good, seen: null } }],
		['gone not a list', { state: { ...good, gone: {} } }],
	])('ignores %s (the next poll is a baseline)', (_label, stored) => {
		expect(readState(stored as IDataObject | undefined)).toBeUndefined();
	});
});

describe('order of output and the manual sample', () => {
	const records = [
		race(9, '2026-01-10 09:00:00', T1),
		race(4, T1, T1),
		race(2, 'not a timestamp', '2026-01-10 10:00:00'),
		race(3, T1, T0),
	];

	it('sorts oldest first, records of one second by id, malformed times first', () => {
		expect(sortByTime(records, 'updated_at').map((r) => r.id)).toEqual([2, 3, 4, 9]);
		expect(sortByTime(records, 'created_at').map((r) => r.id)).toEqual([3, 4, 9, 2]);
	});

	it('picks the newest record by the trigger field, and nothing from an empty list', () => {
		expect(mostRecent(records, 'updated_at')?.id).toBe(9);
		expect(mostRecent(records, 'created_at')?.id).toBe(2);
		expect(mostRecent([], 'created_at')).toBeUndefined();
	});
});
