import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { TracxTrigger } from '../../nodes/TracxTrigger/TracxTrigger.node';
import nock from 'nock';

import { credentialStore, fakeSessionToken, loadOptionsContext, locator } from './support/fake-n8n';
import {
	PATH,
	expectNoSecrets,
	nowSeconds,
	sessionIssuer,
	tracx,
	useNock,
} from './support/tracx-mock';

/**
 * poll() over a sequence of Tracx answers (nock), the way n8n drives a polling trigger:
 * the same node static data across polls, written to the database as JSON in between.
 */

function race(id: number, updatedAt: string, eventId = 1, createdAt = updatedAt): IDataObject {
	return {
		id,
		event_id: eventId,
		name: `Race ${id}`,
		created_at: createdAt,
		updated_at: updatedAt,
	};
}

function event(id: number, updatedAt: string, createdAt = updatedAt): IDataObject {
	return { id, name: `Event ${id}`, created_at: createdAt, updated_at: updatedAt };
}

const T0 = '2026-01-10 08:00:00';
const T1 = '2026-01-10 08:01:00';
const T2 = '2026-01-10 08:02:00';
const SEED = [race(1, T0), race(2, T0), race(3, T0, 2)];

/**
 * One workflow's trigger node: its parameters and its saved static data. Like n8n, every
 * poll of the activation gets the same context object.
 */
function triggerNode(parameters: IDataObject) {
	const credentials = credentialStore();
	let saved = '{}';
	let staticData: IDataObject = {};
	let mode: WorkflowExecuteMode = 'trigger';
	const context = {
		...loadOptionsContext({}, credentials),
		getMode: () => mode,
		getActivationMode: () => 'activate',
		getWorkflowStaticData: (type: string) => {
			if (type !== 'node') throw new Error('the trigger keeps node static data only');
			return staticData;
		},
		getNodeParameter: (name: string, fallback?: unknown, options?: { extractValue?: boolean }) => {
			const value = parameters[name];
			if (value === undefined) return fallback;
			if (options?.extractValue && value && typeof value === 'object' && '__rl' in value) {
				return (value as IDataObject).value;
			}
			return value;
		},
	} as unknown as IPollFunctions;
	async function poll(pollMode: WorkflowExecuteMode = 'trigger') {
		mode = pollMode;
		staticData = JSON.parse(saved) as IDataObject;
		const output = await new TracxTrigger().poll.call(context);
		// n8n persists static data as JSON: only what survives that counts as remembered
		saved = JSON.stringify(staticData);
		return output;
	}
	return {
		poll,
		credentials,
		get saved() {
			return JSON.parse(saved) as IDataObject;
		},
	};
}

function answer(
	resource: 'events' | 'races',
	items: IDataObject[],
	query?: Record<string, string>,
) {
	const interceptor = tracx().get(`${PATH}/${resource}`);
	(query ? interceptor.query(query) : interceptor).reply(200, { data: { items } });
}

const ids = (output: INodeExecutionData[][] | null) =>
	output === null ? null : output[0].map((item) => item.json.id);

/**
 * n8n's clock during these polls: before every record's created_at, so that records
 * appearing after the baseline count as new (pollState.ts judges unknown records by it).
 */
const CLOCK = Date.parse('2026-01-10T07:00:00Z');

useNock();
let issuer: ReturnType<typeof sessionIssuer>;
beforeEach(() => {
	jest.spyOn(Date, 'now').mockReturnValue(CLOCK);
	issuer = sessionIssuer();
});
afterEach(() => {
	jest.restoreAllMocks();
});

describe('Race Created', () => {
	it('emits nothing on activation, then each new race once, same-second races included', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated' });
		const sixAndSeven = [race(6, T1), race(7, T1)];
		const answers = [
			SEED,
			SEED,
			[...SEED, race(5, T1)],
			[...SEED, race(5, T1)],
			[...SEED, race(5, T2), ...sixAndSeven], // 5 updated: not a creation
			[...SEED, race(5, T2), ...sixAndSeven],
		];
		const emitted = [];
		for (const items of answers) {
			answer('races', items);
			emitted.push(ids(await node.poll()));
		}
		expect(emitted).toEqual([null, null, [5], null, [6, 7], null]);
		expect(issuer.exchanges).toBe(1);
	});

	it('outputs each race with the fields Tracx sent', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated' });
		answer('races', SEED);
		await node.poll();
		answer('races', [...SEED, race(5, T1, 3)]);
		expect(await node.poll()).toEqual([[{ json: race(5, T1, 3) }]]);
	});

	it("asks for one event's races when an event is chosen, and starts afresh when it changes", async () => {
		const parameters: IDataObject = { triggerOn: 'raceCreated', event: locator('1', 'list') };
		const node = triggerNode(parameters);
		answer('races', [race(1, T0), race(2, T0)], { event_id: '1' });
		expect(await node.poll()).toBeNull();
		answer('races', [race(1, T0), race(2, T0), race(8, T1)], { event_id: '1' });
		expect(ids(await node.poll())).toEqual([8]);

		parameters.event = locator('2', 'id');
		answer('races', [race(3, T0, 2), race(4, T0, 2)], { event_id: '2' });
		expect(await node.poll()).toBeNull(); // another event's races are a new baseline
		answer('races', [race(3, T0, 2), race(4, T0, 2), race(9, T1, 2)], { event_id: '2' });
		expect(ids(await node.poll())).toEqual([9]);
	});

	it('refuses an event filter that is not an event ID, before calling Tracx', async () => {
		const node = triggerNode({ triggerOn: 'raceUpdated', event: locator('twelve', 'id') });
		const error = await node.poll().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe(
			'"Event" must be a Tracx event ID (a whole number from 1 to 9007199254740991), got "twelve"',
		);
		expect(issuer.exchanges).toBe(0);
	});
});

describe('an empty first answer at activation', () => {
	it('then the full list: fires only what was created after activation, each once', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated' });
		const old = Array.from({ length: 1500 }, (_, i) => race(i + 1, '2026-01-09 12:00:00'));
		answer('races', []); // Tracx answered an empty list for a moment
		expect(await node.poll()).toBeNull();
		answer('races', [...old, race(2001, T1)]);
		expect(ids(await node.poll())).toEqual([2001]);
		answer('races', [...old, race(2001, T1)]);
		expect(await node.poll()).toBeNull();
	});
});

describe('Race Updated', () => {
	it('emits races whose updated_at changed, forwards or backwards, and never new races', async () => {
		const node = triggerNode({ triggerOn: 'raceUpdated' });
		const answers = [
			SEED,
			[race(1, T0), race(2, T1), race(3, T0, 2), race(5, T1)],
			[race(1, T0), race(2, T1), race(3, T0, 2), race(5, T1)],
			[race(1, T2), race(2, T0), race(3, T2, 2), race(5, T1)], // 2 went back in time
		];
		const emitted = [];
		for (const items of answers) {
			answer('races', items);
			emitted.push(ids(await node.poll()));
		}
		expect(emitted).toEqual([null, [2], null, [2, 1, 3]]);
	});

	it('does not emit a race that vanished and came back unchanged; does when it changed', async () => {
		const node = triggerNode({ triggerOn: 'raceUpdated' });
		const created = triggerNode({ triggerOn: 'raceCreated' });
		const answers = [
			SEED,
			[race(1, T0), race(3, T0, 2)],
			SEED,
			[race(1, T0), race(3, T0, 2)],
			[race(1, T0), race(2, T1), race(3, T0, 2)],
		];
		const emitted = [];
		for (const items of answers) {
			answer('races', items);
			answer('races', items);
			emitted.push([ids(await node.poll()), ids(await created.poll())]);
		}
		expect(emitted).toEqual([
			[null, null],
			[null, null],
			[null, null],
			[null, null],
			[[2], null],
		]);
	});
});

describe('Event Created and Event Updated', () => {
	it('poll GET /events and tell new events from changed ones', async () => {
		const createdNode = triggerNode({ triggerOn: 'eventCreated' });
		const updatedNode = triggerNode({ triggerOn: 'eventUpdated' });
		const seed = [event(1, T0), event(2, T0)];
		const next = [event(1, T1), event(2, T0), event(4, T1), event(3, T1)];
		for (const items of [seed, next]) {
			answer('events', items);
			answer('events', items);
			const both = [ids(await createdNode.poll()), ids(await updatedNode.poll())];
			expect(both).toEqual(items === seed ? [null, null] : [[3, 4], [1]]);
		}
	});
});

describe('failures', () => {
	it('refuses a Trigger On value it does not know (a hand-edited workflow)', async () => {
		const node = triggerNode({ triggerOn: 'participantCreated' });
		const error = await node.poll().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe('Unknown "Trigger On" value: participantCreated');
		expect(node.saved).toEqual({});
	});

	it('throws the API error and keeps the saved state, so the next poll still emits', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated' });
		answer('races', SEED);
		await node.poll();
		const before = node.saved;

		tracx().get(`${PATH}/races`).reply(403, { message: 'This action is unauthorized.' });
		const forbidden = await node.poll().catch((e: unknown) => e);
		expect(forbidden).toBeInstanceOf(NodeApiError);
		expect((forbidden as Error).message).toBe(
			'The Tracx connect token lacks the permission permissions.races.list',
		);
		expectNoSecrets(forbidden);
		expect(node.saved).toEqual(before);

		tracx()
			.get(`${PATH}/races`)
			.reply(200, { data: { list: [] } });
		const malformed = await node.poll().catch((e: unknown) => e);
		expect(malformed).toBeInstanceOf(NodeApiError);
		expect(node.saved).toEqual(before);

		answer('races', [...SEED, race(5, T1)]);
		expect(ids(await node.poll())).toEqual([5]);
	});
});

describe('the credential across the polls of one activation', () => {
	it('a failed credential read fails that poll only: later polls read it again', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated' });
		node.credentials.failingReads = 1; // say, the database was busy at activation
		const error = await node.poll().catch((e: unknown) => e);
		expect((error as Error).message).toBe('Could not read the credential from the database');

		answer('races', SEED);
		expect(await node.poll()).toBeNull(); // the baseline
		answer('races', [...SEED, race(5, T1)]);
		expect(ids(await node.poll())).toEqual([5]);

		node.credentials.failingReads = 1;
		await expect(node.poll()).rejects.toThrow('Could not read the credential from the database');
		answer('races', [...SEED, race(5, T1), race(6, T2)]);
		expect(ids(await node.poll())).toEqual([6]);
	});

	it('sends the next poll to an edited Base URL', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated' });
		answer('races', SEED);
		await node.poll();

		const moved = 'https://api2.tracx.test';
		node.credentials.data = { ...node.credentials.data, baseUrl: `${moved}${PATH}` };
		const token = fakeSessionToken(9);
		const edited = nock(moved)
			.post(`${PATH}/session-token`)
			.reply(200, { data: { token, expires_at: nowSeconds() + 3600 } })
			.get(`${PATH}/races`)
			.matchHeader('authorization', token)
			.reply(200, { data: { items: [...SEED, race(5, T1)] } });
		expect(ids(await node.poll())).toEqual([5]);
		expect(edited.isDone()).toBe(true);
	});
});

describe('manual test run', () => {
	it('returns the most recent record, even before the first poll, and changes no state', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated' });
		answer('races', [race(1, T0), race(4, T2, 1, T1), race(2, T0, 1, T2)]);
		expect(ids(await node.poll('manual'))).toEqual([2]); // newest created_at
		expect(node.saved).toEqual({});

		answer('races', SEED);
		expect(await node.poll()).toBeNull(); // the real baseline
		const baseline = node.saved;

		answer('races', [...SEED, race(5, T1)]);
		expect(ids(await node.poll('manual'))).toEqual([5]);
		expect(node.saved).toEqual(baseline);
		answer('races', [...SEED, race(5, T1)]);
		expect(ids(await node.poll())).toEqual([5]); // the test run did not use it up
	});

	it('for Updated triggers, returns the most recently updated record', async () => {
		const node = triggerNode({ triggerOn: 'eventUpdated' });
		answer('events', [event(1, T2, T0), event(2, T1, T1)]);
		expect(ids(await node.poll('manual'))).toEqual([1]);
	});

	it('says so when there is no record to show', async () => {
		const node = triggerNode({ triggerOn: 'raceCreated', event: locator('3') });
		answer('races', [], { event_id: '3' });
		const error = await node.poll('manual').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toBe(
			'Tracx has no races this connect token may see, so there is no sample to show',
		);
	});
});
