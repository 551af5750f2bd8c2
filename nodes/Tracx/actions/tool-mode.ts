/** What changes when the node runs as an AI agent's tool (AI Agent, MCP Server Trigger). */
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Whether the node runs as an AI agent's tool (AI Agent, MCP Server Trigger). n8n 2.x says
 * so; n8n 1.x runs the tool variant under the node's type name with "Tool" appended.
 */
export function runsAsTool(ctx: IExecuteFunctions): boolean {
	const isToolExecution = (ctx as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>)
		.isToolExecution;
	if (typeof isToolExecution === 'function' && isToolExecution.call(ctx)) return true;
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * Applies Return All / Limit to a list the API returns whole (it documents no paging). An
 * agent gets the whole list: it cannot tell a cut list from a complete one and would
 * answer "there is no such race" about one it was never shown.
 */
export function limitResults<T>(ctx: IExecuteFunctions, list: T[], itemIndex: number): T[] {
	if (runsAsTool(ctx)) return list;
	if (ctx.getNodeParameter('returnAll', itemIndex, false) as boolean) return list;
	const limit = ctx.getNodeParameter('limit', itemIndex, 50) as number;
	return list.slice(0, limit);
}
