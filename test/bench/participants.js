'use strict';

/**
 * The start list every bulk measurement imports. One generator for all of them: the plain
 * script calls it, and the n8n workflows embed its source in their Code node, so n8n, our
 * node and the bare API all see the same records. Every record is valid for both write
 * endpoints (the single endpoint needs start_number and a 7-character chip_code).
 */
function makeParticipants(count) {
	const genders = ['male', 'female', 'neutral'];
	const list = new Array(count);
	for (let i = 0; i < count; i++) {
		list[i] = {
			unique_id: `BENCH-${i}`,
			first_name: `Runner${i}`,
			last_name: 'Bench',
			date_of_birth: `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
			race_id: 1 + (i % 2),
			start_number: String(1000 + i),
			chip_code: String(i).padStart(7, '0'),
			country_code: 'NL',
			gender: genders[i % 3],
		};
	}
	return list;
}

/**
 * The same start list as a registration export has it: its own column names (spaces,
 * Unicode), numbers where the export has numbers. What users map field by field.
 */
function makeOwnColumnRows(count) {
	const genders = ['Male', 'Female', 'Neutral'];
	const list = new Array(count);
	for (let i = 0; i < count; i++) {
		list[i] = {
			'Registration ID': `OWN-${i}`,
			'First name': `Läufer${i}`,
			'Last name': i % 7 === 0 ? 'van der Berg' : 'Bench',
			'Birth date': `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
			Race: 1 + (i % 2),
			Bib: 1000 + i,
			Chip: i + 1,
			Land: i % 5 === 0 ? 'de' : 'NL',
			Geschlecht: genders[i % 3],
			Équipe: i % 4 === 0 ? `Team ${i % 13}` : '',
		};
	}
	return list;
}

/** The same renaming in plain JavaScript, for a Code node in front of Map Automatically. */
function renameToFields(row) {
	return {
		unique_id: row['Registration ID'],
		first_name: row['First name'],
		last_name: row['Last name'],
		date_of_birth: row['Birth date'],
		race_id: row.Race,
		start_number: row.Bib,
		chip_code: row.Chip,
		country_code: row.Land,
		gender: row.Geschlecht,
		team_name: row['Équipe'],
	};
}

/**
 * Map Each Column Manually for those columns, as a user would fill it in: plain references, one
 * per field, in the ways the editor and people write them, and Race By ID from the Race column.
 */
const ownColumnMapping = {
	race: { __rl: true, mode: 'id', value: '={{ $json.Race }}' },
	participant: {
		mappingMode: 'defineBelow',
		value: {
			unique_id: '={{ $json["Registration ID"] }}',
			first_name: "={{ $json['First name'] }}",
			last_name: '={{ $json["Last name"] }}',
			date_of_birth: '={{ $json["Birth date"] }}',
			start_number: '={{ $json.Bib }}',
			chip_code: '={{ $input.item.json.Chip }}',
			country_code: '={{ $json.Land }}',
			gender: '={{ $json.Geschlecht }}',
			team_name: '={{ $json.Équipe }}',
		},
		matchingColumns: ['unique_id'],
		schema: [],
	},
};

/** The renaming Edit Fields (or a Code node) does before Map Automatically, per column. */
const ownColumnRenames = {
	unique_id: '={{ $json["Registration ID"] }}',
	first_name: "={{ $json['First name'] }}",
	last_name: '={{ $json["Last name"] }}',
	date_of_birth: '={{ $json["Birth date"] }}',
	race_id: '={{ $json.Race }}',
	start_number: '={{ $json.Bib }}',
	chip_code: '={{ $json.Chip }}',
	country_code: '={{ $json.Land }}',
	gender: '={{ $json.Geschlecht }}',
	team_name: '={{ $json.Équipe }}',
};

/** The seeded event the bulk runs import into; races 1 and 2 belong to it. */
const EVENT_ID = 1;

module.exports = {
	makeParticipants,
	makeOwnColumnRows,
	renameToFields,
	ownColumnMapping,
	ownColumnRenames,
	EVENT_ID,
};
