'use strict';

/**
 * Events, races and participants in memory. Everything the API touches per request is a Map
 * lookup, so tens of thousands of participants cost nothing per request; only the control
 * endpoint's participant listing walks them.
 */

/** `YYYY-MM-DD HH:MM:SS` in UTC, the API's timestamp format. */
function formatTimestamp(ms) {
	return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

const OPTIONAL_FIELDS = ['country_code', 'team_name', 'gender', 'state'];

class Store {
	constructor(clock) {
		this.clock = clock;
	}

	load(seed) {
		this.events = new Map(seed.events.map((event) => [event.id, { ...event }]));
		this.races = new Map(seed.races.map((race) => [race.id, { ...race }]));
		// auto-increment: ids of deleted records are never handed out again
		this.nextEventId = Math.max(0, ...this.events.keys()) + 1;
		this.nextRaceId = Math.max(0, ...this.races.keys()) + 1;
		this.racesByEvent = new Map([...this.events.keys()].map((id) => [id, []]));
		for (const race of this.races.values()) this.racesByEvent.get(race.event_id).push(race);
		// event id → (unique_id → participant): unique_id identifies a participant within an event.
		this.participants = new Map([...this.events.keys()].map((id) => [id, new Map()]));
		this.participantCount = 0;
		this.nextParticipantId = 1;
		for (const participant of seed.participants) {
			const eventId = this.races.get(participant.race_id).event_id;
			this.insert({ ...participant, event_id: eventId, unique_id: String(participant.unique_id) });
			this.nextParticipantId = Math.max(this.nextParticipantId, participant.id + 1);
		}
	}

	insert(participant) {
		this.participants.get(participant.event_id).set(participant.unique_id, participant);
		this.participantCount += 1;
	}

	listEvents() {
		return [...this.events.values()];
	}

	event(id) {
		return this.events.get(id) ?? null;
	}

	race(id) {
		return this.races.get(id) ?? null;
	}

	/** Races of one event, or of all events when `eventId` is null. */
	listRaces(eventId) {
		if (eventId === null) return [...this.races.values()];
		return this.racesByEvent.get(eventId) ?? [];
	}

	/** A new event, stamped now. */
	createEvent({ name }) {
		const now = formatTimestamp(this.clock());
		const id = this.nextEventId++;
		const event = { id, name, created_at: now, updated_at: now };
		this.events.set(id, event);
		this.racesByEvent.set(id, []);
		this.participants.set(id, new Map());
		return { ...event };
	}

	/** A new race of an existing event (null when the event does not exist). */
	createRace({ event_id: eventId, name }) {
		if (!this.events.has(eventId)) return null;
		const now = formatTimestamp(this.clock());
		const id = this.nextRaceId++;
		const race = { id, event_id: eventId, name, created_at: now, updated_at: now };
		this.races.set(id, race);
		this.racesByEvent.get(eventId).push(race);
		return { ...race };
	}

	/**
	 * Changes an event or race in place: `name` when given, and `updated_at` to the given
	 * value or to now. An explicit `updated_at` lets tests make two records share a second or
	 * a clock go backwards. Null when there is no such record.
	 */
	touch(kind, id, { name, updated_at: updatedAt }) {
		const record = (kind === 'event' ? this.events : this.races).get(id);
		if (!record) return null;
		if (name !== undefined) record.name = name;
		record.updated_at = updatedAt ?? formatTimestamp(this.clock());
		return { ...record };
	}

	/** Removes an event with its races and participants; false when there is none. */
	deleteEvent(id) {
		if (!this.events.has(id)) return false;
		for (const race of this.racesByEvent.get(id)) this.races.delete(race.id);
		this.participantCount -= this.participants.get(id).size;
		this.events.delete(id);
		this.racesByEvent.delete(id);
		this.participants.delete(id);
		return true;
	}

	/** Removes a race and the participants starting in it; false when there is none. */
	deleteRace(id) {
		const race = this.races.get(id);
		if (!race) return false;
		this.races.delete(id);
		const siblings = this.racesByEvent.get(race.event_id);
		siblings.splice(siblings.indexOf(race), 1);
		const byUniqueId = this.participants.get(race.event_id);
		for (const [uniqueId, participant] of byUniqueId) {
			if (participant.race_id !== id) continue;
			byUniqueId.delete(uniqueId);
			this.participantCount -= 1;
		}
		return true;
	}

	/**
	 * Insert or update by (event, unique_id). `fields` holds only what the request gave, so an
	 * update keeps optional fields that were left out, like Eloquent's updateOrCreate.
	 */
	upsert(eventId, fields) {
		const now = formatTimestamp(this.clock());
		const existing = this.participants.get(eventId).get(fields.unique_id);
		const base = existing ?? {
			id: this.nextParticipantId++,
			country_code: null,
			team_name: null,
			gender: null,
			state: null,
			created_at: now,
		};
		const participant = { ...base, ...fields, event_id: eventId, updated_at: now };
		if (existing) this.participants.get(eventId).set(participant.unique_id, participant);
		else this.insert(participant);
		return present(participant);
	}

	/** All participants, or those of one event, in response shape. */
	listParticipants(eventId) {
		const events =
			eventId === null
				? [...this.participants.values()]
				: [this.participants.get(eventId) ?? new Map()];
		return events.flatMap((byUniqueId) => [...byUniqueId.values()].map(present));
	}

	counts() {
		const byEvent = {};
		for (const [eventId, byUniqueId] of this.participants) byEvent[eventId] = byUniqueId.size;
		return { stored: this.participantCount, byEvent };
	}
}

/** The documented response shape, with a stable key order. */
function present(p) {
	const optional = Object.fromEntries(OPTIONAL_FIELDS.map((name) => [name, p[name] ?? null]));
	return {
		id: p.id,
		unique_id: p.unique_id,
		start_number: p.start_number,
		chip_code: p.chip_code,
		event_id: p.event_id,
		race_id: p.race_id,
		first_name: p.first_name,
		last_name: p.last_name,
		full_name: `${p.first_name} ${p.last_name}`,
		date_of_birth: p.date_of_birth,
		...optional,
		created_at: p.created_at,
		updated_at: p.updated_at,
	};
}

module.exports = { Store };
