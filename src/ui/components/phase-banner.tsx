import type { VNode } from 'preact';
import { interpolate, useT } from '../text.js';
import { Tag } from './tag.js';

export interface PhaseBannerProps {
  readonly phase?: 'alpha' | 'beta' | undefined;
  readonly feedbackHref: string;
}

export function PhaseBanner({ phase, feedbackHref }: PhaseBannerProps): VNode {
  const t = useT();
  return (
    <div class="tb-phase-banner">
      <p class="tb-phase-banner__content">
        <Tag>{t(phase === 'alpha' ? 'ui.phaseBanner.alpha' : 'ui.phaseBanner.beta')}</Tag>
        <span class="tb-phase-banner__text">
          {interpolate(t('ui.phaseBanner.text'), 'feedback', <a href={feedbackHref}>{t('ui.phaseBanner.feedback')}</a>)}
        </span>
      </p>
    </div>
  );
}
