'use strict';

/**
 * Checks the repository's own links in Markdown: every relative link and image points at a
 * file or folder that exists, every #anchor names a heading of the target file as GitHub
 * slugs it, and every image has alt text. Links to other sites are not followed.
 */

const fs = require('node:fs');
const path = require('node:path');

const SKIPPED_FOLDERS = new Set(['.git', 'node_modules', 'dist', 'bench-results']);

/** Every .md file under `root`, as paths relative to it, sorted. */
function markdownFiles(root, dir = root) {
	const found = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		if (entry.isDirectory()) {
			if (!SKIPPED_FOLDERS.has(entry.name))
				found.push(...markdownFiles(root, path.join(dir, entry.name)));
		} else if (entry.name.endsWith('.md')) {
			found.push(path.relative(root, path.join(dir, entry.name)));
		}
	}
	return found.sort();
}

/** The lines of a Markdown text outside fenced code blocks, with their line numbers. */
function proseLines(text) {
	const lines = [];
	let fence = null;
	text.split('\n').forEach((line, index) => {
		const opening = /^\s*(`{3,}|~{3,})/.exec(line);
		if (fence) {
			if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length) fence = null;
		} else if (opening) {
			fence = opening[1];
		} else {
			lines.push({ line, number: index + 1 });
		}
	});
	return lines;
}

/** A line with its code spans blanked out, so that `[a](b)` inside code is not a link. */
function withoutCodeSpans(line) {
	return line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
}

/**
 * The anchor GitHub gives a heading: its text as rendered (no markup), lower-cased, with
 * everything but letters, marks, digits, `_`, `-` and spaces removed, and spaces turned
 * into hyphens; a repeated slug gets -1, -2, … in order.
 */
function headingText(markdown) {
	return markdown
		.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/<[^>]+>/g, '')
		.replace(/[`*]/g, '')
		.trim();
}

function slug(text) {
	return headingText(text)
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

/** The anchors a Markdown text offers: its headings' slugs and any explicit id/name. */
function anchorsOf(text) {
	const anchors = new Set();
	const seen = new Map();
	for (const { line } of proseLines(text)) {
		const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (heading) {
			const base = slug(heading[1]);
			const count = seen.get(base) ?? 0;
			seen.set(base, count + 1);
			anchors.add(count === 0 ? base : `${base}-${count}`);
		}
		for (const html of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(html[1]);
	}
	return anchors;
}

/** Inline links and images of one Markdown file: { target, image, alt, line }. */
function linksOf(text) {
	const links = [];
	for (const { line, number } of proseLines(text)) {
		const prose = withoutCodeSpans(line);
		for (const match of prose.matchAll(
			/(!?)\[((?:[^\][]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g,
		)) {
			links.push({ image: match[1] === '!', alt: match[2], target: match[3], line: number });
		}
	}
	return links;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Every broken link of the Markdown files `files` (relative to `root`), as readable lines
 * "file:line: target: what is wrong". Empty when all resolve.
 */
function brokenLinks(root, files) {
	const anchorCache = new Map();
	const anchorsOfFile = (file) => {
		if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(file, 'utf8')));
		return anchorCache.get(file);
	};
	const problems = [];
	for (const file of files) {
		const absolute = path.join(root, file);
		for (const link of linksOf(fs.readFileSync(absolute, 'utf8'))) {
			const where = `${file}:${link.line}: ${link.target || '(empty)'}`;
			if (link.image && !link.alt.trim()) problems.push(`${where}: image without alt text`);
			if (EXTERNAL.test(link.target)) continue;
			if (!link.target) {
				problems.push(`${where}: empty link`);
				continue;
			}
			const hash = link.target.indexOf('#');
			const filePart = decodeURI(hash < 0 ? link.target : link.target.slice(0, hash));
			const anchor = hash < 0 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
			const target = filePart ? path.resolve(path.dirname(absolute), filePart) : absolute;
			if (!target.startsWith(root + path.sep) && target !== root) {
				problems.push(`${where}: points outside the repository`);
				continue;
			}
			if (!fs.existsSync(target)) {
				problems.push(`${where}: no such file`);
				continue;
			}
			if (anchor === undefined) continue;
			if (!target.endsWith('.md')) {
				problems.push(`${where}: an anchor into a file that is not Markdown`);
			} else if (!anchorsOfFile(target).has(anchor)) {
				problems.push(
					`${where}: no heading with the anchor #${anchor} in ${path.relative(root, target)}`,
				);
			}
		}
	}
	return problems;
}

module.exports = { markdownFiles, anchorsOf, linksOf, slug, brokenLinks };
