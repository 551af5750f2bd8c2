import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listRaces } from '../../transport/api';
import {
	asNodeError,
	errorItem,
	eventLocator,
	limitResults,
	readId,
	returnAllAndLimit,
	toItems,
} from '../common';

const showFor = { show: { resource: ['race'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	eventLocator({
		required: false,
		description:
			"Only races of this event. Leave empty for every race the connect token may see. An event outside the token's scope gives no races.",
		displayOptions: showFor,
	}),
	...returnAllAndLimit(showFor),
];

/** GET /races (optionally ?event_id=), once per input item; one output item per race. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const races = await listRaces(this, readId(this, 'event', i, true), i);
			output.push(...toItems(limitResults(this, races, i), i));
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error, i);
			output.push(errorItem(error, [i]));
		}
	}
	return output;
}
