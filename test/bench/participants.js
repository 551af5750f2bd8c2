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

/** The seeded event the bulk runs import into; races 1 and 2 belong to it. */
const EVENT_ID = 1;

module.exports = { makeParticipants, EVENT_ID };
