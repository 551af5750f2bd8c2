import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

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
 * Returns a reader of validated, normalized participants. The mapping mode cannot differ
 * per item, so it is read once; with Map Automatically and no Race chosen, the race comes
 * from each item's race_id column, which costs no expression per item (an expression
 * such as {{ $json.race_id }} is evaluated for every item, and that dominates a large
 * import).
 */
export function participantReader(ctx: IExecuteFunctions): Reader {
	const autoMapped =
		ctx.getNodeParameter('participant.mappingMode', 0, 'defineBelow') === 'autoMapInputData';
	const where = (problem: FieldProblem): FieldProblem =>
		problem.message === REQUIRED
			? { ...problem, message: `${REQUIRED}: ${sourceHint(problem.field, autoMapped)}` }
			: problem;
	return (item, itemIndex) => {
		let fields: IDataObject;
		try {
			const source = autoMapped
				? item.json
				: ((ctx.getNodeParameter('participant.value', itemIndex, {}) as IDataObject | null) ?? {});
			fields = {};
			for (const id of MAPPED_FIELD_IDS) fields[id] = source[id];
			const race = ctx.getNodeParameter('race', itemIndex, '', { extractValue: true });
			fields.race_id = (
				race === '' && autoMapped ? item.json.race_id : race
			) as IDataObject[string];
		} catch (error) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Invalid participant in item ${itemIndex}: ${(error as Error).message}`,
				{ itemIndex },
			);
		}
		const check = validateParticipant(fields);
		if (check.valid) return check.participant;
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid participant in item ${itemIndex}: ${formatProblems(check.problems.map(where))}`,
			{ itemIndex, description: autoMapped ? AUTO_MAPPED_SOURCE : MANUAL_SOURCE },
		);
	};
}
