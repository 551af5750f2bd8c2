import type { ResourceMapperField, ResourceMapperValue } from 'n8n-workflow';

/**
 * What n8n's editor does to a resource-mapper parameter when its node is opened: the
 * ResourceMapper component's onMounted, as n8n-editor-ui 1.123.81 and 2.40.7 ship it.
 *
 * - The stored value is laid over the editor's own starting value (which holds
 *   `attemptToConvertTypes` and `convertFieldsToString`, both false).
 * - With an empty `schema` it fetches the fields (our getParticipantFields). A field not in
 *   `value` (when `value` is not null) gets `removed: false`; the fields become the schema.
 * - Empty `matchingColumns` become the fields marked `defaultMatch` (unique_id), which are
 *   marked `removed: false`.
 * - An empty or null `value` is filled with every field set to null, and nulls are pruned:
 *   it stays `{}`.
 * - With a schema already there it only compares it with the fetched fields (a notice when
 *   they differ) and changes nothing.
 *
 * Every change is written back into the node: the node counts as edited ("Node parameters
 * have changed") although the user changed nothing. A mapper stored as this function
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
	if (!state.matchingColumns || state.matchingColumns.length === 0) {
		state.matchingColumns =
			state.schema.length === 1
				? [state.schema[0].id]
				: state.schema.filter((field) => field.defaultMatch).map((field) => field.id);
		for (const field of state.schema) {
			if (state.matchingColumns.includes(field.id)) field.removed = false;
		}
	}
	const value = state.value ?? {};
	state.value = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
	return state;
}
