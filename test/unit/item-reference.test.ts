import { itemPath } from '../../nodes/Tracx/actions/item-reference';

describe('which parameter values are plain references to the current item', () => {
	it.each([
		['={{ $json.Bib }}', ['Bib']],
		['={{$json.Bib}}', ['Bib']],
		['={{ $json["First name"] }}', ['First name']],
		["={{ $json['Équipe 🏃'] }}", ['Équipe 🏃']],
		['={{ $json [ "a.b" ] }}', ['a.b']],
		['={{ $json.person.email }}', ['person', 'email']],
		['={{ $json["person"]["birth date"] }}', ['person', 'birth date']],
		['={{ $json.list[0] }}', ['list', 0]],
		['={{ $input.item.json.Bib }}', ['Bib']],
		['={{\n\t$input . item . json . Straße\n}}', ['Straße']],
	])('%j reads %j', (raw, path) => {
		expect(itemPath(raw)).toEqual(path);
	});

	it.each([
		'Bib',
		'={{ $json }}',
		'={{ $json.Bib }} ',
		'=#{{ $json.Bib }}',
		'={{ $json.Bib }}{{ $json.Chip }}',
		'={{ $json.Bib.trim() }}',
		'={{ $json.Bib || "" }}',
		"={{ $('Sheet').item.json.Bib }}",
		'={{ $node["Sheet"].json.Bib }}',
		'={{ $json[$json.column] }}',
		'={{ $json["say \\"hi\\""] }}',
		'={{ $json["line\rbreak"] }}',
		"={{ $json['line\u2028separator'] }}",
		'={{ $json["paragraph\u2029separator"] }}',
		'={{ $json["line\nbreak"] }}',
		'={{ $json["}}"] }}',
		'={{ $json.constructor }}',
		'={{ $json["__proto__"] }}',
		'={{ $json._id }}',
		'={{ $json.list[-1] }}',
		'={{ $item(0).$json.Bib }}',
	])('%j is left to n8n', (raw) => {
		expect(itemPath(raw)).toBeUndefined();
	});
});
