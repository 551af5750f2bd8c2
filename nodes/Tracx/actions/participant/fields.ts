/**
 * The participant fields both write endpoints accept, in the documented order.
 * The resource mapper, the validator and the fields table in docs/operations.md all derive from this list.
 */

/** An allowed value as the API takes it, and the name the editor shows for it. */
export interface FieldOption {
	name: string;
	value: string;
}

export const GENDER_OPTIONS: readonly FieldOption[] = [
	{ name: 'Male', value: 'male' },
	{ name: 'Female', value: 'female' },
	{ name: 'Neutral', value: 'neutral' },
];

/** In the order a participant goes through them on race day. */
export const STATE_OPTIONS: readonly FieldOption[] = [
	{ name: 'Before', value: 'before' },
	{ name: 'During', value: 'during' },
	{ name: 'Paused', value: 'paused' },
	{ name: 'Resumed', value: 'resumed' },
	{ name: 'After', value: 'after' },
	{ name: 'Finished', value: 'finished' },
	{ name: 'Did Not Finish (DNF)', value: 'did_not_finish' },
	{ name: 'Disqualified (DSQ)', value: 'disqualified' },
	{ name: 'Did Not Start (DNS)', value: 'did_not_start' },
];

export const GENDERS = GENDER_OPTIONS.map((option) => option.value);
export const STATES = STATE_OPTIONS.map((option) => option.value);

export interface ParticipantField {
	id: string;
	/** The mapper's label: short, so that n8n shows it whole with its required mark. */
	displayName: string;
	required: boolean;
	/** Allowed values, for fields that are enumerations. */
	options?: readonly FieldOption[];
}

export const PARTICIPANT_FIELDS: readonly ParticipantField[] = [
	{ id: 'unique_id', displayName: 'Unique ID', required: true },
	{ id: 'first_name', displayName: 'First Name', required: true },
	{ id: 'last_name', displayName: 'Last Name', required: true },
	{ id: 'date_of_birth', displayName: 'Date of Birth', required: true },
	{ id: 'race_id', displayName: 'Race ID', required: true },
	{ id: 'start_number', displayName: 'Start Number', required: true },
	{ id: 'chip_code', displayName: 'Chip Code', required: true },
	{ id: 'country_code', displayName: 'Country Code', required: false },
	{ id: 'team_name', displayName: 'Team Name', required: false },
	{ id: 'gender', displayName: 'Gender', required: false, options: GENDER_OPTIONS },
	{ id: 'state', displayName: 'State', required: false, options: STATE_OPTIONS },
];

/** ISO 3166-1 alpha-2 codes. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
	(
		'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
		'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
		'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
		'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
		'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
		'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
		'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
	).split(' '),
);
