'use strict';

const {
	FIELD_NAMES,
	GENDERS,
	STATES,
	COUNTRY_CODES,
	isLaravelInteger,
	validateParticipant,
	validateParticipantList,
	summarize,
} = require('./rules');
const { participant } = require('./test-helpers');

const errorsOf = (input, options) => validateParticipant(input, options).errors;

describe('validateParticipant', () => {
	test('a complete valid participant passes and is normalised', () => {
		const input = participant({
			unique_id: 42,
			race_id: '1',
			start_number: 7,
			country_code: 'nl',
			team_name: null,
			gender: 'female',
			state: 'did_not_start',
			shoe_size: 44,
		});
		expect(validateParticipant(input)).toEqual({
			valid: true,
			errors: {},
			value: {
				unique_id: '42',
				first_name: 'Eva',
				last_name: 'Bakker',
				date_of_birth: '1992-06-30',
				race_id: 1,
				start_number: '7',
				chip_code: '0000501',
				country_code: 'nl',
				team_name: null,
				gender: 'female',
				state: 'did_not_start',
			},
		});
	});

	test('every required field is reported, in declaration order, for an empty body', () => {
		const errors = errorsOf({});
		expect(Object.keys(errors)).toEqual([
			'unique_id',
			'first_name',
			'last_name',
			'date_of_birth',
			'race_id',
			'start_number',
			'chip_code',
		]);
		expect(errors.date_of_birth).toEqual(['The date of birth field is required.']);
	});

	test.each([null, '', '   ', [], {}])(
		'required fails on %p and stops the other rules',
		(blank) => {
			expect(errorsOf(participant({ chip_code: blank }))).toEqual({
				chip_code: ['The chip code field is required.'],
			});
		},
	);

	test('a body that is not an object has no fields', () => {
		expect(Object.keys(errorsOf([participant()]))).toHaveLength(7);
		expect(Object.keys(errorsOf('text'))).toHaveLength(7);
	});

	describe('alpha_dash fields (unique_id, start_number)', () => {
		test.each(['abc', 'A-1_b', '007', 'Zoë-Ångström', '٣٤'])('%p passes', (value) => {
			expect(errorsOf(participant({ unique_id: value, start_number: value }))).toEqual({});
		});

		test.each(['a b', 'a.b', 'a/b', 'a+b', 'ab!', 1.5])('%p fails', (value) => {
			expect(errorsOf(participant({ start_number: value }))).toEqual({
				start_number: [
					'The start number field must only contain letters, numbers, dashes, and underscores.',
				],
			});
		});

		test('numbers pass, as Laravel checks numeric values as text', () => {
			expect(validateParticipant(participant({ unique_id: 12345 })).value.unique_id).toBe('12345');
		});

		test('booleans and objects fail', () => {
			expect(errorsOf(participant({ unique_id: true })).unique_id).toHaveLength(1);
			expect(errorsOf(participant({ unique_id: { a: 1 } })).unique_id).toHaveLength(1);
		});

		test('at most 100 characters; both rules run', () => {
			expect(errorsOf(participant({ unique_id: 'x'.repeat(100) }))).toEqual({});
			expect(errorsOf(participant({ unique_id: 'x'.repeat(101) }))).toEqual({
				unique_id: ['The unique id field must not be greater than 100 characters.'],
			});
			expect(errorsOf(participant({ unique_id: `${'x'.repeat(100)}!` })).unique_id).toEqual([
				'The unique id field must only contain letters, numbers, dashes, and underscores.',
				'The unique id field must not be greater than 100 characters.',
			]);
		});
	});

	describe('string fields', () => {
		test("numbers are rejected like Laravel's string rule", () => {
			expect(errorsOf(participant({ first_name: 12, last_name: false }))).toEqual({
				first_name: ['The first name field must be a string.'],
				last_name: ['The last name field must be a string.'],
			});
		});

		test('length counts code points, not UTF-16 units', () => {
			const emoji = '😀'.repeat(100); // 200 UTF-16 units
			expect(errorsOf(participant({ first_name: emoji }))).toEqual({});
			expect(errorsOf(participant({ first_name: `${emoji}a` }))).toEqual({
				first_name: ['The first name field must not be greater than 100 characters.'],
			});
		});

		test('any characters are allowed in names', () => {
			expect(
				errorsOf(participant({ first_name: "Jean-Luc O'Neil", last_name: 'van der Berg 3rd.' })),
			).toEqual({});
		});
	});

	describe('date_of_birth', () => {
		test.each(['2024-02-29', '2000-02-29', '1999-12-31', '1900-01-01'])('%p passes', (value) => {
			expect(errorsOf(participant({ date_of_birth: value }))).toEqual({});
		});

		test.each([
			'2023-02-30',
			'2023-02-29',
			'1900-02-29',
			'2023-04-31',
			'2023-13-01',
			'2023-00-10',
			'2023-01-00',
			'2023-1-05',
			'05-01-2023',
			'2023/01/05',
			'2023-01-05T00:00:00',
			' 2023-01-05',
			20230105,
		])('%p fails', (value) => {
			expect(errorsOf(participant({ date_of_birth: value }))).toEqual({
				date_of_birth: ['The date of birth field must match the format Y-m-d.'],
			});
		});
	});

	describe('race_id', () => {
		test.each([
			[12, 12],
			['12', 12],
			[' 12 ', 12],
			['+12', 12],
			['0', 0],
		])('%p is an integer', (value, expected) => {
			expect(validateParticipant(participant({ race_id: value })).value.race_id).toBe(expected);
		});

		test.each(['012', '12.5', 12.5, '1e3', 'abc', true, [1], '0x1A'])(
			'%p is not an integer',
			(value) => {
				expect(errorsOf(participant({ race_id: value }))).toEqual({
					race_id: ['The race id field must be an integer.'],
				});
			},
		);

		test('the existence check gets the integer and reports "selected … is invalid"', () => {
			const seen = [];
			const raceExists = (id) => {
				seen.push(id);
				return id === 1;
			};
			expect(errorsOf(participant({ race_id: '1' }), { raceExists })).toEqual({});
			expect(errorsOf(participant({ race_id: 99 }), { raceExists })).toEqual({
				race_id: ['The selected race id is invalid.'],
			});
			expect(seen).toEqual([1, 99]);
		});

		test('the existence check is skipped for non-integers', () => {
			const raceExists = jest.fn(() => false);
			errorsOf(participant({ race_id: 'abc' }), { raceExists });
			expect(raceExists).not.toHaveBeenCalled();
		});
	});

	describe('chip_code', () => {
		test('exactly 7 characters; the server does not pad', () => {
			expect(errorsOf(participant({ chip_code: 'ÄÖÜ1234' }))).toEqual({});
			expect(errorsOf(participant({ chip_code: '1' }))).toEqual({
				chip_code: ['The chip code field must be 7 characters.'],
			});
			expect(errorsOf(participant({ chip_code: '00000001' }))).toEqual({
				chip_code: ['The chip code field must be 7 characters.'],
			});
		});

		test('a number fails the string rule; its length is still checked', () => {
			expect(errorsOf(participant({ chip_code: 1234567 }))).toEqual({
				chip_code: ['The chip code field must be a string.'],
			});
			expect(errorsOf(participant({ chip_code: 1 }))).toEqual({
				chip_code: [
					'The chip code field must be a string.',
					'The chip code field must be 7 characters.',
				],
			});
		});
	});

	describe('country_code', () => {
		test('the list holds the 249 ISO 3166-1 alpha-2 codes', () => {
			expect(COUNTRY_CODES).toHaveLength(249);
			expect(new Set(COUNTRY_CODES).size).toBe(249);
			expect(COUNTRY_CODES.every((code) => /^[A-Z]{2}$/.test(code))).toBe(true);
			expect(COUNTRY_CODES).toEqual(
				expect.arrayContaining(['NL', 'DE', 'AX', 'BQ', 'SS', 'SX', 'CW', 'ZW']),
			);
		});

		test.each(['NL', 'nl', 'Nl', 'ss', 'ZW'])(
			'%p passes, in any case, and is stored as given',
			(code) => {
				expect(validateParticipant(participant({ country_code: code }))).toMatchObject({
					valid: true,
					value: { country_code: code },
				});
			},
		);

		test.each(['XX', 'UK', 'EU', 'XK', 'NLD', 'N', 'N1'])('%p fails', (code) => {
			expect(errorsOf(participant({ country_code: code }))).toEqual({
				country_code: ['The selected country code is invalid.'],
			});
		});

		test('null is rejected (not nullable); a number fails both rules', () => {
			expect(errorsOf(participant({ country_code: null })).country_code).toEqual([
				'The country code field must be a string.',
				'The selected country code is invalid.',
			]);
			expect(errorsOf(participant({ country_code: 31 })).country_code).toHaveLength(2);
		});
	});

	describe('optional fields', () => {
		test('absent optional fields are valid and not part of the value', () => {
			expect(validateParticipant(participant()).value).not.toHaveProperty('gender');
		});

		test('blank optional values pass and become null', () => {
			const result = validateParticipant(
				participant({ country_code: '', team_name: '  ', gender: '', state: ' ' }),
			);
			expect(result.valid).toBe(true);
			expect(result.value).toMatchObject({
				country_code: null,
				team_name: null,
				gender: null,
				state: null,
			});
		});

		test('team_name is nullable, at most 100 characters and a string', () => {
			expect(errorsOf(participant({ team_name: null }))).toEqual({});
			expect(errorsOf(participant({ team_name: 'T'.repeat(101) }))).toEqual({
				team_name: ['The team name field must not be greater than 100 characters.'],
			});
			expect(errorsOf(participant({ team_name: 7 }))).toEqual({
				team_name: ['The team name field must be a string.'],
			});
		});

		test.each(GENDERS)('gender %p passes', (gender) => {
			expect(errorsOf(participant({ gender }))).toEqual({});
		});

		test.each(['Male', 'MALE', 'other', 'm', null, 1])(
			'gender %p fails (case-sensitive, not nullable)',
			(gender) => {
				expect(errorsOf(participant({ gender }))).toEqual({
					gender: ['The selected gender is invalid.'],
				});
			},
		);

		test('all nine documented states pass', () => {
			expect(STATES).toHaveLength(9);
			for (const state of STATES) expect(errorsOf(participant({ state }))).toEqual({});
		});

		test.each(['started', 'Finished', 'dnf', null])('state %p fails', (state) => {
			expect(errorsOf(participant({ state }))).toEqual({
				state: ['The selected state is invalid.'],
			});
		});
	});
});

describe('validateParticipantList', () => {
	test('errors use Laravel array keys, verbatim attribute names and field-major order', () => {
		const result = validateParticipantList([
			participant({ chip_code: '1', gender: 'x' }),
			participant(),
			participant({ chip_code: 'abc', unique_id: 'a b' }),
		]);
		expect(result.valid).toBe(false);
		expect(result.errors).toEqual({
			'2.unique_id': [
				'The 2.unique_id field must only contain letters, numbers, dashes, and underscores.',
			],
			'0.chip_code': ['The 0.chip_code field must be 7 characters.'],
			'2.chip_code': ['The 2.chip_code field must be 7 characters.'],
			'0.gender': ['The selected 0.gender is invalid.'],
		});
		expect(Object.keys(result.errors)).toEqual([
			'2.unique_id',
			'0.chip_code',
			'2.chip_code',
			'0.gender',
		]);
	});

	test('the race check receives each integer race id', () => {
		const result = validateParticipantList(
			[participant({ race_id: 1 }), participant({ race_id: '3' })],
			{
				raceExists: (id) => id === 1,
			},
		);
		expect(result.errors).toEqual({ '1.race_id': ['The selected 1.race_id is invalid.'] });
	});

	test('a valid list returns one normalised value per element', () => {
		const result = validateParticipantList([
			participant({ unique_id: 1 }),
			participant({ unique_id: 'b', race_id: '2' }),
		]);
		expect(result.valid).toBe(true);
		expect(result.values.map((v) => [v.unique_id, v.race_id])).toEqual([
			['1', 1],
			['b', 2],
		]);
	});

	test('a non-object element is reported as missing every required field', () => {
		const { errors } = validateParticipantList([42]);
		expect(Object.keys(errors)).toHaveLength(7);
		expect(errors['0.unique_id']).toEqual(['The 0.unique_id field is required.']);
	});
});

describe('summarize', () => {
	test('follows Laravel: first message and a count of the rest', () => {
		expect(summarize({})).toBe('The given data was invalid.');
		expect(summarize({ a: ['One.'] })).toBe('One.');
		expect(summarize({ a: ['One.', 'Two.'] })).toBe('One. (and 1 more error)');
		expect(summarize({ a: ['One.'], b: ['Two.', 'Three.'] })).toBe('One. (and 2 more errors)');
	});

	test('the documented example message', () => {
		const { errors } = validateParticipant(
			participant({ chip_code: '12', gender: 'x', state: 'y' }),
		);
		expect(summarize(errors)).toBe('The chip code field must be 7 characters. (and 2 more errors)');
	});
});

describe('isLaravelInteger', () => {
	test.each([
		[0, true],
		[-3, true],
		['-3', true],
		['\t7\n', true],
		[Number.MAX_SAFE_INTEGER, true],
		[2 ** 53, false],
		['9007199254740993', false],
		['', false],
		['-', false],
		['1 2', false],
		[null, false],
		[undefined, false],
	])('%p → %p', (value, expected) => {
		expect(isLaravelInteger(value)).toBe(expected);
	});
});

test('FIELD_NAMES lists the eleven documented fields', () => {
	expect(FIELD_NAMES).toEqual([
		'unique_id',
		'first_name',
		'last_name',
		'date_of_birth',
		'race_id',
		'start_number',
		'chip_code',
		'country_code',
		'team_name',
		'gender',
		'state',
	]);
});
