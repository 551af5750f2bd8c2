'use strict';

/**
 * Participant validation, written from the field table of TRACX-CONNECT-API.md (this folder)
 * and the Laravel vocabulary it uses (alpha_dash, max, size, in). It is deliberately
 * independent of the node's own validator so tests can compare the two.
 *
 * Laravel semantics reproduced here, and the decisions where the docs are silent:
 * - `required` fails on a missing key, null, a whitespace-only string and an empty array or
 *   object. After a `required` failure no other rule of that field runs (as in Laravel).
 * - All other rules of a field run even when an earlier one failed (no `bail`), so a field can
 *   collect several messages, e.g. chip_code 12 → "must be a string" and "must be 7 characters".
 * - `string` (first_name, last_name, chip_code, team_name, country_code) rejects numbers,
 *   exactly like Laravel's rule: `"chip_code": 1234567` is invalid.
 * - `alpha_dash` (unique_id, start_number) accepts strings and numbers (Laravel checks
 *   `is_numeric` values as text), so `"start_number": 12` is valid and stored as "12". It uses
 *   Laravel's default Unicode classes: letters and marks (`é` is fine), digits, `-` and `_`.
 * - Lengths count Unicode code points (Laravel's mb_strlen); numbers are measured as text.
 * - `integer` (race_id) follows PHP's FILTER_VALIDATE_INT like Laravel: integer numbers and
 *   integer strings ("12", " 12 ", "+12", "-3") pass; "012", "12.5", "1e3" and booleans fail.
 *   The existence check only runs once the value is an integer.
 * - date_of_birth is Laravel's `date_format:Y-m-d`: four-digit year, two-digit month and day,
 *   and a real calendar day (2023-02-30 fails, 2024-02-29 passes).
 * - gender and state are case-sensitive `in` lists; country_code is case-insensitive.
 * - Optional fields given as "" or whitespace pass and are stored as null. Only team_name is
 *   nullable: null for country_code, gender or state is rejected, as a Laravel rule set
 *   without `nullable` would.
 * - Unknown fields are ignored and not stored.
 */
const { COUNTRY_CODES } = require('./countries');

const GENDERS = ['male', 'female', 'neutral'];
const STATES = [
	'before',
	'during',
	'paused',
	'resumed',
	'after',
	'finished',
	'did_not_finish',
	'disqualified',
	'did_not_start',
];
const COUNTRY_SET = new Set(COUNTRY_CODES);
const GENDER_SET = new Set(GENDERS);
const STATE_SET = new Set(STATES);

// PHP's FILTER_VALIDATE_INT trims these characters before parsing.
const PHP_INTEGER = /^[ \t\r\n\v]*[+-]?(?:0|[1-9][0-9]*)[ \t\r\n\v]*$/;
const ALPHA_DASH = /^[\p{L}\p{M}\p{N}_-]+$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Laravel's `integer` rule (PHP FILTER_VALIDATE_INT within the JS safe-integer range). */
function isLaravelInteger(value) {
	if (typeof value === 'number') return Number.isSafeInteger(value);
	return (
		typeof value === 'string' && PHP_INTEGER.test(value) && Number.isSafeInteger(Number(value))
	);
}

function isBlank(value) {
	return typeof value === 'string' && value.trim() === '';
}

function isMissing(value) {
	if (value === undefined || value === null || isBlank(value)) return true;
	if (Array.isArray(value)) return value.length === 0;
	return typeof value === 'object' && Object.keys(value).length === 0;
}

function textLength(value) {
	if (typeof value === 'string') return [...value].length;
	return typeof value === 'number' ? String(value).length : null;
}

function isRealDate(value) {
	const match = typeof value === 'string' ? DATE.exec(value) : null;
	if (!match) return false;
	const [year, month, day] = match.slice(1).map(Number);
	if (month < 1 || month > 12 || day < 1) return false;
	const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
	const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
	return day <= days;
}

// Each rule returns null when the value passes, otherwise a message for `attr` (the
// attribute name as Laravel displays it).
const rules = {
	string: (v, attr) => (typeof v === 'string' ? null : `The ${attr} field must be a string.`),
	max: (limit) => (v, attr) => {
		const length = textLength(v);
		return length === null || length <= limit
			? null
			: `The ${attr} field must not be greater than ${limit} characters.`;
	},
	size: (exact) => (v, attr) => {
		const length = textLength(v);
		return length === null || length === exact
			? null
			: `The ${attr} field must be ${exact} characters.`;
	},
	alphaDash: (v, attr) =>
		(typeof v === 'string' || typeof v === 'number') && ALPHA_DASH.test(String(v))
			? null
			: `The ${attr} field must only contain letters, numbers, dashes, and underscores.`,
	dateFormat: (v, attr) =>
		isRealDate(v) ? null : `The ${attr} field must match the format Y-m-d.`,
	integer: (v, attr) => (isLaravelInteger(v) ? null : `The ${attr} field must be an integer.`),
	inSet: (set, fold) => (v, attr) =>
		(typeof v === 'string' || typeof v === 'number') && set.has(fold(String(v)))
			? null
			: `The selected ${attr} is invalid.`,
};

const same = (s) => s;
const upper = (s) => s.toUpperCase();

/** Field order is the order Laravel reports errors in (the order the rules are declared). */
const FIELDS = [
	{ name: 'unique_id', required: true, checks: [rules.alphaDash, rules.max(100)] },
	{ name: 'first_name', required: true, checks: [rules.string, rules.max(100)] },
	{ name: 'last_name', required: true, checks: [rules.string, rules.max(100)] },
	{ name: 'date_of_birth', required: true, checks: [rules.dateFormat] },
	{ name: 'race_id', required: true, checks: [rules.integer] },
	{ name: 'start_number', required: true, checks: [rules.alphaDash, rules.max(100)] },
	{ name: 'chip_code', required: true, checks: [rules.string, rules.size(7)] },
	{ name: 'country_code', checks: [rules.string, rules.inSet(COUNTRY_SET, upper)] },
	{ name: 'team_name', nullable: true, checks: [rules.string, rules.max(100)] },
	{ name: 'gender', checks: [rules.inSet(GENDER_SET, same)] },
	{ name: 'state', checks: [rules.inSet(STATE_SET, same)] },
];
const FIELD_NAMES = FIELDS.map((field) => field.name);

/** Laravel shows `race_id` as "race id", but wildcard keys such as `0.race_id` verbatim. */
function displayName(key, isListItem) {
	return isListItem ? key : key.replace(/_/g, ' ');
}

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Validates one participant. `prefix` is '' for the single endpoint and '3.' for element 3 of
 * a bulk body. `raceExists(id)` decides the `exists` rule (the bulk endpoint also requires the
 * race to belong to the event of the URL). Returns `{ errors, value }`: errors keyed by
 * attribute (empty when valid) and the normalised fields that were given.
 */
function checkParticipant(input, { prefix = '', raceExists = () => true } = {}) {
	// A body that is not an object has no fields, so every required rule fails (as in Laravel).
	const data = isPlainObject(input) ? input : {};
	const errors = {};
	const value = {};
	for (const field of FIELDS) {
		const key = `${prefix}${field.name}`;
		const attr = displayName(key, prefix !== '');
		const present = Object.prototype.hasOwnProperty.call(data, field.name);
		const raw = present ? data[field.name] : undefined;
		let messages = [];
		if (field.required) {
			if (isMissing(raw)) messages = [`The ${attr} field is required.`];
		} else if (!present) {
			continue;
		} else if (isBlank(raw) || (raw === null && field.nullable)) {
			value[field.name] = null;
			continue;
		}
		if (messages.length === 0) {
			messages = field.checks.map((check) => check(raw, attr)).filter(Boolean);
		}
		if (messages.length === 0 && field.name === 'race_id' && !raceExists(Number(raw))) {
			messages = [`The selected ${attr} is invalid.`];
		}
		if (messages.length > 0) errors[key] = messages;
		else value[field.name] = normalise(field.name, raw);
	}
	return { errors, value };
}

function normalise(name, raw) {
	if (name === 'race_id') return Number(raw);
	// alpha_dash fields may arrive as numbers; the API stores them as text.
	if (name === 'unique_id' || name === 'start_number') return String(raw);
	return raw;
}

/** Single endpoint: `{ valid, errors, value }`. */
function validateParticipant(input, options = {}) {
	const { errors, value } = checkParticipant(input, { raceExists: options.raceExists });
	return { valid: Object.keys(errors).length === 0, errors, value };
}

/**
 * Bulk endpoint: every element is validated; errors are keyed `"<index>.<field>"` and ordered
 * field by field (all `*.unique_id` first), which is how Laravel expands wildcard rules.
 * Returns `{ valid, errors, values }`.
 */
function validateParticipantList(list, options = {}) {
	const perField = new Map(FIELD_NAMES.map((name) => [name, []]));
	const values = list.map((item, index) => {
		const { errors, value } = checkParticipant(item, {
			prefix: `${index}.`,
			raceExists: options.raceExists,
		});
		for (const [key, messages] of Object.entries(errors)) {
			perField.get(key.slice(key.indexOf('.') + 1)).push([key, messages]);
		}
		return value;
	});
	const errors = Object.fromEntries([...perField.values()].flat());
	return { valid: Object.keys(errors).length === 0, errors, values };
}

/** Laravel's ValidationException::summarize: first message plus "(and N more errors)". */
function summarize(errors) {
	const messages = Object.values(errors).flat();
	if (messages.length === 0) return 'The given data was invalid.';
	const rest = messages.length - 1;
	if (rest === 0) return messages[0];
	return `${messages[0]} (and ${rest} more ${rest === 1 ? 'error' : 'errors'})`;
}

module.exports = {
	FIELD_NAMES,
	GENDERS,
	STATES,
	COUNTRY_CODES,
	isLaravelInteger,
	validateParticipant,
	validateParticipantList,
	summarize,
};
