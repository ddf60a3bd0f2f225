import type { ComponentChildren, VNode } from 'preact';
import { useT } from '../text.js';

export interface NotificationBannerProps {
  /** `success` confirms something the person just did and is announced as an alert. */
  readonly type?: 'important' | 'success' | undefined;
  /** Defaults to "Important" or "Success". */
  readonly title?: string | undefined;
  readonly id?: string | undefined;
  readonly children: ComponentChildren;
}

export function NotificationBanner({ type, title, id, children }: NotificationBannerProps): VNode {
  const t = useT();
  const success = type === 'success';
  const titleId = `${id ?? 'notification-banner'}-title`;
  return (
    <div class={success ? 'tb-notification-banner tb-notification-banner--success' : 'tb-notification-banner'}
      role={success ? 'alert' : 'region'} aria-labelledby={titleId} id={id}>
      <div class="tb-notification-banner__header">
        <h2 class="tb-notification-banner__title" id={titleId}>
          {title ?? t(success ? 'ui.notificationBanner.success' : 'ui.notificationBanner.important')}
        </h2>
      </div>
      <div class="tb-notification-banner__content">{children}</div>
    </div>
  );
}
