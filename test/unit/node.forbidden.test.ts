import type { NodeApiError } from 'n8n-workflow';

import { credentialStoreWithToken, locator } from './support/fake-n8n';
import { PATH, expectNoSecrets, runNode, tracx, useNock } from './support/tracx-mock';

/**
 * Tracx answers 403 both when the connect token lacks the endpoint's permission and when the
 * event is outside the token's scope. For a call about one event (or race), the node finds
 * out which by whether the token may list it, and says both when it cannot tell.
 */

const participant = {
	unique_id: 'P-1',
	first_name: 'Anna',
	last_name: 'Jansen',
	date_of_birth: '1990-01-01',
	start_number: '7',
	chip_code: '1234567',
};
const autoMap = { mappingMode: 'autoMapInputData', value: null };
const FORBIDDEN = { message: 'This action is unauthorized.' };

const bulk = (eventId: number) => ({
	resource: 'participant',
	operation: 'upsertMany',
	event: locator(String(eventId)),
	race: locator('1'),
	participant: autoMap,
});
const single = (raceId: number) => ({
	resource: 'participant',
	operation: 'upsert',
	race: locator(String(raceId)),
	participant: autoMap,
});

async function failure(
	parameters: object,
	items: object[] = [participant],
	continueOnFail = false,
) {
	try {
		const output = await runNode({
			parameters: parameters as never,
			items: items as never,
			store: credentialStoreWithToken(),
			continueOnFail,
		});
		return { output };
	} catch (error) {
		return { error: error as NodeApiError };
	}
}

const events = (...ids: number[]) =>
	tracx()
		.get(`${PATH}/events`)
		.reply(200, { data: { items: ids.map((id) => ({ id, name: `Event ${id}` })) } });
const races = (...list: Array<[number, number]>) =>
	tracx()
		.get(`${PATH}/races`)
		.reply(200, {
			data: { items: list.map(([id, eventId]) => ({ id, event_id: eventId, name: `Race ${id}` })) },
		});

useNock();

describe('Create or Update Many: 403 for one event', () => {
	it('an event the token may not see is reported as outside its scope', async () => {
		tracx().post(`${PATH}/events/2/participants`).reply(403, FORBIDDEN);
		const listed = events(1);
		const { error } = await failure(bulk(2));
		expect(listed.isDone()).toBe(true);
		expect(error?.message).toBe("Tracx event 2 is outside the connect token's scope");
		expect(error?.description).toContain(
			'event 2 is not among the events this connect token may see',
		);
		expect(error?.description).not.toContain('grant permissions.participants.store-multiple');
		expect(error?.httpCode).toBe('403');
		expectNoSecrets(error);
	});

	it('an event the token may see is reported as a missing permission', async () => {
		tracx().post(`${PATH}/events/1/participants`).reply(403, FORBIDDEN);
		events(1, 2);
		const { error } = await failure(bulk(1));
		expect(error?.message).toBe(
			'The Tracx connect token lacks the permission permissions.participants.store-multiple',
		);
		expect(error?.description).toContain('The token may see event 1');
		expect(error?.description).toContain('grant permissions.participants.store-multiple');
	});

	it('a token that may not list events gets both causes named', async () => {
		tracx().post(`${PATH}/events/2/participants`).reply(403, FORBIDDEN);
		tracx().get(`${PATH}/events`).reply(403, FORBIDDEN);
		const { error } = await failure(bulk(2));
		expect(error?.message).toBe(
			'The Tracx connect token lacks the permission permissions.participants.store-multiple, or event 2 is outside its scope',
		);
		expect(error?.description).toContain('Tracx answers 403 for both causes');
		expect(error?.description).toContain('permissions.events.list');
	});
});

describe('Create or Update: 403 for the race of a participant', () => {
	it('a race the token may not see is reported as outside its scope', async () => {
		tracx().post(`${PATH}/participant`).reply(403, FORBIDDEN);
		races([1, 1], [2, 1]);
		const { error } = await failure(single(3));
		expect(error?.message).toBe("Tracx race 3 is outside the connect token's scope");
		expect(error?.description).toContain(
			'race 3 is not among the races this connect token may see',
		);
		expect(error?.context.itemIndex).toBe(0);
	});

	it('a race the token may see is reported as a missing permission', async () => {
		tracx().post(`${PATH}/participant`).reply(403, FORBIDDEN);
		races([1, 1], [3, 2]);
		const { error } = await failure(single(3));
		expect(error?.message).toBe(
			'The Tracx connect token lacks the permission permissions.participants.store',
		);
		expect(error?.description).toContain('The token may see race 3');
	});

	it('a token that may not list races gets both causes named', async () => {
		tracx().post(`${PATH}/participant`).reply(403, FORBIDDEN);
		tracx().get(`${PATH}/races`).reply(403, FORBIDDEN);
		const { error } = await failure(single(3));
		expect(error?.message).toBe(
			'The Tracx connect token lacks the permission permissions.participants.store, or race 3 is outside its scope',
		);
	});

	it('lists the races once per run, however many items answer 403', async () => {
		tracx().post(`${PATH}/participant`).times(5).reply(403, FORBIDDEN);
		const listed = races([1, 1]);
		const items = [1, 2, 3, 4, 5].map((n) => ({ ...participant, unique_id: `P-${n}` }));
		const { output } = await failure(single(3), items, true);
		expect(listed.isDone()).toBe(true);
		expect(output?.[0]).toHaveLength(5);
		for (const item of output?.[0] ?? []) {
			expect((item.json.error as { message: string }).message).toBe(
				"Tracx race 3 is outside the connect token's scope",
			);
		}
	});
});

describe('calls about no single event keep the permission message', () => {
	it('Get Many events', async () => {
		tracx().get(`${PATH}/events`).reply(403, FORBIDDEN);
		const { error } = await failure({ resource: 'event', operation: 'getAll', returnAll: true });
		expect(error?.message).toBe(
			'The Tracx connect token lacks the permission permissions.events.list',
		);
	});
});
