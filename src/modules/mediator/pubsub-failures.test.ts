import { describe, expect, it } from 'vitest';
import { translate } from '../../kernel/i18n/index.js';
import { pushFailure, pushFailureText } from './pubsub-failures.js';

describe('a failed push, worded for the reader', () => {
  const zh = (key: string, params?: Record<string, string | number>) => translate('zh-CN', key, params);
  const en = (key: string, params?: Record<string, string | number>) => translate('en', key, params);

  it('keeps the kind and the value, and words them in either language', () => {
    expect(pushFailure('status', '503')).toBe('status:503');
    expect(pushFailure('timeout', 'no answer within 10000 ms')).toBe('timeout:10000');
    expect(pushFailure('too-large', 'the answer exceeds 1048576 bytes')).toBe('too-large:1048576');
    expect(pushFailureText(pushFailure('status', '503'), zh)).toBe('订阅方返回了 503');
    expect(pushFailureText(pushFailure('timeout', 'no answer within 10000 ms'), en)).toBe('No answer within 10000 ms');
    expect(pushFailureText(pushFailure('unreachable', 'ECONNREFUSED'), zh)).toBe('无法连接订阅方（ECONNREFUSED）');
    expect(pushFailureText(pushFailure('gone', 'CN/GOV/110000-CAB/case-system/events'), en)).toBe('The push service CN/GOV/110000-CAB/case-system/events is no longer registered');
  });

  it('shows a failure stored before as it was written', () => {
    expect(pushFailureText('the subscriber answered 503', zh)).toBe('the subscriber answered 503');
  });
});
