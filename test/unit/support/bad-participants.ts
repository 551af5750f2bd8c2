import type { IDataObject } from 'n8n-workflow';

/**
 * Seeded participant records for bad-input tests: some valid, most carrying one or more
 * defects from the catalogue below (missing fields, wrong types, lengths, Unicode, bad
 * dates, bad ids, chip codes, enum values, numbers as strings, nulls, nested objects…).
 * A "defect" is any input the documented rules have an opinion on, so some of them are
 * valid on purpose (boundaries such as 100 characters, leap days, accented ids): the tests
 * decide what is valid from the rules, never from the catalogue.
 */

/** mulberry32: a tiny 32-bit PRNG, good enough for test data and identical on every run. */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class Random {
	private readonly next: () => number;

	constructor(seed: number) {
		this.next = mulberry32(seed);
	}

	/** A float in [0, 1). */
	float(): number {
		return this.next();
	}

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	pick<T>(list: readonly T[]): T {
		return list[Math.floor(this.next() * list.length)];
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}
}

/** Races of the sandbox seed (test/sandbox/seed.json) and the event each belongs to. */
export const RACE_EVENTS: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 3 };
const RACE_IDS = [1, 2, 3, 4, 5];

export interface GeneratedParticipant {
	index: number;
	/** What goes into the item's JSON, race_id included (the test maps it to the Race parameter). */
	record: IDataObject;
	/** Catalogue ids of the defects this record was given; empty for a clean record. */
	defects: string[];
}

interface DefectContext {
	index: number;
	random: Random;
	/** The record as it was before this defect, for defects that wrap or pad a value. */
	record: IDataObject;
}

export interface Defect {
	/** `<field>.<kind>`, or `record.<kind>` for defects of the whole record. */
	id: string;
	field: string | null;
	apply(record: IDataObject, context: DefectContext): IDataObject;
}

const FIELDS = [
	'unique_id',
	'first_name',
	'last_name',
	'date_of_birth',
	'race_id',
	'start_number',
	'chip_code',
	'country_code',
	'team_name',
	'gender',
	'state',
] as const;
type Field = (typeof FIELDS)[number];

const FIRST_NAMES = ['Anna', 'Zoë', 'José', 'Łukasz', 'Søren', 'Ngọc', 'Ægir', 'Mária', 'Kenji'];
const LAST_NAMES = ['de Vries', "O'Brien", 'Müller', 'García Márquez', 'Nakamura', 'van Dijk'];
const TEAMS = ['Team Zuid', 'AV Hollandia', 'Läufer e.V.', 'Club 42'];
const COUNTRIES = ['NL', 'BE', 'DE', 'FR', 'GB', 'US', 'nl', 'de'];
const GENDERS = ['male', 'female', 'neutral'];
const STATES = [
	'before',
	'during',
	'paused',
	'resumed',
	'after',
	'finished',
	'did_not_finish',
	'disqualified',
	'did_not_start',
];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Whitespace JavaScript's trim() removes, ASCII and not. */
const SPACES = [' ', '\t', '\n', '\u00a0', '\u3000', '\u2003'];

const pad2 = (n: number) => String(n).padStart(2, '0');

function validRecord(index: number, random: Random): IDataObject {
	const record: IDataObject = {
		unique_id: `BP-${index}`,
		first_name: random.pick(FIRST_NAMES),
		last_name: random.pick(LAST_NAMES),
		date_of_birth: `${random.int(1940, 2015)}-${pad2(random.int(1, 12))}-${pad2(random.int(1, 28))}`,
		race_id: random.pick(RACE_IDS),
		start_number: String(random.int(1, 99999)),
		chip_code: Array.from({ length: 7 }, () => random.pick([...ALNUM])).join(''),
	};
	if (random.chance(0.6)) record.country_code = random.pick(COUNTRIES);
	if (random.chance(0.5)) record.team_name = random.pick(TEAMS);
	if (random.chance(0.6)) record.gender = random.pick(GENDERS);
	if (random.chance(0.4)) record.state = random.pick(STATES);
	return record;
}

/** A defect that sets one field to a value computed from the context. */
function set(field: Field, kind: string, value: (context: DefectContext) => unknown): Defect {
	return {
		id: `${field}.${kind}`,
		field,
		apply: (record, context) => ({ ...record, [field]: value(context) as IDataObject[string] }),
	};
}

function drop(field: Field): Defect {
	return {
		id: `${field}.missing`,
		field,
		apply: (record) => {
			const copy = { ...record };
			delete copy[field];
			return copy;
		},
	};
}

/** The current value of the field, or a plausible valid one when the record lacks it. */
function current(field: Field, context: DefectContext): unknown {
	const value = context.record[field];
	if (value !== undefined) return value;
	const fallback: Record<Field, unknown> = {
		unique_id: `BP-${context.index}`,
		first_name: 'Anna',
		last_name: 'de Vries',
		date_of_birth: '1990-01-01',
		race_id: 1,
		start_number: '100',
		chip_code: '1234567',
		country_code: 'NL',
		team_name: 'Team Zuid',
		gender: 'female',
		state: 'finished',
	};
	return fallback[field];
}

/** Defects every field gets: absence, null, blanks and wrong JSON types. */
function genericDefects(field: Field): Defect[] {
	return [
		drop(field),
		set(field, 'null', () => null),
		set(field, 'empty-string', () => ''),
		set(field, 'whitespace-only', ({ random }) =>
			Array.from({ length: random.int(1, 3) }, () => random.pick(SPACES)).join(''),
		),
		set(field, 'boolean', ({ random }) => random.chance(0.5)),
		set(field, 'empty-array', () => []),
		set(field, 'array', (c) => [current(field, c)]),
		set(field, 'empty-object', () => ({})),
		set(field, 'nested-object', (c) => ({ value: current(field, c) })),
		set(
			field,
			'leading-trailing-whitespace',
			(c) => `${c.random.pick(SPACES)}${String(current(field, c))}${c.random.pick(SPACES)}`,
		),
	];
}

const hundred = (prefix: string, length: number) => prefix.padEnd(length, 'x');

/** unique_id and start_number share the alpha_dash rule; `tag` keeps unique ids unique. */
function alphaDashDefects(field: 'unique_id' | 'start_number', tag: string): Defect[] {
	const id = (index: number) => `${tag}-${index}`;
	return [
		set(field, 'length-100', ({ index }) => hundred(`${id(index)}-`, 100)),
		set(field, 'length-101', ({ index }) => hundred(`${id(index)}-`, 101)),
		set(field, 'space-inside', ({ index }) => `${tag} ${index}`),
		set(
			field,
			'punctuation',
			({ index, random }) => `${tag}${random.pick(['.', '/', '#', '+', '@', ':', ','])}${index}`,
		),
		set(field, 'emoji', ({ index }) => `${id(index)}-🏃`),
		set(field, 'accented-letters', ({ index }) => `${id(index)}-José`),
		set(field, 'combining-mark', ({ index }) => `${id(index)}-Jose\u0301`),
		set(field, 'cjk', ({ index }) => `参加者-${tag}-${index}`),
		set(field, 'arabic-indic-digits', ({ index }) => `${id(index)}-١٢٣`),
		set(field, 'zero-width-joiner', ({ index }) => `${id(index)}\u200d`),
		set(field, 'whole-number', ({ index }) => (tag === 'BP' ? 900000 : 0) + index),
		set(field, 'number-as-string', ({ index }) => String((tag === 'BP' ? 800000 : 0) + index)),
		set(field, 'negative-number', ({ index }) => -(index + 1)),
		set(field, 'float', ({ index }) => index + 0.5),
		set(field, 'unsafe-integer', ({ index }) => 2 ** 53 + 2 * index),
		set(field, 'non-finite-number', ({ random }) => random.pick([NaN, Infinity, -Infinity])),
	];
}

function nameDefects(field: 'first_name' | 'last_name' | 'team_name'): Defect[] {
	return [
		set(field, 'length-100', () => hundred('Anna', 100)),
		set(field, 'length-101', () => hundred('Anna', 101)),
		set(field, 'padded-to-102', () => ` ${hundred('Anna', 100)} `),
		set(field, 'emoji-100-code-points', () => '🏃'.repeat(100)),
		set(field, 'emoji-101-code-points', () => '🏃'.repeat(101)),
		set(field, 'combining-marks-100', () => 'e\u0301'.repeat(50)),
		set(field, 'combining-marks-101', () => `${'e\u0301'.repeat(50)}e`),
		set(field, 'zwj-emoji-sequence', () => 'Team 👩‍👩‍👧'),
		set(field, 'right-to-left', () => 'محمد'),
		set(field, 'cjk', () => '山田太郎'),
		set(field, 'zero-width-space-only', () => '\u200b'),
		set(field, 'lone-surrogate', () => 'An\ud800na'),
		set(field, 'control-character', () => 'An\u0007na'),
		set(field, 'newline-inside', () => 'An\nna'),
		set(field, 'markup', () => '<b>Anna</b>'),
		set(field, 'number', ({ random }) => random.int(0, 999)),
		set(field, 'float', () => 4.5),
		set(field, 'numeric-string', () => '42'),
		set(field, 'non-finite-number', () => NaN),
	];
}

const DATE_DEFECTS: Array<[string, unknown]> = [
	['impossible-day-02-30', '2023-02-30'],
	['feb-29-common-year', '2023-02-29'],
	['feb-29-leap-year', '2024-02-29'],
	['feb-29-1900', '1900-02-29'],
	['feb-29-2000', '2000-02-29'],
	['april-31', '2023-04-31'],
	['day-32', '2023-01-32'],
	['day-00', '2023-01-00'],
	['month-13', '2023-13-01'],
	['month-00', '2023-00-10'],
	['unpadded', '2023-1-5'],
	['day-month-year', '05-01-2023'],
	['slashes', '2023/01/05'],
	['iso-datetime', '2023-01-05T00:00:00Z'],
	['with-time', '2023-01-05 10:00:00'],
	['compact', '20230105'],
	['two-digit-year', '23-01-05'],
	['five-digit-year', '12023-01-05'],
	['year-0000', '0000-02-29'],
	['year-0001', '0001-01-01'],
	['year-0099', '0099-12-31'],
	['year-0100', '0100-03-01'],
	['fullwidth-digits', '２０２３-０１-０５'],
	['far-future', '2999-12-31'],
	['number', 20230105],
	['epoch-millis', 1673049600000],
	['words', 'yesterday'],
];

const RACE_DEFECTS: Array<[string, (race: number) => unknown]> = [
	['numeric-string', (race) => String(race)],
	['leading-zero', (race) => `0${race}`],
	['plus-sign', (race) => `+${race}`],
	['minus-string', (race) => `-${race}`],
	['tab-newline-around', (race) => `\t${race}\n`],
	['zero', () => 0],
	['zero-string', () => '0'],
	['negative', (race) => -race],
	['float', (race) => race + 0.5],
	['float-string', (race) => `${race}.0`],
	['exponent-string', (race) => `${race}e0`],
	['word', () => 'abc'],
	['fullwidth-digit', () => '３'],
	['unsafe-integer', () => 2 ** 53 + 2],
	['non-finite-number', () => NaN],
];

const CHIP_DEFECTS: Array<[string, unknown]> = [
	['length-8', '12345678'],
	['length-6', '123456'],
	['length-1', '7'],
	['number-short', 123],
	['number-7-digits', 1234567],
	['number-8-digits', 12345678],
	['zero-number', 0],
	['negative-number', -5],
	['float', 12.5],
	['internal-space', '12 4567'],
	['emoji-7-code-points', '🏃🏃🏃🏃🏃🏃🏃'],
	['emoji-8-code-points', '🏃🏃🏃🏃🏃🏃🏃🏃'],
	['combining-marks-7', 'e\u0301e\u0301e\u0301e'],
	['lowercase', 'abcdefg'],
	['padded-to-9', ' 1234567 '],
	['unsafe-integer', 2 ** 53],
	['letters-short', 'AB12'],
	['letters-and-digits-short', 'A1'],
	['emoji-short', '🏃🏃'],
	['zero-text', '0'],
	['zeros-short', '000'],
	['seven-zeros', '0000000'],
	['digits-with-leading-zeros', '000123'],
];

const COUNTRY_DEFECTS: Array<[string, unknown]> = [
	['lowercase', 'nl'],
	['mixed-case', 'Nl'],
	['alpha-3', 'NLD'],
	['unassigned', 'XX'],
	['reserved-uk', 'UK'],
	['reserved-eu', 'EU'],
	['user-assigned-xk', 'XK'],
	['one-letter', 'N'],
	['country-name', 'Netherlands'],
	['fullwidth', 'ＮＬ'],
	['dotless-i', 'ıt'],
	['number', 31],
];

const GENDER_DEFECTS: Array<[string, unknown]> = [
	['capitalized', 'Male'],
	['uppercase', 'FEMALE'],
	['abbreviation', 'm'],
	['unknown-word', 'other'],
	['number', 1],
];

const STATE_DEFECTS: Array<[string, unknown]> = [
	['uppercase', 'FINISHED'],
	['mixed-case', 'Did_Not_Finish'],
	['abbreviation', 'dnf'],
	['spaces', 'did not finish'],
	['hyphens', 'did-not-start'],
	['number', 0],
];

const RECORD_DEFECTS: Defect[] = [
	{
		id: 'record.nested-participant',
		field: null,
		apply: (record) => ({ participant: record }),
	},
	{
		id: 'record.extra-fields',
		field: null,
		apply: (record, { index }) => ({
			...record,
			id: index,
			event_id: 99,
			full_name: 'ignored',
			created_at: '2025-01-01 00:00:00',
			meta: { source: 'registration', tags: ['a', 'b'] },
		}),
	},
	{
		id: 'record.everything-as-text',
		field: null,
		apply: (record) =>
			Object.fromEntries(
				Object.entries(record).map(([key, value]) => [
					key,
					typeof value === 'number' ? String(value) : value,
				]),
			) as IDataObject,
	},
];

/** Every defect the generator knows, in a fixed order. */
export const DEFECTS: readonly Defect[] = [
	...FIELDS.flatMap(genericDefects),
	...alphaDashDefects('unique_id', 'BP'),
	...alphaDashDefects('start_number', 'bib'),
	...nameDefects('first_name'),
	...nameDefects('last_name'),
	...nameDefects('team_name'),
	...DATE_DEFECTS.map(([kind, value]) => set('date_of_birth', kind, () => value)),
	...RACE_DEFECTS.map(([kind, value]) =>
		set('race_id', kind, (c) => value(Number(current('race_id', c)) || 1)),
	),
	...CHIP_DEFECTS.map(([kind, value]) => set('chip_code', kind, () => value)),
	...COUNTRY_DEFECTS.map(([kind, value]) => set('country_code', kind, () => value)),
	...GENDER_DEFECTS.map(([kind, value]) => set('gender', kind, () => value)),
	...STATE_DEFECTS.map(([kind, value]) => set('state', kind, () => value)),
	...RECORD_DEFECTS,
];

const DEFECT_IDS = new Set(DEFECTS.map((d) => d.id));
if (DEFECT_IDS.size !== DEFECTS.length) throw new Error('duplicate defect ids in the catalogue');

/**
 * `count` records from `seed`. The first records carry one catalogue defect each, in
 * catalogue order, so every defect occurs at least once in a run of DEFECTS.length records
 * or more; after that a quarter of the records is clean and the rest carries one to three
 * defects of different fields.
 */
export function generateParticipants(seed: number, count: number): GeneratedParticipant[] {
	const random = new Random(seed);
	const result: GeneratedParticipant[] = [];
	for (let index = 0; index < count; index++) {
		let record = validRecord(index, random);
		const chosen: Defect[] = [];
		if (index < DEFECTS.length) {
			chosen.push(DEFECTS[index]);
		} else if (!random.chance(0.25)) {
			const wanted = random.int(1, 3);
			for (let tries = 0; chosen.length < wanted && tries < 10; tries++) {
				const defect = random.pick(DEFECTS);
				// At most one defect per field, and at most one of the whole record.
				const clash = chosen.some((d) => d.field === defect.field);
				if (!clash) chosen.push(defect);
			}
		}
		// Field defects first, so a record-level defect (nesting, text) sees the final fields.
		chosen.sort((a, b) => Number(a.field === null) - Number(b.field === null));
		for (const defect of chosen) record = defect.apply(record, { index, random, record });
		result.push({ index, record, defects: chosen.map((d) => d.id) });
	}
	return result;
}
