import { TongbanError, type DenialReason } from '../../kernel/http/index.js';
import type { LocalizedText, ServiceVersion } from '../catalog/service.js';
import { ApplicationsErrors } from './errors.js';
import type { ApplicationRow, Channel, FileInfoRow, StoredFileMeta, TaskRow } from './store.js';

export interface Application {
  readonly id: string;
  readonly reference: string | null;
  readonly serviceId: string;
  readonly serviceVersion: number;
  readonly agencyCode: string;
  readonly applicantAccountId: string | null;
  readonly channel: Channel;
  readonly submittedBy: string;
  readonly status: 'draft' | 'submitted';
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly submittedAt: Date | null;
}

export interface DocumentInfo {
  readonly id: string;
  readonly slot: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly label: LocalizedText;
}

export interface Task {
  readonly id: string;
  readonly question: string;
  readonly askedAt: Date;
  readonly answer: string | null;
  readonly answeredAt: Date | null;
}

export const toApplication = (r: ApplicationRow): Application => ({
  id: r.id, reference: r.reference, serviceId: r.service_id, serviceVersion: r.service_version, agencyCode: r.agency_code,
  applicantAccountId: r.applicant_account_id, channel: r.channel, submittedBy: r.submitted_by, status: r.status,
  createdAt: r.created_at, updatedAt: r.updated_at, submittedAt: r.submitted_at,
});
export const toTask = (t: TaskRow): Task => ({ id: t.id, question: t.question, askedAt: t.asked_at, answer: t.answer, answeredAt: t.answered_at });

/** 404; with `denied`, the application exists but is someone else's, which is logged as security.denied (issue 9). */
export const notFound = (denied?: DenialReason) => new TongbanError(ApplicationsErrors.TB_APPLICATIONS_NOT_FOUND, denied ? { denied } : {});

export function documentInfos(service: ServiceVersion, files: readonly FileInfoRow[], documents: Readonly<Record<string, StoredFileMeta>>): DocumentInfo[] {
  return service.definition.documents.flatMap((d) => {
    const ref = documents[d.id]?.ref;
    const file = files.find((f) => f.id === ref);
    return file ? [{ id: file.id, slot: d.id, name: file.display_name, type: file.content_type, size: file.size, label: d.name }] : [];
  });
}

