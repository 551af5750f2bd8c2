'use strict';

const { startSandbox } = require('./server');
const { TOKENS, call, sessionToken } = require('./test-helpers');

/** The controls that create, change and delete events and races (for trigger tests). */

const START = Date.UTC(2026, 0, 10, 8, 0, 0);
let clockMs = START;
let sandbox;
let token;

beforeAll(async () => {
	sandbox = await startSandbox({ now: () => clockMs });
});
beforeEach(async () => {
	clockMs = START;
	token = await sessionToken(sandbox, TOKENS.all);
});
afterEach(() => sandbox.reset());
afterAll(() => sandbox.close());

const control = (name, body) => call(sandbox, 'POST', `/__sandbox/${name}`, { body });
const events = async () => (await call(sandbox, 'GET', '/events', { token })).json.data.items;
const races = async (eventId) =>
	(await call(sandbox, 'GET', eventId ? `/races?event_id=${eventId}` : '/races', { token })).json
		.data.items;

describe('events', () => {
	test('create-event adds an event stamped with the sandbox clock, listed by GET /events', async () => {
		const res = await control('create-event', { name: 'Rotterdam Marathon 2026' });
		expect(res.status).toBe(200);
		const created = {
			id: 4,
			name: 'Rotterdam Marathon 2026',
			created_at: '2026-01-10 08:00:00',
			updated_at: '2026-01-10 08:00:00',
		};
		expect(res.json).toEqual({ ok: true, event: created });
		expect((await events()).at(-1)).toEqual(created);
		// an event without races and participants is a normal event
		expect(await races(4)).toEqual([]);
		expect(sandbox.stats().participants.byEvent).toEqual({ 1: 3, 2: 1, 3: 0, 4: 0 });
	});

	test('update-event bumps updated_at to now, or sets the given one (even backwards)', async () => {
		clockMs = START + 65_000;
		const bumped = await control('update-event', { id: 2, name: 'Utrecht Classic' });
		expect(bumped.json.event).toEqual({
			id: 2,
			name: 'Utrecht Classic',
			created_at: '2025-03-03 14:10:05',
			updated_at: '2026-01-10 08:01:05',
		});
		const backwards = sandbox.control.updateEvent({ id: 2, updated_at: '2024-12-31 23:59:59' });
		expect(backwards.event.updated_at).toBe('2024-12-31 23:59:59');
		expect((await events()).find((e) => e.id === 2)).toEqual({
			...bumped.json.event,
			updated_at: '2024-12-31 23:59:59',
		});
	});

	test('delete-event removes the event, its races and its participants; ids are not reused', async () => {
		expect((await control('delete-event', { id: 1 })).json).toEqual({ ok: true });
		expect((await events()).map((e) => e.id)).toEqual([2, 3]);
		expect((await races()).map((r) => r.id)).toEqual([3, 4, 5]);
		expect(sandbox.stats().participants).toEqual({ stored: 1, byEvent: { 2: 1, 3: 0 } });
		sandbox.control.deleteEvent({ id: 3 });
		expect(sandbox.control.createEvent({ name: 'Next' }).event.id).toBe(4);
	});
});

describe('races', () => {
	test('create-race adds a race to an event, listed with and without the event filter', async () => {
		clockMs = START + 1000;
		const res = await control('create-race', { event_id: 3, name: '5 km' });
		const created = {
			id: 6,
			event_id: 3,
			name: '5 km',
			created_at: '2026-01-10 08:00:01',
			updated_at: '2026-01-10 08:00:01',
		};
		expect(res.json).toEqual({ ok: true, race: created });
		expect(await races(3)).toEqual([expect.objectContaining({ id: 5 }), created]);
		expect((await races()).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
	});

	test('update-race changes name and updated_at; two races can share a second', async () => {
		sandbox.control.updateRace({ id: 1, updated_at: '2026-01-10 08:00:00' });
		sandbox.control.updateRace({ id: 2 });
		const listed = await races(1);
		expect(listed.map((r) => [r.id, r.updated_at])).toEqual([
			[1, '2026-01-10 08:00:00'],
			[2, '2026-01-10 08:00:00'],
		]);
		expect(sandbox.control.updateRace({ id: 3, name: '125 km' }).race.name).toBe('125 km');
	});

	test('delete-race removes the race and the participants starting in it', async () => {
		expect((await control('delete-race', { id: 1 })).json).toEqual({ ok: true });
		expect((await races(1)).map((r) => r.id)).toEqual([2]);
		const left = sandbox.control.participants({ event_id: 1 }).items;
		expect(left.every((p) => p.race_id !== 1)).toBe(true);
		expect(sandbox.stats().participants.stored).toBe(1 + left.length);
		expect(sandbox.control.createRace({ event_id: 1, name: 'Again' }).race.id).toBe(6);
	});
});

describe('validation and reset', () => {
	test.each([
		['create-event', {}, 400, 'name must be a non-empty string'],
		['update-event', { id: 'x' }, 400, 'id must be a positive integer'],
		['update-event', { id: 9 }, 404, 'no event 9'],
		[
			'update-event',
			{ id: 1, updated_at: '2026-01-10T08:00:00Z' },
			400,
			'updated_at must be "YYYY-MM-DD HH:MM:SS"',
		],
		['delete-event', { id: 9 }, 404, 'no event 9'],
		['create-race', { event_id: 9, name: 'x' }, 404, 'no event 9'],
		['create-race', { event_id: 1 }, 400, 'name must be a non-empty string'],
		['update-race', { id: 0 }, 400, 'id must be a positive integer'],
		['delete-race', { id: 99 }, 404, 'no race 99'],
	])('%s %j answers %i', async (name, body, status, error) => {
		const res = await control(name, body);
		expect({ status: res.status, json: res.json }).toEqual({ status, json: { error } });
	});

	test('reset brings back the seeded events and races and the id sequence', async () => {
		sandbox.control.createEvent({ name: 'Extra' });
		sandbox.control.deleteRace({ id: 5 });
		sandbox.control.updateEvent({ id: 1 });
		sandbox.reset();
		token = await sessionToken(sandbox, TOKENS.all);
		expect((await events()).map((e) => [e.id, e.updated_at])).toEqual([
			[1, '2025-02-25 09:45:32'],
			[2, '2025-03-10 08:00:00'],
			[3, '2025-04-01 07:30:00'],
		]);
		expect((await races()).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
		expect(sandbox.control.createRace({ event_id: 1, name: 'New' }).race.id).toBe(6);
	});
});
