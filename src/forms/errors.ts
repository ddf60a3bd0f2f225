import { defineErrors } from '../kernel/http/errors.js';

/** Codes raised by the form engine. Documented in docs/errors.md. */
export const FormsErrors = defineErrors('forms', {
  TB_FORMS_INVALID_DEFINITION: { status: 400, title: 'The form definition is not valid', message: 'forms.definition.invalid' },
  TB_FORMS_UNKNOWN_FIELD_TYPE: { status: 400, title: 'The form definition uses an unknown field type', message: 'forms.definition.invalid' },
  TB_FORMS_UNKNOWN_PAGE: { status: 404, title: 'The form has no such page', message: 'kernel.error.notFound' },
});
