'use strict';

/**
 * Bulk imports. The real API queues a bulk body and applies it later ("the participants appear
 * once it has finished"), so the sandbox answers at once and applies the upserts after a delay:
 * clients that read participants back too early see the same lag they would in production.
 */
class Imports {
	/** `apply(eventId, values)` performs the upserts; `settings.bulkDelayMs` is read per import. */
	constructor({ clock, settings, apply }) {
		this.clock = clock;
		this.settings = settings;
		this.apply = apply;
		this.clear();
	}

	clear() {
		for (const entry of this.records ?? []) clearTimeout(entry.timer);
		this.records = [];
		this.queued = 0;
		this.applied = 0;
		this.serial = 0;
	}

	queue(eventId, values, label) {
		this.serial += 1;
		const entry = {
			importId: `import-${this.serial}`,
			eventId,
			label,
			count: values.length,
			values,
			status: 'queued',
			queuedAt: new Date(this.clock()).toISOString(),
			appliedAt: null,
		};
		// unref: a pending import must not keep a process alive on its own.
		entry.timer = setTimeout(() => this.finish(entry), this.settings.bulkDelayMs).unref();
		this.records.push(entry);
		this.queued += 1;
		return entry;
	}

	finish(entry) {
		if (entry.status !== 'queued') return;
		clearTimeout(entry.timer);
		this.apply(entry.eventId, entry.values);
		entry.values = null; // the data now lives in the store
		entry.status = 'applied';
		entry.appliedAt = new Date(this.clock()).toISOString();
		this.applied += 1;
	}

	/** Applies every queued import now, in queue order; returns how many were applied. */
	flush() {
		const waiting = this.records.filter((entry) => entry.status === 'queued');
		for (const entry of waiting) this.finish(entry);
		return waiting.length;
	}

	list() {
		return this.records.map((entry) => ({
			import_id: entry.importId,
			event_id: entry.eventId,
			label: entry.label,
			count: entry.count,
			status: entry.status,
			queued_at: entry.queuedAt,
			applied_at: entry.appliedAt,
		}));
	}

	counts() {
		return { queued: this.queued, applied: this.applied, pending: this.queued - this.applied };
	}
}

module.exports = { Imports };
