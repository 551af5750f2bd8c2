/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test helper evaluates a subtitle */
import vm from 'vm';

/**
 * Evaluates a node's subtitle expression (`={{ … }}`) as the editor does for the canvas,
 * with `$parameter` holding the node's parameters. The subtitle is plain JavaScript
 * inside the braces.
 */
export function evaluateSubtitle(subtitle: string, parameters: Record<string, unknown>): unknown {
	const body = /^=\{\{([\s\S]*)\}\}$/.exec(subtitle)?.[1];
	if (body === undefined) throw new Error(`Not an expression: ${subtitle}`);
	return vm.runInNewContext(`(${body})`, { $parameter: parameters });
}
