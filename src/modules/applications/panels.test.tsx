import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { PanelInput } from './panels.js';
import { createPanelRegistry } from './panels.js';
import { Panels } from './pages-shared.js';

const input = { locale: 'en' } as unknown as PanelInput;

describe('case panels', () => {
  it('keeps registration order, per audience, and leaves out sources with nothing to say', async () => {
    const registry = createPanelRegistry();
    registry.addPanel('applicant', () => Promise.resolve({ id: 'payments', heading: 'Fee', lines: ['¥10.00 to pay'], links: [{ href: '/pay', text: 'Pay now' }], tone: 'warning' }));
    registry.addPanel('applicant', () => Promise.resolve(null));
    registry.addPanel('applicant', ({ locale }) => Promise.resolve({ id: 'rating', heading: `Rate (${locale})`, lines: [], links: [] }));
    registry.addPanel('staff', () => Promise.resolve({ id: 'staff-only', heading: 'Paid', lines: [], links: [] }));

    const applicant = await registry.panelsFor('applicant', input);
    expect(applicant.map((p) => p.id)).toEqual(['payments', 'rating']);
    expect(applicant[1]?.heading).toBe('Rate (en)');
    expect((await registry.panelsFor('staff', input)).map((p) => p.id)).toEqual(['staff-only']);
  });

  it('renders each panel as a labelled section, escaping what modules wrote', () => {
    const html = render(<Panels panels={[{ id: 'payments', heading: 'Fee <b>', lines: ['Pay & go'], links: [{ href: '/pay?a=1', text: 'Pay now' }], tone: 'warning' }]} />);
    expect(html).toContain('<section id="panel-payments" aria-labelledby="panel-payments-heading" class="tb-inset-text tb-inset-text--warning">');
    expect(html).toContain('<h2 class="tb-heading-m" id="panel-payments-heading">Fee &lt;b></h2>');
    expect(html).toContain('<p class="tb-body">Pay &amp; go</p>');
    expect(html).toContain('<a href="/pay?a=1">Pay now</a>');
    expect(render(<Panels panels={[]} />)).toBe('');
  });
});
