import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/**
 * Canvas subtitles that show what a user picked by its name ("Get Many: Event", "Race
 * Created"), not by its stored value ("getAll: event"). n8n evaluates the subtitle as an
 * expression in the editor, so the names are written into it as a lookup table.
 */

function lookup(keyExpression: string, names: Record<string, string>): string {
	// parenthesised, or the object literal would read as a block; no "}}" can occur in it
	return `={{ (${JSON.stringify(names)})[${keyExpression}] || "" }}`;
}

function optionsOf(property: INodeProperties): INodePropertyOptions[] {
	return (property.options ?? []) as INodePropertyOptions[];
}

/**
 * Shorter names for operations whose full name would not fit: the canvas cuts a subtitle
 * at about 200 pixels ("Create or Update Many: Parti…"). "Upsert" is the word n8n's own
 * nodes store for Create or Update.
 */
const SHORT_OPERATION_NAMES: Record<string, string> = {
	'Create or Update': 'Upsert',
	'Create or Update Many': 'Upsert Many',
};

/**
 * The chosen operation and resource by their names, in n8n's order for built-in nodes
 * ("Get Many: Event" where they show "getAll: event").
 */
export function actionSubtitle(properties: INodeProperties[]): string {
	const resources = properties.find((property) => property.name === 'resource');
	const resourceNames = new Map(
		(resources ? optionsOf(resources) : []).map((option) => [String(option.value), option.name]),
	);
	const names: Record<string, string> = {};
	for (const property of properties) {
		if (property.name !== 'operation') continue;
		for (const resource of (property.displayOptions?.show?.resource ?? []) as string[]) {
			for (const option of optionsOf(property)) {
				names[`${resource}:${String(option.value)}`] =
					`${SHORT_OPERATION_NAMES[option.name] ?? option.name}: ${resourceNames.get(resource) ?? resource}`;
			}
		}
	}
	return lookup('$parameter["resource"] + ":" + $parameter["operation"]', names);
}

/** The name of the chosen option of one parameter. */
export function optionSubtitle(property: INodeProperties): string {
	const names = Object.fromEntries(
		optionsOf(property).map((option) => [String(option.value), option.name]),
	);
	return lookup(`$parameter[${JSON.stringify(property.name)}]`, names);
}
