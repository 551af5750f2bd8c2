import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listEvents } from '../../transport/api';
import { asNodeError, errorItem, limitResults, returnAllAndLimit, toItems } from '../common';

const showFor = { show: { resource: ['event'], operation: ['getAll'] } };

export const description: INodeProperties[] = [...returnAllAndLimit(showFor)];

/** GET /events, once per input item; one output item per event. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const events = await listEvents(this, i);
			output.push(...toItems(limitResults(this, events, i), i));
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error, i);
			output.push(errorItem(error, [i]));
		}
	}
	return output;
}
