import type { IDataObject } from 'n8n-workflow';

import {
	CLOCK_MARGIN_SECONDS,
	comparePoll,
	readState,
	tracxTime,
	type PollState,
} from '../../nodes/TracxTrigger/pollState';
import { mulberry32 } from './support/bad-participants';

/**
 * The trigger's rules across n8n restarts. n8n keeps a polling trigger's static data in
 * memory and writes it to the database only at activation and when a poll starts an
 * execution (read from n8n 1.123.81 and 2.40.7, seen in real runs). A restart therefore
 * throws away what every poll since the last execution learnt. These tests drive the rules
 * the way n8n does, with that loss, and check that no change is lost or repeated by it.
 */

type Kind = 'created' | 'updated';

/** Times as Tracx writes them, `second` seconds after 2026-01-10 08:00:00 UTC. */
const EPOCH = Date.parse('2026-01-10T08:00:00Z');
const at = (second: number) => tracxTime(EPOCH + second * 1000);

/**
 * One trigger node under n8n: `poll(records, nowSecond)` returns the ids it would emit (or
 * null when the poll starts nothing); `restart()` goes back to what n8n last saved.
 */
function n8nTrigger(kind: Kind, scope = 'event') {
	let memory: IDataObject = {};
	let saved = '{}';
	return {
		poll(records: IDataObject[], nowSecond: number): number[] | null {
			const previous = readState(memory);
			const result = comparePoll(previous, scope, records, EPOCH + nowSecond * 1000);
			memory = { state: result.next };
			const changed = kind === 'created' ? result.created : result.updated;
			// n8n saves at activation (the baseline) and whenever a poll emits
			if (result.baseline || changed.length > 0) saved = JSON.stringify(memory);
			return changed.length > 0 ? changed.map((r) => r.id as number) : null;
		},
		restart() {
			memory = JSON.parse(saved) as IDataObject;
		},
		get saved(): PollState | undefined {
			return readState(JSON.parse(saved) as IDataObject);
		},
	};
}

function record(id: number, created: number, updated = created): IDataObject {
	return { id, name: `Record ${id}`, created_at: at(created), updated_at: at(updated) };
}

describe('the sequence of the restart report (events 1001–2004, races 5101–5104)', () => {
	// Tracx's data: 1001 and 1002 exist before activation; the rest is created later
	const activation = 100;
	const before = [record(1001, 0), record(1002, 10)];

	it('fires 2004, 1002, 2003 (updated) and 5104 once after the restart, and nothing else', () => {
		const eventCreated = n8nTrigger('created');
		const eventUpdated = n8nTrigger('updated');
		const raceCreated = n8nTrigger('created', 'race');
		const raceUpdated = n8nTrigger('updated', 'race');
		const events = (list: IDataObject[]) => ({
			ec: eventCreated.poll(list, now),
			eu: eventUpdated.poll(list, now),
		});
		let now = activation;

		// activation: every trigger takes note
		expect(events(before)).toEqual({ ec: null, eu: null });
		expect([raceCreated.poll([], now), raceUpdated.poll([], now)]).toEqual([null, null]);

		// poll 1: event 2001 created, event 1001 updated, race 5101 created
		now = 160;
		const poll1 = [record(1001, 0, 150), record(1002, 10), record(2001, 140)];
		const races1 = [record(5101, 145)];
		expect(events(poll1)).toEqual({ ec: [2001], eu: [1001] });
		expect([raceCreated.poll(races1, now), raceUpdated.poll(races1, now)]).toEqual([[5101], null]);

		// poll 2: event 2003 created, race 5101 updated; Event Created gets an empty answer
		now = 220;
		const poll2 = [...poll1, record(2003, 200)];
		const races2 = [record(5101, 145, 205)];
		expect(eventCreated.poll([], now)).toBeNull();
		expect(eventUpdated.poll(poll2, now)).toBeNull(); // 2003 is new: not an update
		expect(raceCreated.poll(races2, now)).toBeNull(); // 5101 is known: not a creation
		expect(raceUpdated.poll(races2, now)).toEqual([5101]);

		// n8n stops; while it is down 2004 is created, 1002 and 2003 updated, race 5104 created
		for (const trigger of [eventCreated, eventUpdated, raceCreated, raceUpdated]) {
			trigger.restart();
		}
		now = 400;
		const afterRestart = [
			record(1001, 0, 150),
			record(1002, 10, 300),
			record(2001, 140),
			record(2003, 200, 310),
			record(2004, 320),
		];
		const races3 = [record(5101, 145, 205), record(5104, 330)];
		expect(events(afterRestart)).toEqual({ ec: [2003, 2004], eu: [1002, 2003] });
		expect([raceCreated.poll(races3, now), raceUpdated.poll(races3, now)]).toEqual([[5104], null]);

		// and nothing more on the next polls
		now = 460;
		expect(events(afterRestart)).toEqual({ ec: null, eu: null });
		expect([raceCreated.poll(races3, now), raceUpdated.poll(races3, now)]).toEqual([null, null]);
	});

	it('fires the update of 2003, which the saved state of Event Updated never held', () => {
		// what the saved state holds for "Event Updated": 2003 is not in it
		const eventUpdated = n8nTrigger('updated');
		eventUpdated.poll(before, activation);
		eventUpdated.poll([record(1001, 0, 150), record(1002, 10), record(2001, 140)], 160);
		eventUpdated.poll(
			[record(1001, 0, 150), record(1002, 10), record(2001, 140), record(2003, 200)],
			220,
		);
		eventUpdated.restart();
		expect(Object.keys(eventUpdated.saved?.seen ?? {})).toEqual(['1001', '1002', '2001']);
		expect(eventUpdated.poll([record(2003, 200, 310)], 400)).toEqual([2003]);
	});
});

describe('records the state does not know', () => {
	const activation = 1000;
	const since = at(activation - CLOCK_MARGIN_SECONDS);

	it('a baseline keeps its time, less the clock margin', () => {
		const trigger = n8nTrigger('created');
		trigger.poll([], activation);
		expect(trigger.saved?.since).toBe(since);
	});

	it('an empty first answer, then the full list: nothing old fires, what is new fires once', () => {
		const old = Array.from({ length: 1500 }, (_, i) =>
			record(i + 1, i % 900, i < 3 ? 1200 : i % 900),
		);
		const fresh = record(2000, 1100);
		const created = n8nTrigger('created');
		const updated = n8nTrigger('updated');
		for (const trigger of [created, updated]) expect(trigger.poll([], activation)).toBeNull();
		const full = [...old, fresh];
		expect(created.poll(full, 1300)).toEqual([2000]);
		// three old records were changed after activation: each once; the rest stay quiet
		expect(updated.poll(full, 1300)).toEqual([1, 2, 3]);
		expect([created.poll(full, 1360), updated.poll(full, 1360)]).toEqual([null, null]);
	});

	it('several empty answers in a row after activation change nothing', () => {
		const created = n8nTrigger('created');
		created.poll([], activation);
		created.poll([], 1060);
		created.poll([], 1120);
		expect(created.poll([record(1, 10), record(2, activation + 5)], 1180)).toEqual([2]);
	});

	it('a record created within the clock margin before the baseline, but missing from it, fires', () => {
		// Tracx's clock may run behind n8n's: such a record may really be newer than the baseline
		const created = n8nTrigger('created');
		created.poll([], activation);
		expect(
			created.poll(
				[record(1, activation - CLOCK_MARGIN_SECONDS - 1), record(2, activation - 30)],
				1060,
			),
		).toEqual([2]);
	});

	it("a baseline with records stands for the newest time in its answer, on Tracx's own clock", () => {
		const trigger = n8nTrigger('created');
		trigger.poll([record(1, 10), record(2, 20, 400)], activation);
		expect(trigger.saved?.since).toBe(at(400));
	});

	it('Tracx writing its times five hours behind UTC: what is created after activation still fires', () => {
		// a Tracx zone west of UTC: every time it writes lies 5 h before n8n's UTC clock
		const west = (second: number) => second - 5 * 3600;
		const tracx = (id: number, created: number, updated = created) =>
			record(id, west(created), west(updated));
		const created = n8nTrigger('created');
		const updated = n8nTrigger('updated');
		const before = [tracx(1, 10), tracx(2, 500)];
		for (const trigger of [created, updated]) expect(trigger.poll(before, activation)).toBeNull();
		const after = [tracx(1, 10, 1100), tracx(2, 500), tracx(3, 1200), tracx(4, 1250, 1300)];
		expect(created.poll(after, 1400)).toEqual([3, 4]);
		expect(updated.poll(after, 1400)).toEqual([1, 4]);
	});

	it("a baseline whose newest time lies ahead of n8n (a zone east of UTC) uses n8n's clock", () => {
		const trigger = n8nTrigger('created');
		trigger.poll([record(1, activation + 3600)], activation);
		expect(trigger.saved?.since).toBe(since);
	});

	it('a new record whose updated_at differs from its created_at fires Updated, once', () => {
		const updated = n8nTrigger('updated');
		updated.poll([record(1, 10)], activation);
		const answer = [record(1, 10), record(2, 1010, 1020), record(3, 1030)];
		expect(updated.poll(answer, 1060)).toEqual([2]);
		expect(updated.poll(answer, 1120)).toBeNull();
	});

	it('a record without a readable created_at fires Created, not Updated', () => {
		const created = n8nTrigger('created');
		const updated = n8nTrigger('updated');
		const odd = { id: 7, updated_at: at(1100) };
		for (const trigger of [created, updated]) trigger.poll([], activation);
		expect([created.poll([odd], 1200), updated.poll([odd], 1200)]).toEqual([[7], null]);
	});

	it('a state saved before `since` existed judges every unknown record as new', () => {
		const saved: PollState = { version: 1, scope: 'event', seen: { 1: at(0) }, gone: [] };
		const result = comparePoll(
			readState({ state: saved }),
			'event',
			[record(1, 0), record(2, 5, 9)],
			EPOCH,
		);
		expect([result.created.map((r) => r.id), result.updated.map((r) => r.id)]).toEqual([[2], [2]]);
		expect(result.next.since).toBeUndefined();
	});

	it('a garbled `since` is ignored rather than trusted', () => {
		const saved = { version: 1, scope: 'event', seen: {}, gone: [], since: 'yesterday' };
		expect(readState({ state: saved })?.since).toBeUndefined();
	});
});

/**
 * A seeded random history of Tracx (records created, updated, deleted; answers that are
 * complete, empty or short) polled by two copies of each trigger: one never restarts, the
 * other restarts at random points between polls and so loses what n8n had not saved. Both
 * must emit exactly the same at every poll; and what the one that never restarts emits must
 * be each change once.
 */
describe('restarts lose nothing and repeat nothing (seeded random histories)', () => {
	const HISTORIES = 300;
	const POLLS = 14;

	interface Poll {
		answer: IDataObject[];
		now: number;
		baseline: boolean;
	}

	function history(rng: () => number): Poll[] {
		const live = new Map<number, { created: number; updated: number }>();
		let nextId = 1;
		let clock = 0;
		const snapshot = () => [...live.entries()].map(([id, r]) => record(id, r.created, r.updated));
		// some records exist before activation
		for (let i = Math.floor(rng() * 5); i > 0; i--) {
			clock += 1 + Math.floor(rng() * 5);
			live.set(nextId++, { created: clock, updated: clock });
		}
		// activation comes well after them: they are older than the clock margin
		clock += 2 * CLOCK_MARGIN_SECONDS;
		const polls: Poll[] = [];
		for (let p = 0; p < POLLS; p++) {
			clock += 1 + Math.floor(rng() * 3);
			const roll = rng();
			const complete = snapshot();
			// an empty answer (also at activation), a short one, or everything
			const answer = roll < 0.12 ? [] : roll < 0.22 ? complete.filter(() => rng() < 0.5) : complete;
			polls.push({ answer, now: clock, baseline: p === 0 });
			// changes before the next poll; some in the same second as the poll
			for (let c = Math.floor(rng() * 4); c > 0; c--) {
				if (rng() < 0.7) clock += Math.floor(rng() * 40);
				const action = rng();
				const ids = [...live.keys()];
				if (action < 0.4 || ids.length === 0) {
					live.set(nextId++, { created: clock, updated: clock });
				} else if (action < 0.85) {
					live.get(ids[Math.floor(rng() * ids.length)])!.updated = clock;
				} else {
					live.delete(ids[Math.floor(rng() * ids.length)]);
				}
			}
		}
		return polls;
	}

	/** What the rules promise, per record: its changes since the trigger started, each once. */
	function expected(kind: Kind, polls: Poll[]): Array<Array<number>> {
		const baseline = new Map(polls[0].answer.map((r) => [r.id as number, r.updated_at as string]));
		const clock = at(polls[0].now - CLOCK_MARGIN_SECONDS);
		const newest = polls[0].answer
			.flatMap((r) => [r.created_at as string, r.updated_at as string])
			.reduce((a, b) => (b > a ? b : a), '');
		const since = newest !== '' && newest < clock ? newest : clock;
		const last = new Map<number, string | 'old'>(baseline);
		return polls.slice(1).map(({ answer }) => {
			const fired: IDataObject[] = [];
			for (const r of answer) {
				const id = r.id as number;
				const stamp = r.updated_at as string;
				const created = r.created_at as string;
				if (!last.has(id)) {
					const old = created < since;
					if (kind === 'created' && !old) fired.push(r);
					if (kind === 'updated' && (old ? stamp >= since : stamp !== created)) fired.push(r);
				} else if (kind === 'updated' && last.get(id) !== stamp) {
					fired.push(r);
				}
				last.set(id, stamp);
			}
			const field = kind === 'created' ? 'created_at' : 'updated_at';
			return fired
				.sort((a, b) =>
					a[field] === b[field]
						? (a.id as number) - (b.id as number)
						: (a[field] as string) < (b[field] as string)
							? -1
							: 1,
				)
				.map((r) => r.id as number);
		});
	}

	it.each(['created', 'updated'] as const)('%s', (kind) => {
		const rng = mulberry32(20261207 + (kind === 'created' ? 0 : 1));
		let restarts = 0;
		let fired = 0;
		for (let h = 0; h < HISTORIES; h++) {
			const polls = history(rng);
			const steady = n8nTrigger(kind);
			const restarting = n8nTrigger(kind);
			const steadyOut: Array<number[] | null> = [];
			const restartingOut: Array<number[] | null> = [];
			for (const poll of polls) {
				if (!poll.baseline && rng() < 0.35) {
					restarting.restart();
					restarts++;
				}
				steadyOut.push(steady.poll(poll.answer, poll.now));
				restartingOut.push(restarting.poll(poll.answer, poll.now));
			}
			expect({ history: h, emitted: restartingOut }).toEqual({ history: h, emitted: steadyOut });
			expect({ history: h, emitted: steadyOut.slice(1).map((ids) => ids ?? []) }).toEqual({
				history: h,
				emitted: expected(kind, polls),
			});
			fired += steadyOut.flat().filter((id) => id !== null).length;
		}
		// the histories exercise what they are meant to
		expect(restarts).toBeGreaterThan(HISTORIES);
		expect(fired).toBeGreaterThan(HISTORIES);
	});
});
