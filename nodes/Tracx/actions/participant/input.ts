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

type Reader = (item: INodeExecutionData, itemIndex: number) => IDataObject;

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
			`Invalid participant in item ${itemIndex}: ${formatProblems(check.problems)}`,
			{
				itemIndex,
				description: check.problems.map((p) => `${p.field}: ${p.message}`).join('\n'),
			},
		);
	};
}
