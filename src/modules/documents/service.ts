import { purposeText } from '../../kernel/audit/index.js';
import { randomUUID } from 'node:crypto';
import { compileForm, todayIn } from '../../forms/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type DenialReason } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { ApplicationsService } from '../applications/service.js';
import type { CatalogService, LocalizedText } from '../catalog/service.js';
import type { TransitionEvent, WorkflowService } from '../workflow/service.js';
import { buildCredential, fromLangValues, signCredential, verifyCredential, verifyUrl, type Credential, type NotGenuine, type PrintedField } from './credential.js';
import { DocumentsErrors } from './errors.js';
import { createKeyring, type PublishedJwks, type ResealReport } from './keys.js';
import { addCertificatePanels } from './panels.js';
import { fontChain } from './font.js';
import { renderCertificatePdf } from './pdf.js';
import { createDocumentsStore, type CertificateRow, type Executor } from './store.js';
import { unprintableIn } from './typeset.js';
import { UUID } from '../../kernel/ids.js';
import './messages.js';

export { DocumentsErrors } from './errors.js';
export { verifyCredential, type Credential, type NotGenuine, type Verified } from './credential.js';

/** What other modules learn about an application's certificate (docs/brief contract). */
export interface CertificateSummary {
  readonly id: string;
  readonly applicationId: string;
  readonly agency: string;
  readonly title: LocalizedText;
  readonly reference: string | null;
  readonly status: 'valid' | 'revoked';
  readonly issuedAt: Date;
  readonly revokedAt: Date | null;
  readonly revokeReason: string | null;
  /** The public page that checks it: what the QR code opens. */
  readonly verifyUrl: string;
}

/** A genuine certificate as its signed content says. */
export interface CertificateContent {
  readonly id: string;
  readonly title: LocalizedText;
  readonly issuer: { readonly id: string; readonly name: LocalizedText };
  readonly issuedAt: Date;
  readonly reference: string | null;
  readonly fields: readonly { readonly name: LocalizedText; readonly value: LocalizedText }[];
  readonly kid: string;
}

export type Verification =
  | { readonly status: 'valid'; readonly certificate: CertificateContent }
  | { readonly status: 'revoked'; readonly certificate: CertificateContent; readonly revokedAt: Date; readonly reason: string }
  | { readonly status: 'not_genuine'; readonly reason: NotGenuine | 'unknown' | 'mismatch' };

export interface Deps {
  readonly applications: Pick<ApplicationsService, 'submittedWithAnswers' | 'addPanel'>;
  readonly catalog: Pick<CatalogService, 'getAgency'>;
  readonly workflow: Pick<WorkflowService, 'onTransition'>;
}

const REASON_MAX = 500;
const VERIFY_PURPOSE = purposeText('documents.purpose.verify');

const notFound = (denied?: DenialReason) => new TongbanError(DocumentsErrors.TB_DOCUMENTS_NOT_FOUND, denied ? { denied } : {});

function content(credential: Credential, kid: string): CertificateContent {
  const subject = credential.credentialSubject;
  return {
    id: credential.id.replace(/^urn:uuid:/, ''),
    title: fromLangValues(credential.name),
    issuer: { id: credential.issuer.id, name: fromLangValues(credential.issuer.name) },
    issuedAt: new Date(credential.validFrom),
    reference: subject.reference,
    fields: subject.fields.map((f) => ({ name: fromLangValues(f.name), value: fromLangValues(f.value) })),
    kid,
  };
}

/**
 * Certificates: issued when an approved application's service has a certificate spec, signed with
 * the issuing agency's Ed25519 key (a W3C VC as a compact JWS), printed as a PDF with a QR code,
 * checked by anyone, revoked by the agency's officers. See docs/adr/0020-verifiable-certificates.md.
 */
export function createDocumentsService(kernel: Kernel, deps: Deps) {
  const store = createDocumentsStore();
  const keys = createKeyring(kernel, store);
  const db: Executor = kernel.db;
  const publicUrl = kernel.config.publicUrl;

  const summary = (row: CertificateRow): CertificateSummary => ({
    id: row.id, applicationId: row.application_id, agency: row.agency, title: row.title, reference: row.reference,
    status: row.revoked_at ? 'revoked' : 'valid', issuedAt: row.issued_at, revokedAt: row.revoked_at, revokeReason: row.revoke_reason,
    verifyUrl: verifyUrl(publicUrl, row.id),
  });

  const find = async (id: string): Promise<CertificateRow | undefined> => (UUID.test(id) ? store.getCertificate(db, id.toLowerCase()) : undefined);

  /** Fills, signs and stores the certificate, in the approval's transaction (no network here). */
  async function issue(tx: Executor, event: TransitionEvent): Promise<void> {
    const found = await deps.applications.submittedWithAnswers(event.case.id, tx);
    const spec = found?.service.definition.certificate;
    if (!found || !spec || await store.forApplication(tx, found.application.id)) return;
    const { application, service, answers } = found;
    const form = compileForm(service.definition.form);
    const ctx = { now: todayIn(kernel.now()) };
    const rows = { 'zh-CN': form.summary(answers, 'zh-CN', ctx), en: form.summary(answers, 'en', ctx) };
    const fields: PrintedField[] = spec.answers.flatMap((fieldId) => {
      const zh = rows['zh-CN'].find((r) => r.fieldId === fieldId);
      const en = rows.en.find((r) => r.fieldId === fieldId);
      return zh && en ? [{ id: fieldId, name: { 'zh-CN': zh.label, en: en.label }, value: { 'zh-CN': zh.value, en: en.value } }] : [];
    });
    const agency = await deps.catalog.getAgency(application.agencyCode, tx);
    const id = randomUUID();
    const issuedAt = kernel.now();
    const credential = buildCredential({
      id, publicUrl, agency: { code: application.agencyCode, name: agency?.name ?? { 'zh-CN': application.agencyCode, en: application.agencyCode } },
      title: spec.title, templateId: spec.templateId, reference: application.reference, service: service.definition.name, fields, issuedAt,
    });
    const key = await keys.signingKey(tx, application.agencyCode);
    const jws = await signCredential(credential, key);
    if (!(await store.insertCertificate(tx, {
      id, application_id: application.id, agency: application.agencyCode, holder_account_id: application.applicantAccountId,
      template_id: spec.templateId, title: spec.title, reference: application.reference, kid: key.kid, jws, issued_at: issuedAt,
    }))) return;
    await kernel.audit.append(tx, {
      actor: event.entry.actor.kind === 'staff' ? { kind: 'staff', id: event.entry.actor.id, organisation: application.agencyCode } : { kind: 'system', id: 'documents' },
      action: 'documents.certificate.issue', resource: { type: 'certificate', id },
      ...(application.applicantAccountId ? { subject: application.applicantAccountId } : {}),
      details: { applicationId: application.id, templateId: spec.templateId, kid: key.kid },
    });
  }

  deps.workflow.onTransition(async (tx, event) => {
    if (event.entry.action === 'approve' && event.case.status === event.entry.to) await issue(tx, event);
  });

  const jwks = (agency?: string): Promise<PublishedJwks> => keys.jwks(db, agency);

  /** Checks the row's stored JWS with the published keys, then its revocation. */
  async function check(row: CertificateRow, jws: string): Promise<Verification> {
    const verified = await verifyCredential(jws, await jwks());
    if (!verified.ok) return { status: 'not_genuine', reason: verified.reason };
    if (verified.credential.id !== `urn:uuid:${row.id}`) return { status: 'not_genuine', reason: 'mismatch' };
    const certificate = content(verified.credential, verified.kid);
    return row.revoked_at
      ? { status: 'revoked', certificate, revokedAt: row.revoked_at, reason: row.revoke_reason ?? '' }
      : { status: 'valid', certificate };
  }

  /** A check that showed the certificate's content is a read of the holder's data: audited. */
  async function audited(row: CertificateRow, result: Verification, viewer: { principal?: Principal | undefined; requestId?: string }): Promise<Verification> {
    if (result.status === 'not_genuine') return result;
    const actor: Actor = viewer.principal ? { kind: viewer.principal.kind === 'staff' ? 'staff' : 'person', id: viewer.principal.accountId } : { kind: 'anonymous', id: 'anonymous' };
    await kernel.audit.append(db, {
      actor, action: 'documents.certificate.verify', resource: { type: 'certificate', id: row.id }, purpose: VERIFY_PURPOSE,
      ...(row.holder_account_id ? { subject: row.holder_account_id } : {}),
      ...(viewer.requestId ? { requestId: viewer.requestId } : {}),
      details: { outcome: result.status },
    });
    return result;
  }

  /** Officers (or supervisors) of the issuing agency; anyone else learns nothing more than a 403. */
  function authoriseStaff(row: CertificateRow, principal: Principal): void {
    if (!hasRole(principal, ['officer', 'supervisor'], row.agency)) throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_FORBIDDEN);
  }

  const self = {
    /** The contract: the certificate of an application, if one was issued. */
    async forApplication(applicationId: string): Promise<CertificateSummary | undefined> {
      const row = UUID.test(applicationId) ? await store.forApplication(db, applicationId.toLowerCase()) : undefined;
      return row ? summary(row) : undefined;
    },

    /** The person's documents page. */
    async listForPerson(person: Principal): Promise<CertificateSummary[]> {
      return (await store.listForHolder(db, person.accountId)).map(summary);
    },

    /** The holder's PDF, printed from the signed content, in `locale`. */
    async pdf(id: string, person: Principal, locale: Locale): Promise<{ bytes: Uint8Array; filename: string }> {
      const row = await find(id);
      if (!row) throw notFound();
      if (row.holder_account_id !== person.accountId) throw notFound('not-owner');
      const verified = await check(row, row.jws);
      if (verified.status === 'not_genuine') throw new Error(`Stored certificate ${row.id} does not verify: ${verified.reason}`);
      const c = verified.certificate;
      const { bytes, unprintable } = await renderCertificatePdf({
        id: row.id, locale, title: c.title, agencyName: c.issuer.name, reference: c.reference, fields: c.fields, issuedAt: c.issuedAt,
        verifyUrl: verifyUrl(publicUrl, row.id), revokedAt: row.revoked_at,
      });
      // The id and a count only: never the characters (they are the holder's name, address, …).
      if (unprintable > 0) kernel.log.warn({ certificateId: row.id, unprintable }, 'certificate PDF: characters no installed font has are printed as 〓 (install fonts-hanazono and fonts-dejavu-core)');
      return { bytes, filename: `${row.reference ?? row.id}-${row.template_id}.pdf` };
    },

    /**
     * Whether some character of the certificate's signed content has no face in the PDF font chain
     * (its PDF shows 〓): the officers' panel says so. Never throws: the case page must still open.
     */
    async hasUnprintable(id: string): Promise<boolean> {
      const row = await find(id);
      if (!row) return false;
      try {
        // Our own stored JWS, read for a hint on the page: its payload is enough (no check needed).
        const c = content(JSON.parse(Buffer.from(row.jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Credential, '');
        const texts = [c.title, c.issuer.name, ...c.fields.flatMap((f) => [f.name, f.value])].flatMap((l) => [l['zh-CN'], l.en]);
        return unprintableIn([...texts, c.reference ?? ''], fontChain()) > 0;
      } catch {
        return false;
      }
    },

    /** The holder's signed certificate (the compact JWS), for a wallet or another system. */
    async credentialFor(id: string, person: Principal): Promise<string> {
      const row = await find(id);
      if (!row) throw notFound();
      if (row.holder_account_id !== person.accountId) throw notFound('not-owner');
      return row.jws;
    },

    /** `/verify/<id>`: an unknown id is "not genuine" like a tampered one. */
    async verifyById(id: string, viewer: { principal?: Principal | undefined; requestId?: string } = {}): Promise<Verification> {
      const row = await find(id);
      if (!row) return { status: 'not_genuine', reason: 'unknown' };
      return audited(row, await check(row, row.jws), viewer);
    },

    /** A JWS someone holds: genuine when our published keys verify it and we issued it. */
    async verifyJws(jws: string, viewer: { principal?: Principal | undefined; requestId?: string } = {}): Promise<Verification> {
      const verified = await verifyCredential(jws.trim(), await jwks());
      if (!verified.ok) return { status: 'not_genuine', reason: verified.reason };
      const row = await find(verified.credential.id.replace(/^urn:uuid:/, ''));
      if (!row) return { status: 'not_genuine', reason: 'unknown' };
      return audited(row, await check(row, jws.trim()), viewer);
    },

    /** The revoke page: the certificate's state, for an officer of the issuing agency. */
    async forStaff(id: string, principal: Principal): Promise<CertificateSummary> {
      const row = await find(id);
      if (!row) throw notFound();
      authoriseStaff(row, principal);
      return summary(row);
    },

    /** Revokes with a reason, audited; a second revocation is refused. */
    async revoke(input: { id: string; principal: Principal; reason: string; requestId?: string }): Promise<CertificateSummary> {
      const row = await find(input.id);
      if (!row) throw notFound();
      authoriseStaff(row, input.principal);
      const reason = input.reason.trim();
      if (reason === '' || reason.length > REASON_MAX) {
        throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_REASON_REQUIRED, { fields: [{ pointer: '/reason', message: 'documents.error.reasonRequired', detail: `Give a reason of at most ${REASON_MAX} characters` }] });
      }
      const at = kernel.now();
      await kernel.db.transaction().execute(async (tx) => {
        if (!(await store.revoke(tx, row.id, { at, by: input.principal.accountId, reason }))) throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_ALREADY_REVOKED);
        await kernel.audit.append(tx, {
          actor: { kind: 'staff', id: input.principal.accountId, organisation: row.agency }, action: 'documents.certificate.revoke',
          resource: { type: 'certificate', id: row.id }, ...(row.holder_account_id ? { subject: row.holder_account_id } : {}),
          ...(input.requestId ? { requestId: input.requestId } : {}), details: { reason, applicationId: row.application_id },
        });
      });
      return summary({ ...row, revoked_at: at, revoked_by: input.principal.accountId, revoke_reason: reason });
    },

    /** Every agency's keys (current and retired), or one agency's: `/.well-known/jwks.json`. */
    jwks,

    /** A new current key for the agency; the old one stays published. Audited. */
    async rotateKey(agency: string, actor: Actor): Promise<{ kid: string; retired: string | undefined }> {
      if (!(await deps.catalog.getAgency(agency))) throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_UNKNOWN_AGENCY, { detail: `No agency ${agency}` });
      return kernel.db.transaction().execute(async (tx) => {
        const rotated = await keys.rotate(tx, agency);
        await kernel.audit.append(tx, { actor, action: 'documents.key.rotate', resource: { type: 'signing-key', id: rotated.kid }, details: { agency, retired: rotated.retired ?? null } });
        return rotated;
      });
    },

    /**
     * Every stored private key sealed under the current wrapping key (ADR 42): run after a change
     * of TONGBAN_CERTIFICATE_WRAPPING_KEY, with the previous one accepted. Audited, with the kids
     * moved and those that opened under no configured key.
     */
    async resealKeys(actor: Actor): Promise<ResealReport> {
      return kernel.db.transaction().execute(async (tx) => {
        const report = await keys.reseal(tx);
        await kernel.audit.append(tx, { actor, action: 'documents.key.reseal', resource: { type: 'signing-key', id: '*' }, details: { resealed: report.resealed.length, unchanged: report.unchanged, unopened: report.unopened } });
        return report;
      });
    },

    /** The API's 404 for an unknown certificate number. */
    notFoundError: notFound,

    /** Keys as a list (for the CLI): kid, agency, created, retired. */
    listKeys: (agency?: string) => keys.listKeys(db, agency),
  };
  addCertificatePanels(deps.applications, { forApplication: (id) => self.forApplication(id), hasUnprintable: (id) => self.hasUnprintable(id) });
  return self;
}

export type DocumentsService = ReturnType<typeof createDocumentsService>;
