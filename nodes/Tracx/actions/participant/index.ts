import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../properties';
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
				action: 'Create or update a participant by unique_id',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{
				name: 'Create or Update Many',
				value: 'upsertMany',
				action: 'Create or update many participants by unique_id',
				description: 'Queue all items as participants of an event, in batches',
			},
		],
		'upsert',
	),
	...upsert.description,
	...upsertMany.description,
];
