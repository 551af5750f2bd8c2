import type { ResourceMapperField, ResourceMapperValue } from 'n8n-workflow';

/**
 * What n8n's editor stores for a resource-mapper parameter when its node is opened: the
 * ResourceMapper component's onMounted, as n8n-editor-ui 1.123.81 and 2.40.7 ship it, and
 * checked by opening the examples in both editors in a browser.
 *
 * - The stored value is laid over the editor's own starting value (which holds
 *   `attemptToConvertTypes` and `convertFieldsToString`, both false).
 * - With an empty `schema` it fetches the fields (our getParticipantFields); a field not in
 *   a non-null `value` gets `removed: false`. The fields become the schema, and this is
 *   sent to the node.
 * - Only an empty or null `value` is then filled in, and sent again: by then the empty
 *   `matchingColumns` are the fields marked `defaultMatch` (unique_id, `removed: false`),
 *   and the value, all nulls pruned, is `{}`. A mapper with values keeps `matchingColumns`
 *   as they were.
 * - With a schema already there it only compares it with the fetched fields (a notice when
 *   they differ) and sends nothing.
 *
 * Whatever it sends counts as an edit of the node ("Node parameters have changed"; n8n 2.x
 * saves it at once) although the user changed nothing. A mapper stored as this function
 * returns it is left as it is.
 */
export function openedInEditor(
	stored: ResourceMapperValue,
	fetched: ResourceMapperField[],
): ResourceMapperValue {
	const start: ResourceMapperValue = {
		mappingMode: 'defineBelow',
		value: {},
		matchingColumns: [],
		schema: [],
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
	const state: ResourceMapperValue = { ...start, ...structuredClone(stored) };
	if (!state.schema) state.schema = [];
	if (state.schema.length > 0) return state;

	state.schema = structuredClone(fetched).map((field) =>
		state.value !== null && !(field.id in (state.value ?? {}))
			? { ...field, removed: false }
			: field,
	);
	// sending prunes null values
	if (state.value) {
		state.value = Object.fromEntries(Object.entries(state.value).filter(([, v]) => v !== null));
	}
	// What the editor stores is what it last sent: the matching columns it picks after the
	// fetch are sent only when an empty value is then filled in (Map Automatically).
	if (state.value && Object.keys(state.value).length > 0) return state;
	if (!state.matchingColumns || state.matchingColumns.length === 0) {
		state.matchingColumns =
			state.schema.length === 1
				? [state.schema[0].id]
				: state.schema.filter((field) => field.defaultMatch).map((field) => field.id);
		for (const field of state.schema) {
			if (state.matchingColumns.includes(field.id)) field.removed = false;
		}
	}
	state.value = {};
	return state;
}
