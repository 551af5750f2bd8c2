import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { FixedWithBraces, locatorReader } from '../tracx-ids';
import {
	isFixedWithBraces,
	itemValue,
	itemsAreJson,
	rawParameter,
	type ItemValue,
} from '../item-reference';
import { PARTICIPANT_FIELDS } from './fields';
import { REQUIRED, formatProblems, validateParticipant, type FieldProblem } from './validate';

/** The resource-mapper parameter both participant operations share, and how to read it. */

/** The input columns Map Automatically reads, beside race_id (which the Race parameter can give). */
const AUTO_MAPPED_COLUMNS = PARTICIPANT_FIELDS.map((field) => field.id).filter(
	(id) => id !== 'race_id',
);

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
			'Map input fields to participant fields, or let input columns named like the fields (unique_id, first_name, …) map themselves',
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
 * The format rules and the columns Map Automatically reads, under the mapper. n8n gives
 * resource-mapper fields no hint or placeholder of their own (1.x and 2.x alike), a rule in
 * the label cuts it off, and Map Automatically lists no column names. One notice for both
 * modes: n8n cannot show a parameter by the mapper's mode (a `participant.mappingMode`
 * display rule stops n8n from resolving the node's parameters).
 */
export function participantFormats(
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties {
	return {
		displayName: `Map Automatically reads the input columns ${AUTO_MAPPED_COLUMNS.join(', ')}, and race_id when Race is empty. Date of Birth: YYYY-MM-DD. Chip Code: up to 7 characters, shorter codes are padded with zeros. Country Code: two letters (ISO), e.g. NL. Unique ID and Start Number: letters, digits, - and _.`,
		name: 'participantFormats',
		type: 'notice',
		default: '',
		displayOptions,
	};
}

const MAPPED_FIELD_IDS = AUTO_MAPPED_COLUMNS;

type Reader = (item: INodeExecutionData, itemIndex: number) => IDataObject;

const LABELS = new Map(PARTICIPANT_FIELDS.map((field) => [field.id, field.displayName]));

/** Where the editor puts the boxes of Map Each Column Manually (n8n 1.x and 2.x). */
const VALUES_TO_SEND = 'Values to Send';

const AUTO_MAPPED_SOURCE =
	'With Map Automatically, each participant field takes the input column of the same name (unique_id, first_name, …), and race_id comes from the Race parameter or, when Race is empty, from the race_id column.';
const MANUAL_SOURCE = `With Map Each Column Manually, each participant field takes the value set for it under "${VALUES_TO_SEND}", and race_id comes from the Race parameter.`;

/** A missing field, completed with the parameter or input column that would give it. */
function sourceHint(field: string, autoMapped: boolean): string {
	if (field === 'race_id') {
		return autoMapped
			? 'choose a race in the Race parameter, or give each item a race_id column'
			: 'choose a race in the Race parameter (From List or By ID)';
	}
	return autoMapped
		? `fill the item's ${field} column`
		: `set ${LABELS.get(field) ?? field} under "${VALUES_TO_SEND}"`;
}

/**
 * Returns a reader of validated, normalized participants. How each field is read is decided
 * once, from the unevaluated parameters: with Map Automatically, straight from the item's
 * columns; a constant once; a plain reference to the current item ({{ $json["First name"] }})
 * from the item (outside tool mode, see itemsAreJson); any other expression by n8n, for each
 * item, as n8n would. An expression evaluated by n8n costs about 0.4 ms per field and item,
 * which dominated large imports; reading the column gives the same value. With Map
 * Automatically and no Race chosen, the race comes from each item's race_id column.
 */
export function participantReader(ctx: IExecuteFunctions): Reader {
	const autoMapped =
		ctx.getNodeParameter('participant.mappingMode', 0, 'defineBelow') === 'autoMapInputData';
	const where = (problem: FieldProblem): FieldProblem =>
		problem.message === REQUIRED
			? { ...problem, message: `${REQUIRED}: ${sourceHint(problem.field, autoMapped)}` }
			: problem;
	const fields = autoMapped ? autoMappedFields : mappedFields(ctx);
	const race = locatorReader(ctx, 'race');
	return (item, itemIndex) => {
		let input: IDataObject;
		try {
			input = fields(item, itemIndex);
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

/** One item's participant fields, unchecked. */
type FieldsReader = (item: INodeExecutionData, itemIndex: number) => IDataObject;

function autoMappedFields(item: INodeExecutionData): IDataObject {
	const input: IDataObject = {};
	for (const id of MAPPED_FIELD_IDS) input[id] = item.json[id];
	return input;
}

/**
 * Map Each Column Manually: one reader per field from its unevaluated value. A Fixed value
 * holding `{{ … }}` is refused for every item. Should the whole value be one expression
 * (`={{ $json.p }}`, as workflows written by hand or by an API do; the editor does not offer
 * it), that expression gives the fields as one object.
 */
function mappedFields(ctx: IExecuteFunctions): FieldsReader {
	const readItems = itemsAreJson(ctx);
	const raw = rawParameter(ctx, 'participant.value', null);
	if (typeof raw === 'string') return wholeValue(ctx, raw, readItems);
	const values = raw !== null && typeof raw === 'object' ? (raw as IDataObject) : {};
	// in the stored order, the order n8n evaluates them in: the first failing field is reported
	const stored = Object.keys(values);
	const position = (id: string) => (stored.includes(id) ? stored.indexOf(id) : stored.length);
	const ids = [...MAPPED_FIELD_IDS].sort((a, b) => position(a) - position(b));
	const readers: Array<[string, ItemValue]> = ids.map((id) => {
		const fieldRaw = values[id];
		if (isFixedWithBraces(fieldRaw)) {
			const problem = new FixedWithBraces(LABELS.get(id) ?? id, fieldRaw);
			return [
				id,
				() => {
					throw problem;
				},
			];
		}
		const name = `participant.value.${id}`;
		return [
			id,
			itemValue(
				fieldRaw,
				() => fieldRaw,
				(itemIndex) => ctx.getNodeParameter(name, itemIndex, undefined),
				readItems,
			),
		];
	});
	return (item, itemIndex) => {
		const input: IDataObject = {};
		for (const [id, read] of readers) input[id] = read(item, itemIndex) as IDataObject[string];
		return input;
	};
}

/** The participant given by one expression for the whole mapper value: an object of fields. */
function wholeValue(ctx: IExecuteFunctions, raw: string, readItems: boolean): FieldsReader {
	const value = itemValue(
		raw,
		() => raw,
		(itemIndex) => ctx.getNodeParameter('participant.value', itemIndex, null),
		readItems,
	);
	return (item, itemIndex) => {
		const source = value(item, itemIndex);
		if (source === null || typeof source !== 'object' || Array.isArray(source)) {
			throw new Error(
				`"${VALUES_TO_SEND}" is one expression, which must give an object of participant fields (unique_id, first_name, …), not ${Array.isArray(source) ? 'a list' : source === null || source === undefined ? 'nothing' : `a ${typeof source}`}`,
			);
		}
		const input: IDataObject = {};
		for (const id of MAPPED_FIELD_IDS) input[id] = (source as IDataObject)[id];
		return input;
	};
}
