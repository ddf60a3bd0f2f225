import type { VNode } from 'preact';
import type { Locale } from '../kernel/i18n/index.js';
import { sayFor, type Example } from './example.js';
import { Layout } from './layout.js';
import { renderPage } from './render.js';
import { uiTextFor } from './text.js';
import { examples as backLink } from './components/back-link.examples.js';
import { examples as button } from './components/button.examples.js';
import { examples as checkboxes } from './components/checkboxes.examples.js';
import { examples as dateInput } from './components/date-input.examples.js';
import { examples as details } from './components/details.examples.js';
import { examples as errorMessage } from './components/error-message.examples.js';
import { examples as errorSummary } from './components/error-summary.examples.js';
import { examples as fieldset } from './components/fieldset.examples.js';
import { examples as fileUpload } from './components/file-upload.examples.js';
import { examples as footer } from './components/footer.examples.js';
import { examples as header } from './components/header.examples.js';
import { examples as hint } from './components/hint.examples.js';
import { examples as insetText } from './components/inset-text.examples.js';
import { examples as label } from './components/label.examples.js';
import { examples as notificationBanner } from './components/notification-banner.examples.js';
import { examples as pagination } from './components/pagination.examples.js';
import { examples as panel } from './components/panel.examples.js';
import { examples as phaseBanner } from './components/phase-banner.examples.js';
import { examples as radios } from './components/radios.examples.js';
import { examples as select } from './components/select.examples.js';
import { examples as skipLink } from './components/skip-link.examples.js';
import { examples as summaryList } from './components/summary-list.examples.js';
import { examples as table } from './components/table.examples.js';
import { examples as tag } from './components/tag.examples.js';
import { examples as textInput } from './components/text-input.examples.js';
import { examples as textarea } from './components/textarea.examples.js';

/** Every component's examples (STYLE 17): the input of the accessibility test and of docs. */
export const componentExamples: Readonly<Record<string, readonly Example[]>> = {
  'back-link': backLink,
  'button': button,
  'checkboxes': checkboxes,
  'date-input': dateInput,
  'details': details,
  'error-message': errorMessage,
  'error-summary': errorSummary,
  'fieldset': fieldset,
  'file-upload': fileUpload,
  'footer': footer,
  'header': header,
  'hint': hint,
  'inset-text': insetText,
  'label': label,
  'notification-banner': notificationBanner,
  'pagination': pagination,
  'panel': panel,
  'phase-banner': phaseBanner,
  'radios': radios,
  'select': select,
  'skip-link': skipLink,
  'summary-list': summaryList,
  'table': table,
  'tag': tag,
  'text-input': textInput,
  'textarea': textarea,
};

/** An example as a whole page, inside the real Layout, in one language. */
export function renderExamplePage(component: string, example: Example, locale: Locale): string {
  const { t } = uiTextFor(locale);
  const body: VNode = example.render(sayFor(locale));
  return renderPage(
    <Layout title={`${component}: ${example.name}`} locale={locale} t={t} currentPath={`/examples/${component}`}>
      {body}
    </Layout>,
  );
}
