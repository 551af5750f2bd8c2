/* eslint-disable @n8n/community-nodes/no-restricted-imports -- a test comparing with n8n's own evaluation, not node code */
import { isDeepStrictEqual } from 'node:util';

import type { IDataObject, IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import { idReader, readId } from '../../nodes/Tracx/actions/tracx-ids';
import { PARTICIPANT_FIELDS } from '../../nodes/Tracx/actions/participant/fields';
import { participantReader } from '../../nodes/Tracx/actions/participant/input';
import { itemPath } from '../../nodes/Tracx/actions/item-reference';
import { mulberry32 as random } from './support/bad-participants';
import { realParameterContext } from './support/real-n8n-parameters';

/**
 * Field-by-field mapping read from the item must give exactly what n8n's own evaluation of
 * every expression gives: the same participant or the same error, row by row. Rows, column
 * names, values and reference shapes come from a seeded generator; the reference evaluates
 * every parameter with n8n-workflow's real expression engine, as the node did before it read
 * plain references itself.
 */

const SEED = 20261201;
const MAPPINGS = 40;
const ROWS_PER_MAPPING = 75;

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];

/** Column names users' exports have, and some that only bracket access reaches. */
const COLUMN_NAMES = [
	'Bib',
	'First name',
	'Last name',
	'Geburtsdatum',
	'prénom',
	'名前',
	'Équipe 🏃',
	'e-mail',
	"it's",
	'say "hi"',
	'a.b',
	' spaced ',
	'class',
	'$dollar',
	'0',
	'12',
	'tab\there',
	'_id',
	'constructor',
	'toString',
	'__proto__',
	'{braces}',
	'back\\slash',
	'Race',
	'Event',
	'length',
];

const NESTED = 'person';
const LIST = 'list';

/** A value a user's column might hold; `good` leans towards what the field accepts. */
function valueFor(rng: Rng, field: string | undefined): unknown {
	if (field && rng() < 0.93) return goodValue(rng, field);
	return pick(rng, [
		'',
		'   ',
		'  padded  ',
		'Zoë',
		'名前',
		'O’Brien-Smith',
		'0012',
		'1e3',
		'12.50',
		'-7',
		'17.05.1990',
		'1990-02-30',
		'1990-05-17',
		' 1990-05-17 ',
		'2001-02-03T00:00:00Z',
		'true',
		'null',
		'MALE',
		'nl',
		'XX',
		'did_not_start',
		'x'.repeat(101),
		0,
		-1,
		42,
		3.14,
		1e21,
		Number.MAX_SAFE_INTEGER + 2,
		true,
		false,
		null,
		{ a: 1 },
		[1, 2],
		[],
		{},
	]);
}

function goodValue(rng: Rng, field: string): unknown {
	const n = Math.floor(rng() * 100000);
	switch (field) {
		case 'unique_id':
			return pick(rng, [`P-${n}`, n, `ü_${n}`]);
		case 'first_name':
		case 'last_name':
			return pick(rng, ['Anna', 'Jürgen', '  Zoë ', '李', 'Van der Berg']);
		case 'date_of_birth':
			return `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`;
		case 'race_id':
			return pick(rng, [1, 2, '3', ' 4 ', '+5']);
		case 'event':
			return pick(rng, [1, '2', ' 3 ']);
		case 'start_number':
			return pick(rng, [n, String(n), `A-${n}`]);
		case 'chip_code':
			return pick(rng, [n, String(n).padStart(7, '0'), 'ABC1234']);
		case 'country_code':
			return pick(rng, ['NL', 'de', ' be ']);
		case 'team_name':
			return pick(rng, ['Team A', '', null, 'Ü-Läufer']);
		case 'gender':
			return pick(rng, ['male', 'Female', 'neutral']);
		case 'state':
			return pick(rng, ['before', 'FINISHED', 'did_not_finish']);
		default:
			return `v${n}`;
	}
}

const isIdentifier = (name: string) =>
	/^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u.test(name);
const space = (rng: Rng) => pick(rng, ['', ' ', '  ', '\n', '\t ']);

/** A plain reference to a top-level column, in one of the ways people write it. */
function plainReference(rng: Rng, column: string, root = pick(rng, ['$json', '$input.item.json'])) {
	const shapes: string[] = [];
	if (isIdentifier(column))
		shapes.push(`${root}.${column}`, `${root}${space(rng)}.${space(rng)}${column}`);
	if (!column.includes('"'))
		shapes.push(`${root}["${column}"]`, `${root}[${space(rng)}"${column}"${space(rng)}]`);
	if (!column.includes("'")) shapes.push(`${root}['${column}']`);
	if (/^\d+$/.test(column)) shapes.push(`${root}[${column}]`);
	if (shapes.length === 0) shapes.push(`${root}["${column.replace(/["\\]/g, '\\$&')}"]`);
	return `={{${space(rng)}${pick(rng, shapes)}${space(rng)}}}`;
}

/** What a field is mapped to, and which column (if any) it reads. */
interface Mapped {
	raw: unknown;
	column?: string;
}

function mapField(rng: Rng, column: string, columns: string[], clean: boolean): Mapped {
	const roll = clean ? 0 : rng();
	if (roll < 0.8) return { raw: plainReference(rng, column), column };
	if (roll < 0.86) {
		const inner = pick(rng, ['First name', 'dob', 'Bib']);
		const shape = pick(rng, [
			`$json.${NESTED}["${inner}"]`,
			`$json["${NESTED}"]['${inner}']`,
			`$input.item.json.${NESTED}["${inner}"]`,
			`$json.${LIST}[0]`,
			`$json.${LIST}[1]`,
			`$json.missing.deeper`,
			`$json.${NESTED}.length`,
		]);
		return { raw: `={{ ${shape} }}` };
	}
	if (roll < 0.95) {
		// anything else stays with n8n: text around, calls, several expressions, other syntax
		const ref = plainReference(rng, pick(rng, [column, ...columns]))
			.slice(3, -2)
			.trim();
		return {
			raw: pick(rng, [
				`={{ ${ref} }} `,
				`=#{{ ${ref} }}`,
				`={{ ${ref} || '' }}`,
				`={{ String(${ref}) }}`,
				`={{ ${ref} }}{{ ${ref} }}`,
				`={{ ${ref}?.toString() }}`,
				`={{ $json }}`,
				`={{ $('Tracx').params.resource }}`,
				`=plain text`,
				`={{ ${ref}.length }}`,
			]),
			column,
		};
	}
	return { raw: pick(rng, ['RUN-1', '', 'Anna', '1990-01-01', 'male', 'NL', '0000042']) };
}

function scenario(rng: Rng) {
	const fieldIds = PARTICIPANT_FIELDS.map((f) => f.id).filter((id) => id !== 'race_id');
	// each field has a column of its own (its values lean towards what the field accepts)
	const names = COLUMN_NAMES.filter((c) => c !== 'Race' && c !== 'Event').sort(() => rng() - 0.5);
	const columns = fieldIds.map((_id, n) => names[n]);
	const value: Record<string, string> = {};
	const columnField = new Map<string, string>(fieldIds.map((id, n) => [columns[n], id]));
	// stored in schema order, or shuffled, as an edited mapping may be
	const order = rng() < 0.7 ? fieldIds : [...fieldIds].sort(() => rng() - 0.5);
	// some mappings are all plain references, as most users' are
	const clean = rng() < 0.3;
	for (const id of order) {
		if (rng() < 0.04) continue; // a field left unmapped
		value[id] = mapField(rng, columns[fieldIds.indexOf(id)], columns, clean).raw as string;
	}
	const raceColumn = 'Race';
	const race = pick(rng, [
		{ __rl: true, mode: 'id', value: plainReference(rng, raceColumn) },
		{ __rl: true, mode: 'id', value: `={{ ${plainReference(rng, raceColumn).slice(3, -2)} }}` },
		{ __rl: true, mode: 'id', value: '7' },
		{ __rl: true, mode: 'list', value: '' },
		{
			__rl: true,
			mode: 'id',
			value: `={{ Number(${plainReference(rng, raceColumn).slice(3, -2)}) }}`,
		},
	]);
	columnField.set(raceColumn, 'race_id');
	const event = pick(rng, [
		{ __rl: true, mode: 'list', value: '1' },
		{ __rl: true, mode: 'id', value: plainReference(rng, 'Event') },
		{ __rl: true, mode: 'id', value: '={{ $json.Event }}' },
	]);
	columnField.set('Event', 'event');
	const parameters: INodeParameters = {
		resource: 'participant',
		operation: 'upsertMany',
		event,
		race,
		participant: { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] },
		options: {},
	};
	const rows = Array.from({ length: ROWS_PER_MAPPING }, () => {
		const row: IDataObject = {};
		for (const column of [...columns, 'Race', 'Event']) {
			if (rng() < 0.03) continue; // a missing column
			Object.defineProperty(row, column, {
				value: valueFor(rng, columnField.get(column)),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		if (rng() < 0.7) {
			row[NESTED] = {
				'First name': valueFor(rng, 'first_name'),
				dob: valueFor(rng, 'date_of_birth'),
			};
		}
		if (rng() < 0.5) row[LIST] = [valueFor(rng, 'unique_id'), valueFor(rng, 'chip_code')];
		return row;
	});
	return { parameters, rows };
}

type Outcome = { participant: IDataObject } | { error: string };

function outcome(read: () => IDataObject): Outcome {
	try {
		return { participant: read() };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

/**
 * The participant as n8n's evaluation of every parameter gives it: the node's reader over a
 * context that hides every expression's text, so that no reference is read from the item
 * and n8n evaluates each one for each item (the node's former reading).
 */
function evaluatedByN8n(ctx: IExecuteFunctions, _autoMapped: boolean, rowIndex: number) {
	const hide = (value: unknown): unknown =>
		typeof value === 'string' && value.startsWith('=')
			? '={{ $evaluatedByN8n }}'
			: value !== null && typeof value === 'object'
				? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hide(v)]))
				: value;
	const everyFieldByN8n = {
		...ctx,
		getNodeParameter: (name: string, i: number, fallback?: unknown, options?: IDataObject) => {
			const value = ctx.getNodeParameter(name, i, fallback, options as never);
			return options?.rawExpressions ? hide(value) : value;
		},
	} as unknown as IExecuteFunctions;
	const read = participantReader(everyFieldByN8n);
	return () => read(ctx.getInputData()[rowIndex], rowIndex);
}

describe('field-by-field mapping read from the item (property, seeded)', () => {
	it(`equals n8n's own evaluation for ${MAPPINGS * ROWS_PER_MAPPING} generated rows`, () => {
		const rng = random(SEED);
		let rows = 0;
		let valid = 0;
		let invalid = 0;
		let fastFields = 0;
		const mismatches: IDataObject[] = [];
		for (let m = 0; m < MAPPINGS; m++) {
			const { parameters, rows: inputs } = scenario(rng);
			const { ctx } = realParameterContext(parameters, inputs);
			const readParticipant = participantReader(ctx);
			const readEvent = idReader(ctx, 'event');
			const items = ctx.getInputData();
			const value = (parameters.participant as IDataObject).value as IDataObject;
			fastFields += Object.values(value).filter((raw) => itemPath(raw) !== undefined).length;
			for (let i = 0; i < inputs.length; i++) {
				const fast = outcome(() => readParticipant(items[i], i));
				const reference = outcome(evaluatedByN8n(ctx, false, i));
				const fastEvent = outcome(() => ({ id: readEvent(items[i], i) }));
				const referenceEvent = outcome(() => ({ id: readId(ctx, 'event', i) }));
				if (!isDeepStrictEqual([fast, fastEvent], [reference, referenceEvent])) {
					const input = inputs[i];
					mismatches.push({
						mapping: m,
						row: i,
						parameters,
						input,
						fast,
						reference,
						fastEvent,
						referenceEvent,
					});
				}
				rows++;
				if ('participant' in fast) valid++;
				else invalid++;
			}
		}
		expect(mismatches.slice(0, 3)).toEqual([]);
		// the generator reaches both outcomes and mostly plain references, or it proves little
		expect(rows).toBe(MAPPINGS * ROWS_PER_MAPPING);
		expect(valid).toBeGreaterThan(rows * 0.03);
		expect(invalid).toBeGreaterThan(rows * 0.2);
		expect(fastFields).toBeGreaterThan(MAPPINGS * 4);
	});

	it('Map Automatically with Race as a reference equals the evaluated Race', () => {
		const rng = random(SEED + 1);
		for (let m = 0; m < 10; m++) {
			const inputs = Array.from({ length: 50 }, () => {
				const row: IDataObject = {};
				for (const field of PARTICIPANT_FIELDS) {
					if (rng() < 0.9) row[field.id] = valueFor(rng, field.id) as IDataObject[string];
				}
				row.Race = valueFor(rng, 'race_id') as IDataObject[string];
				return row;
			});
			const { ctx } = realParameterContext(
				{
					resource: 'participant',
					operation: 'upsertMany',
					event: { __rl: true, mode: 'id', value: '1' },
					race: { __rl: true, mode: 'id', value: pick(rng, ['={{ $json.Race }}', '', '2']) },
					participant: { mappingMode: 'autoMapInputData', value: null },
				},
				inputs,
			);
			const readParticipant = participantReader(ctx);
			const items = ctx.getInputData();
			for (let i = 0; i < inputs.length; i++) {
				expect(outcome(() => readParticipant(items[i], i))).toEqual(
					outcome(evaluatedByN8n(ctx, true, i)),
				);
			}
		}
	});
});

describe('which reads n8n evaluates', () => {
	const rows = Array.from({ length: 200 }, (_, n) => ({
		ID: `P-${n}`,
		'First name': 'Anna',
		Nachname: 'Berg',
		person: { born: '1990-05-17' },
		Race: n % 2 === 0 ? 1 : '2',
		Bib: n,
		Chip: n + 1,
		Event: 1,
	}));
	const plain: INodeParameters = {
		resource: 'participant',
		operation: 'upsertMany',
		event: { __rl: true, mode: 'id', value: '={{ $json.Event }}' },
		race: { __rl: true, mode: 'id', value: '={{ $json["Race"] }}' },
		participant: {
			mappingMode: 'defineBelow',
			value: {
				unique_id: '={{ $json.ID }}',
				first_name: "={{ $json['First name'] }}",
				last_name: '={{ $input.item.json.Nachname }}',
				date_of_birth: '={{ $json.person.born }}',
				start_number: '={{$json.Bib}}',
				chip_code: '={{ $json[ "Chip" ] }}',
				country_code: 'NL',
			},
		},
	};

	it('none for plain references and constants, whatever the number of items', () => {
		const { ctx, evaluations } = realParameterContext(plain, rows);
		const readParticipant = participantReader(ctx);
		const readEvent = idReader(ctx, 'event');
		const items = ctx.getInputData();
		const participants = items.map((item, i) => ({
			...readParticipant(item, i),
			event: readEvent(item, i),
		}));
		expect(participants[3]).toEqual({
			unique_id: 'P-3',
			first_name: 'Anna',
			last_name: 'Berg',
			date_of_birth: '1990-05-17',
			race_id: 2,
			start_number: '3',
			chip_code: '0000004',
			country_code: 'NL',
			event: 1,
		});
		expect(evaluations()).toBe(0);
	});

	it('one per item for each field that needs n8n, and only for those', () => {
		const participant = plain.participant as IDataObject;
		const { ctx, evaluations } = realParameterContext(
			{
				...plain,
				participant: {
					...participant,
					value: {
						...(participant.value as IDataObject),
						first_name: "={{ $json['First name'].toUpperCase() }}",
					},
				},
			},
			rows,
		);
		const readParticipant = participantReader(ctx);
		const items = ctx.getInputData();
		expect(readParticipant(items[0], 0).first_name).toBe('ANNA');
		for (let i = 1; i < items.length; i++) readParticipant(items[i], i);
		expect(evaluations()).toBe(rows.length);
	});
});
