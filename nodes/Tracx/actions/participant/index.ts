import type { INodeProperties } from 'n8n-workflow';

import * as upsert from './upsert.operation';
import * as upsertMany from './upsertMany.operation';

export { upsert, upsertMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['participant'] } },
		options: [
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
		default: 'upsert',
	},
	...upsert.description,
	...upsertMany.description,
];
