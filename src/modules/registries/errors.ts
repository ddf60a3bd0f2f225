import { defineErrors } from '../../kernel/http/index.js';
import './messages.js';

/** Codes raised by the registries module. Documented in docs/errors.md. */
export const RegistriesErrors = defineErrors('registries', {
  TB_REGISTRIES_UNKNOWN_REGISTRY: { status: 404, title: 'No such registry or registry version', message: 'registries.error.unknownRegistry' },
  TB_REGISTRIES_NOT_FOUND: { status: 404, title: 'No record matches', message: 'registries.error.notFound' },
  TB_REGISTRIES_EXISTS: { status: 409, title: 'A record with this key exists already', message: 'registries.error.exists' },
  TB_REGISTRIES_INVALID_RECORD: { status: 422, title: 'The record does not match the registry\'s schema', message: 'registries.error.invalidRecord' },
  TB_REGISTRIES_INVALID_QUERY: { status: 400, title: 'The query names a field the registry does not have, or nothing to match', message: 'registries.error.invalidQuery' },
  TB_REGISTRIES_AMBIGUOUS: { status: 409, title: 'The query matches more than one record', message: 'registries.error.ambiguous' },
  TB_REGISTRIES_PURPOSE_REQUIRED: { status: 400, title: 'A read of registry data needs a purpose', message: 'registries.error.purposeRequired' },
  TB_REGISTRIES_REASON_REQUIRED: { status: 400, title: 'A change to registry data needs a reason', message: 'registries.error.reasonRequired' },
  TB_REGISTRIES_FORBIDDEN: { status: 403, title: 'Only the registry\'s owner agency may do this', message: 'registries.error.forbidden' },
  TB_REGISTRIES_INVALID_SCHEMA: { status: 422, title: 'The registry schema is not valid', message: 'registries.error.invalidSchema' },
  TB_REGISTRIES_VERSION_IN_USE: { status: 409, title: 'Records use this registry version', message: 'registries.error.versionInUse' },
  TB_REGISTRIES_CORRECTION_NOT_FOUND: { status: 404, title: 'No such open correction task', message: 'registries.error.correctionNotFound' },
  TB_REGISTRIES_PERSON_NOT_FOUND: { status: 404, title: 'No person with this identifier is known', message: 'registries.error.personNotFound' },
});
