import { PARTICIPANT_FIELDS } from '../../nodes/Tracx/actions/participant/fields';
import {
	formatProblems,
	validateParticipant,
} from '../../nodes/Tracx/actions/participant/validate';

const valid = {
	unique_id: 'REG-0001_a',
	first_name: 'Anna',
	last_name: 'de Vries',
	date_of_birth: '1990-02-28',
	race_id: 12,
	start_number: '101',
	chip_code: 'ABC1234',
};

function problemsOf(change: Record<string, unknown>) {
	const check = validateParticipant({ ...valid, ...change } as never);
	return check.valid ? [] : check.problems;
}

function onlyProblem(change: Record<string, unknown>) {
	const problems = problemsOf(change);
	expect(problems).toHaveLength(1);
	return problems[0];
}

describe('participant validation', () => {
	it('accepts a complete participant and sends exactly the documented fields', () => {
		const check = validateParticipant({
			...valid,
			country_code: 'nl',
			team_name: 'Team Zuid',
			gender: 'Female',
			state: 'did_not_start',
			ignored_column: 'x',
		});
		expect(check).toEqual({
			valid: true,
			participant: {
				...valid,
				country_code: 'NL',
				team_name: 'Team Zuid',
				gender: 'female',
				state: 'did_not_start',
			},
		});
	});

	it.each([
		'unique_id',
		'first_name',
		'last_name',
		'date_of_birth',
		'race_id',
		'start_number',
		'chip_code',
	])('requires %s (missing, null, empty or blank)', (field) => {
		for (const value of [undefined, null, '', '   ']) {
			expect(onlyProblem({ [field]: value })).toEqual({ field, message: 'is required' });
		}
	});

	it('marks exactly the documented required fields as required', () => {
		expect(PARTICIPANT_FIELDS.filter((f) => f.required).map((f) => f.id)).toEqual([
			'unique_id',
			'first_name',
			'last_name',
			'date_of_birth',
			'race_id',
			'start_number',
			'chip_code',
		]);
		expect(PARTICIPANT_FIELDS.map((f) => f.id)).toEqual(
			expect.arrayContaining(['country_code', 'team_name', 'gender', 'state']),
		);
	});

	it.each(['unique_id', 'start_number'])('allows only letters, digits, - and _ in %s', (field) => {
		for (const bad of ['a b', 'a.b', 'a/b', 'a+b', '#1', 'a@b', '😀']) {
			expect(onlyProblem({ [field]: bad })).toEqual({
				field,
				message: expect.stringContaining('letters'),
			});
		}
		// the API validates with Laravel's alpha_dash, which takes letters of any script
		for (const good of ['Az09-_', 'José-1', 'Ørsted_2', 'Müller'])
			expect(problemsOf({ [field]: good })).toEqual([]);
		expect(problemsOf({ [field]: 42 })).toEqual([]);
	});

	it.each(['unique_id', 'first_name', 'last_name', 'start_number', 'team_name'])(
		'limits %s to 100 characters',
		(field) => {
			expect(problemsOf({ [field]: 'a'.repeat(100) })).toEqual([]);
			expect(onlyProblem({ [field]: 'a'.repeat(101) })).toEqual({
				field,
				message: 'must be at most 100 characters (got 101)',
			});
		},
	);

	it('counts characters, not UTF-16 units', () => {
		expect(problemsOf({ first_name: '😀'.repeat(100) })).toEqual([]);
		expect(onlyProblem({ last_name: 'é'.repeat(101) }).message).toContain('got 101');
	});

	it('rejects numbers, booleans, objects and lists in text fields', () => {
		expect(onlyProblem({ first_name: 12 })).toEqual({
			field: 'first_name',
			message: 'must be text, not a number',
		});
		expect(onlyProblem({ last_name: true }).message).toBe('must be text, not a boolean');
		expect(onlyProblem({ team_name: { a: 1 } }).message).toBe('must be text, not an object');
		expect(onlyProblem({ unique_id: ['a'] }).message).toBe(
			'must be text or a whole number, not a list',
		);
		expect(onlyProblem({ start_number: 1.5 }).message).toBe(
			'must be text or a whole number, not a number (1.5)',
		);
		expect(onlyProblem({ chip_code: -5 }).message).toBe(
			'must be text or a whole number of 0 or more, not a number (-5)',
		);
	});

	it.each([
		['2023-02-29', 'is not a real date'],
		['2023-02-30', 'is not a real date'],
		['2024-13-01', 'is not a real date'],
		['2024-04-31', 'is not a real date'],
		['1990-1-5', 'YYYY-MM-DD'],
		['05-01-1990', 'YYYY-MM-DD'],
		['1990-05-01T00:00:00Z', 'YYYY-MM-DD'],
	])('rejects the date of birth %s', (value, message) => {
		expect(onlyProblem({ date_of_birth: value })).toEqual({
			field: 'date_of_birth',
			message: expect.stringContaining(message),
		});
	});

	it('accepts leap days in leap years', () => {
		expect(problemsOf({ date_of_birth: '2024-02-29' })).toEqual([]);
		expect(problemsOf({ date_of_birth: '2000-02-29' })).toEqual([]);
	});

	it('takes race_id as a whole number, also when written as text', () => {
		const check = validateParticipant({ ...valid, race_id: ' 34 ' });
		expect(check.valid && check.participant.race_id).toBe(34);
		for (const bad of ['12a', '1.5', '-3', 0, 2.5, 'twelve']) {
			expect(onlyProblem({ race_id: bad }).field).toBe('race_id');
		}
	});

	it.each([
		['9007199254740993', '(got "9007199254740993")'],
		['1234567890123456789012', '(got "1234567890123456789012")'],
		[2 ** 53, '(got 9007199254740992)'],
		[1e21, '(got 1e+21)'],
	])(
		'refuses the race_id %s, which is beyond safe integers, instead of rounding it',
		(raceId, got) => {
			expect(onlyProblem({ race_id: raceId })).toEqual({
				field: 'race_id',
				message: `must be a whole number from 1 to 9007199254740991 ${got}`,
			});
		},
	);

	it('pads chip codes of digits only, as text or as a number, to 7 characters', () => {
		for (const [given, sent] of [
			['1', '0000001'],
			[' 42 ', '0000042'],
			[4567, '0004567'],
			['000123', '0000123'],
			[1234567, '1234567'],
			['0000000', '0000000'],
		] as const) {
			const check = validateParticipant({ ...valid, chip_code: given });
			expect([given, check.valid && check.participant.chip_code]).toEqual([given, sent]);
		}
	});

	it.each([
		['AB12', 4],
		['12 45', 5],
		['a', 1],
		['🏃🏃', 2],
		['ABCDEFGH', 8],
		['12345678', 8],
		['🏃🏃🏃🏃🏃🏃🏃🏃', 8],
	])(
		'refuses the chip code %s: only codes of digits are padded, others need 7 characters',
		(code, n) => {
			expect(onlyProblem({ chip_code: code })).toEqual({
				field: 'chip_code',
				message: `must be exactly 7 characters (got ${n}); only codes of digits are padded with zeros`,
			});
		},
	);

	it('takes any other code of exactly 7 characters as it is, counting characters, not UTF-16 units', () => {
		for (const code of [
			'ABC1234',
			'abc-_12',
			'🏃🏃🏃🏃🏃🏃🏃',
			'e\u0301e\u0301e\u0301e',
			'12 4567',
		]) {
			const check = validateParticipant({ ...valid, chip_code: code });
			expect([code, check.valid && check.participant.chip_code]).toEqual([code, code]);
		}
	});

	it.each([['0'], ['000'], [0]])(
		'refuses the chip code %p rather than padding it to 0000000 (a blank cell read as 0)',
		(code) => {
			expect(onlyProblem({ chip_code: code })).toEqual({
				field: 'chip_code',
				message: `must be exactly 7 characters; "${String(code)}" would be padded to 0000000, which looks like an empty cell read as 0`,
			});
		},
	);

	it('checks ISO country codes, case-insensitively', () => {
		expect(problemsOf({ country_code: 'be' })).toEqual([]);
		for (const bad of ['XX', 'NLD', 'N', 'Netherlands']) {
			expect(onlyProblem({ country_code: bad }).field).toBe('country_code');
		}
	});

	it('checks gender and state against the documented values', () => {
		for (const gender of ['male', 'female', 'neutral']) expect(problemsOf({ gender })).toEqual([]);
		expect(onlyProblem({ gender: 'other' }).message).toBe(
			'must be one of male, female, neutral (got "other")',
		);
		for (const state of [
			'before',
			'during',
			'paused',
			'resumed',
			'after',
			'finished',
			'did_not_finish',
			'disqualified',
			'did_not_start',
		]) {
			expect(problemsOf({ state })).toEqual([]);
		}
		expect(onlyProblem({ state: 'dnf' }).field).toBe('state');
	});

	it.each([null, undefined, '', '  \t'])(
		'leaves out every optional field that is empty (%j): Tracx keeps what it holds',
		(empty) => {
			const check = validateParticipant({
				...valid,
				country_code: empty,
				team_name: empty,
				gender: empty,
				state: empty,
			});
			expect(check.valid && check.participant).toEqual(valid);
		},
	);

	it('quotes the gender or state as given, not lower-cased', () => {
		expect(onlyProblem({ gender: 'F' }).message).toBe(
			'must be one of male, female, neutral (got "F")',
		);
		expect(onlyProblem({ state: ' DNF ' }).message).toContain('(got "DNF")');
	});

	it('reports every problem of an item at once, naming each field', () => {
		const check = validateParticipant({ unique_id: 'a b', chip_code: '123456789', race_id: 'x' });
		expect(check.valid).toBe(false);
		const problems = check.valid ? [] : check.problems;
		expect(problems.map((p) => p.field)).toEqual([
			'unique_id',
			'first_name',
			'last_name',
			'date_of_birth',
			'race_id',
			'start_number',
			'chip_code',
		]);
		expect(formatProblems(problems)).toContain('"chip_code" must be exactly 7 characters (got 9)');
	});
});
