// The one way validation issues become a coded 400: the first issue is named,
// with the caller's fallback field when there is none, and every issue listed
// in `details` only when asked.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { invalidFieldsError } from '../src/validation/invalid-fields-error.js';

const issues = [
  { path: 'title', message: 'is required' },
  { path: 'price.amount', message: 'must be a finite number, got a string' },
];

describe('invalidFieldsError', () => {
  it('names the first issue, without details unless asked', () => {
    assert.deepEqual(invalidFieldsError(issues).toBody(), { error: { code: 'GATE_ERR_INVALID_FIELD', message: 'title is required', field: 'title' } });
    assert.deepEqual(invalidFieldsError(issues, { details: true }).toBody(), {
      error: { code: 'GATE_ERR_INVALID_FIELD', message: 'title is required', field: 'title', details: issues },
    });
  });

  it('names the fallback field, `body` by default, when there is no issue', () => {
    assert.deepEqual(invalidFieldsError([]).toBody().error, { code: 'GATE_ERR_INVALID_FIELD', message: 'body is invalid', field: 'body' });
    assert.deepEqual(invalidFieldsError([], { field: 'refs', message: 'must be an array of refs' }).toBody().error, {
      code: 'GATE_ERR_INVALID_FIELD',
      message: 'refs must be an array of refs',
      field: 'refs',
    });
  });

  it('names an empty path as it is, or the fallback field when asked', () => {
    const unnamed = [{ path: '', message: 'is not a known field' }];
    assert.deepEqual(invalidFieldsError(unnamed).toBody().error, { code: 'GATE_ERR_INVALID_FIELD', message: ' is not a known field', field: '' });
    assert.deepEqual(invalidFieldsError(unnamed, { emptyPathNamesField: true }).toBody().error, {
      code: 'GATE_ERR_INVALID_FIELD',
      message: 'body is not a known field',
      field: 'body',
    });
  });
});
