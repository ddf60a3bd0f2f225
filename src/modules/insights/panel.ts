import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { CasePanel } from '../applications/service.js';
import { formatLastDay } from './format.js';
import './messages.js';
import type { FollowUp, Rating } from './service.js';

/**
 * The applicant's panel on the status page of a finished case: an invitation to rate it, then
 * the rating given, and for a low one the agency's deadline, its answer and the person's response.
 */
export function ratingPanel(input: { applicationId: string; locale: Locale; rating: Rating | undefined; followUp: FollowUp | undefined }): CasePanel {
  const t = (key: string, params?: Record<string, string | number>) => translate(input.locale, key, params);
  const href = `/applications/${input.applicationId}/rating`;
  const { rating, followUp } = input;
  if (!rating) {
    return { id: 'rating', heading: t('insights.panel.heading'), lines: [t('insights.panel.invite')], links: [{ href, text: t('insights.panel.rate') }] };
  }
  const lines = [t('insights.panel.rated', { score: rating.score })];
  if (followUp && !followUp.answeredAt) lines.push(t('insights.panel.followUpOpen', { date: formatLastDay(input.locale, followUp.dueAt) }));
  if (followUp?.answer) lines.push(t('insights.panel.answered', { answer: followUp.answer }));
  const mustRespond = followUp?.answeredAt && followUp.respondedAt === null;
  return {
    id: 'rating', heading: t('insights.panel.heading'), lines, tone: mustRespond ? 'warning' : 'success',
    links: [{ href, text: t(mustRespond ? 'insights.panel.respond' : 'insights.panel.see') }],
  };
}
