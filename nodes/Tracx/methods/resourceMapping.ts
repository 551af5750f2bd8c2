import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { PARTICIPANT_FIELDS } from '../actions/participant/fields';

/**
 * The participant fields for the resource mapper. race_id is left out: it comes from
 * the Race parameter, which can pick from a list.
 */
export async function getParticipantFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	return {
		fields: PARTICIPANT_FIELDS.filter((field) => field.id !== 'race_id').map((field) => ({
			id: field.id,
			displayName: field.displayName,
			required: field.required,
			defaultMatch: field.id === 'unique_id',
			canBeUsedToMatch: field.id === 'unique_id',
			display: true,
			type: field.options ? 'options' : 'string',
			...(field.options
				? { options: field.options.map(({ name, value }) => ({ name, value })) }
				: {}),
		})),
	};
}
