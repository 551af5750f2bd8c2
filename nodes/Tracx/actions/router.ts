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

/**
 * What n8n adds to the Resource and Operation lists of every node whose credential the HTTP
 * Request node can use. Chosen there, the editor hides the node's fields and points to the
 * HTTP Request node; the request itself is made there, with this credential.
 */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

function customApiCallError(ctx: IExecuteFunctions): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		"Custom API Call is made with n8n's HTTP Request node, not with the Tracx node",
		{
			description:
				'Add an HTTP Request node, set Authentication to "Predefined Credential Type", Credential Type to "Tracx Connect API" and choose your Tracx credential; give it a URL under the credential\'s Base URL, e.g. https://api.tracx.events/v1/connect/races. The session token is handled for you. Or choose one of the Tracx operations here.',
		},
	);
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	if (resource === CUSTOM_API_CALL) throw customApiCallError(this);
	const operation = this.getNodeParameter('operation', 0) as string;
	if (operation === CUSTOM_API_CALL) throw customApiCallError(this);
	const run = operations[resource]?.[operation];
	if (!run) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	return [await run.call(this, items)];
}
