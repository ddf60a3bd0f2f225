import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the documents module (certificates). */
export const DocumentsErrors = defineErrors('documents', {
  TB_DOCUMENTS_NOT_FOUND: { status: 404, title: 'There is no such certificate', message: 'documents.error.notFound' },
  TB_DOCUMENTS_FORBIDDEN: { status: 403, title: 'Only officers of the issuing agency can do this', message: 'documents.error.forbidden' },
  TB_DOCUMENTS_REASON_REQUIRED: { status: 400, title: 'A reason is required to revoke a certificate', message: 'documents.error.reasonRequired' },
  TB_DOCUMENTS_ALREADY_REVOKED: { status: 409, title: 'The certificate is already revoked', message: 'documents.error.alreadyRevoked' },
  TB_DOCUMENTS_UNKNOWN_AGENCY: { status: 404, title: 'There is no such agency', message: 'documents.error.unknownAgency' },
  // The server has no CJK font to print with (Debian: fonts-noto-cjk): the PDF cannot be made now.
  TB_DOCUMENTS_FONT_MISSING: { status: 503, title: 'The certificate cannot be printed on this server', message: 'documents.error.fontMissing' },
});
