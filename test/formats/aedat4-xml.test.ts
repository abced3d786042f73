// The stream-description XML of AEDAT 4 headers: the small parser, DV's layout, hostile input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeStreams, escapeXml, eventStreamXml, parseXml, XML_MAX_DEPTH, XmlError } from '../../src-engine/formats/aedat4/info-xml';

const DV_XML = `<dv version="2.0">
    <node name="outInfo" path="/mainloop/Recorder/outInfo/">
        <node name="0" path="/mainloop/Recorder/outInfo/0/">
            <attr key="compression" type="string">LZ4</attr>
            <attr key="typeIdentifier" type="string">EVTS</attr>
            <node name="info" path="/mainloop/Recorder/outInfo/0/info/">
                <attr key="sizeX" type="int">320</attr>
                <attr key="sizeY" type="int">240</attr>
                <attr key="source" type="string">DVXplorer_DXB00010</attr>
            </node>
        </node>
        <node name="2" path="/mainloop/Recorder/outInfo/2/">
            <attr key="typeIdentifier" type="string">IMUS</attr>
        </node>
        <node name="1" path="/mainloop/Recorder/outInfo/1/">
            <attr key="typeIdentifier" type="string">FRME</attr>
            <node name="info"><attr key="sizeX" type="int">346</attr><attr key="sizeY" type="int">260</attr></node>
        </node>
    </node>
</dv>
`;

test('describeStreams reads ids, types, sizes and info attributes in id order', () => {
  const s = describeStreams(DV_XML);
  assert.deepEqual(
    s.map((x) => [x.id, x.type, x.width, x.height]),
    [
      [0, 'EVTS', 320, 240],
      [1, 'FRME', 346, 260],
      [2, 'IMUS', undefined, undefined],
    ],
  );
  assert.equal(s[0].info.source, 'DVXplorer_DXB00010');
  assert.equal(s[0].attrs.compression, 'LZ4');
});

test('the parser handles declarations, comments, CDATA, entities, self-closing tags and single quotes', () => {
  const root = parseXml(`<?xml version="1.0"?>\n<!-- c --><a x='1 &amp; 2' y="&#x41;&#66;"><b/><c>t&lt;&gt;&quot;&apos;<![CDATA[<raw>&]]></c></a>\n`);
  assert.equal(root.name, 'a');
  assert.equal(root.attrs.x, '1 & 2');
  assert.equal(root.attrs.y, 'AB');
  assert.deepEqual(
    root.children.map((c) => c.name),
    ['b', 'c'],
  );
  assert.equal(root.children[1].text, `t<>"'<raw>&`);
});

test('our event-stream XML round-trips through the parser and escapes the source name', () => {
  const xml = eventStreamXml({ width: 640, height: 480, source: 'cam <A&B> "x"', compression: 'LZ4', moduleName: 'neurolive' });
  const [s] = describeStreams(xml);
  assert.equal(s.id, 0);
  assert.equal(s.type, 'EVTS');
  assert.equal(s.width, 640);
  assert.equal(s.height, 480);
  assert.equal(s.info.source, 'cam <A&B> "x"');
  assert.equal(s.info.tsOffset, '0');
  assert.equal(s.attrs.originalOutputName, 'events');
  assert.equal(escapeXml('a\u0001b'), 'a b');
});

function rejects(xml: string, reason: RegExp) {
  assert.throws(
    () => describeStreams(xml),
    (e: unknown) => {
      assert.ok(e instanceof XmlError, `expected XmlError, got ${String(e)}`);
      assert.match(e.message, reason);
      return true;
    },
  );
}

test('malformed or non-DV XML is an XmlError with a reason', () => {
  rejects('', /no root element/);
  rejects('<dv>', /never closed/);
  rejects('<dv></dx>', /unexpected closing tag/);
  rejects('<dv><node name="outInfo"></node></dv>', /declares no streams/);
  rejects('<dv></dv>', /no outInfo/);
  rejects('<cfg><node name="outInfo"/></cfg>', /expected <dv>/);
  rejects('<dv><node name="outInfo"><node name="x"/></node></dv>', /not a stream id/);
  rejects('<dv><node name="outInfo"><node name="0"/></node></dv>', /no typeIdentifier/);
  rejects('<dv><node name="outInfo"><node name="0"><attr key="typeIdentifier">EVTS</attr></node><node name="0"><attr key="typeIdentifier">EVTS</attr></node></node></dv>', /declared twice/);
  rejects('<dv><node name="outInfo"><node name="0"><attr key="typeIdentifier">EVTS</attr><node name="info"><attr key="sizeX">-5</attr></node></node></node></dv>', /not a sensor size/);
  rejects('<dv a="1" a="2"/>', /repeated/);
  rejects('<dv a=1/>', /unquoted/);
  rejects('<dv>&bogus;</dv>', /unknown entity/);
  rejects('<dv>a & b</dv>', /bare '&'/);
  rejects('<dv>&#0;</dv>', /invalid character reference/);
  rejects('<dv/><dv/>', /second root/);
  rejects('text<dv/>', /text outside/);
  rejects('<dv><!-- never closed', /never closed/);
});

test('a DTD is refused, so entity expansion attacks cannot start', () => {
  rejects('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><dv>&lol2;</dv>', /document type declarations/);
});

test('deep nesting stops at the depth limit without recursion', () => {
  const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
  assert.throws(() => parseXml(deep), new RegExp(`deeper than ${XML_MAX_DEPTH}`));
  const ok = '<a>'.repeat(XML_MAX_DEPTH) + '</a>'.repeat(XML_MAX_DEPTH);
  assert.equal(parseXml(ok).name, 'a');
});

test('too many elements stop at the element limit, quickly', () => {
  const t0 = performance.now();
  assert.throws(() => parseXml(`<dv>${'<n/>'.repeat(200_000)}</dv>`), /more than 100000 elements/);
  assert.ok(performance.now() - t0 < 5000);
});
