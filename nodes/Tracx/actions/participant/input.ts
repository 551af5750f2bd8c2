import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { PARTICIPANT_FIELDS } from './fields';
import { formatProblems, validateParticipant } from './validate';

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

const MAPPED_FIELD_IDS = PARTICIPANT_FIELDS.map((field) => field.id).filter(
	(id) => id !== 'race_id',
);

function mappedValues(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
): IDataObject {
	const mode = ctx.getNodeParameter('participant.mappingMode', itemIndex, 'defineBelow') as string;
	const source =
		mode === 'autoMapInputData'
			? item.json
			: ((ctx.getNodeParameter('participant.value', itemIndex, {}) as IDataObject | null) ?? {});
	const picked: IDataObject = {};
	for (const id of MAPPED_FIELD_IDS) picked[id] = source[id];
	return picked;
}

/**
 * The validated, normalized participant of one input item (race from the Race
 * parameter, everything else from the mapping), or a NodeOperationError that names the
 * item and every offending field.
 */
export function readParticipant(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
): IDataObject {
	let fields: IDataObject;
	try {
		fields = mappedValues(ctx, item, itemIndex);
		fields.race_id = ctx.getNodeParameter('race', itemIndex, '', {
			extractValue: true,
		}) as IDataObject[string];
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid participant in item ${itemIndex}: ${(error as Error).message}`,
			{
				itemIndex,
			},
		);
	}
	const check = validateParticipant(fields);
	if (check.valid) return check.participant;
	throw new NodeOperationError(
		ctx.getNode(),
		`Invalid participant in item ${itemIndex}: ${formatProblems(check.problems)}`,
		{
			itemIndex,
			description: check.problems.map((p) => `${p.field}: ${p.message}`).join('\n'),
		},
	);
}
