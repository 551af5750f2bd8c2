import nock from 'nock';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { Tracx } from '../../nodes/Tracx/Tracx.node';
import { PARTICIPANT_FIELDS } from '../../nodes/Tracx/actions/participant/fields';
import { validateParticipant } from '../../nodes/Tracx/actions/participant/validate';
import {
	DEFECTS,
	RACE_EVENTS,
	generateParticipants,
	type GeneratedParticipant,
} from './support/bad-participants';
import { credentialStore, executeContext, locator } from './support/fake-n8n';

/**
 * Thousands of seeded, mostly defective participant records through both participant
 * operations with Continue On Fail, against the sandbox (an independent implementation of
 * the documented rules) running in this process. Checks that every item is accounted for,
 * that every failure names its item and field, and that the node's validator agrees with
 * the documented rules in both directions.
 */

interface SandboxStats {
	status: Record<string, number>;
	participants: { stored: number; byEvent: Record<string, number> };
	bulkImports: { queued: number; applied: number; pending: number };
}

interface Sandbox {
	baseUrl: string;
	control: {
		reset(): unknown;
		flushImports(): { applied: number };
		participants(query?: { event_id?: number }): { items: IDataObject[]; count: number };
	};
	stats(): SandboxStats;
	close(): Promise<void>;
}

interface SandboxRules {
	validateParticipant(
		input: unknown,
		options?: { raceExists?: (id: number) => boolean },
	): { valid: boolean; errors: Record<string, string[]>; value: IDataObject };
}

/* eslint-disable @typescript-eslint/no-require-imports -- the sandbox is plain JavaScript */
const { startSandbox } = require('../sandbox/server') as {
	startSandbox(options: { bulkDelayMs: number }): Promise<Sandbox>;
};
const rules = require('../sandbox/rules') as SandboxRules;
/* eslint-enable @typescript-eslint/no-require-imports */

const SEED = 20260404;
const COUNT = 4000;
const BATCH_SIZE = 25;
const FIELD_IDS = PARTICIPANT_FIELDS.map((field) => field.id);
const raceExists = (id: number) => id in RACE_EVENTS;

jest.setTimeout(60_000);

const records = generateParticipants(SEED, COUNT);
const autoMap = { mappingMode: 'autoMapInputData', value: null };

/**
 * What the node validates for an item: the mapped fields of the record and the Race
 * parameter (which the tests set to the record's race_id); '' when the expression yields
 * nothing, as n8n's getNodeParameter fallback does.
 */
function nodeInput(record: IDataObject): IDataObject {
	const input: IDataObject = {};
	for (const id of FIELD_IDS) input[id] = record[id];
	input.race_id = record.race_id === undefined ? '' : record.race_id;
	return input;
}

/** The event of the record's race, read the way a user's expression would; 1 when unknown. */
function eventOf(raw: unknown): number {
	const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	return /^\+?\d+$/.test(text) ? (RACE_EVENTS[Number(text)] ?? 1) : 1;
}

const parameters = {
	resource: 'participant',
	participant: autoMap,
	race: (_i: number, item: INodeExecutionData) => ({
		__rl: true,
		mode: 'id',
		value: item.json.race_id,
	}),
	event: (_i: number, item: INodeExecutionData) => locator(eventOf(item.json.race_id)),
	options: { batchSize: BATCH_SIZE },
};

async function run(sandbox: Sandbox, operation: 'upsert' | 'upsertMany') {
	return await new Tracx().execute.call(
		executeContext({
			parameters: { ...parameters, operation },
			items: records.map((r) => r.record),
			store: credentialStore({ baseUrl: sandbox.baseUrl }),
			continueOnFail: true,
		}),
	);
}

function pairedIndexes(item: INodeExecutionData): number[] {
	const paired = item.pairedItem;
	if (paired === undefined || typeof paired === 'number') return [paired ?? -1];
	return (Array.isArray(paired) ? paired : [paired]).map((p) => p.item);
}

const MESSAGE = /^Invalid participant in item (\d+): (.*)$/s;

/** The fields a validation error item names, in order: `"field" message; "field" message`. */
function namedFields(message: string): string[] {
	const body = MESSAGE.exec(message)?.[2] ?? '';
	const fields: string[] = [];
	for (const match of body.matchAll(/(?:^|; )"([a-z_]+)" /g)) {
		if (FIELD_IDS.includes(match[1])) fields.push(match[1]);
	}
	return fields;
}

function describeRecord(g: GeneratedParticipant): string {
	return `item ${g.index} [${g.defects.join(', ') || 'clean'}]`;
}

/** Fields of a raw record the sandbox's rules reject. */
function sandboxRejectedFields(record: IDataObject): string[] {
	return Object.keys(rules.validateParticipant(record, { raceExists }).errors);
}

const VALID_BASE: IDataObject = {
	unique_id: 'BASE-1',
	first_name: 'Anna',
	last_name: 'de Vries',
	date_of_birth: '1990-01-01',
	race_id: 1,
	start_number: '100',
	chip_code: '1234567',
};

/** Whether the sandbox's rules accept `value` for `field` (undefined: the key left out). */
function rulesAcceptField(field: string, value: unknown): boolean {
	const record: IDataObject = { ...VALID_BASE };
	if (value === undefined) delete record[field];
	else record[field] = value as IDataObject[string];
	return !(field in rules.validateParticipant(record, { raceExists }).errors);
}

/**
 * The value the node's documented normalisation (docs/operations.md "Participant fields", validate.ts)
 * turns a raw value into, written here from that list rather than taken from the node:
 * text is trimmed; whole numbers become text for unique_id and start_number, and whole
 * numbers of 0 or more for chip_code; chip codes of digits only (0-9) shorter than 7 are
 * padded with leading zeros, other chip codes are left as they are; "12" and "+12" become
 * 12 for race_id;
 * country codes are upper-cased, gender and state lower-cased; empty optional fields are
 * left out (undefined), except team_name, which is sent as null.
 */
function documentedNormalisation(field: string, raw: unknown): unknown {
	if (raw === null && ['country_code', 'gender', 'state'].includes(field)) return undefined;
	let value = typeof raw === 'string' ? raw.trim() : raw;
	const wholeNumber = typeof value === 'number' && Number.isSafeInteger(value);
	if (['unique_id', 'start_number'].includes(field) && wholeNumber) value = String(value);
	if (field === 'chip_code' && wholeNumber && (value as number) >= 0) value = String(value);
	if (typeof value !== 'string') return value;
	if (field === 'chip_code') return /^[0-9]+$/.test(value) ? value.padStart(7, '0') : value;
	if (field === 'race_id' && /^\+?\d+$/.test(value)) return Number(value);
	if (field === 'country_code') return value.toUpperCase();
	if (field === 'gender' || field === 'state') return value.toLowerCase();
	return value;
}

/**
 * Numbers for the text fields unique_id and start_number that are not safe integers
 * (NaN, ±Infinity, 2^53 and up). The sandbox writes them as JavaScript text ("NaN",
 * "9007199254740992"), which passes alpha_dash; the node refuses them because such a
 * number no longer identifies one participant (JSON readers round it). Laravel would not
 * see this text either: PHP decodes these as floats ("9.007199254741E+15") or not at all.
 */
function isUnrepresentableNumber(field: string, raw: unknown): boolean {
	return (
		(field === 'unique_id' || field === 'start_number') &&
		typeof raw === 'number' &&
		!Number.isSafeInteger(raw)
	);
}

/** Disagreements grouped by the defect behind them: a count and the first example each. */
class Disagreements {
	private readonly groups = new Map<string, { count: number; example: string }>();

	add(g: GeneratedParticipant, field: string, text: string): void {
		const key =
			g.defects.find((d) => d.startsWith(`${field}.`)) ??
			`${field} (${g.defects.join(', ') || 'clean'})`;
		const group = this.groups.get(key);
		if (group) group.count++;
		else this.groups.set(key, { count: 1, example: `item ${g.index}: ${text}` });
	}

	summary(): Record<string, { count: number; example: string }> {
		return Object.fromEntries(this.groups);
	}
}

let sandbox: Sandbox;

beforeAll(async () => {
	// Other files in this worker use nock; it must neither intercept nor block these calls.
	nock.restore();
	nock.enableNetConnect();
	sandbox = await startSandbox({ bulkDelayMs: 0 });
});

afterAll(async () => {
	await sandbox?.close();
});

describe('the bad-participant generator', () => {
	it('gives the same records for the same seed, other records for another seed', () => {
		const again = generateParticipants(SEED, COUNT);
		expect(again).toEqual(records);
		expect(JSON.stringify(again)).toBe(JSON.stringify(records));
		expect(generateParticipants(SEED + 1, 50)).not.toEqual(records.slice(0, 50));
	});

	it('uses every defect of the catalogue, and leaves some records clean', () => {
		const used = new Set(records.flatMap((r) => r.defects));
		expect(DEFECTS.filter((d) => !used.has(d.id)).map((d) => d.id)).toEqual([]);
		expect(records.filter((r) => r.defects.length === 0).length).toBeGreaterThan(COUNT / 10);
		expect(records.filter((r) => r.defects.length > 1).length).toBeGreaterThan(COUNT / 10);
	});
});

describe('the node validator against the documented rules, on the raw records', () => {
	/*
	 * What "our rules agree with the documented ones" means exactly. The node does two
	 * things to a raw record: it normalises (documented: trim, pad chip codes, whole
	 * numbers as text, "12" → 12, letter case of enums and country) and then checks.
	 * So a raw record the rules reject may rightly pass the node ("123" as chip code is
	 * sent as "0000123"); the reverse must never happen. Per field, for every record:
	 * (a) a field the node rejects is also rejected by the sandbox's rules on the raw
	 *     value: the node is never stricter than the documented rules;
	 * (b) a field the rules reject on the raw value but the node accepts is one the
	 *     documented normalisation repairs: the rules accept the normalised value.
	 * The node checks fields independently and so do the rules, so (a) and (b) per field
	 * give the record-level statement: rules accept the raw record ⇒ node accepts it, and
	 * node accepts ⇒ rules accept the raw record or its documented normalisation. That the
	 * node then sends exactly what the rules accept is checked over HTTP further down.
	 * One exception to (a), counted rather than hidden: numbers that cannot identify a
	 * participant (see isUnrepresentableNumber).
	 */
	const stricter = new Disagreements();
	const unexplained = new Disagreements();
	let unrepresentable = 0;

	beforeAll(() => {
		for (const g of records) {
			const input = nodeInput(g.record);
			const check = validateParticipant(input);
			const nodeFields = check.valid ? [] : check.problems.map((p) => p.field);
			// The rules see the record as the node's user gave it: race_id is the Race
			// parameter's value, which is the record's race_id here.
			const ruleFields = sandboxRejectedFields(g.record);
			for (const field of nodeFields) {
				if (ruleFields.includes(field)) continue;
				if (isUnrepresentableNumber(field, g.record[field])) {
					unrepresentable++;
					continue;
				}
				const problem = check.valid ? '' : check.problems.find((p) => p.field === field)?.message;
				stricter.add(
					g,
					field,
					`node: "${field}" ${problem}; the rules accept ${JSON.stringify(g.record[field])}`,
				);
			}
			for (const field of ruleFields) {
				if (nodeFields.includes(field)) continue;
				if (!rulesAcceptField(field, documentedNormalisation(field, input[field]))) {
					unexplained.add(
						g,
						field,
						`node accepts ${JSON.stringify(g.record[field])}, the rules reject it even normalised`,
					);
				}
			}
		}
	});

	it('is never stricter than the documented rules', () => {
		expect(stricter.summary()).toEqual({});
		expect(unrepresentable).toBeGreaterThan(0);
	});

	it('is more lenient only where documented normalisation repairs a value', () => {
		expect(unexplained.summary()).toEqual({});
	});
});

describe.each(['upsert', 'upsertMany'] as const)(
	'Participant %s over bad records with Continue On Fail',
	(operation) => {
		let output: INodeExecutionData[];
		let seedCount: number;
		const failed = new Map<number, string>();
		const succeeded = new Set<number>();
		const counted: number[] = [];

		beforeAll(async () => {
			sandbox.control.reset();
			seedCount = sandbox.stats().participants.stored;
			output = (await run(sandbox, operation))[0];
			sandbox.control.flushImports();
			for (const item of output) {
				const indexes = pairedIndexes(item);
				counted.push(...indexes);
				if (item.json.error !== undefined) {
					for (const i of indexes) failed.set(i, (item.json.error as { message: string }).message);
				} else {
					for (const i of indexes) succeeded.add(i);
				}
			}
		});

		it('accounts for every input item exactly once', () => {
			expect(succeeded.size + failed.size).toBe(COUNT);
			expect(counted).toHaveLength(COUNT);
			expect([...counted].sort((a, b) => a - b)).toEqual(records.map((r) => r.index));
			// A real mix, not all one way.
			expect(succeeded.size).toBeGreaterThan(COUNT / 5);
			expect(failed.size).toBeGreaterThan(COUNT / 5);
		});

		it('names the item and the offending fields in every error', () => {
			const wrong: string[] = [];
			for (const [index, message] of failed) {
				const named = namedFields(message);
				const check = validateParticipant(nodeInput(records[index].record));
				const expected = check.valid ? [] : check.problems.map((p) => p.field);
				if (MESSAGE.exec(message)?.[1] !== String(index) || named.length === 0) {
					wrong.push(`${describeRecord(records[index])}: ${message}`);
				} else if (named.join() !== expected.join()) {
					wrong.push(`${describeRecord(records[index])}: names ${named} instead of ${expected}`);
				}
			}
			expect(wrong).toEqual([]);
		});

		it('has the sandbox accept every record the node accepted, stored as normalised', () => {
			const stats = sandbox.stats();
			expect(stats.status['422'] ?? 0).toBe(0);
			expect(stats.status['400'] ?? 0).toBe(0);
			expect(stats.participants.stored - seedCount).toBe(succeeded.size);
			if (operation === 'upsertMany') {
				expect(stats.bulkImports.pending).toBe(0);
				expect(output.filter((i) => i.json.status === 'queued').length).toBe(
					stats.bulkImports.applied,
				);
			}
			const stored = new Map(
				sandbox.control
					.participants()
					.items.map((p) => [`${String(p.event_id)}:${String(p.unique_id)}`, p]),
			);
			const mismatches: string[] = [];
			for (const index of succeeded) {
				const check = validateParticipant(nodeInput(records[index].record));
				if (!check.valid) {
					mismatches.push(`${describeRecord(records[index])}: sent although invalid`);
					continue;
				}
				const sent = check.participant;
				// The rules themselves accept what the node sends, not just this sandbox run.
				const verdict = rules.validateParticipant(sent, { raceExists });
				const event = RACE_EVENTS[sent.race_id as number];
				const participant = stored.get(`${event}:${String(sent.unique_id)}`);
				const expected = { ...verdict.value, event_id: event };
				const actual =
					participant && Object.fromEntries(Object.keys(expected).map((k) => [k, participant[k]]));
				if (!verdict.valid || JSON.stringify(actual) !== JSON.stringify(expected)) {
					mismatches.push(
						`${describeRecord(records[index])}: sent ${JSON.stringify(sent)}, stored ${JSON.stringify(participant)}, rules ${JSON.stringify(verdict.errors)}`,
					);
				}
			}
			expect(mismatches).toEqual([]);
		});

		it('fails only on validation, never on a request the sandbox refused', () => {
			const refused = [...failed.values()].filter((message) => !MESSAGE.test(message));
			expect(refused).toEqual([]);
		});
	},
);
