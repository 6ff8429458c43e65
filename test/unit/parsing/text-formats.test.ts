import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { parseDocumentInProcess } from '../../../src/content/parsing/document-parser';

const utf8 = (content: string): Buffer => Buffer.from(content, 'utf8');

describe('reading HTML', () => {
  it('should keep the text and heading paths and drop scripts, styles and hidden parts', async () => {
    const html = `<!DOCTYPE html>
      <html><head><title>Cell &amp; Life</title><style>p { color: red }</style>
      <script>var secret = "do not index";</script></head>
      <body>
        <nav hidden>Skip me</nav>
        <p>Intro   paragraph
           over two lines.</p>
        <h1>Cells</h1>
        <p>Cells are <b>small</b>.<br>They divide.</p>
        <h2>Mitochondria</h2>
        <ul><li>Make ATP</li><li>Have DNA</li></ul>
        <noscript>Enable JavaScript</noscript>
        <template><p>Template text</p></template>
        <h2>Ribosomes</h2>
        <table><tr><th>Part</th><th>Role</th></tr><tr><td>rRNA</td><td>catalysis</td></tr></table>
        <h1>Plants</h1>
        <pre>def grow():
    return  "sugar"</pre>
        <div aria-hidden="true">Decoration</div>
      </body></html>`;
    const document = await parseDocumentInProcess(utf8(html), 'html');
    assert.equal(document.title, 'Cell & Life');
    assert.deepEqual(document.sections, [
      { text: 'Intro paragraph over two lines.' },
      { text: 'Cells are small.\nThey divide.', headingPath: ['Cells'] },
      { text: 'Make ATP\nHave DNA', headingPath: ['Cells', 'Mitochondria'] },
      { text: 'Part | Role\nrRNA | catalysis', headingPath: ['Cells', 'Ribosomes'] },
      { text: 'def grow():\n    return  "sugar"', headingPath: ['Plants'] },
    ]);
  });

  it('should take the first h1 as the title when there is no <title>', async () => {
    const document = await parseDocumentInProcess(utf8('<h2>Aside</h2><p>a</p><h1>Genetics</h1><p>b</p>'), 'html');
    assert.equal(document.title, 'Genetics');
  });
});

describe('reading Markdown', () => {
  it('should build heading paths and ignore # lines inside fenced code', async () => {
    const markdown = [
      '# Python basics',
      'Intro with a [link](https://example.org/x "title") and **bold** and `code_span`.',
      '',
      '## Comments',
      '```python',
      '# this is a comment, not a heading',
      'x = 1  # *not emphasis*',
      '```',
      '',
      '### Block comments',
      '> Quoted *advice*.',
      '',
      '## Variables',
      '- item one',
      '* item two',
      '',
      'Functions',
      '=========',
      'Setext heading body with ![a diagram](fig.png).',
    ].join('\n');
    const document = await parseDocumentInProcess(utf8(markdown), 'markdown');
    assert.equal(document.title, 'Python basics');
    assert.deepEqual(document.sections, [
      { text: 'Intro with a link and bold and code_span.', headingPath: ['Python basics'] },
      {
        text: '# this is a comment, not a heading\nx = 1  # *not emphasis*',
        headingPath: ['Python basics', 'Comments'],
      },
      { text: 'Quoted advice.', headingPath: ['Python basics', 'Comments', 'Block comments'] },
      { text: '- item one\n- item two', headingPath: ['Python basics', 'Variables'] },
      { text: 'Setext heading body with a diagram.', headingPath: ['Functions'] },
    ]);
  });

  it('should take the title from front matter and not read the front matter as text', async () => {
    const markdown = '---\ntitle: "Week 3: Loops"\nauthor: someone\n---\n\n## For loops\nRepeat things.';
    const document = await parseDocumentInProcess(utf8(markdown), 'markdown');
    assert.equal(document.title, 'Week 3: Loops');
    assert.deepEqual(document.sections, [{ text: 'Repeat things.', headingPath: ['For loops'] }]);
  });
});

describe('reading plain text', () => {
  it('should keep paragraphs and normalise line breaks and stray control characters', async () => {
    const document = await parseDocumentInProcess(utf8('\uFEFFFirst line\r\nsecond line\u0007\r\n\r\n\r\n\r\nNext paragraph.  \n'), 'text');
    assert.equal(document.title, undefined);
    assert.deepEqual(document.sections, [{ text: 'First line\nsecond line\n\nNext paragraph.' }]);
  });
});
