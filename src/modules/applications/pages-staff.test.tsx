import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import { UiTextProvider, uiTextFor } from '../../ui/index.js';
import { StaffApplication } from './pages-staff.js';
import type { StaffView } from './service.js';

type Channel = StaffView['application']['channel'];
import './messages.js';

const viewOf = (channel: Channel): StaffView => ({
  application: {
    id: '00000000-0000-4000-8000-000000000001', reference: 'TB-2026-ABC123', serviceId: 's', serviceVersion: 1, agencyCode: '110000-PSB',
    applicantAccountId: null, channel, submittedBy: 'x', status: 'submitted', createdAt: new Date(), updatedAt: new Date(), submittedAt: null,
  },
  serviceName: { 'zh-CN': '居住证', en: 'Residence permit' }, applicantIdNumber: null, rows: [], documents: [], tasks: [], panels: [],
});

const channelShown = (channel: Channel, locale: Locale): string => {
  const text = uiTextFor(locale);
  const html = render(<UiTextProvider value={text}><StaffApplication view={viewOf(channel)} request={text} /></UiTextProvider>);
  const label = translate(locale, 'applications.staff.channel');
  return new RegExp(`${label}</dt>\\s*<dd[^>]*>([^<]*)<`).exec(html)?.[1] ?? `no channel row in ${html}`;
};

describe('the back office\'s application section', () => {
  it('names each channel the application came through, in both languages', () => {
    expect(['online', 'counter', 'api'].map((c) => channelShown(c as Channel, 'en'))).toEqual(['Online', 'At a counter', 'Through another system (API)']);
    expect(['online', 'counter', 'api'].map((c) => channelShown(c as Channel, 'zh-CN'))).toEqual(['网上申请', '窗口办理', '其他系统接入（API）']);
  });
});
