import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionKey } from './actions.js';

/** Audit actions written with no subject: nobody's "who used my data" page shows them. */
const NO_SUBJECT = new Set([
  'auth.client.disable', 'auth.client.enable', 'catalog.agency.publish', 'catalog.service.publish', 'consent.agreement.retire', 'consent.agreement.save',
  'documents.key.reseal', 'documents.key.rotate', 'mediator.client-key.add', 'mediator.event-type.create', 'mediator.event-type.delete', 'mediator.subscription.delete',
  'registry.schema.delete', 'registry.schema.save', 'registry.records.import', 'workflow.calendar.import', 'workflow.deadline.recompute',
  // The person's own acts: never shown to them (privacy lists uses by others).
  'privacy.question.ask', 'insights.follow_up.respond',
]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every dotted audit action the modules write as a literal (`action: '…'`, or a module's audit helper's argument). */
function writtenActions(): string[] {
  const found = new Set<string>();
  for (const file of sources(join(import.meta.dirname, '..'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/action: '([a-z_]+\.[a-z_.-]+)'/g)) found.add(m[1]!);
    for (const m of text.matchAll(/audit\((?:tx|db|executor), (?:by|who), (?:[^,]+\? )?'([a-z_]+\.[a-z_.-]+)'(?: : '([a-z_]+\.[a-z_.-]+)')?/g)) {
      found.add(m[1]!);
      if (m[2]) found.add(m[2]);
    }
  }
  return [...found].sort();
}

describe('what each recorded action means to the person', () => {
  const actions = writtenActions();

  it('finds the actions the modules write (the scan can fail)', () => {
    expect(actions).toEqual(expect.arrayContaining(['application.view', 'consent.record.read', 'consent.individual.read', 'registry.usage.read', 'insights.follow_up.read', 'scheduling.appointment.book']));
  });

  it.each(actions.filter((a) => !NO_SUBJECT.has(a)))('%s has words of its own, not "Used your information"', (action) => {
    expect(actionKey(action)).not.toBe('privacy.action.other');
  });

  it('says what was done, not a near miss', () => {
    expect(actionKey('consent.record.read')).toBe('privacy.action.consentRead');
    expect(actionKey('consent.individual.read')).toBe('privacy.action.consentRead');
    expect(actionKey('consent.records.delete-all')).toBe('privacy.action.consentDelete');
    expect(actionKey('registry.correction.view')).toBe('privacy.action.correctionView');
    expect(actionKey('registry.correction.report')).toBe('privacy.action.correctionReport');
    expect(actionKey('registry.usage.read')).toBe('privacy.action.registryUsage');
    expect(actionKey('registry.record.read')).toBe('privacy.action.registry');
    expect(actionKey('insights.follow_up.read')).toBe('privacy.action.ratingRead');
    expect(actionKey('something.new')).toBe('privacy.action.other');
  });
});
