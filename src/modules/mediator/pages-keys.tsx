import { renderPage, Select, SummaryList, Textarea } from '../../ui/index.js';
import './messages.js';
import type { SubsystemKey } from './client-keys.js';
import type { PageContext } from './pages.js';
import { choose, ConfirmPage, errorOf, FormPage, REGISTRY_PATH, removeKeyHref, type ShownError } from './pages-registry.js';
import { text, type Posted } from './registry-forms.js';
import type { SubsystemRow } from './service.js';

export const NEW_KEY_PATH = `${REGISTRY_PATH}/keys/new`;
export const REMOVE_KEY_PATH = `${REGISTRY_PATH}/keys/remove`;

/** Register a public key for one of the administrator's subsystems' access tokens (ADR 47). */
export function renderKeyForm(ctx: PageContext, data: { subsystems: readonly SubsystemRow[]; values: Posted; errors: readonly ShownError[] }): string {
  const { t } = ctx;
  const e = (name: string) => errorOf(data.errors, name);
  return renderPage(
    <FormPage ctx={ctx} title={t('mediator.admin.addKey')} action={NEW_KEY_PATH} errors={data.errors}>
      <Select name="subsystem" label={t('mediator.admin.subsystem')} hint={t('mediator.admin.keySubsystemHint')} items={choose(ctx, data.subsystems)}
        value={text(data.values, 'subsystem')} error={e('subsystem')} />
      <Textarea name="key" label={t('mediator.admin.key')} hint={t('mediator.admin.keyHint')} value={text(data.values, 'key')} error={e('key')} rows={6} spellcheck={false} />
    </FormPage>,
  );
}

/** Asks before removing: the subsystem's next token request signed with this key is refused. */
export function renderRemoveKeyPage(ctx: PageContext, key: SubsystemKey): string {
  const { t } = ctx;
  return renderPage(
    <ConfirmPage ctx={ctx} title={t('mediator.admin.removeKeyTitle')} action={removeKeyHref(key)} confirm={t('mediator.admin.removeKeyConfirm')}>
      <SummaryList rows={[
        { key: t('mediator.admin.subsystem'), value: <code>{key.subsystemId}</code> },
        { key: t('mediator.admin.clientId'), value: <code>{key.clientId}</code> },
        { key: t('mediator.admin.keyId'), value: <code>{key.kid}</code> },
        { key: t('mediator.admin.keyType'), value: key.type },
      ]} />
      <p class="tb-body">{t('mediator.admin.removeKeyText', { subsystem: key.subsystemId, kid: key.kid })}</p>
    </ConfirmPage>,
  );
}
