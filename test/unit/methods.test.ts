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

	it('lists every race, with its event, when no event is chosen or it is an expression', async () => {
		tracx()
			.get(`${PATH}/races`)
			.query((q) => Object.keys(q).length === 0)
			.times(2)
			.reply(200, { data: { items: [{ id: 11, event_id: 1, name: '10K' }] } });
		for (const event of [undefined, locator('={{ $json.event }}')]) {
			const result = await searchRaces.call(loadOptionsContext({ event }));
			expect(result.results).toEqual([{ name: '10K (event 1)', value: '11' }]);
		}
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
		expect(fields.find((f) => f.id === 'gender')?.options?.map((o) => o.value)).toEqual([
			'male',
			'female',
			'neutral',
		]);
		expect(fields.every((f) => f.display)).toBe(true);
	});
});
