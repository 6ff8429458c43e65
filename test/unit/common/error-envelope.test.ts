import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ApiError } from '../../../src/common/errors/api-error';
import { toErrorResponse } from '../../../src/common/errors/error-envelope';

describe('error envelope', () => {
  it('should keep the code, message, details and headers of domain errors', () => {
    const response = toErrorResponse(ApiError.rateLimited(12.2), 'rid');
    assert.equal(response.status, 429);
    assert.deepEqual(response.headers, { 'Retry-After': '13' });
    assert.deepEqual(response.body, {
      ok: false,
      error: { code: 'rate_limited', message: 'Too many requests; try again later.' },
      request_id: 'rid',
    });
  });

  it('should hide the text of unexpected errors', () => {
    const response = toErrorResponse(new Error('E11000 duplicate key in db.users at /srv/app.js:10'), 'rid');
    assert.equal(response.status, 500);
    assert.equal(response.unexpected, true);
    assert.equal(response.body.error.code, 'internal_error');
    assert.doesNotMatch(response.body.error.message, /E11000|srv/);
  });

  it('should map framework errors to the contract codes', () => {
    assert.equal(toErrorResponse(new NotFoundException('Cannot GET /x'), 'r').body.error.code, 'not_found');
    assert.equal(toErrorResponse(new PayloadTooLargeException(), 'r').body.error.code, 'payload_too_large');
    assert.equal(
      toErrorResponse(new BadRequestException("Body is not valid JSON but content-type is set to 'application/json'"), 'r').body.error.code,
      'invalid_json',
    );
  });
});
