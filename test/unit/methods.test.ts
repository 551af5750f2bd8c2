import { STATES } from '../../nodes/Tracx/actions/participant/fields';
import { searchEvents, searchRaces } from '../../nodes/Tracx/methods/listSearch';
import { getParticipantFields } from '../../nodes/Tracx/methods/resourceMapping';
import { loadOptionsContext, locator } from './support/fake-n8n';
import { PATH, sessionIssuer, tracx, useNock } from './support/tracx-mock';

useNock();
beforeEach(() => sessionIssuer());

const events = [
	{ id: 2, name: 'Zuid Marathon' },
	{ id: 1, name: 'City Run' },
];

describe('event picker', () => {
	it('lists events by name and filters by name or ID', async () => {
		tracx()
			.get(`${PATH}/events`)
			.times(3)
			.reply(200, { data: { items: events } });
		const ctx = loadOptionsContext({});
		expect((await searchEvents.call(ctx)).results).toEqual([
			{ name: 'City Run', value: '1' },
			{ name: 'Zuid Marathon', value: '2' },
		]);
		expect((await searchEvents.call(ctx, 'marath')).results).toEqual([
			{ name: 'Zuid Marathon', value: '2' },
		]);
		expect((await searchEvents.call(ctx, '1')).results).toEqual([{ name: 'City Run', value: '1' }]);
	});
});

describe('race picker', () => {
	it('narrows to the chosen event', async () => {
		const call = tracx()
			.get(`${PATH}/races`)
			.query({ event_id: '1' })
			.reply(200, { data: { items: [{ id: 11, event_id: 1, name: '10K' }] } });
		const result = await searchRaces.call(loadOptionsContext({ event: locator('1', 'list') }));
		expect(call.isDone()).toBe(true);
		expect(result.results).toEqual([{ name: '10K', value: '11' }]);
	});

	it('names each race with its event, grouped by event, numbers in numeric order', async () => {
		const races = [
			{ id: 31, event_id: 2, name: '5 km' },
			{ id: 12, event_id: 1, name: '120 km' },
			{ id: 13, event_id: 1, name: '21 km trail' },
			{ id: 14, event_id: 1, name: '60 km' },
			{ id: 11, event_id: 1, name: '10 km' },
			{ id: 41, event_id: 9, name: 'Kids run' },
		];
		tracx()
			.get(`${PATH}/races`)
			.query((q) => Object.keys(q).length === 0)
			.times(3)
			.reply(200, { data: { items: races } });
		tracx()
			.get(`${PATH}/events`)
			.times(3)
			.reply(200, { data: { items: events } });
		for (const event of [undefined, locator('={{ $json.event }}')]) {
			const result = await searchRaces.call(loadOptionsContext({ event }));
			expect(result.results).toEqual([
				{ name: 'City Run – 10 km', value: '11' },
				{ name: 'City Run – 21 km trail', value: '13' },
				{ name: 'City Run – 60 km', value: '14' },
				{ name: 'City Run – 120 km', value: '12' },
				{ name: 'Event 9 – Kids run', value: '41' },
				{ name: 'Zuid Marathon – 5 km', value: '31' },
			]);
		}
		const search = await searchRaces.call(loadOptionsContext({}), 'zuid');
		expect(search.results).toEqual([{ name: 'Zuid Marathon – 5 km', value: '31' }]);
	});

	it('refuses an event ID beyond 2^53 − 1 instead of listing the races of a rounded one', async () => {
		// Sent as a number, 9007199254740993 becomes 9007199254740992: another event's races.
		const rounded = tracx()
			.get(`${PATH}/races`)
			.query(() => true)
			.reply(200, { data: { items: [{ id: 11, event_id: 9007199254740992, name: '10K' }] } });
		for (const id of ['9007199254740993', '123456789012345678901']) {
			await expect(
				searchRaces.call(loadOptionsContext({ event: locator(id, 'id') })),
			).rejects.toThrow(
				`"Event" must be a Tracx event ID (a whole number from 1 to 9007199254740991), got "${id}"`,
			);
		}
		expect(rounded.isDone()).toBe(false);
	});

	it('still narrows to the largest safe event ID', async () => {
		const call = tracx()
			.get(`${PATH}/races`)
			.query({ event_id: '9007199254740991' })
			.reply(200, { data: { items: [{ id: 11, event_id: 9007199254740991, name: '10K' }] } });
		const result = await searchRaces.call(
			loadOptionsContext({ event: locator('9007199254740991', 'id') }),
		);
		expect(call.isDone()).toBe(true);
		expect(result.results).toEqual([{ name: '10K', value: '11' }]);
	});

	it("still lists the races when the token may not list events, named by their event's ID", async () => {
		tracx()
			.get(`${PATH}/races`)
			.reply(200, { data: { items: [{ id: 11, event_id: 1, name: '10K' }] } });
		tracx().get(`${PATH}/events`).reply(403, {});
		const result = await searchRaces.call(loadOptionsContext({}));
		expect(result.results).toEqual([{ name: 'Event 1 – 10K', value: '11' }]);
	});

	it("orders the chosen event's races by name, numbers in numeric order", async () => {
		tracx()
			.get(`${PATH}/races`)
			.query({ event_id: '1' })
			.reply(200, {
				data: {
					items: ['120 km', '10 km', 'half marathon', '21 km trail', '60 km'].map((name, i) => ({
						id: i + 1,
						event_id: 1,
						name,
					})),
				},
			});
		const result = await searchRaces.call(loadOptionsContext({ event: locator('1', 'list') }));
		expect(result.results.map((r) => r.name)).toEqual([
			'10 km',
			'21 km trail',
			'60 km',
			'120 km',
			'half marathon',
		]);
	});
});

describe('participant fields for the resource mapper', () => {
	it('offers every documented field except race_id (the Race parameter), required ones marked', async () => {
		const { fields } = await getParticipantFields.call(loadOptionsContext({}));
		expect(fields.map((f) => [f.id, f.required])).toEqual([
			['unique_id', true],
			['first_name', true],
			['last_name', true],
			['date_of_birth', true],
			['start_number', true],
			['chip_code', true],
			['country_code', false],
			['team_name', false],
			['gender', false],
			['state', false],
		]);
		expect(fields.find((f) => f.id === 'gender')?.options).toEqual([
			{ name: 'Male', value: 'male' },
			{ name: 'Female', value: 'female' },
			{ name: 'Neutral', value: 'neutral' },
		]);
		const states = fields.find((f) => f.id === 'state')?.options ?? [];
		// the values the validator takes (validate.test.ts pins them to the documented ones),
		// in that order, each under a readable name
		expect(states.map((o) => o.value)).toEqual(STATES);
		for (const { name } of states)
			expect(name).toMatch(/^[A-Z][a-z]+( [A-Z][a-z]+)*( \([A-Z]{3}\))?$/);
		expect(states.find((o) => o.value === 'did_not_finish')?.name).toBe('Did Not Finish (DNF)');
		expect(fields.every((f) => f.display)).toBe(true);
	});

	it('labels fields with short names, without format rules that would cut them off', async () => {
		const { fields } = await getParticipantFields.call(loadOptionsContext({}));
		expect(fields.map((f) => f.displayName)).toEqual([
			'Unique ID',
			'First Name',
			'Last Name',
			'Date of Birth',
			'Start Number',
			'Chip Code',
			'Country Code',
			'Team Name',
			'Gender',
			'State',
		]);
	});
});
