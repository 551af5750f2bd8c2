import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as event from './event';
import * as participant from './participant';
import * as race from './race';

type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
) => Promise<INodeExecutionData[]>;

/** resource → operation → implementation; the names are the stored parameter values. */
const operations: Record<string, Record<string, Operation>> = {
	event: { getAll: event.getAll.execute },
	race: { getAll: race.getAll.execute },
	participant: { upsert: participant.upsert.execute, upsertMany: participant.upsertMany.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[resource]?.[operation];
	if (!run) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	return [await run.call(this, items)];
}
