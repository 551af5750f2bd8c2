import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../properties';
import { toolDescription } from '../tool-mode';
import * as upsert from './upsert.operation';
import * as upsertMany from './upsertMany.operation';

export { upsert, upsertMany };

export const description: INodeProperties[] = [
	operationSelector(
		'participant',
		[
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a participant',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{
				name: 'Create or Update Many',
				value: 'upsertMany',
				action: 'Create or update many participants',
				description: 'Queue all items as participants of an event, in batches',
			},
		],
		'upsert',
	),
	toolDescription(
		'participant',
		'upsert',
		'Saves one participant (an entry in the start list of a race) in Tracx and answers with the participant as Tracx stored it. Participants are matched by unique_id: the same unique_id updates the participant saved before, a new one creates a participant. The race is given by its race ID, a whole number from the race list.',
	),
	toolDescription(
		'participant',
		'upsertMany',
		'Queues many participants (start list entries) of one Tracx event for import, in batches. Participants are matched by unique_id: the same unique_id updates the participant saved before. Tracx imports them later; the answer lists each queued batch with its unique_ids.',
	),
	...upsert.description,
	...upsertMany.description,
];
