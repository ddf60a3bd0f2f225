import { describe, expect, it } from 'vitest';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import './messages.js';
import { renderStatusPage } from './pages-status.js';
import type { ApplicantView } from './service.js';

const context = (locale: Locale) => ({ locale, t: (key: string, params?: Record<string, string | number>) => translate(locale, key, params), currentPath: '/applications/x', csrfToken: 'token' });

/** The applicant's status page of a case whose deadline closes at midnight starting 17 February 2027 in Shanghai. */
const view = (final: boolean) => ({
  application: { id: '7d0d3f4e-0000-4000-8000-000000000001', reference: 'TB-2027-000001' },
  serviceName: { 'zh-CN': '测试事项', en: 'Test service' },
  case: {
    final, dueAt: new Date('2027-02-17T00:00:00+08:00'), statusName: { 'zh-CN': '审核中', en: 'In review' },
    allowedActions: { applicant: [] }, definition: { states: [] }, history: [],
  },
  rows: [], documents: [], tasks: [], panels: [],
}) as unknown as ApplicantView;

describe('the applicant’s status page', () => {
  it('says by which day the decision is due, the last day the officer sees (Shanghai), in both languages', () => {
    expect(renderStatusPage(context('en'), view(false))).toContain('Decision due by Feb 16, 2027');
    expect(renderStatusPage(context('zh-CN'), view(false))).toContain('预计办结日期：2027年2月16日');
  });

  it('says nothing of a deadline once the case is closed', () => {
    expect(renderStatusPage(context('en'), view(true))).not.toContain('Decision due by');
  });
});
