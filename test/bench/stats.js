'use strict';

/** Summaries of repeated measurements: the median is what the tables show. */

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** { median, min, max, n } of a list of numbers; null when no run measured it. */
function summary(measured) {
	const values = measured.filter((value) => typeof value === 'number');
	if (values.length === 0) return null;
	return {
		median: median(values),
		min: Math.min(...values),
		max: Math.max(...values),
		n: values.length,
	};
}

/** Summarises each numeric field across runs: [{ms: 1}, {ms: 3}] → { ms: {median: 2, …} }. */
function summarise(runs, fields) {
	return Object.fromEntries(fields.map((field) => [field, summary(runs.map((run) => run[field]))]));
}

module.exports = { median, summary, summarise };
