import type { IDataObject } from 'n8n-workflow';

import { COUNTRY_CODES, GENDERS, PARTICIPANT_FIELDS, STATES } from './fields';

/**
 * Checks one participant against the documented rules before anything is sent, and
 * normalizes what is unambiguous: trims text, turns whole numbers into text for ids,
 * bibs and chip codes, pads short chip codes of digits with zeros, turns "12" into 12 for race_id,
 * upper-cases country codes and lower-cases gender and state.
 */

export interface FieldProblem {
	field: string;
	message: string;
}

export type ParticipantCheck =
	| { valid: true; participant: IDataObject }
	| { valid: false; problems: FieldProblem[] };

const MAX_LENGTH = 100;
const CHIP_CODE_LENGTH = 7;
/** Laravel's alpha_dash: letters and digits of any script, plus - and _. */
const ALPHA_DASH = /^[\p{L}\p{M}\p{N}_-]+$/u;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

class Problem extends Error {}

/** The problem of a required field left empty. */
export const REQUIRED = 'is required';

function isBlank(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

function describeType(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Code points, as the server counts them, not UTF-16 units. */
function length(text: string): number {
	return Array.from(text).length;
}

/** Which numbers a text field takes, written as text: none, whole numbers, or only those ≥ 0. */
type NumbersAccepted = 'none' | 'whole' | 'natural';

function text(value: unknown, numbers: NumbersAccepted): string {
	if (typeof value === 'string') return value.trim();
	const accepted =
		typeof value === 'number' &&
		Number.isSafeInteger(value) &&
		(numbers === 'whole' || (numbers === 'natural' && value >= 0));
	if (accepted) return String(value);
	throw new Problem(
		numbers === 'none'
			? `must be text, not ${describeType(value)}`
			: `must be text or a whole number${numbers === 'natural' ? ' of 0 or more' : ''}, not ${describeType(value)}${typeof value === 'number' ? ` (${value})` : ''}`,
	);
}

function limited(value: string): string {
	const n = length(value);
	if (n > MAX_LENGTH) throw new Problem(`must be at most ${MAX_LENGTH} characters (got ${n})`);
	return value;
}

function alphaDash(value: unknown): string {
	const result = limited(text(value, 'whole'));
	if (!ALPHA_DASH.test(result)) {
		throw new Problem('may only contain letters, digits, "-" and "_"');
	}
	return result;
}

function name(value: unknown): string {
	return limited(text(value, 'none'));
}

function dateOfBirth(value: unknown): string {
	const result = text(value, 'none');
	const match = ISO_DATE.exec(result);
	if (!match) throw new Problem(`must be a date written YYYY-MM-DD (got "${result.slice(0, 40)}")`);
	const [year, month, day] = match.slice(1).map(Number);
	// setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day
	) {
		throw new Problem(`is not a real date (got "${result}")`);
	}
	return result;
}

function raceId(value: unknown): number {
	if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
	// Laravel's integer rule (PHP's FILTER_VALIDATE_INT) also takes a leading plus sign
	if (typeof value === 'string' && /^\+?\d+$/.test(value.trim())) {
		const parsed = Number(value.trim());
		if (Number.isSafeInteger(parsed) && parsed > 0) return parsed;
	}
	// beyond 2^53 a number no longer names one race: refused, not rounded
	const range = `a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`;
	throw new Problem(
		typeof value === 'string'
			? `must be ${range} (got "${value.slice(0, 40)}")`
			: typeof value === 'number'
				? `must be ${range} (got ${String(value)})`
				: `must be ${range}, not ${describeType(value)}`,
	);
}

/**
 * Codes of digits only are what a spreadsheet turns into numbers, losing leading zeros:
 * those are padded back to 7. Any other code is sent as it is and must have exactly 7
 * characters; `AB12` is not made into `000AB12`. A code of only zeros shorter than 7 (`0`,
 * often a blank cell read as 0) is refused rather than sent as `0000000` for everyone.
 */
function chipCode(value: unknown): string {
	const result = text(value, 'natural');
	const n = length(result);
	if (/^[0-9]+$/.test(result) && n < CHIP_CODE_LENGTH) {
		if (/^0+$/.test(result)) {
			throw new Problem(
				`must be exactly ${CHIP_CODE_LENGTH} characters; "${result}" would be padded to ${'0'.repeat(CHIP_CODE_LENGTH)}, which looks like an empty cell read as 0`,
			);
		}
		return result.padStart(CHIP_CODE_LENGTH, '0');
	}
	if (n !== CHIP_CODE_LENGTH) {
		throw new Problem(
			`must be exactly ${CHIP_CODE_LENGTH} characters (got ${n}); only codes of digits are padded with zeros`,
		);
	}
	return result;
}

function countryCode(value: unknown): string {
	const result = text(value, 'none').toUpperCase();
	if (!COUNTRY_CODES.has(result)) {
		throw new Problem(
			`must be an ISO 3166-1 two-letter country code such as NL (got "${result.slice(0, 40)}")`,
		);
	}
	return result;
}

function oneOf(allowed: readonly string[]) {
	return (value: unknown): string => {
		const given = text(value, 'none');
		const result = given.toLowerCase();
		if (!allowed.includes(result)) {
			throw new Problem(`must be one of ${allowed.join(', ')} (got "${given.slice(0, 40)}")`);
		}
		return result;
	};
}

const NORMALIZERS: Record<string, (value: unknown) => unknown> = {
	unique_id: alphaDash,
	first_name: name,
	last_name: name,
	date_of_birth: dateOfBirth,
	race_id: raceId,
	start_number: alphaDash,
	chip_code: chipCode,
	country_code: countryCode,
	team_name: name,
	gender: oneOf(GENDERS),
	state: oneOf(STATES),
};

/**
 * An empty field (null, missing, blank text) is never sent: an empty cell is not a request
 * to clear what Tracx holds, and Tracx keeps the stored value of a field left out. Required
 * fields must not be empty.
 */
export function validateParticipant(input: IDataObject): ParticipantCheck {
	const participant: IDataObject = {};
	const problems: FieldProblem[] = [];
	for (const field of PARTICIPANT_FIELDS) {
		const value = input[field.id];
		if (isBlank(value)) {
			if (field.required) problems.push({ field: field.id, message: REQUIRED });
			continue;
		}
		try {
			participant[field.id] = NORMALIZERS[field.id](value) as IDataObject[string];
		} catch (problem) {
			problems.push({ field: field.id, message: (problem as Error).message });
		}
	}
	return problems.length > 0 ? { valid: false, problems } : { valid: true, participant };
}

export function formatProblems(problems: FieldProblem[]): string {
	return problems.map((p) => `"${p.field}" ${p.message}`).join('; ');
}
