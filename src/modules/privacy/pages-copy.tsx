import { Button, Layout, renderPage, SummaryList } from '../../ui/index.js';
import type { PageContext } from './pages-shared.js';
import { COPY_SECTIONS } from './service.js';

/** `/my-data/copy`: what a copy of one's data holds, and the link that downloads it. */
export function renderCopyPage(context: PageContext): string {
  const { t } = context;
  const title = t('privacy.copy.title');
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('privacy.copy.lead')}</p>
      <h2 class="tb-heading-m">{t('privacy.copy.what')}</h2>
      <SummaryList rows={COPY_SECTIONS.map((id) => ({ key: t(`privacy.copy.section.${id}`), value: t(`privacy.copy.section.${id}.about`) }))} />
      <p class="tb-body">{t('privacy.copy.format')}</p>
      {/* A plain link: the download works without JavaScript; the GET changes nothing but the audit log. */}
      <Button href="/my-data/copy.json">{t('privacy.copy.download')}</Button>
      <p class="tb-body">{t('privacy.copy.recorded')}</p>
      <p class="tb-body">{t('privacy.copy.others')} <a href="/my-data/accesses">{t('privacy.accesses.title')}</a>.</p>
      <p class="tb-body">{t('privacy.copy.wrong')}</p>
    </Layout>,
  );
}
