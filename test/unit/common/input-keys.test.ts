import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/common/errors/api-error';
import { parseJsonBody, refusedKeys } from '../../../src/common/validation/input-keys';

function refusal(text: string): { code: string; details: unknown } {
  try {
    parseJsonBody(text);
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return { code: error.code, details: error.details };
  }
  throw new Error(`accepted: ${text.slice(0, 80)}`);
}

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('JSON bodies under the input rules', () => {
  it('should take nesting up to 32 levels and refuse the 33rd, in arrays and objects', () => {
    assert.equal((parseJsonBody(nested(32)) as unknown[]).length, 1);
    assert.equal(typeof parseJsonBody(nestedObjects(32)), 'object');
    assert.equal(refusal(nested(33)).code, 'validation_failed');
    assert.equal(refusal(nestedObjects(33)).code, 'validation_failed');
  });

  it('should refuse deep bodies however deep, even when they never close', () => {
    for (const text of [nested(5_000), nested(100_000), nestedObjects(100_000), '['.repeat(1_000_000)]) {
      assert.deepEqual(refusal(text), {
        code: 'validation_failed',
        details: [{ field: 'body', message: 'the body is nested deeper than 32 levels' }],
      });
    }
  });

  it('should not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ message: `${'['.repeat(100)} "quoted \\" ${'{'.repeat(100)}`, list: [1, 2] });
    assert.deepEqual(parseJsonBody(text), JSON.parse(text));
  });

  it('should refuse prototype keys and $ keys anywhere, however spelled, with their paths', () => {
    assert.deepEqual(refusal('{"a":{"b":[{"__proto__":{}}]}}'), {
      code: 'validation_failed',
      details: [{ field: 'a.b.0.__proto__', message: 'the key "__proto__" is not allowed' }],
    });
    assert.deepEqual(
      (refusal('{"constructor":{"prototype":1},"x":{"$gt":""}}').details as { field: string }[]).map((d) => d.field),
      ['constructor', 'constructor.prototype', 'x.$gt'],
    );
    // JSON escapes spell the same keys: "\u005f_proto__" is "__proto__", "\u0024where" is "$where".
    assert.equal(refusal('{"\\u005f_proto__":1}').code, 'validation_failed');
    assert.equal(refusal('{"q": {"\\u0024where": "1"}}').code, 'validation_failed');
  });

  it('should keep property-name words and dollars as values, and keys that merely contain them', () => {
    const text = '{"message":"constructor __proto__ $where","toString":"prototype","a$b":["$gt"],"my_constructor":1}';
    assert.deepEqual(parseJsonBody(text), JSON.parse(text));
  });

  it('should answer invalid_json to broken JSON, and take an empty body as none', () => {
    assert.equal(refusal('{"message": ').code, 'invalid_json');
    assert.equal(refusal('{"a":1}}').code, 'invalid_json');
    assert.equal(refusal('"unterminated').code, 'invalid_json');
    assert.equal(parseJsonBody(''), undefined);
    assert.equal(parseJsonBody('  \n'), undefined);
  });

  it('should refuse strings and keys holding a lone surrogate, which JSON can spell and Unicode text cannot hold', () => {
    assert.deepEqual(refusal('{"email":"\\ud800","ok":"\\ud83d\\ude00"}'), {
      code: 'validation_failed',
      details: [{ field: 'email', message: 'must be valid Unicode text (it holds a lone surrogate escape)' }],
    });
    assert.equal(refusal('{"a":["x\\udc00y"]}').code, 'validation_failed');
    assert.equal(refusal('{"\\udbff":1}').code, 'validation_failed');
    assert.equal(refusal('"\\ud800"').code, 'validation_failed');
    // A pair is a character, and a backslash before "ud800" is text.
    assert.deepEqual(parseJsonBody('{"a":"\\ud83d\\ude00 \\\\ud800"}'), { a: '😀 \\ud800' });
  });

  it('should list refused keys of parsed values in body order', () => {
    assert.deepEqual(refusedKeys(JSON.parse('{"b":{"$in":[]},"a":[{"prototype":0}]}')), [
      { field: 'b.$in', message: 'keys starting with "$" are not allowed' },
      { field: 'a.0.prototype', message: 'the key "prototype" is not allowed' },
    ]);
  });
});
