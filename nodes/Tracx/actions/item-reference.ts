/** Reading a mapped parameter for every item: straight from the item where the expression is a plain reference to it, by n8n otherwise. Used by the participant mapping and the Event/Race readers. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runsAsTool } from './tool-mode';

/**
 * Reading a parameter for every item without asking n8n to evaluate it every time.
 *
 * n8n evaluates an expression parameter anew for each item: it builds its data proxy and
 * runs the expression, about 0.4 ms per field and item, which dominates a bulk import of
 * mapped columns. Most mappings are a plain reference to a column of the current item
 * (`{{ $json.Bib }}`, `{{ $json["First name"] }}`, `{{ $input.item.json.a.b }}`): those are read
 * straight from the item. Anything else is left to n8n, item by item, as before.
 *
 * Reading the item in place of `$json` is only right where the items the node gets are the
 * items n8n evaluates `$json` against. In a node execution they are: n8n-core (1.x and 2.x)
 * builds the context with `connectionInputData = inputData.main[0]` (the only input the node
 * has; Execute Once keeps its first item), `getInputData()` returns `inputData.main[0]`, and
 * `$json`/`$input.item` of item i are `connectionInputData[i]`. Run as an AI tool they are not:
 * the supply-data context's `getInputData()` returns the tool call's arguments, while `$json`
 * is still the item of the node that called the tool. There every expression goes to n8n.
 */

/** Whether `getInputData()` holds the items `$json` means, so that a reference may be read from them. */
export function itemsAreJson(ctx: IExecuteFunctions): boolean {
	return !runsAsTool(ctx);
}

/** The path of a plain reference to the current item's JSON, or undefined for anything else. */
export function itemPath(raw: unknown): Array<string | number> | undefined {
	if (typeof raw !== 'string') return undefined;
	const match = /^=\{\{\s*(?:\$json|\$input\s*\.\s*item\s*\.\s*json)(.*?)\s*\}\}$/su.exec(raw);
	if (!match) return undefined;
	const path: Array<string | number> = [];
	let rest = match[1];
	while (rest !== '') {
		const step = STEP.exec(rest);
		if (!step) return undefined;
		const [whole, identifier, doubleQuoted, singleQuoted, index] = step;
		if (identifier !== undefined) path.push(identifier);
		else if (index !== undefined) path.push(Number(index));
		else path.push(doubleQuoted ?? singleQuoted);
		rest = rest.slice(whole.length);
	}
	return path.length > 0 && path.every(isPlainKey) ? path : undefined;
}

/**
 * Names n8n's expression sandbox refuses or treats specially (prototype access, Node
 * internals), and braces, which n8n's template splitting reads before the key: left to n8n.
 */
const GUARDED_KEYS = new Set([
	'prototype',
	'constructor',
	'getPrototypeOf',
	'setPrototypeOf',
	'getOwnPropertyDescriptor',
	'getOwnPropertyDescriptors',
	'defineProperty',
	'defineProperties',
	'mainModule',
	'binding',
	'prepareStackTrace',
	'caller',
	'callee',
	'arguments',
	'getBuiltinModule',
	'dlopen',
	'execve',
	'loadEnvFile',
]);

function isPlainKey(key: string | number): boolean {
	if (typeof key === 'number') return true;
	return !GUARDED_KEYS.has(key) && !key.startsWith('_') && !key.includes('{') && !key.includes('}');
}

/**
 * One step of a path: `.name`, `["text"]`, `['text']` or `[0]`. Quoted names with a backslash
 * are left to n8n (escape sequences), as are computed keys and anything that calls something,
 * and quoted names holding a line break (\n, \r, U+2028, U+2029), which n8n's expression
 * parser refuses.
 */
const STEP =
	/^\s*(?:\.\s*([\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*)|\[\s*(?:"([^"\\\n\r\u2028\u2029]*)"|'([^'\\\n\r\u2028\u2029]*)'|(0|[1-9]\d{0,8}))\s*\])/u;

export const NOT_READ = Symbol('not read');

/**
 * The value at `path` in `json`, as JavaScript reads it there, or NOT_READ when reading it
 * takes more than plain data: a step through something that is not a plain object or array
 * (n8n then reports its own error), or a name the object inherits (`constructor`).
 */
export function readPath(json: IDataObject, path: Array<string | number>): unknown {
	let value: unknown = json;
	for (const key of path) {
		if (value === null || typeof value !== 'object') return NOT_READ;
		const container = value as Record<string | number, unknown>;
		if (Object.prototype.hasOwnProperty.call(container, key)) value = container[key];
		else if (key in container) return NOT_READ;
		else value = undefined;
	}
	if (typeof value === 'function') return NOT_READ;
	return value;
}

/** Reads one parameter's value for an item. */
export type ItemValue = (item: INodeExecutionData, itemIndex: number) => unknown;

/**
 * Decides once how a parameter is read per item, from its unevaluated value `raw`: a constant
 * is the same for every item; a plain reference is read from the item where `readItems` (see
 * itemsAreJson); anything else is `evaluate`d by n8n for that item (also when a reference
 * meets data it cannot simply read).
 */
export function itemValue(
	raw: unknown,
	constant: () => unknown,
	evaluate: (itemIndex: number) => unknown,
	readItems: boolean,
): ItemValue {
	if (!isExpression(raw)) {
		const value = constant();
		return () => value;
	}
	const path = readItems ? itemPath(raw) : undefined;
	if (!path) return (_item, itemIndex) => evaluate(itemIndex);
	return (item, itemIndex) => {
		const value = readPath(item.json, path);
		return value === NOT_READ ? evaluate(itemIndex) : value;
	};
}

export function isExpression(raw: unknown): boolean {
	return typeof raw === 'string' && raw.startsWith('=');
}

/** The unevaluated value of a node parameter, as stored in the workflow. */
export function rawParameter(ctx: IExecuteFunctions, name: string, fallback: unknown): unknown {
	return ctx.getNodeParameter(name, 0, fallback, { rawExpressions: true });
}

/**
 * Whether a Fixed (non-expression) value holds `{{ … }}`: typed into a box the editor left in
 * Fixed mode, it would be sent as written (a last name "{{ $json.surname }}").
 */
export function isFixedWithBraces(raw: unknown): raw is string {
	return typeof raw === 'string' && !isExpression(raw) && /\{\{[\s\S]*\}\}/.test(raw);
}
