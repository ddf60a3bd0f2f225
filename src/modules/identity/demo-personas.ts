import { PLATFORM_AGENCY, type AccountKind, type RoleAssignment } from '../../kernel/auth/index.js';

/** The demo agencies the personas work at (the catalog module owns the agencies themselves). */
export const DEMO_AGENCIES = {
  publicSecurity: '110000-PSB', marketRegulation: '110000-AMR', civilAffairs: '110000-CAB',
  housing: '110000-HUC', transport: '110000-TRA',
} as const;

export interface DemoPersona {
  /** Their `sub` at the built-in IdP. */
  readonly subject: string;
  /** Fixed, so other modules' demo data can refer to them. */
  readonly accountId: string;
  readonly kind: AccountKind;
  readonly name: string;
  readonly descriptionKey: string;
  readonly idNumber?: string;
  /** At the reserved `.example` domain: a demo can never mail a real person. */
  readonly email: string;
  readonly organisation?: { readonly name: string; readonly code: string };
  readonly roles: readonly RoleAssignment[];
}

/**
 * Made-up people. The numbers have valid checksums (tested) so forms accept them; they are
 * generated, not anyone's.
 */
export const DEMO_PERSONAS: readonly DemoPersona[] = [
  {
    subject: 'citizen', accountId: '0190a1b2-0000-7000-8000-000000000001', kind: 'person', name: '张伟', email: 'zhang.wei@tongban.example',
    descriptionKey: 'identity.persona.citizen', idNumber: '110101199003072359', roles: [],
  },
  {
    subject: 'business', accountId: '0190a1b2-0000-7000-8000-000000000002', kind: 'business', name: '李娜', email: 'li.na@tongban.example',
    descriptionKey: 'identity.persona.business',
    organisation: { name: '北京通办示例科技有限公司', code: '91110108MA01TB8N59' }, roles: [],
  },
  {
    subject: 'clerk', accountId: '0190a1b2-0000-7000-8000-000000000003', kind: 'staff', name: '王芳', email: 'wang.fang@tongban.example',
    descriptionKey: 'identity.persona.clerk', roles: [{ agency: DEMO_AGENCIES.civilAffairs, role: 'clerk' }],
  },
  {
    subject: 'officer', accountId: '0190a1b2-0000-7000-8000-000000000004', kind: 'staff', name: '刘洋', email: 'liu.yang@tongban.example',
    descriptionKey: 'identity.persona.officer',
    // One officer who can work every demo service's cases, and supervise at Market Regulation,
    // so the whole journey (and an escalation) can be tried with one sign-in.
    roles: [
      ...Object.values(DEMO_AGENCIES).map((agency) => ({ agency, role: 'officer' as const })),
      { agency: DEMO_AGENCIES.marketRegulation, role: 'supervisor' },
    ],
  },
  {
    // An officer of one agency only, so "officer of another agency" can be tried (issue 9 matrix).
    subject: 'transport-officer', accountId: '0190a1b2-0000-7000-8000-000000000007', kind: 'staff', name: '孙丽', email: 'sun.li@tongban.example',
    descriptionKey: 'identity.persona.transportOfficer', roles: [{ agency: DEMO_AGENCIES.transport, role: 'officer' }],
  },
  {
    subject: 'agency-admin', accountId: '0190a1b2-0000-7000-8000-000000000005', kind: 'staff', name: '陈静', email: 'chen.jing@tongban.example',
    descriptionKey: 'identity.persona.agencyAdmin', roles: [{ agency: DEMO_AGENCIES.publicSecurity, role: 'agency_admin' }],
  },
  {
    subject: 'platform-admin', accountId: '0190a1b2-0000-7000-8000-000000000006', kind: 'staff', name: '赵磊', email: 'zhao.lei@tongban.example',
    descriptionKey: 'identity.persona.platformAdmin', roles: [{ agency: PLATFORM_AGENCY, role: 'platform_admin' }],
  },
];

export function demoPersona(subject: string): DemoPersona {
  const persona = DEMO_PERSONAS.find((p) => p.subject === subject);
  if (!persona) throw new Error(`No demo persona ${subject}`);
  return persona;
}
