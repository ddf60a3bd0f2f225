import type { AgreementAdmin, AgreementInput, ConsentService } from './service.js';

/**
 * Demo agreements: the prefill of the apply journey (consent), the civil affairs system's reads
 * of the population service through the mediator (consent), and a legal-basis check (no consent).
 */
export const DEMO_AGREEMENTS = {
  prefill: 'prefill-population',
  mediator: 'population-persons',
  legalBasis: 'residence-permit-household-check',
} as const;

const PSB = '110000-PSB';

export const DEMO_AGREEMENT_INPUTS: readonly AgreementInput[] = [
  {
    id: DEMO_AGREEMENTS.prefill, controller: PSB, lawfulBasis: 'consent',
    purpose: {
      'zh-CN': '用人口登记中的姓名、出生日期和户籍地址预先填写您的申请',
      en: 'Prefill your application with your name, date of birth and household address from the population register',
    },
    legalBasis: { 'zh-CN': '您的同意（《个人信息保护法》第十三条第一款第一项）', en: 'Your consent (Personal Information Protection Law, article 13(1)(1))' },
    items: ['name', 'dateOfBirth', 'householdAddress'],
    retention: { 'zh-CN': '读取的数据随申请保存，申请办结后保存 3 年', en: 'What is read is kept with your application, for 3 years after it is decided' },
    consentDays: 365,
  },
  {
    id: DEMO_AGREEMENTS.mediator, controller: PSB, lawfulBasis: 'consent',
    purpose: {
      'zh-CN': '民政局业务系统通过信息中介读取您的人口基本信息，用于办理您的民政事项',
      en: "The civil affairs bureau's case system reads your basic population record through the information mediator to handle your case",
    },
    legalBasis: { 'zh-CN': '您的同意（《个人信息保护法》第十三条第一款第一项）', en: 'Your consent (Personal Information Protection Law, article 13(1)(1))' },
    items: ['idNumber', 'name', 'birthDate', 'sex', 'household', 'status'],
    retention: { 'zh-CN': '随民政案件保存，案件办结后保存 5 年', en: 'Kept with the civil affairs case, for 5 years after it is closed' },
  },
  {
    id: DEMO_AGREEMENTS.legalBasis, controller: PSB, lawfulBasis: 'public_task',
    purpose: {
      'zh-CN': '办理居住证时核对您的户籍登记',
      en: 'Check your household registration when you apply for a residence permit',
    },
    legalBasis: { 'zh-CN': '《居住证暂行条例》第九条', en: 'Interim Regulations on Residence Permits, article 9' },
    items: ['name', 'householdAddress'],
    retention: { 'zh-CN': '随居住证申请保存，申请办结后保存 3 年', en: 'Kept with the residence permit application, for 3 years after it is decided' },
  },
];

/** Idempotent: an agreement that exists is left as it is (an administrator may have changed it). */
export async function seedConsentDemo(consent: ConsentService): Promise<void> {
  const admin: AgreementAdmin = { actor: { kind: 'system', id: 'demo-seed' }, may: () => true };
  for (const input of DEMO_AGREEMENT_INPUTS) {
    if (!(await consent.latest(input.id))) await consent.saveAgreement(input, admin, { create: true });
  }
}
