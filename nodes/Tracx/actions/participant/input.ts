import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { locatorValue } from '../tracx-ids';
import { itemValue, rawParameter, type ItemValue } from '../item-reference';
import { PARTICIPANT_FIELDS } from './fields';
import { REQUIRED, formatProblems, validateParticipant, type FieldProblem } from './validate';

/** The resource-mapper parameter both participant operations share, and how to read it. */

export function participantMapper(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: 'Participant',
		name: 'participant',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		description:
			'Map input fields to participant fields, or let input columns with the same names map themselves',
		typeOptions: {
			resourceMapper: {
				resourceMapperMethod: 'getParticipantFields',
				mode: 'add',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		displayOptions,
	};
}

/**
 * The format rules, under the mapper. n8n gives resource-mapper fields no hint or
 * placeholder of their own (1.x and 2.x alike), and a rule in the label cuts it off.
 */
export function participantFormats(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName:
			'Date of Birth: YYYY-MM-DD. Chip Code: up to 7 characters, shorter codes are padded with zeros. Country Code: two letters (ISO), e.g. NL. Unique ID and Start Number: letters, digits, - and _.',
		name: 'participantFormats',
		type: 'notice',
		default: '',
		displayOptions,
	};
}

const MAPPED_FIELD_IDS = PARTICIPANT_FIELDS.map((field) => field.id).filter(
	(id) => id !== 'race_id',
);

type Reader = (item: INodeExecutionData, itemIndex: number) => IDataObject;

const LABELS = new Map(PARTICIPANT_FIELDS.map((field) => [field.id, field.displayName]));

const AUTO_MAPPED_SOURCE =
	'With Map Automatically, each participant field takes the input column of the same name (unique_id, first_name, …), and race_id comes from the Race parameter or, when Race is empty, from the race_id column.';
const MANUAL_SOURCE =
	'With Map Each Column Manually, each participant field takes the value set for it under Participant, and race_id comes from the Race parameter.';

/** A missing field, completed with the parameter or input column that would give it. */
function sourceHint(field: string, autoMapped: boolean): string {
	if (field === 'race_id') {
		return autoMapped
			? 'choose a race in the Race parameter, or give each item a race_id column'
			: 'choose a race in the Race parameter (From List or By ID)';
	}
	return autoMapped
		? `fill the item's ${field} column`
		: `set ${LABELS.get(field) ?? field} under Participant`;
}

/**
 * Returns a reader of validated, normalized participants. How each field is read is decided
 * once, from the unevaluated parameters: with Map Automatically, straight from the item's
 * columns; a constant once; a plain reference to the current item ({{ $json["First name"] }})
 * from the item; any other expression by n8n, for each item, as n8n would. An expression
 * evaluated by n8n costs about 0.4 ms per field and item, which dominated large imports;
 * reading the column gives the same value. With Map Automatically and no Race chosen, the
 * race comes from each item's race_id column.
 */
export function participantReader(ctx: IExecuteFunctions): Reader {
	const autoMapped =
		ctx.getNodeParameter('participant.mappingMode', 0, 'defineBelow') === 'autoMapInputData';
	const where = (problem: FieldProblem): FieldProblem =>
		problem.message === REQUIRED
			? { ...problem, message: `${REQUIRED}: ${sourceHint(problem.field, autoMapped)}` }
			: problem;
	const fields = autoMapped ? autoMappedFields() : mappedFields(ctx);
	const evaluateRace = (itemIndex: number) =>
		ctx.getNodeParameter('race', itemIndex, '', { extractValue: true });
	const race = itemValue(
		locatorValue(rawParameter(ctx, 'race', '')),
		() => evaluateRace(0),
		evaluateRace,
	);
	return (item, itemIndex) => {
		const input: IDataObject = {};
		try {
			for (const [id, read] of fields) input[id] = read(item, itemIndex) as IDataObject[string];
			const raceId = race(item, itemIndex);
			input.race_id = (
				raceId === '' && autoMapped ? item.json.race_id : raceId
			) as IDataObject[string];
		} catch (error) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Invalid participant in item ${itemIndex}: ${(error as Error).message}`,
				{ itemIndex },
			);
		}
		const check = validateParticipant(input);
		if (check.valid) return check.participant;
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid participant in item ${itemIndex}: ${formatProblems(check.problems.map(where))}`,
			{ itemIndex, description: autoMapped ? AUTO_MAPPED_SOURCE : MANUAL_SOURCE },
		);
	};
}

type FieldReaders = Array<[string, ItemValue]>;

function autoMappedFields(): FieldReaders {
	return MAPPED_FIELD_IDS.map((id) => [id, (item: INodeExecutionData) => item.json[id]]);
}

/**
 * Map Each Column Manually: one reader per field from its unevaluated value. Should the whole
 * value be one expression (n8n's editor does not offer that), every field is left to n8n.
 */
function mappedFields(ctx: IExecuteFunctions): FieldReaders {
	const raw = rawParameter(ctx, 'participant.value', null);
	const values = raw !== null && typeof raw === 'object' ? (raw as IDataObject) : {};
	// in the stored order, the order n8n evaluates them in: the first failing field is reported
	const stored = Object.keys(values);
	const position = (id: string) => (stored.includes(id) ? stored.indexOf(id) : stored.length);
	const ids = [...MAPPED_FIELD_IDS].sort((a, b) => position(a) - position(b));
	return ids.map((id) => {
		const fieldRaw = typeof raw === 'string' ? raw : values[id];
		const name = `participant.value.${id}`;
		return [
			id,
			itemValue(
				fieldRaw,
				() => fieldRaw,
				(itemIndex) => ctx.getNodeParameter(name, itemIndex, undefined),
			),
		];
	});
}
