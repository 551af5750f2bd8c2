/** Output items: the records an operation returns, and the one shape of an error item. */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

/**
 * The one shape of an error item, for every operation: `{ json: { error: { message,
 * description?, …context } }, pairedItem }`.
 *
 * Under "Continue (using error output)" n8n moves an item to the error output only when the
 * item carries n8n's error object in `error`, or when its json holds nothing but `error`
 * (1.x also allows `message`; 2.x `message` and `details`). An error object on the item is
 * no use here: n8n then replaces the json with `{ error: message }`, losing the context.
 * So everything sits under the one json key `error`, which routes the item on both majors
 * and keeps its fields on either output.
 */
export function errorItem(
	error: unknown,
	pairedItems: number[],
	context: IDataObject = {},
): INodeExecutionData {
	const message = error instanceof Error ? error.message : String(error);
	const description = (error as { description?: unknown } | null)?.description;
	return {
		json: {
			error: {
				message,
				...(typeof description === 'string' && description ? { description } : {}),
				...context,
			},
		},
		pairedItem: pairedItems.map((item) => ({ item })),
	};
}

export function toItems(records: IDataObject[], itemIndex: number): INodeExecutionData[] {
	return records.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

/** The error as n8n's own error class, with the item index, ready to throw. */
export function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(
		ctx.getNode(),
		error instanceof Error ? error : new Error(String(error)),
		{ itemIndex },
	);
}
